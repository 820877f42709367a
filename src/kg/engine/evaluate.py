"""Evaluating one job against a store: runs only inside a forked worker, never in the server."""

import hashlib

import pyoxigraph as ox

from kg.engine.errors import EvaluationError, QuerySyntaxError

from kg.engine.jobs import VARIABLE_IRI, QueryJob, QueryOutcome, UpdateJob
from kg.engine.results import serialize_boolean, serialize_graph, serialize_solutions
from kg.engine.delta import Delta


def _graphs(iris):
    return None if iris is None else [ox.NamedNode(iri) for iri in iris]


def dataset_options(job: QueryJob) -> dict:
    """pyoxigraph's dataset arguments for the protocol's dataset (or the union default)."""
    if job.default_graphs is None and job.named_graphs is None:
        return {"use_default_graph_as_union": job.union_default_graph}
    options = {"named_graphs": _graphs(job.named_graphs) if job.named_graphs is not None else []}
    # Only named graphs given: the default graph is empty (SPARQL 1.1 Protocol, 2.1.4).
    options["default_graph"] = _graphs(job.default_graphs) if job.default_graphs is not None else []
    return options


# BNODE(str) per solution (see kg.sparql.conformance): a blank node from a per-solution
# nonce and the string; None (an error, so unbound) unless the string is a simple literal.
BNODE_FUNCTION = "urn:x-kg:function:bnode"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def bnode_for(nonce, value):
    if not (isinstance(nonce, ox.Literal) and isinstance(value, ox.Literal)) \
            or value.language or value.datatype.value != XSD_STRING:
        return None
    digest = hashlib.sha256(f"{nonce.value}\x00{value.value}".encode()).hexdigest()
    return ox.BlankNode("k" + digest[:32])


def evaluate_query(store: ox.Store, job: QueryJob) -> QueryOutcome:
    try:
        extra = {"custom_functions": {ox.NamedNode(BNODE_FUNCTION): bnode_for}} \
            if job.bnode_function else {}
        result = store.query(job.text, base_iri=job.base_iri, prefixes=job.prefixes or None,
                             **dataset_options(job), **extra)
        if isinstance(result, ox.QueryBoolean):
            body = serialize_boolean(bool(result), job.result_format)
            return QueryOutcome(body, rows=1, media_type=job.media_type)
        if isinstance(result, ox.QuerySolutions):
            body, rows, truncated = serialize_solutions(result, job.result_format, job.row_limit,
                                                        job.hidden_variables, job.byte_limit)
        else:
            body, rows, truncated = serialize_graph(result, job.result_format, job.row_limit,
                                                    job.prefixes, job.byte_limit)
        return QueryOutcome(body, rows=rows, truncated=truncated, media_type=job.media_type)
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from None
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        raise EvaluationError(str(error)) from None


def evaluate_update(store: ox.Store, job: UpdateJob) -> Delta:
    """Run the update on this (forked, private) store and return what it changed.

    With the update read into operations (`job.operations`, kg.sparql.update_plan), each
    operation's quads are found from the operation itself (its data, or its WHERE evaluated
    once and its templates instantiated, as SPARQL 1.1 Update says) and applied here; graph
    operations are compared before and after on the graphs they name. Otherwise the store is
    compared before and after (about 0.25 s per 200k quads)."""
    try:
        if job.operations is None:
            return _compared(store, lambda: _run(store, job.text, job))
        return _planned(store, job)
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from None
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        raise EvaluationError(str(error)) from None


def _run(store: ox.Store, text: str, job: UpdateJob) -> None:
    store.update(text, base_iri=job.base_iri, prefixes=job.prefixes or None)


def _compared(store: ox.Store, run, graphs=None) -> Delta:
    """Run `run()` and compare `graphs` (None: the whole store) before and after."""
    def quads():
        if graphs is None:
            return set(store)
        return {q for g in graphs for q in store.quads_for_pattern(None, None, None, g)}
    quads_before, graphs_before = quads(), set(store.named_graphs())
    run()
    quads_after, graphs_after = quads(), set(store.named_graphs())
    return Delta(removed=list(quads_before - quads_after), added=list(quads_after - quads_before),
                 graphs_dropped=list(graphs_before - graphs_after),
                 graphs_created=list(graphs_after - graphs_before))


def _planned(store: ox.Store, job: UpdateJob) -> Delta:
    if len(job.operations) > 1:
        _check_syntax(job.text, job)  # e.g. a blank node label shared by two operations
    changes = _Changes(store)
    for operation in job.operations:
        if operation.kind != "insert-data":  # its data is parsed from its own text below
            _check_syntax(operation.text, job)
        if operation.kind in ("insert-data", "delete-data"):
            quads = _quads_of(operation.data, job)
            if operation.kind == "insert-data":
                changes.add(quads)
            else:
                changes.remove(quads)
        elif operation.kind == "modify":
            removed, added = _instantiated(store, operation, job)
            changes.remove(removed)
            changes.add(added)
        else:
            changes.include(_compared(store, lambda: _run(store, operation.text, job),
                                      _graphs_changed(store, operation, job)))
    return changes.delta()


def _check_syntax(text: str, job: UpdateJob) -> None:
    """Raise SyntaxError if pyoxigraph does not parse `text` (run on an empty store: whatever
    else it raises there, e.g. DROP of a graph that store lacks, says nothing of ours)."""
    try:
        _run(ox.Store(), text, job)
    except SyntaxError:
        raise
    except (OSError, ValueError, TypeError, RuntimeError):
        pass


def _quads_of(insert_data: str, job: UpdateJob) -> list:
    """The quads of an INSERT DATA text, parsed by pyoxigraph (blank nodes fresh)."""
    scratch = ox.Store()
    _run(scratch, insert_data, job)
    return list(scratch)


def _instantiated(store: ox.Store, operation, job: UpdateJob) -> tuple[list, list]:
    """DELETE/INSERT ... WHERE: the quads its templates give for each solution of its WHERE,
    evaluated once before anything changes (SPARQL 1.1 Update, 3.1.3); quads with an unbound
    variable or a term where RDF allows none are left out, as the standard says."""
    with_graph = _graph_names(store, operation.with_graph, job)[0] if operation.with_graph else None
    options = {"default_graph": [with_graph]} if with_graph is not None and not operation.using else {}
    delete = _quads_of(operation.delete, job) if operation.delete else []
    insert = _quads_of(operation.insert, job) if operation.insert else []
    where = operation.where if operation.where is not None else _where_of(delete)
    solutions = list(store.query(where, base_iri=job.base_iri, prefixes=job.prefixes or None,
                                 **options))
    default = with_graph if with_graph is not None else ox.DefaultGraph()
    return _instances(delete, solutions, default), _instances(insert, solutions, default)


def _where_of(template: list) -> str:
    """DELETE WHERE's WHERE: its template's quads as a SELECT (variables written back)."""
    def term(t):
        if isinstance(t, ox.NamedNode) and t.value.startswith(VARIABLE_IRI):
            return "?" + t.value[len(VARIABLE_IRI):]
        return str(t)
    patterns = [f"{term(q.subject)} {term(q.predicate)} {term(q.object)} ." if
                isinstance(q.graph_name, ox.DefaultGraph) else
                f"GRAPH {term(q.graph_name)} {{ {term(q.subject)} {term(q.predicate)} {term(q.object)} }}"
                for q in template]
    return "SELECT * WHERE { " + " ".join(patterns) + " }"


def _instances(template: list, solutions, default) -> list:
    """The template's quads for each solution (its default graph: `default`)."""
    if not template:
        return []
    quads = [(q.subject, q.predicate, q.object,
              default if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name)
             for q in template]
    variables = {}
    for quad in quads:
        for term in quad:
            if isinstance(term, ox.NamedNode) and term.value.startswith(VARIABLE_IRI):
                variables[term] = ox.Variable(term.value[len(VARIABLE_IRI):])
    instances = []
    for solution in solutions:
        fresh: dict = {}  # a template's blank nodes are new for each solution

        def value(term):
            if term in variables:
                return solution[variables[term]]
            if isinstance(term, ox.BlankNode):
                if term not in fresh:
                    fresh[term] = ox.BlankNode()
                return fresh[term]
            return term
        for s, p, o, g in quads:
            quad = _quad(value(s), value(p), value(o), value(g))
            if quad is not None:
                instances.append(quad)
    return instances


def _quad(s, p, o, g):
    # A graph variable bound to a blank node names a graph, as pyoxigraph's own update does.
    if not isinstance(s, (ox.NamedNode, ox.BlankNode)) or not isinstance(p, ox.NamedNode) \
            or o is None or not isinstance(g, (ox.NamedNode, ox.BlankNode, ox.DefaultGraph)):
        return None
    return ox.Quad(s, p, o, g)


def _graph_names(store: ox.Store, query: str, job: UpdateJob) -> list:
    return [row["g"] for row in store.query(query, base_iri=job.base_iri,
                                            prefixes=job.prefixes or None)]


def _graphs_changed(store: ox.Store, operation, job: UpdateJob):
    """The graphs a graph operation may change (None: every graph)."""
    if operation.all_graphs:
        return None
    graphs = _graph_names(store, operation.graphs, job) if operation.graphs else []
    return graphs + ([ox.DefaultGraph()] if operation.default_graph else [])


class _Changes:
    """The net change of a sequence of operations, each applied to the store as it comes:
    a quad added then removed again is no change."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.graphs_before = set(store.named_graphs())
        self.added: dict = {}    # insertion-ordered sets
        self.removed: dict = {}

    def remove(self, quads) -> None:
        for quad in dict.fromkeys(quads):
            if quad in self.store:
                self.store.remove(quad)
                if self.added.pop(quad, False) is False:
                    self.removed[quad] = True

    def add(self, quads) -> None:
        for quad in dict.fromkeys(quads):
            if quad not in self.store:
                self.store.add(quad)
                if self.removed.pop(quad, False) is False:
                    self.added[quad] = True

    def include(self, delta: Delta) -> None:
        """A change already applied to the store."""
        for quad in delta.removed:
            if self.added.pop(quad, False) is False:
                self.removed[quad] = True
        for quad in delta.added:
            if self.removed.pop(quad, False) is False:
                self.added[quad] = True

    def delta(self) -> Delta:
        graphs_after = set(self.store.named_graphs())
        return Delta(removed=list(self.removed), added=list(self.added),
                     graphs_dropped=list(self.graphs_before - graphs_after),
                     graphs_created=list(graphs_after - self.graphs_before))
