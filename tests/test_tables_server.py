"""/tables/ on a real `kg serve`: the files of `kg export --tables`, with CORS, read by the
clients people use (pandas and frictionless over HTTP, pyarrow), listed in VoID/DCAT and on
the dataset page; generated once per dataset version; nothing but the writer's files served."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow.parquet as pq
import pytest
import requests
from rdflib import Graph, URIRef
from rdflib import namespace as ns

from kg.dataset.tables import load_tables
from kg.engine.store import load_store
from server_fixtures import app_client, live_server


@pytest.fixture(scope="module")
def base(built):
    with live_server(dataset_path=str(built.output)) as url:
        yield url + "/"


def test_tables_are_served_with_cors_and_read_by_pandas_over_http(base):
    events = pd.read_csv(f"{base}tables/events.csv")
    assert len(events) > 100 and {"id", "date", "passage", "quote"} <= set(events.columns)
    response = requests.get(f"{base}tables/acled_events.csv", headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Content-Type"].startswith("text/csv")
    parquet = requests.get(f"{base}tables/parquet/events.parquet")
    assert parquet.headers["Content-Type"] == "application/vnd.apache.parquet"
    assert pq.read_table(io.BytesIO(parquet.content)).num_rows == len(events)


def test_the_data_package_opens_from_its_url(base):
    from frictionless import Package

    package = Package(f"{base}tables/datapackage.json")
    assert {t.name for t in load_tables()} <= set(package.resource_names)
    rows = package.get_resource("sentences").read_rows()
    assert rows and all(row["id"].startswith("https://w3id.org/civic-protest/id/") for row in rows)


def test_index_page_lists_every_table(base):
    page = requests.get(f"{base}tables/")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    for table in load_tables():
        assert f'href="/tables/{table.name}.csv"' in page.text
    assert 'href="/tables/alignments/acled.ttl"' in page.text


@pytest.mark.parametrize("path", ["tables/nothing.csv", "tables/../pyproject.toml",
                                  "tables/%2e%2e/%2e%2e/etc/passwd", "tables/parquet/",
                                  "tables/events.csv.bak"])
def test_only_the_writers_files_are_served(base, path):
    response = requests.get(base + path)
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


def test_void_and_the_dataset_page_list_the_tables(base):
    void = Graph().parse(data=requests.get(f"{base}.well-known/void").text, format="turtle")
    downloads = {str(o) for o in void.objects(None, ns.DCAT.downloadURL)}
    for table in load_tables():
        assert f"{base}tables/{table.name}.csv" in downloads
        assert f"{base}tables/parquet/{table.name}.parquet" in downloads
    package = URIRef(f"{base}tables/datapackage.json#distribution")
    assert (package, ns.DCTERMS.conformsTo, URIRef("https://specs.frictionlessdata.io/data-package/")) in void
    assert 'href="/tables/datapackage.json"' in requests.get(f"{base}dataset").text


def test_generated_once_per_dataset_version_or_served_from_a_directory(tmp_path, built):
    import kg.server.tables as tables

    calls, original = [], tables.write_tables

    def counting(store, directory, **options):
        calls.append(directory)
        return original(store, directory, **options)

    tables.write_tables = counting
    try:
        with app_client(DATASET_PATH=str(built.output)) as client:
            for _ in range(3):
                assert client.get("/tables/passages.csv").status_code == 200
        assert len(calls) == 1
        original(load_store(built.output), tmp_path)
        with app_client(DATASET_PATH=str(built.output), TABLES_DIR=str(tmp_path)) as client:
            assert client.get("/tables/passages.csv").data == (tmp_path / "passages.csv").read_bytes()
        assert len(calls) == 1
    finally:
        tables.write_tables = original
