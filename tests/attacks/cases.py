"""The attack cases: outbound, exhaustion, nesting, fuzz, web. Each is one HTTP request.

`Context` carries what cases refer to: the trap listener's port (a connection to it is
an outbound fetch) and the marker file (its token must never appear in a response).
"""

import random
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from kg.paths import W3C_SPARQL11_DIR

SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
UPLOAD_GRAPH = "urn:kg-attack:upload"

# The W3C syntax tests whose queries and updates are mutated into hostile inputs.
FUZZ_DIRECTORIES = ("syntax-query", "syntax-update-1", "syntax-update-2", "syntax-fed")


@dataclass(frozen=True)
class Context:
    port: int           # the trap listener on 127.0.0.1
    marker_uri: str     # file:// URI of the marker file

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


@dataclass
class Case:
    category: str
    name: str
    method: str = "POST"
    path: str = "/sparql"
    body: bytes | None = None
    content_type: str | None = None
    params: dict = field(default_factory=dict)
    may_write: bool = False        # a legitimate write is possible (store digest re-based)
    raw_body_size: int = 0         # > 0: sent over a raw socket (oversized bodies)
    headers: dict = field(default_factory=dict)   # sent as given (Origin, Host, Sec-Fetch-Site)
    expect: tuple = ()             # the statuses the answer must have (empty: any but 5xx)
    forbidden: str | None = None   # a regex the answer must not match (e.g. a script link)
    required_headers: tuple = ()   # response headers the answer must carry


def query(category, name, text, **kw) -> Case:
    return Case(category, name, body=text.encode(), content_type=SPARQL_QUERY, **kw)


def update(category, name, text, **kw) -> Case:
    return Case(category, name, body=text.encode(), content_type=SPARQL_UPDATE, **kw)


def upload(category, name, data: bytes, media_type: str, **kw) -> Case:
    return Case(category, name, method="PUT", path="/store", body=data, content_type=media_type,
                params={"graph": UPLOAD_GRAPH}, **kw)


# --- outbound -------------------------------------------------------------------------

def outbound_cases(ctx: Context) -> list[Case]:
    url, port, marker = ctx.url, ctx.port, ctx.marker_uri
    q = lambda name, text: query("outbound", name, text)  # noqa: E731
    cases = [
        q("SERVICE iri", f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"),
        q("SERVICE prefixed", f"PREFIX r: <{url}> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}"),
        q("SERVICE variable", f"SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}"),
        q("SERVICE SILENT", f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}"),
        q("\\u0053ERVICE", f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}"),
        q("SERVIC\\U00000045", f"SELECT * WHERE {{ SERVIC\\U00000045 <{url}> {{ ?s ?p ?o }} }}"),
        q("SERVICE lower case, comment", f"select * {{ service #x\n <{url}> {{ ?s ?p ?o }} }}"),
        q("SERVICE in sub-select", f"SELECT * {{ {{ SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}"),
        q("SERVICE in EXISTS", f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}"),
        q("SERVICE in OPTIONAL", f"SELECT * {{ ?a ?b ?c OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}"),
        q("SERVICE decimal IP", f"SELECT * {{ SERVICE <http://2130706433:{port}/> {{ ?s ?p ?o }} }}"),
        q("SERVICE localhost", f"SELECT * {{ SERVICE <http://localhost:{port}/> {{ ?s ?p ?o }} }}"),
        q("SERVICE [::1]", f"SELECT * {{ SERVICE <http://[::1]:{port}/> {{ ?s ?p ?o }} }}"),
        q("SERVICE file", f"SELECT * {{ SERVICE <{marker}> {{ ?s ?p ?o }} }}"),
        q("SERVICE relative to BASE", f"BASE <{url}> SELECT * {{ SERVICE <sparql> {{ ?s ?p ?o }} }}"),
        q("FROM http", f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"),
        q("FROM file", f"SELECT * FROM <{marker}> WHERE {{ ?s ?p ?o }}"),
        q("FROM NAMED http", f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
        q("FROM NAMED file", f"SELECT * FROM NAMED <{marker}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"),
        q("FROM prefixed", f"PREFIX r: <{url}> SELECT * FROM r:data WHERE {{ ?s ?p ?o }}"),
        Case("outbound", "default-graph-uri http", method="GET",
             params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": url, "named-graph-uri": marker}),
        update("outbound", "LOAD http", f"LOAD <{url}>"),
        update("outbound", "LOAD file", f"LOAD <{marker}> INTO GRAPH <urn:x>"),
        update("outbound", "LOAD SILENT", f"LOAD SILENT <{url}>"),
        update("outbound", "\\u004COAD", f"\\u004COAD <{marker}>"),
        update("outbound", "INSERT WHERE SERVICE",
               f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"),
        update("outbound", "INSERT USING file", f"INSERT {{ <urn:a> <urn:b> ?o }} USING <{marker}> "
                                                "WHERE { ?s ?p ?o }"),
    ]
    jsonld = lambda name, doc: upload("outbound", name, doc.encode(), "application/ld+json")  # noqa: E731
    cases += [
        jsonld("JSON-LD @context http", f'{{"@context": "{url}ctx", "@id": "urn:a", "name": "x"}}'),
        jsonld("JSON-LD @context file", f'{{"@context": "{marker}", "@id": "urn:a", "name": "x"}}'),
        jsonld("JSON-LD @context list", f'{{"@context": [{{"a": "urn:a"}}, "{url}"], "@id": "urn:a"}}'),
        jsonld("JSON-LD @import http", f'{{"@context": {{"@import": "{url}"}}, "@id": "urn:a"}}'),
        jsonld("JSON-LD @import file", f'{{"@context": {{"@import": "{marker}"}}, "@id": "urn:a"}}'),
        jsonld("JSON-LD nested @context", f'{{"@id": "urn:a", "urn:p": {{"@context": "{url}", "@id": "urn:b"}}}}'),
    ]
    rdf = ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
           '<rdf:Description rdf:about="urn:a"><e:p>&x;</e:p></rdf:Description></rdf:RDF>')
    xml = lambda name, doc: upload("outbound", name, doc.encode(), "application/rdf+xml")  # noqa: E731
    cases += [
        xml("RDF/XML external entity file", f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{marker}">]>{rdf}'),
        xml("RDF/XML external entity http", f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{url}">]>{rdf}'),
        xml("RDF/XML external DTD", f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{url}dtd">{rdf.replace("&x;", "v")}'),
        xml("RDF/XML parameter entity", f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{url}"> %p;]>{rdf}'),
        upload("outbound", "Turtle @base file", f"@base <{marker}> . <a> <b> <c> .".encode(), "text/turtle",
               may_write=True),
    ]
    return cases


# --- exhaustion -----------------------------------------------------------------------

def laughs(levels: int, fan: int = 10) -> str:
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{("&l%d;" % (i - 1)) * fan}">' for i in range(1, levels + 1)]
    return ('<?xml version="1.0"?><!DOCTYPE r [' + "".join(entities) + ']>'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
            f'<rdf:Description rdf:about="urn:a"><e:p>&l{levels};</e:p></rdf:Description></rdf:RDF>')


def exhaustion_cases(ctx: Context, full: bool = True) -> list[Case]:
    q = lambda name, text: query("exhaustion", name, text)  # noqa: E731
    doubling = "".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1}) " for i in range(40))
    cases = [
        q("cartesian product", "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"),
        q("(p|!p)* path", "SELECT (COUNT(*) AS ?n) { ?s (<urn:p>|!<urn:p>)* ?o . ?o (<urn:q>|!<urn:q>)* ?x }"),
        q("catastrophic regex", 'SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f '
                                'FILTER(REGEX(CONCAT(STR(?c), STR(?f), "!"), "^(a+)+$")) }'),
        q("CONCAT doubling", f'SELECT (STRLEN(?a40) AS ?n) {{ BIND("aaaaaaaa" AS ?a0) {doubling}}}'),
        q("huge ORDER BY", "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"),
        q("huge GROUP BY", "SELECT ?c ?f ?i (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } GROUP BY ?c ?f ?i"),
        q("200,000 VALUES", "SELECT * { VALUES ?x { " + " ".join(str(i) for i in range(200000)) + " } }"),
        q("100,000 VALUES joined", "SELECT (COUNT(*) AS ?n) { ?a ?b ?c VALUES ?x { "
          + " ".join(str(i) for i in range(100000)) + " } }"),
        upload("exhaustion", "billion laughs 3 levels", laughs(3).encode(), "application/rdf+xml"),
        upload("exhaustion", "billion laughs 9 levels", laughs(9).encode(), "application/rdf+xml"),
        upload("exhaustion", "quadratic blowup", ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "'
               + "a" * 50000 + '">]><r>' + "&a;" * 2000 + "</r>").encode(), "application/rdf+xml"),
        Case("exhaustion", "10 MB body", body=None, content_type=SPARQL_QUERY,
             raw_body_size=10 * 1024 * 1024),
        Case("exhaustion", "10 MB upload", method="PUT", path="/store", content_type="text/turtle",
             params={"graph": UPLOAD_GRAPH}, raw_body_size=10 * 1024 * 1024),
        Case("exhaustion", "2 MB query string", method="GET",
             params={"query": "ASK {} #" + "a" * 2 * 1024 * 1024}),
    ]
    for links in ((100, 300) if full else (100,)):
        chain = "".join(f"<urn:n{i}> <http://www.w3.org/2002/07/owl#sameAs> <urn:n{i + 1}> .\n"
                        for i in range(links))
        cases.append(upload("exhaustion", f"owl:sameAs chain of {links}", chain.encode(),
                            "text/turtle", may_write=True))
    if full:
        cases += [
            q("cartesian with DISTINCT", "SELECT DISTINCT ?c ?f ?i { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
            q("regex on long strings", 'SELECT * { ?a ?b ?c FILTER(REGEX(CONCAT(STR(?c), STR(?c), STR(?c), "!"),'
                                       ' "^(([a-z])+.)+[A-Z]([a-z])+$")) }'),
            q("REPLACE doubling", 'SELECT ?x { BIND("ab" AS ?a) BIND(REPLACE(?a, "", ?a) AS ?b) '
                                  'BIND(REPLACE(?b, "", ?b) AS ?c) BIND(REPLACE(?c, "", ?c) AS ?d) '
                                  'BIND(REPLACE(?d, "", ?d) AS ?x) }'),
            update("exhaustion", "INSERT cartesian", "INSERT { ?a <urn:p> ?f } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"),
        ]
    return cases


# --- nesting --------------------------------------------------------------------------

NESTING = {
    "{}": lambda n: query("nesting", "", "SELECT * WHERE " + "{" * n + "}" * n),
    "()": lambda n: query("nesting", "", "ASK { FILTER(" + "(" * n + "1" + ")" * n + ") }"),
    "!": lambda n: query("nesting", "", "ASK { FILTER(" + "!" * n + "true) }"),
    "NOT EXISTS": lambda n: query("nesting", "", "ASK " + "{ FILTER NOT EXISTS " * n + "{}" + " }" * n),
    "OPTIONAL": lambda n: query("nesting", "", "SELECT * " + "{ ?s ?p ?o OPTIONAL " * n + "{}" + " }" * n),
    "sub-SELECT": lambda n: query("nesting", "", "SELECT * " + "{ SELECT * " * n + "{}" + " }" * n),
    "path": lambda n: query("nesting", "", "ASK { ?s " + "(" * n + "<urn:p>" + ")*" * n + " ?o }"),
    "RDF-star": lambda n: query("nesting", "", "SELECT * { " + "<< <urn:a> <urn:b> " * n + "<urn:c>"
                                + " >>" * n + " <urn:p> ?o }"),
    "INSERT DATA blank nodes": lambda n: update("nesting", "", "INSERT DATA { <urn:a> <urn:p> "
                                               + "[ <urn:p> " * n + "1" + " ]" * n + " }", may_write=True),
    "INSERT DATA list": lambda n: update("nesting", "", "INSERT DATA { <urn:a> <urn:p> " + "(" * n
                                        + ")" * n + " }", may_write=True),
    "Turtle": lambda n: upload("nesting", "", ("<urn:a> <urn:p> " + "[ <urn:p> " * n + "1" + " ]" * n
                                              + " .").encode(), "text/turtle", may_write=True),
    "Turtle list": lambda n: upload("nesting", "", ("<urn:a> <urn:p> " + "(" * n + ")" * n + " .").encode(),
                                    "text/turtle", may_write=True),
    "JSON-LD": lambda n: upload("nesting", "", ('{"@id": "urn:a", "urn:p": ' + '{"urn:p": ' * n + "1"
                                               + "}" * n + "}").encode(), "application/ld+json",
                                may_write=True),
    "JSON arrays": lambda n: upload("nesting", "", ("[" * n + "]" * n).encode(), "application/ld+json",
                                    may_write=True),
    "RDF/XML": lambda n: upload("nesting", "", (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="urn:e#">'
        '<rdf:Description rdf:about="urn:a">' + '<e:p rdf:parseType="Resource">' * n + "</e:p>" * n
        + "</rdf:Description></rdf:RDF>").encode(), "application/rdf+xml", may_write=True),
}
DEPTHS = (10, 100, 1000, 5000, 20000)


def nesting_cases(depths=DEPTHS, kinds=None) -> list[Case]:
    cases = []
    for kind, build in NESTING.items():
        if kinds and kind not in kinds:
            continue
        for depth in depths:
            case = build(depth)
            case.name = f"{kind} x{depth}"
            cases.append(case)
    return cases


# --- fuzz -----------------------------------------------------------------------------

def mutations(data: bytes, rng: random.Random) -> list[tuple[str, bytes]]:
    flipped = bytearray(data)
    for _ in range(max(1, len(data) // 40)):
        if flipped:
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
    at = rng.randrange(len(data) + 1)
    brackets = rng.choice([b"{", b"(", b"[", b"{ FILTER NOT EXISTS ", b"!"]) * rng.choice([50, 300, 3000])
    return [
        ("truncated", data[:rng.randrange(len(data) + 1)]),
        ("byte flips", bytes(flipped)),
        ("duplicated", data + b"\n" + data),
        ("brackets", data[:at] + brackets + data[at:]),
    ]


def fuzz_files(root: Path = W3C_SPARQL11_DIR, directories=FUZZ_DIRECTORIES) -> list[Path]:
    return sorted(p for d in directories for p in (root / d).glob("*.r[qu]") if p.is_file())


def fuzz_cases(files, seed: int = 8, as_uploads: bool = True) -> list[Case]:
    rng = random.Random(seed)
    cases = []
    for path in files:
        data = path.read_bytes()
        for how, mutated in mutations(data, rng):
            name = f"{path.parent.name}/{path.name} {how}"
            if path.suffix == ".ru":
                cases.append(Case("fuzz", name, body=mutated, content_type=SPARQL_UPDATE, may_write=True))
            else:
                cases.append(Case("fuzz", name, body=mutated, content_type=SPARQL_QUERY))
            if as_uploads:
                cases.append(upload("fuzz", name + " as Turtle", mutated, "text/turtle", may_write=True))
    return cases


# --- the web surface: stored script links, cross-site writes, spoofed Host, bad parameters -------

BASE = "https://w3id.org/civic-protest/"
SCRIPT_LINK = r"""(?:href|src|action|formaction)\s*=\s*["']?\s*(?:javascript|data|vbscript|file):"""
HTML_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                "Referrer-Policy")
PAYLOADS = ("javascript:alert(1)", "JaVaScRiPt:alert(2)", "vbscript:msgbox(3)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==", "file:///etc/passwd")
UPDATE_FORM = "application/x-www-form-urlencoded"


def stored_links_update() -> str:
    """A token holder's legitimate-looking write that plants script links where pages render
    IRIs: an entity's external links, a class (the dataset page), a place on the map."""
    person, land = f"<{BASE}id/person/xss-person>", f"<{BASE}id/place/xss-land>"
    triples = [f'{person} <https://schema.org/name> "XSS person" .',
               f'{land} a <{BASE}ontology#Country>, <{BASE}ontology#Place> ; '
               f'<https://schema.org/name> "XSS land" .']
    for number, iri in enumerate(PAYLOADS):
        triples += [f"{person} <http://www.w3.org/2004/02/skos/core#exactMatch> <{iri}> .",
                    f"{person} <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{iri}> .",
                    f"<urn:xss:{number}> a <{iri}> .",
                    f'<{iri}> a <{BASE}ontology#Place> ; <https://schema.org/name> "payload {number}" ; '
                    f"<{BASE}ontology#locatedIn> {land} .",
                    f"{person} <{BASE}ontology#residence> <{iri}> ."]
    return "INSERT DATA { GRAPH <urn:kg-attack:xss> { " + " ".join(triples) + " } }"


def web_cases() -> list[Case]:
    cases = [update("web", "store script links (a legitimate write)", stored_links_update(),
                    may_write=True, expect=(200,))]
    for path in ("/", "/browse", "/timeline", "/map", "/dataset", "/search?q=XSS",
                 "/doc/person/xss-person", "/doc/place/xss-land", "/ontology", "/no-such-page"):
        cases.append(Case("web", f"no script link on {path}", method="GET", path=path.split("?")[0],
                          params=dict([path.split("?")[1].split("=")]) if "?" in path else {},
                          headers={"Accept": "text/html"}, forbidden=SCRIPT_LINK,
                          required_headers=HTML_HEADERS))
    form = urlencode({"update": "INSERT DATA { GRAPH <urn:kg-attack:csrf> { <urn:a> <urn:b> <urn:c> } }"})
    for name, headers in (("Origin", {"Origin": "https://evil.example"}),
                          ("Origin null", {"Origin": "null"}),
                          ("Sec-Fetch-Site", {"Sec-Fetch-Site": "cross-site"})):
        cases.append(Case("web", f"cross-site form update ({name})", body=form.encode(),
                          content_type=UPDATE_FORM, headers=headers, expect=(403,)))
    boundary = "kgattack"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.ttl\"\r\n"
                 f"Content-Type: text/turtle\r\n\r\n<urn:a> <urn:b> <urn:c> .\r\n--{boundary}--\r\n")
    cases += [
        Case("web", "cross-site multipart upload", method="PUT", path="/store",
             params={"graph": "urn:kg-attack:csrf"}, body=multipart.encode(),
             content_type=f"multipart/form-data; boundary={boundary}",
             headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, expect=(403,)),
        Case("web", "cross-site DELETE of the default graph", method="DELETE", path="/store",
             params={"default": ""}, headers={"Sec-Fetch-Site": "cross-site"}, expect=(403,)),
    ]
    for host in ("rebound.evil.example", "rebound.evil.example:80", "192.168.1.1"):
        cases += [
            Case("web", f"Host {host}: backup", method="GET", path="/-/backup",
                 headers={"Host": host}, expect=(400,)),
            Case("web", f"Host {host}: DELETE /store", method="DELETE", path="/store",
                 params={"default": ""}, headers={"Host": host}, expect=(400,)),
            Case("web", f"Host {host}: update", body=form.encode(), content_type=UPDATE_FORM,
                 headers={"Host": host}, expect=(400,)),
        ]
    for path, params in (("/timeline", {"type": "a b"}), ("/timeline", {"type": "<javascript:x>"}),
                         ("/store", {"graph": "a b"}),
                         ("/reconcile", {"queries": '{"q0":{"query":"x","limit":"abc"}}'}),
                         ("/reconcile", {"queries": '{"q0":{"query":"x","limit":NaN}}'}),
                         ("/reconcile", {"queries": '{"q0":{"query":"x","limit":{"a":1}}}'}),
                         ("/reconcile", {"queries": "[" * 100_000}),
                         ("/reconcile/suggest/entity", {"prefix": "x", "limit": "abc"}),
                         ("/sparql", {"query": "ASK {}", "default-graph-uri": "a b"})):
        cases.append(Case("web", f"malformed {path} {str(params)[:40]}", method="GET" if len(str(params)) < 2000 else "POST",
                          path=path, params=params if len(str(params)) < 2000 else {},
                          body=urlencode(params).encode() if len(str(params)) >= 2000 else None,
                          content_type=UPDATE_FORM if len(str(params)) >= 2000 else None,
                          expect=(400,)))
    return cases
