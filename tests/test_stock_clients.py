"""The clients people already use, with their defaults, against a live `kg serve`: every
result parsed back and compared with what the graph holds.

- SPARQLWrapper (the most used Python client): every return format it offers for each query
  form, by GET and by POST. It sends `format`, `output` and `results` together (twice for
  TSV, RDF/XML and JSON-LD) and, for N3, an Accept of Turtle: the endpoint honours them.
- rdflib's SPARQLStore (queries) and SPARQLUpdateStore (updates, the token as the HTTP Basic
  password, which is how it sends credentials), and the token as Bearer through SPARQLWrapper.
- Comunica (npm @comunica/query-sparql, installed by .ci/run from tests/clients): a query
  federated over our endpoint and a local Turtle file (parsed by n3, Comunica's own parser). Skipped, saying why, without node or
  the package.
"""

import io
import json
import shutil
import subprocess
import warnings
from pathlib import Path
from xml.dom.minidom import Document

import pytest
import rdflib

SPARQLWrapper = pytest.importorskip("SPARQLWrapper", reason="SPARQLWrapper not installed: pip install -e '.[test]'")
from SPARQLWrapper import (CSV, GET, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML,  # noqa: E402
                           SPARQLWrapper as Wrapper)

from server_fixtures import SMALL_DATASET, live_server  # noqa: E402

TOKEN = "client-token"
CPO = "https://w3id.org/civic-protest/ontology#"
CLIENTS = Path(__file__).parent / "clients"
PERSONS = f"SELECT ?protest WHERE {{ ?protest a <{CPO}Protest> }} ORDER BY ?protest"
ASK = f"ASK {{ ?protest a <{CPO}Protest> }}"
CONSTRUCT = f"CONSTRUCT {{ ?protest a <{CPO}Protest> }} WHERE {{ ?protest a <{CPO}Protest> }}"


@pytest.fixture(scope="module")
def endpoint():
    with live_server(dataset_path=str(SMALL_DATASET), update_token=[TOKEN]) as base:
        yield base + "/sparql"


@pytest.fixture(scope="module")
def protests():
    """The protests of the served dataset, read from the file the server loaded."""
    dataset = rdflib.Dataset()
    dataset.parse(SMALL_DATASET, format="nquads")
    found = {str(s) for s, _, _, _ in dataset.quads((None, rdflib.RDF.type, rdflib.URIRef(CPO + "Protest"), None))}
    assert found
    return found


def wrapper(endpoint: str, query: str, return_format: str, method: str) -> Wrapper:
    client = Wrapper(endpoint)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    return client


def converted(client: Wrapper):
    with warnings.catch_warnings():  # SPARQLWrapper warns about its own Accept choices
        warnings.simplefilter("ignore")
        return client.query().convert()


# --- SPARQLWrapper: every format, GET and POST -----------------------------------------------

def rows_of(result, return_format: str) -> set[str]:
    """The ?protest values of a SELECT result, in each format SPARQLWrapper converts to."""
    if return_format == JSON:
        return {b["protest"]["value"] for b in result["results"]["bindings"]}
    if return_format == XML:
        assert isinstance(result, Document)
        return {node.firstChild.firstChild.data for node in result.getElementsByTagName("binding")
                if node.getAttribute("name") == "protest"}
    text = result.decode("utf-8")
    if return_format == CSV:
        return set(text.split("\r\n")[1:]) - {""}
    return {line.strip("<>") for line in text.splitlines()[1:] if line}  # TSV: <iri>


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(endpoint, protests, return_format, method):
    result = converted(wrapper(endpoint, PERSONS, return_format, method))
    assert rows_of(result, return_format) == protests


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask(endpoint, return_format, method):
    result = converted(wrapper(endpoint, ASK, return_format, method))
    value = (result["boolean"] if return_format == JSON
             else result.getElementsByTagName("boolean")[0].firstChild.data == "true")
    assert value is True


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("return_format", [CSV, TSV])
def test_sparqlwrapper_ask_in_csv_or_tsv_is_not_acceptable(endpoint, return_format, method):
    # The W3C CSV/TSV results formats define no boolean: a clear 406, not a made-up body.
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
    from urllib.error import HTTPError
    with pytest.raises((HTTPError, SPARQLWrapperException)) as raised:
        converted(wrapper(endpoint, ASK, return_format, method))
    assert "406" in str(raised.value)


def graph_of(result, return_format: str) -> rdflib.Graph:
    if isinstance(result, rdflib.Graph):  # XML, RDFXML, JSONLD: SPARQLWrapper parsed it
        return result
    return rdflib.Graph().parse(data=result, format="turtle")  # TURTLE and N3 come as bytes


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("return_format", [TURTLE, N3, RDFXML, JSONLD, XML])
@pytest.mark.parametrize("query", [CONSTRUCT, "DESCRIBE"], ids=["construct", "describe"])
def test_sparqlwrapper_graphs(endpoint, protests, query, return_format, method):
    protest = sorted(protests)[0]
    text = query if query == CONSTRUCT else f"DESCRIBE <{protest}>"
    graph = graph_of(converted(wrapper(endpoint, text, return_format, method)), return_format)
    subjects = {str(s) for s in graph.subjects(rdflib.RDF.type, rdflib.URIRef(CPO + "Protest"))}
    assert subjects == (protests if query == CONSTRUCT else {protest})


def test_sparqlwrapper_update_with_a_bearer_token(endpoint):
    client = Wrapper(endpoint)
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery("INSERT DATA { GRAPH <http://example.org/wrapper> "
                    "{ <http://example.org/a> <http://example.org/p> 'bearer' } }")
    response = json.loads(client.query().response.read())
    assert response["added"] == 1
    check = wrapper(endpoint, "ASK { GRAPH <http://example.org/wrapper> { ?s ?p 'bearer' } }", JSON, GET)
    assert converted(check)["boolean"] is True


# --- rdflib's SPARQL stores ------------------------------------------------------------------

def test_rdflib_sparqlstore_reads_select_ask_construct_and_triples(endpoint, protests):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(endpoint))
    assert {str(row.protest) for row in graph.query(PERSONS)} == protests
    assert graph.query(ASK).askAnswer is True
    assert {str(s) for s in graph.query(CONSTRUCT).graph.subjects()} == protests
    pattern = (None, rdflib.RDF.type, rdflib.URIRef(CPO + "Protest"))
    assert {str(s) for s, _, _ in graph.triples(pattern)} >= protests


def test_rdflib_sparqlupdatestore_writes_with_the_token_as_basic_password(endpoint):
    from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

    store = SPARQLUpdateStore(endpoint, endpoint, auth=("anyone", TOKEN))
    graph = rdflib.Graph(store=store, identifier=rdflib.URIRef("http://example.org/rdflib"))
    triple = (rdflib.URIRef("http://example.org/a"), rdflib.URIRef("http://example.org/p"),
              rdflib.Literal("written by rdflib"))
    graph.add(triple)
    assert triple in set(graph.triples((None, None, None)))
    graph.remove((triple[0], None, None))
    assert not list(graph.triples((triple[0], None, None)))


def test_rdflib_sparqlupdatestore_with_a_wrong_password_changes_nothing(endpoint):
    from urllib.error import HTTPError
    from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

    store = SPARQLUpdateStore(endpoint, endpoint, auth=("anyone", "not-the-token"))
    graph = rdflib.Graph(store=store, identifier=rdflib.URIRef("http://example.org/refused"))
    with pytest.raises(HTTPError) as raised:
        graph.add((rdflib.URIRef("http://example.org/x"), rdflib.URIRef("http://example.org/p"),
                   rdflib.Literal("x")))
    assert raised.value.code == 403


# --- Comunica (node) -------------------------------------------------------------------------

COMUNICA_SCRIPT = """
const fs = require('fs');
const { Parser, Store } = require('n3');
const { QueryEngine } = require('@comunica/query-sparql');
const [endpoint, file, query] = process.argv.slice(1);  // node -e: no script path
const local = new Store(new Parser().parse(fs.readFileSync(file, 'utf8')));
new QueryEngine().queryBindings(query, {
  sources: [{ type: 'sparql', value: endpoint }, { type: 'rdfjs', value: local }],
}).then(s => s.toArray()).then(rows => {
  console.log(JSON.stringify(rows.map(r => Object.fromEntries([...r].map(([k, v]) => [k.value, v.value])))));
}).catch(e => { console.error(e); process.exit(1); });
"""


def comunica_or_skip() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: Comunica cannot run (apt-get install nodejs npm)")
    if not (CLIENTS / "node_modules" / "@comunica" / "query-sparql").is_dir():
        pytest.skip("@comunica/query-sparql is not installed: npm install --prefix tests/clients "
                    "(.ci/run does it where npm is available)")
    return node


def test_comunica_federates_our_endpoint_with_a_local_file(endpoint, protests, tmp_path):
    node = comunica_or_skip()
    protest = sorted(protests)[0]
    notes = tmp_path / "notes.ttl"
    notes.write_text(f'<{protest}> <http://example.org/note> "met in 2021" .\n', encoding="utf-8")
    query = (f"SELECT ?protest ?note WHERE {{ ?protest a <{CPO}Protest> . "
             f"?protest <http://example.org/note> ?note }}")
    run = subprocess.run([node, "-e", COMUNICA_SCRIPT, endpoint, str(notes), query],
                         cwd=CLIENTS, capture_output=True, timeout=120)
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    rows = json.loads(run.stdout.decode().strip().splitlines()[-1])
    assert rows == [{"protest": protest, "note": "met in 2021"}]
