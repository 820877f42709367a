"""The tables as files: CSV (UTF-8, RFC 4180), Parquet (pyarrow, typed by the Table Schema),
the crosswalks they are made with, and a Frictionless Data Package descriptor
(`datapackage.json`, https://specs.frictionlessdata.io/data-package/) naming each CSV with its
Table Schema, size and SHA-256, the licence and the source documents.

The Parquet files (parquet/NAME.parquet) hold the same tables with the schema's types; they are
not resources of the descriptor, since Frictionless tools would read them as tables of their
own (and need a Parquet reader to); the descriptor's description names them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kg.dataset.evidence import select
from kg.paths import ALIGNMENTS_DIR

PACKAGE_NAME = "civic-protest-tables"
LICENSE = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
           "title": "Creative Commons Attribution 4.0"}
PARQUET_MEDIA_TYPE = "application/vnd.apache.parquet"
DOCUMENTS = """
SELECT ?document ?name WHERE {
  ?document a cpo:SourceDocument . OPTIONAL { ?document schema:name ?name }
} ORDER BY ?document"""

ARROW_TYPES = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
               "date": pa.date32(), "list": pa.list_(pa.string())}


def arrow_schema(fields: list[dict]) -> pa.Schema:
    return pa.schema([pa.field(f["name"], ARROW_TYPES.get(f.get("type"), pa.string()),
                               metadata={"description": f.get("description", "")})
                      for f in fields])


def write_parquet(path: Path, table, rows: list[dict]) -> Path:
    columns = {name: [row.get(name) for row in rows] for name in table.columns}
    pq.write_table(pa.table(columns, schema=arrow_schema(table.fields)), path,
                   compression="zstd")
    return path


def csv_cell(value, spec: dict) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return spec.get("delimiter", ",").join(value)
    return str(value)


def write_csv(path: Path, table, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.columns)
        for row in rows:
            writer.writerow([csv_cell(row.get(f["name"]), f) for f in table.fields])
    return path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def file_facts(path: Path) -> dict:
    return {"bytes": path.stat().st_size, "hash": f"sha256:{sha256_of(path)}"}


def csv_resource(table, path: Path) -> dict:
    return {"name": table.name, "path": path.name, "profile": "tabular-data-resource",
            "title": table.title, "description": table.description, "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", **file_facts(path),
            "schema": table.schema}


def alignment_resource(path: Path, directory: Path) -> dict:
    return {"name": f"crosswalk-{path.stem}", "path": path.relative_to(directory).as_posix(),
            "profile": "data-resource", "title": f"Crosswalk to {path.stem.upper()} (SKOS, Turtle)",
            "description": "Our classes matched to another vocabulary's terms (skos:exactMatch, "
                           "closeMatch, broadMatch), each unmatched class with its reason.",
            "format": "ttl", "mediatype": "text/turtle", **file_facts(path)}


def sources(store) -> list[dict]:
    return [{"title": row["name"].value if "name" in row else row["document"].value,
             "path": row["document"].value} for row in select(store, DOCUMENTS)]


def descriptor(store, resources: list[dict]) -> dict:
    return {
        "profile": "data-package",
        "name": PACKAGE_NAME,
        "title": "Civic protest knowledge graph: tables",
        "description": (
            "Documented civic protest and its aftermath (rallies, arrests, detentions, trials, "
            "sentences, statements, claims and denials) as tidy tables. Every row about the "
            "data carries the IRI of its node, and the source document, passage IRI and "
            "verbatim quote that attest it. Dates keep their precision, numbers their bounds "
            "and wording; hedges, curators' inferences, omissions and identity candidates are "
            "tables of their own. acled_events.csv has ACLED's columns and code lists. "
            "The same tables, typed, are in parquet/NAME.parquet."),
        "homepage": "https://w3id.org/civic-protest/",
        "licenses": [LICENSE],
        "sources": sources(store),
        "keywords": ["protest", "human rights", "arrests", "Iran", "Azerbaijan", "ACLED",
                     "provenance"],
        "resources": resources,
    }


def write_package(store, directory: Path, tables, rows: dict[str, list[dict]]) -> list[Path]:
    (directory / "parquet").mkdir(exist_ok=True)
    (directory / "alignments").mkdir(exist_ok=True)
    written, csv_resources, other_resources = [], [], []
    for table in tables:
        table_rows = rows[table.name]
        csv_path = write_csv(directory / f"{table.name}.csv", table, table_rows)
        parquet_path = write_parquet(directory / "parquet" / f"{table.name}.parquet", table,
                                     table_rows)
        written += [csv_path, parquet_path]
        csv_resources.append(csv_resource(table, csv_path))
    for source in sorted(ALIGNMENTS_DIR.glob("*.ttl")):
        target = Path(shutil.copyfile(source, directory / "alignments" / source.name))
        written.append(target)
        other_resources.append(alignment_resource(target, directory))
    package = directory / "datapackage.json"
    package.write_text(json.dumps(descriptor(store, csv_resources + other_resources), indent=2,
                                  ensure_ascii=False) + "\n", encoding="utf-8")
    return [*written, package]
