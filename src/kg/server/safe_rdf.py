"""Parsing uploaded RDF safely: `parse_upload(bytes, media type) -> quads`.

For every route that accepts RDF from a client (the Graph Store Protocol's /store):

1. In the server process, before any parser runs, only cheap linear checks: size (413),
   a known media type (415), UTF-8 (400), nesting depth (400), and for RDF/XML no
   DOCTYPE or ENTITY declaration at all (400: no external entities, no entity expansion).
2. Parsing itself (pyoxigraph's parsers) runs in a forked child with a deadline (503,
   the child is SIGKILLed) and a memory limit (503, the child dies, not the server).
   JSON-LD is parsed with no document loader, so a remote or file:// `@context` or
   `@import` is refused (400), never fetched or read; they are refused by name first.
3. Error messages name the problem and its line/column, never a path or a traceback.

Also here: `run_isolated(function, *args)` runs any costly step on untrusted data
(owlrl closure, SHACL validation: owl:sameAs chains grow cubically) the same way, and
`shacl_validate(...)` calls pyshacl with graphs only: pyshacl loads a *string* argument
that looks like a path or a URL, which must never happen on behalf of a request.
"""

import json
import os
import pickle
import re
import signal
import time
from multiprocessing import Pipe

import pyoxigraph as ox

from kg.server.limits import _NOT_STRUCTURE, bracket_depth

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_UPLOAD_DEPTH = 256
UPLOAD_DEADLINE = 10.0
UPLOAD_MEMORY_BYTES = 1024 ** 3

FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
    "text/xml": ox.RdfFormat.RDF_XML,
    "text/n3": ox.RdfFormat.N3,
}


class UploadError(Exception):
    """An upload refused or failed; `status` is the HTTP answer (400, 413, 415, 503)."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


# --- cheap checks, in the server process ------------------------------------------------

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)
_XML_NOT_ELEMENTS = re.compile(r"<!--.*?(?:-->|$)|<\?.*?(?:\?>|$)|<!\[CDATA\[.*?(?:\]\]>|$)"
                               r"|\"[^\"]*\"|'[^']*'", re.DOTALL)
_XML_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)", re.IGNORECASE)
_BRACKETS = re.compile(r"[(){}\[\]]")
# a context named by IRI ("@context": "..." or a list holding one), or @import
_JSONLD_REMOTE = re.compile(r'"@import"|"@context"\s*:\s*(?:"|\[[^\]{]*")')
REMOTE_CONTEXT_REFUSED = ("JSON-LD contexts are not loaded from IRIs here (@context or @import "
                          "naming a document); inline the context instead")


def format_of(media_type: str) -> ox.RdfFormat:
    media_type = (media_type or "").split(";")[0].strip().lower()
    if media_type not in FORMATS:
        raise UploadError(415, f"unsupported media type {media_type!r} for RDF; use one of "
                               + ", ".join(sorted(FORMATS)))
    return FORMATS[media_type]


def nesting_depth(text: str, rdf_format: ox.RdfFormat) -> int:
    """A lower bound of the document's nesting depth (linear, C speed)."""
    if rdf_format == ox.RdfFormat.JSON_LD:
        return bracket_depth(text, skip=_JSON_STRING)[0]
    if rdf_format == ox.RdfFormat.RDF_XML:
        # text content may hold brackets: blank them, then elements become brackets
        elements = _BRACKETS.sub(" ", _XML_NOT_ELEMENTS.sub(" ", text))
        elements = re.sub(r"<[^<>]*/>", " ", elements)
        elements = re.sub(r"</[^<>]*>", ")", elements)
        elements = re.sub(r"<[^<>]*>", "(", elements)
        return bracket_depth(elements, skip=None)[0]
    if rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
        return bracket_depth(text.replace("<<", "(").replace(">>", ")"))[0]
    return bracket_depth(text, skip=_NOT_STRUCTURE)[0]


def check_upload(data: bytes, media_type: str, max_bytes: int = MAX_UPLOAD_BYTES,
                 max_depth: int = MAX_UPLOAD_DEPTH) -> ox.RdfFormat:
    """The checks that run before any parser; return the RDF format to parse with."""
    if len(data) > max_bytes:
        raise UploadError(413, f"the upload is larger than this endpoint's {max_bytes} bytes")
    rdf_format = format_of(media_type)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UploadError(400, f"the upload is not valid UTF-8 (byte {error.start})") from None
    if rdf_format == ox.RdfFormat.RDF_XML and _XML_DECLARATION.search(text):
        raise UploadError(400, "RDF/XML with a DOCTYPE or ENTITY declaration is refused: "
                               "this endpoint expands no entities and reads no external ones")
    if rdf_format == ox.RdfFormat.JSON_LD and _JSONLD_REMOTE.search(text):
        raise UploadError(400, REMOTE_CONTEXT_REFUSED)
    depth = nesting_depth(text, rdf_format)
    if depth > max_depth:
        raise UploadError(400, f"the upload nests more than {max_depth} levels deep "
                               f"(at least {depth}); this endpoint allows {max_depth}")
    return rdf_format


def check_upload_parts(parts, max_bytes: int = MAX_UPLOAD_BYTES,
                       max_depth: int = MAX_UPLOAD_DEPTH) -> None:
    """check_upload on each (media type, bytes, name) part; a refusal as an ApiError."""
    from kg.server.errors import ApiError

    for media_type, data, name in parts:
        if (media_type or "").split(";")[0].strip().lower() not in FORMATS:
            continue  # the route's own parser refuses it, naming what it accepts
        try:
            check_upload(data, media_type, max_bytes, max_depth)
        except UploadError as error:
            where = f" (part {name!r})" if name else ""
            raise ApiError(error.status, error.detail + where) from None


# --- parsing, in a killable child --------------------------------------------------------

def parse_upload(data: bytes, media_type: str, base_iri: str | None = None, *,
                 max_bytes: int = MAX_UPLOAD_BYTES, max_depth: int = MAX_UPLOAD_DEPTH,
                 deadline: float = UPLOAD_DEADLINE, memory_bytes: int | None = UPLOAD_MEMORY_BYTES,
                 without_named_graphs: bool = False) -> list[ox.Quad]:
    """The quads of an uploaded document, or UploadError. Blank nodes are renamed
    (fresh labels), so an upload never joins blank nodes already in the store."""
    rdf_format = check_upload(data, media_type, max_bytes, max_depth)
    return run_isolated(_parse, data, rdf_format.media_type, base_iri, without_named_graphs,
                        deadline=deadline, memory_bytes=memory_bytes, what="parsing the upload")


def _parse(data: bytes, media_type: str, base_iri, without_named_graphs) -> list[ox.Quad]:
    rdf_format = ox.RdfFormat.from_media_type(media_type)
    if rdf_format == ox.RdfFormat.JSON_LD:
        refuse_remote_contexts(json.loads(data))
    try:
        return list(ox.parse(data, format=rdf_format, base_iri=base_iri,
                             without_named_graphs=without_named_graphs, rename_blank_nodes=True))
    except SyntaxError as error:
        raise UploadError(400, "the upload is not valid " + rdf_format.name + ": "
                          + _quiet(str(error))) from None
    except (ValueError, OSError) as error:
        raise UploadError(400, "the upload could not be read: " + _quiet(str(error))) from None


def refuse_remote_contexts(document) -> None:
    """Refuse JSON-LD that refers to a context by IRI (`"@context": "http://..."`, `@import`):
    nothing is ever loaded on behalf of a request (iterative walk: no recursion limit)."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "@import" or (key == "@context" and _names_a_document(value)):
                    raise UploadError(400, REMOTE_CONTEXT_REFUSED)
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def _names_a_document(context) -> bool:
    return isinstance(context, str) or (
        isinstance(context, list) and any(isinstance(c, str) for c in context))


_PATHLIKE = re.compile(r"(?:file:/+|/)(?:[\w.\-]+/)+[\w.\-]*")


def _quiet(message: str) -> str:
    """One line of a parser message, without anything that looks like a file path."""
    line = message.strip().splitlines()[0] if message.strip() else "syntax error"
    return _PATHLIKE.sub("<path>", line)[:300]


def run_isolated(function, *args, deadline: float = UPLOAD_DEADLINE,
                 memory_bytes: int | None = UPLOAD_MEMORY_BYTES, what: str = "the request",
                 lock=None):
    """`function(*args)` in a forked child (deadline, memory limit); its result or error.

    UploadError raised by `function` comes back as it is; past the deadline the child is
    SIGKILLed (503); a child that dies (memory limit, crash) gives 503; any other
    exception a 400 without its details. `lock`: held while forking (e.g. the dataset's).
    """
    from kg.engine.worker import _become_worker, _limit_memory

    parent_end, child_end = Pipe()
    if lock is not None:
        lock.acquire()
    try:
        pid = os.fork()
        if pid == 0:  # child
            try:
                _become_worker(child_end)
                _limit_memory(memory_bytes)
                try:
                    reply = ("ok", function(*args))
                except UploadError as error:
                    reply = ("error", (error.status, error.detail))
                except MemoryError:
                    reply = ("error", (503, f"{what} ran out of its memory and was stopped"))
                except RecursionError:
                    reply = ("error", (400, f"{what} nests too deeply"))
                except Exception as error:  # no traceback, no path: the kind of problem only
                    reply = ("error", (400, f"{what} failed: {type(error).__name__}"))
                child_end.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
            finally:
                os._exit(0)
    finally:
        if lock is not None:
            lock.release()
    child_end.close()
    try:
        return _await_child(pid, parent_end, deadline, what)
    finally:
        parent_end.close()
        _reap(pid)


def _await_child(pid: int, conn, deadline: float, what: str):
    stop_at = time.monotonic() + deadline
    if not conn.poll(max(0.0, stop_at - time.monotonic())):
        _kill(pid)
        raise UploadError(503, f"{what} was stopped after its {deadline:g} s deadline")
    try:
        status, payload = pickle.loads(conn.recv_bytes())
    except (EOFError, OSError):
        raise UploadError(503, f"{what} ran out of its memory or crashed and was stopped; "
                               "the server keeps serving") from None
    if status == "error":
        raise UploadError(*payload)
    return payload


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap(pid: int) -> None:
    _kill(pid)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


# --- SHACL with graphs only ---------------------------------------------------------------

def shacl_validate(data_graph, shacl_graph, ont_graph=None, **options):
    """pyshacl.validate, refusing anything but rdflib graphs for its graph arguments
    (a string would be loaded as a path or URL) and never following owl:imports."""
    from rdflib import Graph

    for name, graph in (("data_graph", data_graph), ("shacl_graph", shacl_graph),
                        ("ont_graph", ont_graph)):
        if graph is not None and not isinstance(graph, Graph):
            raise TypeError(f"{name} must be an rdflib Graph, not {type(graph).__name__}: "
                            "pyshacl would load a string as a path or a URL")
    if shacl_graph is None:
        raise TypeError("shacl_graph is required: without it pyshacl takes shapes (and "
                        "SHACL-SPARQL) from the data graph, that is from the client")
    import pyshacl

    options["do_owl_imports"] = False
    return pyshacl.validate(data_graph=data_graph, shacl_graph=shacl_graph, ont_graph=ont_graph,
                            **options)
