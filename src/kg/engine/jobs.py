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


# A variable of an update's template, written as an IRI so that pyoxigraph parses the template
# as INSERT DATA (kg.sparql.update_plan); evaluate_update puts each solution's values back.
VARIABLE_IRI = "urn:x-kg:variable:"


@dataclass(frozen=True)
class UpdateOperation:
    """One operation of an update, read by kg.sparql.update_plan so that evaluate_update finds
    exactly the quads it removes and adds, without comparing the whole store before and after.

    Every text carries the update's prologue (its PREFIX and BASE declarations so far).
    `kind`: "insert-data" or "delete-data" (`data`: its quads as INSERT DATA), "modify"
    (DELETE/INSERT ... WHERE and DELETE WHERE: `delete` and `insert`, the templates as INSERT
    DATA with variables as VARIABLE_IRI + name; `where`, SELECT * over its WHERE with USING as
    FROM, None for DELETE WHERE, whose WHERE is its template; `with_graph`, a SELECT ?g naming the WITH graph; `using`, whether USING sets the
    WHERE's dataset), or "graphs" (CLEAR, DROP, CREATE, ADD, MOVE, COPY: run as written, and
    compared before and after on the graphs it names: `graphs`, a SELECT ?g naming them,
    `default_graph`, or `all_graphs`).
    """

    kind: str
    text: str
    data: str | None = None
    delete: str | None = None
    insert: str | None = None
    where: str | None = None
    with_graph: str | None = None
    using: bool = False
    graphs: str | None = None
    default_graph: bool = False
    all_graphs: bool = False


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
    # Its operations as kg.sparql.update_plan reads them (set by the pool's prepare_update);
    # None: the delta is found by comparing the store before and after.
    operations: tuple[UpdateOperation, ...] | None = None


@dataclass(frozen=True)
class QueryOutcome:
    """A serialized result. `truncated`: False, True (the row cap cut it) or "bytes" (the
    byte cap did); `rows` counts what was kept."""

    body: bytes  # or a memoryview of the worker's reply (decode_reply(..., view=True))
    rows: int
    truncated: bool | str = False
    media_type: str | None = None
