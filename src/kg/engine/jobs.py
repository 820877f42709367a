"""The messages between the server and its workers (picklable, plain data)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QueryJob:
    """One SPARQL query to check, evaluate and serialize in a worker.

    `result_format` is a key of `kg.engine.results.SOLUTION_WRITERS` (SELECT/ASK) or of
    `kg.engine.results.GRAPH_FORMATS` (CONSTRUCT/DESCRIBE); when None, the pool's
    `prepare_query` hook chooses it (and `media_type`) from `accept` / `format`.
    `default_graphs` / `named_graphs` are the protocol's dataset (None: not given).
    """

    text: str
    result_format: str | None = None
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union_default_graph: bool = True
    row_limit: int = 10000
    byte_limit: int | None = None  # the result body's cap (None: none), see kg.engine.results
    prefixes: dict[str, str] = field(default_factory=dict)
    accept: str | None = None
    format: str | None = None
    media_type: str | None = None
    # Set by kg.sparql.conformance: variables of ours to leave out of SELECT results, and
    # whether the query calls kg.engine.evaluate.BNODE_FUNCTION.
    hidden_variables: tuple[str, ...] = ()
    bnode_function: bool = False
    # The operator's federation allow-list (SERVICE endpoints) and the timeout of each call.
    services: tuple[str, ...] = ()
    service_timeout: float = 10.0


@dataclass(frozen=True)
class UpdateJob:
    """One SPARQL update request (possibly several operations), applied wholly or not at all.

    `using_graphs` / `using_named_graphs`: the protocol's using-graph-uri /
    using-named-graph-uri, applied by the pool's `prepare_update` hook.
    """

    text: str
    base_iri: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)
    using_graphs: tuple[str, ...] = ()
    using_named_graphs: tuple[str, ...] = ()
    agent: str | None = None  # who (the update token's name), for the change log


@dataclass(frozen=True)
class QueryOutcome:
    """A serialized result. `truncated`: False, True (the row cap cut it) or "bytes" (the
    byte cap did); `rows` counts what was kept."""

    body: bytes  # or a memoryview of the worker's reply (decode_reply(..., view=True))
    rows: int
    truncated: bool | str = False
    media_type: str | None = None
