"""The `kg` command line, run as a real subprocess."""

import json
import os
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph

from conftest import ROOT, run_kg
from rdf_compare import canonical
from kg.dataset.export import EXPORT_FORMATS, load_built_dataset, union_graph
from kg.formats import rdf_syntax_named
from kg.paths import SOURCES_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "foundation"


@pytest.fixture(scope="module")
def small_data_env(tmp_path_factory):
    """A data directory holding only the source documents: fast to validate against."""
    data = tmp_path_factory.mktemp("data")
    shutil.copy(ROOT / "data" / "registry" / "sources.ttl", data / "sources.ttl")
    build_dir = tmp_path_factory.mktemp("small-build")
    return {**os.environ, "KG_DATA_DIR": str(data), "KG_BUILD_DIR": str(build_dir)}


def test_build_prints_its_summary_and_exits_0(small_data_env):
    result = run_kg("build", env=small_data_env)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "asserted triples:" in out and "inferred triples:" in out and "SHACL: conforms" in out
    assert Path(small_data_env["KG_BUILD_DIR"], "dataset.nq").exists()


def test_validate_names_node_property_message_and_file(small_data_env):
    result = run_kg("validate", str(FIXTURES / "broken-shape.ttl"), env=small_data_env)
    out = result.stdout.decode()
    assert result.returncode == 1
    lines = {line for line in out.splitlines() if "broken-shape.ttl: " in line}
    nameless = [line for line in lines if " person:nameless schema:name" in line]
    assert len(nameless) == 1 and "Give exactly one schema:name" in nameless[0]
    assert nameless[0].endswith("[cps:NamedThingShape-name]")  # the constraint it breaks
    dated = [line for line in lines if " event:badly-dated cpo:date" in line]
    assert len(dated) == 1 and "2020-10-01T00:00:00" in dated[0]
    assert out.count("Give exactly one schema:name") == len(nameless)  # each violation once


def test_validate_reports_malformed_turtle_with_file_and_line(small_data_env):
    result = run_kg("validate", str(FIXTURES / "malformed.ttl"), env=small_data_env)
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "malformed.ttl, line 5" in err
    assert "Traceback" not in err + result.stdout.decode()


def test_build_refuses_a_changed_source_copy(small_data_env, tmp_path):
    """The quotes were checked against the archived copies' bytes: a copy that no longer
    matches its recorded SHA-256 stops the build, naming the file."""
    sources = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, sources)
    copy = sorted(sources.glob("*.txt"))[0]
    copy.write_text(copy.read_text(encoding="utf-8") + "\nAn added line.\n", encoding="utf-8")
    result = run_kg("build", env={**small_data_env, "KG_SOURCES_DIR": str(sources)})
    assert result.returncode == 2
    assert copy.name in result.stderr.decode() and "Traceback" not in result.stderr.decode()


def test_validate_of_a_missing_file_is_an_error(small_data_env):
    result = run_kg("validate", "no-such-file.ttl", env=small_data_env)
    assert result.returncode == 2 and "no such file" in result.stderr.decode()


def test_build_fails_with_violations_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "broken-shape.ttl", data / "broken.ttl")
    env = {**os.environ, "KG_DATA_DIR": str(data), "KG_BUILD_DIR": str(tmp_path / "build")}
    result = run_kg("build", env=env)
    assert result.returncode == 1
    assert "violation" in result.stderr.decode()
    assert not (tmp_path / "build" / "dataset.nq").exists()


@pytest.mark.parametrize("fmt", list(EXPORT_FORMATS))
@pytest.mark.parametrize("inferred", [False, True], ids=["asserted", "inferred"])
def test_export_parses_back_isomorphic(build_env, built, tmp_path, fmt, inferred):
    syntax = rdf_syntax_named(fmt)
    output = tmp_path / f"export{syntax.suffixes[0]}"
    args = ["export", "--format", fmt, "--output", str(output)] + (["--inferred"] if inferred else [])
    result = run_kg(*args, env=build_env)
    assert result.returncode == 0, result.stderr.decode()
    original = load_built_dataset(built.output, inferred=inferred)
    if syntax.holds_graphs:
        back = Dataset()
        back.parse(str(output), format=syntax.rdflib)
        assert {g.identifier for g in back.graphs() if len(g)} == {g.identifier for g in original.graphs() if len(g)}
        assert canonical(back) == canonical(original)
    else:
        back = Graph().parse(str(output), format=syntax.rdflib)
        assert canonical(back) == canonical(union_graph(original))


def test_json_ld_export_uses_our_readable_context(build_env):
    result = run_kg("export", "--format", "json-ld", env=build_env)
    document = json.loads(result.stdout)
    context = document["@context"]
    assert context["cpo"] == "https://w3id.org/civic-protest/ontology#"
    assert context["name"] == "https://schema.org/name"
    assert context["defendant"]["@type"] == "@id"
    rally = next(n for n in document["@graph"] if n["@id"] == "event:2020-07-16-tabriz-consulate-rally")
    assert "Karabakh is ours, it will be ours!" in rally["slogan"]


def test_turtle_export_uses_our_prefixes(build_env):
    out = run_kg("export", "--format", "turtle", env=build_env).stdout.decode()
    assert "@prefix cpo: <https://w3id.org/civic-protest/ontology#> ." in out
    assert "@prefix person: <https://w3id.org/civic-protest/id/person/> ." in out


def test_export_rejects_unknown_format(build_env):
    result = run_kg("export", "--format", "yaml", env=build_env)
    assert result.returncode == 2 and "Invalid value for '--format'" in result.stderr.decode()


def test_query_table_json_and_csv(build_env):
    query = ('SELECT ?name WHERE { ?r cpo:underProvision/cpo:articleNumber "607" ; cpo:defendant/schema:name ?name }'
             ' ORDER BY ?name LIMIT 2')
    table = run_kg("query", query, env=build_env).stdout.decode()
    assert table.splitlines()[0].strip() == "name" and "Asghar Akbarzadeh" in table and "(2 rows)" in table
    as_json = json.loads(run_kg("query", query, "--format", "json", env=build_env).stdout)
    assert [b["name"]["value"] for b in as_json["results"]["bindings"]] == ["Asghar Akbarzadeh", "Bahman Kheirju"]
    csv = run_kg("query", query, "--format", "csv", env=build_env).stdout.decode()
    assert csv.splitlines()[:2] == ["name", "Asghar Akbarzadeh"]


def test_query_from_file_and_construct_as_turtle(build_env, tmp_path):
    query_file = tmp_path / "q.rq"
    query_file.write_text("CONSTRUCT { ?c schema:name ?n } WHERE { ?c a cpo:Court ; schema:name ?n }")
    result = run_kg("query", "--file", str(query_file), "--format", "turtle", env=build_env)
    graph = Graph().parse(data=result.stdout.decode(), format="turtle")
    assert any(str(o) == "Ardabil city court" for o in graph.objects())


def test_malformed_query_gives_position_not_traceback(build_env):
    result = run_kg("query", "SELECT ?x WHERE {\n ?x a cpo:Court . FILTER(}", env=build_env)
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "malformed query" in err and "line 2" in err and "Traceback" not in err


def test_stats_counts_and_paragraph_share(build_env):
    out = run_kg("stats", env=build_env).stdout.decode()
    for kind in ("persons", "organisations", "places", "events", "arrests", "rulings",
                 "statements", "quoted passages"):
        assert kind in out
    assert "000_b4e487a1465595b6.txt:" in out and "%)" in out
