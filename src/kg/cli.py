"""The `kg` command. Each command is a thin wrapper over a plain function of the package."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.dataset.quickstatements import KINDS as QUICKSTATEMENTS_KINDS
from kg.pipeline.errors import BuildError

EXIT_OK, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2


def fail(message: str, code: int = EXIT_ERROR):
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def violation_lines(report) -> str:
    """One line per SHACL violation: where, what, the message, and the constraint (shape)."""
    lines = []
    for v in report.violations:
        where = f"{', '.join(v.files)}: " if getattr(v, "files", None) else ""
        path = f" {v.path}" if v.path else ""
        value = f" (value {v.value!r})" if v.value is not None and v.value != v.focus_node else ""
        lines.append(f"{where}{v.focus_node}{path}{value}: {v.message} [{v.shape or 'no shape'}]")
    return f"{len(lines)} violation(s):\n" + "\n".join(lines)


def not_built(error) -> str:
    """The message for data that does not build: its violations one a line, or a parse error."""
    report = getattr(error, "report", None)
    return f"the data does not build: {violation_lines(report) if report else error}"


@click.group(help="The civic-protest knowledge graph: build, validate, query, export and serve it.")
@click.version_option(package_name="kg")
def main():
    pass


@main.command(help="Load ontology and data, infer (OWL-RL), validate (SHACL), write build/dataset.nq.")
@click.option("--reasoner", type=click.Choice(["auto", "owlrl", "reasonable", "sparql"]),
              default="auto", show_default=True,
              help="owlrl (rdflib + pyshacl); or, with pyoxigraph and SHACL compiled to SPARQL, "
              "sparql (our ontology's OWL-RL rules compiled to SPARQL updates) or reasonable "
              "(Rust OWL-RL); auto: owlrl for small data, sparql (else reasonable) for large.")
@click.option("--store", "store_dir", type=click.Path(file_okay=False), default=None,
              help="Also write the built dataset into an on-disk store here (kg serve --store). "
              "Millions of triples are built in that store itself, not in memory.")
@click.option("--replace-store", is_flag=True,
              help="Replace the --store even if it holds writes made through the server.")
def build(reasoner, store_dir, replace_store):
    from kg.pipeline.build import build as run_build

    try:
        result = run_build(store_dir=store_dir, reasoner=reasoner, replace_store=replace_store)
    except (BuildError, SyntaxError) as error:
        fail(str(error))
    click.echo(result.summary())
    if not result.conforms:
        click.echo(violation_lines(result.report), err=True)
        sys.exit(EXIT_VIOLATIONS)


@main.command(help="Validate the data, or FILES together with it, with the shapes and the quality-"
              "control queries (shapes/qc/). Exit 0 conforms, 1 violations or rows, 2 error.")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
def validate(files):
    from kg.paths import DATA_DIR, turtle_files
    from kg.pipeline.build import build as run_build
    from kg.pipeline.quality import describe, load_checks, run_checks

    for path in files:
        if not Path(path).is_file():
            fail(f"{path}: no such file")
    try:
        result = run_build(output=None, extra_files=files)
    except BuildError as error:
        fail(str(error))
    quality = run_checks(result.store, load_checks(), [*turtle_files(DATA_DIR), *map(Path, files)])
    click.echo(violation_lines(result.report) if not result.conforms else result.report.describe())
    click.echo("\n" + (describe(quality) if quality.conforms
                        else "Quality checks: " + violation_lines(quality).replace("violation(s)", "row(s)", 1)))
    sys.exit(EXIT_OK if result.conforms and quality.conforms else EXIT_VIOLATIONS)


WIKIDATA_FORMATS = ("quickstatements", "mixnmatch")


@main.command(help="Export the built graph in an RDF format (TriG and N-Quads keep the named "
              "graphs), as QuickStatements for the Wikidata items linked to our entities, as "
              "a Mix'n'match catalog (CSV) of our people and organisations without one, or as "
              "tables (--tables DIR: CSV, Parquet and a Frictionless datapackage.json).")
@click.option("--format", "fmt",
              type=click.Choice(["turtle", "json-ld", "nt", "nquads", "trig", "xml", *WIKIDATA_FORMATS]))
@click.option("--inferred", is_flag=True, help="Include the inferred triples (RDF formats).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(list(QUICKSTATEMENTS_KINDS)),
              help="quickstatements: only these kinds of facts (repeatable; default all), e.g. "
                   "--kind detention for the places of detention of linked people.")
@click.option("--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--tables", "tables_dir", type=click.Path(file_okay=False), default=None,
              help="Write the tables into this directory instead.")
def export(fmt, inferred, kinds, output, tables_dir):
    from kg.dataset.export import export as run_export

    if bool(fmt) == bool(tables_dir):
        fail("choose --format FORMAT or --tables DIR")
    if tables_dir:
        return export_tables(Path(tables_dir))
    if kinds and fmt != "quickstatements":
        fail("--kind applies to --format quickstatements only")
    if inferred and fmt in WIKIDATA_FORMATS:
        fail(f"--inferred does not apply to --format {fmt}")
    try:
        data = run_export(fmt, inferred=inferred, output=Path(output) if output else None,
                          kinds=kinds or None)
    except BuildError as error:
        fail(not_built(error))
    if output is None:
        sys.stdout.buffer.write(data)


def export_tables(directory: Path) -> None:
    from kg.dataset.tables import write_tables
    from kg.engine.store import load_store
    from kg.pipeline.build import ensure_built

    try:
        dataset = ensure_built()
    except BuildError as error:
        fail(f"the data does not build:\n{error}")
    try:
        paths = write_tables(load_store(dataset), directory, timestamp=int(dataset.stat().st_mtime))
    except OSError as error:
        fail(f"cannot write the tables: {error}")
    tables = [p for p in paths if p.suffix == ".csv"]
    click.echo(f"{len(tables)} tables (CSV and Parquet) and datapackage.json written to {directory}")


@main.command(help="Run a SPARQL query over the built graph (our prefixes are predeclared).")
@click.argument("sparql", required=False)
@click.option("--file", "query_file", type=click.File("r", encoding="utf-8"), help="Read the query from a file.")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(["table", "json", "csv", "tsv", "turtle"]))
def query(sparql, query_file, fmt):
    from kg.dataset.query import run_query

    if bool(sparql) == bool(query_file):
        fail("give a query either as an argument or with --file")
    text = sparql or query_file.read()
    try:
        click.echo(run_query(text, fmt))
    except SyntaxError as error:
        fail(f"malformed query: {error}")
    except (ValueError, BuildError) as error:
        fail(str(error))


@main.command(help="Counts of what the graph holds and the share of source paragraphs it cites.")
@click.option("--uncited", is_flag=True, help="List the paragraphs that no fact cites.")
def stats(uncited):
    from kg.pipeline.build import ensure_built
    from kg.dataset.export import load_built_dataset, union_graph
    from kg.dataset.query import open_built_store
    from kg.dataset.stats import report

    try:
        path = ensure_built()
    except BuildError as error:
        fail(not_built(error))
    graph = union_graph(load_built_dataset(path))
    click.echo(report(open_built_store(path), graph, show_uncited=uncited))


def parse_named_graph(_ctx, _param, values):
    pairs = []
    for value in values:
        iri, sep, path = value.partition("=")
        if not sep or not iri or not path:
            raise click.BadParameter(f"expected IRI=FILE, got {value!r}")
        if not Path(path).is_file():
            raise click.BadParameter(f"{path}: no such file")
        pairs.append((iri, path))
    return pairs


@main.command(help="Serve the graph: SPARQL at /sparql, the query page at /.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--named-graph", "named_graphs", multiple=True, callback=parse_named_graph,
              metavar="IRI=FILE", help="Load FILE into the named graph IRI (repeatable).")
@click.option("--update-token", envvar="KG_UPDATE_TOKEN", multiple=True,
              help="Allow updates with 'Authorization: Bearer TOKEN'; NAME=TOKEN names who "
                   "writes in the change log (repeatable).")
@click.option("--open-update", is_flag=True, help="Allow updates without a token (loopback only).")
@click.option("--store", type=click.Path(file_okay=False), default=None, help="Keep the store on disk here.")
@click.option("--timeout", "query_timeout", default=30.0, show_default=True, type=float,
              help="Seconds a query may run before it is stopped.")
@click.option("--row-limit", default=10000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int,
              help="Query worker processes (per server process).")
@click.option("--processes", default=None, type=int,
              help="Server processes sharing the port, each with its own workers; with "
                   "updates (and --store), one writer and readers following it. Default: one "
                   "per core when read-only, 1 with updates.")
@click.option("--client-queries", default=5, show_default=True, type=click.IntRange(1),
              help="Queries one client address may have running at once; more wait their "
                   "turn in a fair queue, then get 429.")
@click.option("--dataset", "dataset_path", type=click.Path(dir_okay=False), default=None,
              help="Serve this N-Quads file instead of the built dataset.")
@click.option("--federate", multiple=True, metavar="URL",
              help="Allow SERVICE <URL> in queries (repeatable; none by default), e.g. "
                   "https://query.wikidata.org/sparql.")
@click.option("--rebuild", is_flag=True,
              help="Build the data first (as kg build does), once the port is known to be free.")
@click.option("--base-url", metavar="URL", default=None,
              help="The public URL of this server (e.g. https://example.org/kg/): every absolute "
                   "URL it writes (Location, VoID, service description, reconciliation) uses it, "
                   "never the request's Host header. Set it behind a proxy or in public.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Answer only requests whose Host is NAME (repeatable); with --open-update the "
                   "loopback names are the default.")
@click.option("--backend", metavar="URL", default=None,
              help="Answer /sparql from this external SPARQL 1.1 endpoint (Virtuoso, Fuseki, "
                   "GraphDB, QLever; see kg publish), keeping this endpoint's guard and limits.")
@click.option("--backend-update-url", metavar="URL", default=None,
              help="Where updates are forwarded (default: --backend), if updates are enabled.")
@click.option("--backend-auth", envvar="KG_BACKEND_AUTH", metavar="USER:PASSWORD", default=None,
              help="Credentials for the backend (Basic or Digest).")
@click.option("--backend-token", envvar="KG_BACKEND_TOKEN", default=None,
              help="A bearer token for the backend.")
def serve(host, port, named_graphs, update_token, open_update, store, query_timeout, row_limit,
          workers, dataset_path, federate, backend, backend_update_url, backend_auth, backend_token,
          processes, client_queries, base_url, allowed_hosts, rebuild):
    from kg.pipeline.build import ensure_built
    from kg.server.run import serve as run_server
    from kg.server.security import normalized_base_url

    if update_token and open_update:
        fail("choose --update-token or --open-update, not both")
    try:
        base_url = normalized_base_url(base_url)
    except ValueError as error:
        fail(str(error))
    refuse_taken_port(host, port)  # before a build that may take minutes
    if rebuild and not dataset_path:
        build.main(args=[], standalone_mode=False)
    from kg.pipeline.write import is_built_store

    try:
        if not (store and not dataset_path and is_built_store(store)):  # built: no re-inference
            dataset_path = dataset_path or ensure_built()
    except BuildError as error:
        fail(not_built(error))
    if backend and backend_auth and ":" not in backend_auth:
        fail("--backend-auth must be USER:PASSWORD")
    backend_settings = {"url": backend, "update_url": backend_update_url, "auth": backend_auth,
                        "token": backend_token} if backend else None
    run_server(host=host, port=port, named_graphs=named_graphs, update_token=update_token or None,
               open_update=open_update, store=store, query_timeout=query_timeout,
               row_limit=row_limit, workers=workers, dataset_path=dataset_path, federate=federate,
               backend=backend_settings, processes=processes, client_queries=client_queries,
               base_url=base_url, allowed_hosts=allowed_hosts)


def refuse_taken_port(host: str, port: int) -> None:
    """Stop in one line if another program already listens on host:port."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        fail(f"cannot serve on {host!r}: {error.strerror}")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(address)
        except OSError as error:
            taken = error.errno in (98, 48, 10048)  # EADDRINUSE on Linux, macOS, Windows
            fail(f"port {port} on {host} is already in use (another kg serve?); choose another "
                 f"with --port" if taken else f"cannot listen on {host}:{port}: {error.strerror}")


# --- Releases: a thin wrapper over kg.dataset.release -----------------------------------------

@main.command(help="Write a dated, immutable, citable release to releases/VERSION: the dumps in "
              "every format, the Wikidata exports, the tables (--tables-dir), sha256 checksums, "
              "a CHANGELOG.md entry of the entities added, changed and withdrawn since the "
              "previous release, DCAT, CITATION.cff. With --verify, check a release's checksums.")
@click.argument("version")
@click.option("--dataset", "dataset_path", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Release this N-Quads file (e.g. a server's backup) instead of the built dataset.")
@click.option("--releases-dir", type=click.Path(file_okay=False), default=None,
              help="Where releases are kept (default: releases/ in the repository).")
@click.option("--date", "date_text", default=None, metavar="YYYY-MM-DD",
              help="The release date (default: today); to reproduce a release, give its date.")
@click.option("--tables-dir", type=click.Path(file_okay=False, exists=True), default=None,
              help="A directory of tables (kg export --tables DIR) to include as tables/.")
@click.option("--no-citation-update", is_flag=True,
              help="Leave the repository's CITATION.cff as it is (the release has its own).")
@click.option("--verify", is_flag=True, help="Check the existing release VERSION against its SHA256SUMS.")
def release(version, dataset_path, releases_dir, date_text, tables_dir, no_citation_update, verify):
    import datetime as dt

    from kg.dataset import release as releases
    from kg.paths import RELEASES_DIR

    directory = Path(releases_dir) if releases_dir else RELEASES_DIR
    if verify:
        problems = releases.verify(directory / version)
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            sys.exit(EXIT_VIOLATIONS)
        click.echo(f"release {version}: every file matches SHA256SUMS")
        return
    try:
        date = dt.date.fromisoformat(date_text) if date_text else None
    except ValueError:
        fail(f"--date {date_text!r} is not a date (YYYY-MM-DD)")
    try:
        result = releases.release(version, dataset=dataset_path, releases_dir=directory, date=date,
                                  tables_dir=tables_dir, update_citation=not no_citation_update)
    except releases.ReleaseRefused as error:
        fail(str(error))
    except (BuildError, SyntaxError) as error:
        fail(f"the data does not build:\n{error}")
    click.echo(result.summary())


# --- Linking: a thin wrapper over kg.linking ---------------------------------------------------

@main.group(help="Link our entities with external open-data graphs.")
def link():
    pass


@link.command("geonames", help="Reconcile our places with a GeoNames dump (GeoNames' tab-separated "
              "format): an RDF linkset of the unambiguous high scores, a CSV of the rest for review.")
@click.argument("dump", type=click.Path(exists=True, dir_okay=False))
@click.option("--output-linkset", type=click.Path(dir_okay=False), default=None,
              help="Where to write the linkset (Turtle). Default: build/links/geonames-linkset.ttl")
@click.option("--review-csv", type=click.Path(dir_okay=False), default=None,
              help="Where to write the review CSV. Default: build/links/geonames-review.csv")
@click.option("--evaluate", is_flag=True, help="Print precision and recall against the known ids.")
def link_geonames(dump, output_linkset, review_csv, evaluate):
    from kg.linking.commands import DEFAULT_LINKSET, DEFAULT_REVIEW, link_geonames as run

    try:
        result = run(Path(dump), Path(output_linkset or DEFAULT_LINKSET), Path(review_csv or DEFAULT_REVIEW),
                     evaluate_known=evaluate)
    except (BuildError, ValueError) as error:
        fail(str(error))
    click.echo(result.summary())




# --- Spreadsheets: thin wrappers over kg.curation -------------------------------------------------

@main.group(help="Add or correct a document's facts in a spreadsheet: a template, an export of a "
            "document, and an import that checks every quote and name before writing Turtle.")
def sheet():
    pass


@sheet.command("template", help="Write an empty workbook (.xlsx): one sheet per kind of thing, a help "
               "row, dropdown lists of kinds, roles and known names.")
@click.argument("path", type=click.Path(dir_okay=False))
def sheet_template(path):
    from kg.curation.commands import template

    template(Path(path))
    click.echo(f"wrote {path}")


@sheet.command("export", help="Write the facts of DOCUMENT (e.g. azfront-2023) as a workbook at PATH, "
               "to review and import again.")
@click.argument("document")
@click.argument("path", type=click.Path(dir_okay=False))
def sheet_export(document, path):
    from kg.curation.commands import SheetError, export

    try:
        rows = export(document, Path(path))
    except SheetError as error:
        fail(str(error))
    counts = ", ".join(f"{name} {len(found)}" for name, found in rows.items() if found)
    click.echo(f"wrote {path}: {counts}")


@sheet.command("import", help="Check the workbook (or a CSV file, or a folder of CSV files named after "
               "the sheets) against the document's text (--source) and the data, and write it as "
               "Turtle in the data folder only if all of it is right. Exit 0 written (or nothing to "
               "change), 1 refused with the problems, 2 error.")
@click.argument("path", type=click.Path(exists=True))
@click.option("--source", "source", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The document's text, as archived in sources/ (a new document is archived there).")
@click.option("--dry-run", is_flag=True, help="Check and validate, but write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def sheet_import(path, source, dry_run, as_json):
    import json

    from kg.curation.commands import SheetError, import_workbook

    try:
        report = import_workbook(Path(path), Path(source), dry_run=dry_run)
    except (SheetError, BuildError) as error:
        fail(str(error))
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        for line in report.lines():
            click.echo(line, err=not report.ok)
    sys.exit(EXIT_OK if report.ok else EXIT_VIOLATIONS)


# --- Backup and restore: thin wrappers over kg.dataset.backup ----------------------------------

@main.command(help="Save a consistent copy of the store (N-Quads) to PATH: from a running server "
              "(GET /-/backup, needs the update token) or from a stopped server's --store DIR.")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--server", "url", default="http://127.0.0.1:8000", show_default=True,
              help="The running server to copy.")
@click.option("--token", envvar="KG_UPDATE_TOKEN", default=None, help="An update token.")
@click.option("--store", "store_dir", type=click.Path(file_okay=False, exists=True), default=None,
              help="Copy this store directory instead (its server must be stopped).")
def backup(path, url, token, store_dir):
    from kg.dataset.backup import backup_from_server, backup_from_store

    try:
        result = (backup_from_store(store_dir, path) if store_dir
                  else backup_from_server(url, path, token))
    except OSError as error:
        fail(f"backup failed: {error}")
    click.echo(f"backup: {result.quads} quads written to {result.path}"
               + (f" (dataset version {result.version})" if result.version else ""))


@main.command(help="Install the backup at PATH as the store in --store DIR (server stopped), "
              "after validating it with the shapes. Exit 0 done, 1 does not conform, 2 error.")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--store", "store_dir", type=click.Path(file_okay=False), required=True)
@click.option("--force", is_flag=True, help="Install even if the backup does not conform.")
def restore(path, store_dir, force):
    from kg.dataset.backup import restore as run_restore

    try:
        report = run_restore(path, store_dir, force=force)
    except (OSError, SyntaxError) as error:
        fail(f"restore failed: {error}")
    if not report.conforms and not force:
        click.echo(violation_lines(report), err=True)
        fail("the backup does not conform to the shapes: not restored (--force to install it)",
             EXIT_VIOLATIONS)
    click.echo(f"restored {path} into {store_dir}"
               + ("" if report.conforms else " (forced: it does not conform)"))


# --- Beyond one machine: a thin wrapper over kg.backend.publish -----------------------------------

@main.command(help="Load the built, validated and inferred dataset into an external SPARQL 1.1 "
              "store through the Graph Store Protocol (PUT per named graph, chunked), then verify "
              "the triple count of each graph through the store's SPARQL endpoint URL.")
@click.option("--to", "url", required=True, metavar="URL",
              help="The store's SPARQL endpoint, e.g. http://127.0.0.1:8890/sparql.")
@click.option("--graph-store-path", default=None, metavar="PATH|URL",
              help="The store's Graph Store Protocol service, resolved against --to (default: "
                   "--to itself), e.g. /sparql-graph-crud-auth (Virtuoso), data (Fuseki), "
                   "rdf-graphs/service (GraphDB).")
@click.option("--auth", envvar="KG_BACKEND_AUTH", metavar="USER:PASSWORD", default=None,
              help="Credentials (Basic or Digest).")
@click.option("--token", envvar="KG_BACKEND_TOKEN", default=None, help="A bearer token.")
@click.option("--syntax", type=click.Choice(["turtle", "nt"]), default="turtle", show_default=True,
              help="What the graphs are sent as.")
@click.option("--chunk-triples", default=100_000, show_default=True, type=int,
              help="Triples per request (a graph larger than this is sent by PUT, then POSTs).")
@click.option("--dataset", "dataset_path", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Publish this N-Quads file instead of the built dataset.")
@click.option("--timeout", default=300.0, show_default=True, type=float,
              help="Seconds to wait for each request.")
def publish(url, graph_store_path, auth, token, syntax, chunk_triples, dataset_path, timeout):
    from kg.backend.http import Credentials
    from kg.backend.publish import PublishError, publish as run_publish

    if auth and token:
        fail("choose --auth or --token, not both")
    if auth and ":" not in auth:
        fail("--auth must be USER:PASSWORD")
    credentials = Credentials(auth, token) if (auth or token) else None
    try:
        report = run_publish(url, dataset_path, graph_store=graph_store_path,
                             credentials=credentials, syntax=syntax, chunk_triples=chunk_triples,
                             timeout=timeout, progress=lambda line: click.echo(line, err=True))
    except BuildError as error:
        fail(not_built(error))
    except PublishError as error:
        fail(f"publish failed: {error}")
    click.echo(report.summary())


if __name__ == "__main__":  # last: every command above is registered first
    main()
