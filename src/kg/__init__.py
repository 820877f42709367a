"""kg: the civic-protest knowledge graph and the software that publishes it."""

__version__ = "0.1.0"
