"""The one table of the syntaxes we read and write: RDF documents and SPARQL results.

Every other table of the package (content negotiation, uploads, file suffixes, export
names, dumps, pyoxigraph and rdflib format names) is derived from these two lists, so a
syntax is described once: its canonical media type, the other media types clients send
for it, its file suffixes, the names people type (`format=ttl`, `kg export --format nt`),
and the names pyoxigraph and rdflib know it by.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfSyntax:
    key: str                   # our name for it, e.g. "turtle"
    title: str                 # what people call it, e.g. "Turtle"
    media_type: str            # the canonical media type we answer with
    aliases: tuple[str, ...]   # other media types for it, in content negotiation and uploads
    suffixes: tuple[str, ...]  # file suffixes, the first one canonical
    names: tuple[str, ...]     # short names for `format=` and the command line
    ox: ox.RdfFormat           # pyoxigraph's format
    rdflib: str | None         # rdflib's parser and serializer name (None: not used with rdflib)
    holds_graphs: bool = False  # a dataset syntax (named graphs), not a graph syntax
    writable: bool = True       # pyoxigraph writes it (N3 it only reads)
    # Generic media types an upload may be labelled with, never offered as an answer: a client
    # accepting application/xml means any XML, not an RDF graph.
    upload_aliases: tuple[str, ...] = ()

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases, *self.upload_aliases)


RDF_SYNTAXES = (
    RdfSyntax("turtle", "Turtle", "text/turtle", ("application/x-turtle",), (".ttl",),
              ("turtle", "ttl"), ox.RdfFormat.TURTLE, "turtle"),
    RdfSyntax("jsonld", "JSON-LD", "application/ld+json", ("application/json",),
              (".jsonld", ".json"), ("json-ld", "jsonld", "json"), ox.RdfFormat.JSON_LD, "json-ld"),
    RdfSyntax("ntriples", "N-Triples", "application/n-triples", ("text/plain",), (".nt",),
              ("nt", "ntriples", "n-triples"), ox.RdfFormat.N_TRIPLES, "nt"),
    RdfSyntax("rdfxml", "RDF/XML", "application/rdf+xml", (), (".rdf", ".owl", ".xml"),
              ("xml", "rdfxml", "rdf/xml", "rdf"), ox.RdfFormat.RDF_XML, "xml",
              upload_aliases=("application/xml", "text/xml")),
    RdfSyntax("trig", "TriG", "application/trig", (), (".trig",), ("trig",), ox.RdfFormat.TRIG,
              "trig", holds_graphs=True),
    RdfSyntax("nquads", "N-Quads", "application/n-quads", (), (".nq",), ("nquads", "n-quads", "nq"),
              ox.RdfFormat.N_QUADS, "nquads", holds_graphs=True),
    RdfSyntax("n3", "N3", "text/n3", ("text/rdf+n3",), (".n3",), ("n3",), ox.RdfFormat.N3, "n3",
              writable=False),
)
RDF_BY_KEY = {s.key: s for s in RDF_SYNTAXES}


@dataclass(frozen=True)
class ResultSyntax:
    key: str                   # "json", "xml", "csv", "tsv"
    title: str
    media_type: str
    aliases: tuple[str, ...]
    names: tuple[str, ...]
    boolean: bool              # also writes the result of an ASK

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


RESULT_SYNTAXES = (
    ResultSyntax("json", "SPARQL Results JSON", "application/sparql-results+json",
                 ("application/json",), ("json", "srj"), True),
    ResultSyntax("xml", "SPARQL Results XML", "application/sparql-results+xml",
                 ("application/xml", "text/xml"), ("xml", "srx"), True),
    ResultSyntax("csv", "SPARQL Results CSV", "text/csv", (), ("csv",), False),
    ResultSyntax("tsv", "SPARQL Results TSV", "text/tab-separated-values", (), ("tsv",), False),
)

# Media types the server answers with, and its content negotiation tables (media type ->
# key; the canonical types first, so they win a tie).
WRITABLE_RDF = tuple(s for s in RDF_SYNTAXES if s.writable)
RDF_MEDIA_TYPES = {s.media_type: s.key for s in WRITABLE_RDF} | {
    m: s.key for s in WRITABLE_RDF for m in s.aliases}
RESULT_MEDIA_TYPES = {s.media_type: s.key for s in RESULT_SYNTAXES} | {
    m: s.key for s in RESULT_SYNTAXES for m in s.aliases}
BOOLEAN_MEDIA_TYPES = {m: k for m, k in RESULT_MEDIA_TYPES.items()
                       if next(s for s in RESULT_SYNTAXES if s.key == k).boolean}
# `format=` names -> canonical media type.
RDF_FORMAT_NAMES = {n: s.media_type for s in WRITABLE_RDF for n in s.names}
RESULT_FORMAT_NAMES = {n: s.media_type for s in RESULT_SYNTAXES for n in s.names}
BOOLEAN_FORMAT_NAMES = {n: m for n, m in RESULT_FORMAT_NAMES.items() if m in BOOLEAN_MEDIA_TYPES}


class UnknownSyntax(ValueError):
    """A file suffix, media type or name that names no syntax we know."""


def rdf_syntax_of_path(path) -> RdfSyntax:
    """The RDF syntax of a file, from its suffix."""
    suffix = Path(path).suffix.lower()
    for syntax in RDF_SYNTAXES:
        if suffix in syntax.suffixes:
            return syntax
    known = ", ".join(sorted(s for syntax in RDF_SYNTAXES for s in syntax.suffixes))
    raise UnknownSyntax(f"unknown RDF file type {suffix or '(no suffix)'!r} (known: {known})")


def rdf_syntax_of_media_type(media_type: str | None) -> RdfSyntax | None:
    """The RDF syntax a media type (parameters allowed) names, or None."""
    wanted = (media_type or "").split(";")[0].strip().lower()
    return next((s for s in RDF_SYNTAXES if wanted in s.media_types), None)


def rdf_syntax_named(name: str) -> RdfSyntax:
    """The RDF syntax of a short name (`ttl`, `json-ld`, `nt`, ...) or a media type."""
    wanted = name.strip().lower()
    for syntax in RDF_SYNTAXES:
        if wanted in syntax.names or wanted in syntax.media_types or wanted == syntax.key:
            return syntax
    raise UnknownSyntax(f"unknown RDF syntax {name!r}")


def result_syntax(key: str) -> ResultSyntax:
    return next(s for s in RESULT_SYNTAXES if s.key == key)
