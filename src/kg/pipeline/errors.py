"""What stops a build: a file that is not RDF, an archived source that cannot be trusted, data
that breaks a shape, a store that holds writes. The command line reports any of them in one
message and exits 2 (1 for violations)."""


class BuildError(Exception):
    """The base of the build's errors: its message says what to fix."""
