"""What a write changes: quads removed and added, named graphs dropped and created."""

from dataclasses import dataclass, field

import pyoxigraph as ox


@dataclass
class Delta:
    """The effect of an update: quads removed and added, named graphs dropped and created."""

    removed: list = field(default_factory=list)
    added: list = field(default_factory=list)
    graphs_dropped: list = field(default_factory=list)
    graphs_created: list = field(default_factory=list)
    # What the write was about, for its answer (a workbook's document, kg.curation.store_write
    # WrittenSheet), even when it changes nothing; not part of the change: the journal does not
    # keep it.
    about: object = None

    def is_empty(self) -> bool:
        return not (self.removed or self.added or self.graphs_dropped or self.graphs_created)

    def inverse(self) -> "Delta":
        """The delta that undoes this one (whose removed quads were present, added ones absent)."""
        return Delta(removed=list(self.added), added=list(self.removed),
                     graphs_dropped=list(self.graphs_created),
                     graphs_created=list(self.graphs_dropped))


def apply_to(store: ox.Store, delta: Delta) -> None:
    """Apply one delta to a store: removals, dropped graphs, created graphs, then additions
    (idempotent, so a journal can replay a record that was already applied)."""
    for quad in delta.removed:
        store.remove(quad)
    for graph in delta.graphs_dropped:
        store.remove_graph(graph)
    for graph in delta.graphs_created:
        store.add_graph(graph)
    store.extend(delta.added)
