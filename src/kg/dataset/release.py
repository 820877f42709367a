"""`kg release VERSION`: a dated, immutable, citable release of the dataset.

A release is one directory, releases/<VERSION>/, written whole or not at all:

    civic-protest-<VERSION>.nq, .trig         ontology, data and inferred graphs (named graphs)
    civic-protest-<VERSION>.ttl, .nt, .jsonld, .rdf   the asserted triples (ontology + data)
    quickstatements.txt, mixnmatch.csv        the Wikidata exports of this version
    tables/                                   the tables, where present (release_tables)
    entities.tsv                              every entity IRI with the digest of its description,
                                              and every retired IRI: what the next release is
                                              compared with, and what the IRI test walks
    CHANGELOG.md                              this release's entry (entities added, changed and
                                              withdrawn since the previous release, computed from
                                              the data), then the previous releases' entries
    dcat.ttl                                  DCAT 3: the release, its distributions, checksums
    CITATION.cff                              how to cite this version
    release.json                              version, date, previous release, commit, counts
    SHA256SUMS                                `sha256sum -c SHA256SUMS` checks every file above

The dumps are canonical (blank nodes labelled by RDFC-1.0, N-Quads and N-Triples sorted), so
the same data gives the same bytes: a release is reproducible from the repository (at the
commit release.json names) plus the previous release directory. A release refuses to leave an
IRI of the previous release unanswered: each must still name an entity or be retired in
data/registry/retired.ttl (merged, with dcterms:isReplacedBy, or withdrawn, with the reason).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.dataset.export import serialize
from kg.dataset.mixnmatch import mixnmatch_csv
from kg.dataset.quickstatements import quickstatements
from kg.dataset.tables import write_tables
from kg.engine.store import load_store
from kg.formats import rdf_syntax_named
from kg.namespaces import BASE, CPO, DATA_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH
from kg.paths import PROJECT_ROOT, RELEASES_DIR
from kg.pipeline.build import ensure_built

DATA = ox.NamedNode(str(DATA_GRAPH))
CURATED_GRAPHS = tuple(ox.NamedNode(str(g)) for g in (ONTOLOGY_GRAPH, DATA_GRAPH, INFERRED_GRAPH))
ENTITY_SPACE = BASE + "id/"
RELEASE_SPACE = BASE + "releases/"
VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$")
RETIREMENT_REASON = ox.NamedNode(f"{CPO}retirementReason")
IS_REPLACED_BY = ox.NamedNode("http://purl.org/dc/terms/isReplacedBy")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TITLE = "Civic protest knowledge graph"
DESCRIPTION = ("Documented civic protest and its aftermath (rallies, arrests, detentions, trials, "
               "sentences, statements, claims and denials), each fact linked to the passage of "
               "the source document it comes from.")
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CREATOR = "Civic Protest Knowledge Graph team"   # as the ontology's dcterms:creator says
DUMP_FORMATS = ("nquads", "trig", "turtle", "nt", "json-ld", "xml")


class ReleaseRefused(Exception):
    """The release would break a promise (an existing version, an IRI left unanswered)."""


@dataclass(frozen=True)
class Retired:
    iri: str
    replacement: str | None
    reason: str


@dataclass
class Snapshot:
    """What a release is compared with: each entity's digest and each retired IRI."""
    entities: dict[str, str] = field(default_factory=dict)
    retired: dict[str, Retired] = field(default_factory=dict)

    def answers(self) -> set[str]:
        return set(self.entities) | set(self.retired)


@dataclass(frozen=True)
class Changes:
    added: list[str]
    changed: list[str]
    withdrawn: list[Retired]
    ontology_changed: bool

    def count(self) -> int:
        return len(self.added) + len(self.changed) + len(self.withdrawn)


@dataclass(frozen=True)
class ReleaseResult:
    version: str
    directory: Path
    previous: str | None
    changes: Changes
    files: list[str]

    def summary(self) -> str:
        c = self.changes
        since = f"since {self.previous}" if self.previous else "(first release)"
        return (f"release {self.version}: {self.directory} — {len(c.added)} added, "
                f"{len(c.changed)} changed, {len(c.withdrawn)} withdrawn {since}; "
                f"{len(self.files)} files, checksums in SHA256SUMS")


# --- the data ------------------------------------------------------------------------------

def curated_store(dataset: Path | None) -> ox.Store:
    """The ontology, data and inferred graphs of the built dataset (or of an N-Quads file,
    e.g. a server's backup): not the change log, which names who wrote, nor user graphs."""
    source = load_store(Path(dataset) if dataset else ensure_built())
    store = ox.Store()
    store.extend(q for q in source if q.graph_name in CURATED_GRAPHS)
    return store


def canonical_quads(quads) -> list[ox.Quad]:
    """The quads with RDFC-1.0 blank node labels, in a stable order."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(dataset, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def retired_iris(store: ox.Store) -> dict[str, Retired]:
    found = {}
    for quad in store.quads_for_pattern(None, RETIREMENT_REASON, None, DATA):
        replacement = next((q.object.value for q in store.quads_for_pattern(quad.subject, IS_REPLACED_BY, None, DATA)), None)
        found[quad.subject.value] = Retired(quad.subject.value, replacement, quad.object.value)
    return found


def entity_digests(store: ox.Store, retired: dict) -> dict[str, str]:
    """Each entity of the data graph (an IRI under /id/ with a class, not retired: leftovers of
    a retirement record do not make an entity) and the SHA-256 of its description: its triples
    and those of the blank nodes they reach, canonical, so that only a change of what is said
    of it changes the digest."""
    subjects = sorted({q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, None, DATA)
                       if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ENTITY_SPACE)})
    digests = {}
    for iri in subjects:
        if iri in retired:
            continue
        lines = sorted(nquad_line(ox.Quad(q.subject, q.predicate, q.object))
                       for q in canonical_quads(description(store, ox.NamedNode(iri))))
        digests[iri] = hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
    return digests


def description(store: ox.Store, node) -> list[ox.Quad]:
    quads, seen, todo = [], set(), [node]
    while todo:
        for quad in store.quads_for_pattern(todo.pop(), None, None, DATA):
            quads.append(quad)
            if isinstance(quad.object, ox.BlankNode) and quad.object not in seen:
                seen.add(quad.object)
                todo.append(quad.object)
    return quads


def nquad_line(quad) -> str:
    return ox.serialize([quad], format=ox.RdfFormat.N_QUADS).decode("utf-8")


def graph_digest(store: ox.Store, graph) -> str:
    quads = canonical_quads(store.quads_for_pattern(None, None, None, graph))
    return hashlib.sha256("".join(nquad_line(q) for q in quads).encode("utf-8")).hexdigest()


# --- previous releases ---------------------------------------------------------------------

def releases_in(directory: Path) -> list[dict]:
    """The releases of a directory (their release.json), oldest first."""
    found = []
    for manifest in Path(directory).glob("*/release.json"):
        if manifest.parent.name.startswith("."):
            continue  # a release being written, or left by a killed one: never published
        try:
            found.append({**json.loads(manifest.read_text(encoding="utf-8")), "path": manifest.parent})
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda r: (r.get("date", ""), version_key(r.get("version", ""))))


def latest_published(directory: Path) -> tuple[str, set[str]] | None:
    """The latest release of `directory`: its version and the entity IRIs it published."""
    releases = releases_in(directory)
    if not releases:
        return None
    latest = releases[-1]
    try:
        snapshot = read_snapshot(latest["path"])
    except OSError:
        return None
    return latest.get("version") or latest["path"].name, set(snapshot.entities)


def version_key(version: str) -> tuple:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.+_-]", version))


def read_snapshot(release_dir: Path) -> Snapshot:
    snapshot = Snapshot()
    path = Path(release_dir) / "entities.tsv"
    with open(path, encoding="utf-8") as handle:
        next(handle)  # header
        for line in handle:
            iri, state, value, *rest = line.rstrip("\n").split("\t") + ["", ""]
            if state == "entity":
                snapshot.entities[iri] = value
            elif state in ("merged", "withdrawn"):
                snapshot.retired[iri] = Retired(iri, value or None, rest[0] if rest else "")
    return snapshot


def write_snapshot(path: Path, snapshot: Snapshot) -> None:
    lines = ["iri\tstate\tdigest_or_replacement\treason"]
    lines += [f"{iri}\tentity\t{digest}\t" for iri, digest in sorted(snapshot.entities.items())]
    for iri, retired in sorted(snapshot.retired.items()):
        state = "merged" if retired.replacement else "withdrawn"
        reason = " ".join(retired.reason.split())
        lines.append(f"{iri}\t{state}\t{retired.replacement or ''}\t{reason}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def compare(previous: Snapshot | None, current: Snapshot, ontology_changed: bool) -> Changes:
    before = previous or Snapshot()
    unanswered = sorted(before.answers() - current.answers())
    if unanswered:
        shown = "\n  ".join(unanswered[:20]) + ("\n  ..." if len(unanswered) > 20 else "")
        raise ReleaseRefused(
            f"{len(unanswered)} IRI(s) of the previous release would no longer answer; merge or "
            f"withdraw each in data/registry/retired.ttl (dcterms:isReplacedBy or the reason):\n  {shown}")
    added = sorted(set(current.entities) - set(before.entities) - set(before.retired))
    changed = sorted(iri for iri, digest in current.entities.items()
                     if iri in before.entities and before.entities[iri] != digest)
    withdrawn = [r for iri, r in sorted(current.retired.items()) if iri not in before.retired]
    return Changes(added, changed, withdrawn, ontology_changed)


# --- the files ----------------------------------------------------------------------------------

def dump_name(version: str, fmt: str) -> str:
    return f"civic-protest-{version}{rdf_syntax_named(fmt).suffixes[0]}"


def write_dumps(store: ox.Store, directory: Path, version: str) -> list[str]:
    canonical = ox.Store()
    canonical.extend(canonical_quads(store))
    names = []
    for fmt in DUMP_FORMATS:
        holds_graphs = rdf_syntax_named(fmt).holds_graphs
        body = serialize(canonical, fmt, inferred=holds_graphs)
        if fmt in ("nquads", "nt"):
            body = b"".join(sorted(set(body.splitlines(keepends=True))))
        name = dump_name(version, fmt)
        (directory / name).write_bytes(body)
        names.append(name)
    return names


def changelog_entry(version: str, date: dt.date, previous: dict | None, changes: Changes,
                    current: Snapshot, names: dict[str, str]) -> str:
    def line(iri: str) -> str:
        local = iri[len(ENTITY_SPACE):]
        name = names.get(iri)
        return f"- [{local}]({iri})" + (f" {name}" if name else "")

    heading = f"## {version} ({date.isoformat()})\n"
    if previous:
        since = (f"Since {previous['version']} ({previous.get('date', '')}): {len(changes.added)} "
                 f"entities added, {len(changes.changed)} changed, {len(changes.withdrawn)} withdrawn; "
                 f"the ontology {'changed' if changes.ontology_changed else 'is unchanged'}. "
                 f"{len(current.entities)} entities in all.\n")
    else:
        since = f"First release: {len(current.entities)} entities.\n"
    parts = [heading, "\n", since]
    for title, items in (("Added", [line(i) for i in changes.added]),
                         ("Changed", [line(i) for i in changes.changed]),
                         ("Withdrawn", [withdrawn_line(r) for r in changes.withdrawn])):
        if items:
            parts += [f"\n### {title} ({len(items)})\n\n", "\n".join(items), "\n"]
    return "".join(parts)


def withdrawn_line(retired: Retired) -> str:
    def link(iri: str) -> str:
        return f"[{iri[len(ENTITY_SPACE):]}]({iri})" if iri.startswith(ENTITY_SPACE) else f"<{iri}>"
    what = f"merged into {link(retired.replacement)}" if retired.replacement else "withdrawn"
    return f"- {link(retired.iri)} {what}: {' '.join(retired.reason.split())}"


def entity_names(store: ox.Store, iris) -> dict[str, str]:
    name = ox.NamedNode("https://schema.org/name")
    found = {}
    for iri in iris:
        for quad in store.quads_for_pattern(ox.NamedNode(iri), name, None, DATA):
            found[iri] = quad.object.value
            break
    return found


def citation_cff(version: str, date: dt.date, template: Path | None) -> str:
    """The repository's CITATION.cff with this release's version and date."""
    text = template.read_text(encoding="utf-8") if template and template.exists() else DEFAULT_CITATION
    text = set_cff_key(text, "version", f'"{version}"')
    return set_cff_key(text, "date-released", f'"{date.isoformat()}"')


def set_cff_key(text: str, key: str, value: str) -> str:
    pattern = re.compile(rf"^{re.escape(key)}:.*$", re.M)
    if pattern.search(text):
        return pattern.sub(f"{key}: {value}", text)
    return text.rstrip("\n") + f"\n{key}: {value}\n"


DEFAULT_CITATION = f"""cff-version: 1.2.0
message: "If you use this dataset, please cite it as below."
type: dataset
title: "{TITLE}"
authors:
  - name: "{CREATOR}"
license: CC-BY-4.0
url: "{BASE}"
"""


def dcat_turtle(version: str, date: dt.date, previous: dict | None, files: dict[str, tuple[int, str]]) -> str:
    """DCAT 3 for the release: the dataset version and one distribution per file, each with
    its size, media type and SHA-256 (spdx:checksum, as DCAT 3 gives it)."""
    release = f"{RELEASE_SPACE}{version}/"
    lines = [
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix spdx: <http://spdx.org/rdf/terms#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        "",
        f"<{release}> a dcat:Dataset ;",
        f'    dcterms:title "{TITLE}, release {version}"@en ;',
        f'    dcterms:description "{DESCRIPTION}"@en ;',
        f"    dcterms:license <{LICENSE}> ;",
        f'    dcterms:creator [ a <http://xmlns.com/foaf/0.1/Organization> ; <http://xmlns.com/foaf/0.1/name> "{CREATOR}" ] ;',
        f'    dcterms:issued "{date.isoformat()}"^^xsd:date ;',
        f'    dcat:version "{version}" ;',
        f"    dcat:isVersionOf <{BASE}id/dataset> ;",
        f"    dcat:landingPage <{release}> ;",
    ]
    if previous:
        lines.append(f"    dcat:previousVersion <{RELEASE_SPACE}{previous['version']}/> ;")
    lines.append("    dcat:distribution " + ",\n        ".join(f"<{release}{name}>" for name in sorted(files)) + " .")
    for name, (size, digest) in sorted(files.items()):
        lines += ["", f"<{release}{name}> a dcat:Distribution ;",
                  f'    dcterms:title "{name}" ;',
                  f"    dcat:downloadURL <{release}{name}> ;",
                  f"    dcat:mediaType <https://www.iana.org/assignments/media-types/{media_type(name)}> ;",
                  f'    dcat:byteSize "{size}"^^xsd:nonNegativeInteger ;',
                  "    spdx:checksum [ a spdx:Checksum ; spdx:algorithm spdx:checksumAlgorithm_sha256 ;",
                  f'        spdx:checksumValue "{digest}"^^xsd:hexBinary ] .']
    return "\n".join(lines) + "\n"


MEDIA_TYPES = {".nq": "application/n-quads", ".trig": "application/trig", ".ttl": "text/turtle",
               ".nt": "application/n-triples", ".jsonld": "application/ld+json",
               ".rdf": "application/rdf+xml", ".txt": "text/plain", ".csv": "text/csv",
               ".tsv": "text/tab-separated-values", ".md": "text/markdown", ".json": "application/json",
               ".cff": "application/x-yaml", ".parquet": "application/vnd.apache.parquet"}


def media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_of(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


def git_commit(root: Path = PROJECT_ROOT) -> dict:
    """The repository's commit, and whether the data, ontology or shapes differ from it."""
    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=30)
    try:
        head = git("rev-parse", "HEAD")
        if head.returncode != 0:
            return {}
        dirty = git("status", "--porcelain", "--", "data", "ontology", "shapes").stdout.strip()
        return {"commit": head.stdout.strip(), "uncommitted_changes": bool(dirty)}
    except (OSError, subprocess.SubprocessError):
        return {}


# --- the release --------------------------------------------------------------------------------

def release_tables(store: ox.Store, target: Path, tables_dir: Path | None, date: dt.date) -> bool:
    """The tables of the release: the directory `tables_dir` (written by `kg export --tables
    DIR`) copied as it is, or else the tables written from the released store
    (kg.dataset.tables.write_tables), stamped with the release date so that they are
    reproducible."""
    if tables_dir is not None:
        shutil.copytree(tables_dir, target)
        return True
    stamp = int(dt.datetime.combine(date, dt.time(), tzinfo=dt.timezone.utc).timestamp())
    write_tables(store, target, timestamp=stamp)
    return True


def release(version: str, *, dataset: Path | None = None, releases_dir: Path = RELEASES_DIR,
            date: dt.date | None = None, tables_dir: Path | None = None,
            citation: Path | None = PROJECT_ROOT / "CITATION.cff",
            update_citation: bool = True) -> ReleaseResult:
    """Write releases_dir/VERSION (see the module's docstring); refuse an existing version or
    a release that would leave an IRI of the previous one unanswered."""
    if not VERSION.match(version):
        raise ReleaseRefused(f"{version!r} is not a version (letters, digits, '.', '-', '+', '_')")
    releases_dir = Path(releases_dir)
    target = releases_dir / version
    if target.exists():
        raise ReleaseRefused(f"release {version} exists ({target}); a release is never rewritten")
    if tables_dir is not None and not Path(tables_dir).is_dir():
        raise ReleaseRefused(f"--tables-dir {tables_dir}: no such directory")
    date = date or dt.date.today()
    store = curated_store(dataset)
    earlier = releases_in(releases_dir)
    previous = earlier[-1] if earlier else None
    before = read_snapshot(previous["path"]) if previous else None
    retired = retired_iris(store)
    current = Snapshot(entity_digests(store, retired), retired)
    ontology = graph_digest(store, CURATED_GRAPHS[0])
    changes = compare(before, current, bool(previous) and previous.get("ontology_sha256") != ontology)

    releases_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=releases_dir))
    try:
        names = write_dumps(store, work, version)
        (work / "quickstatements.txt").write_text(quickstatements(store), encoding="utf-8")
        (work / "mixnmatch.csv").write_text(mixnmatch_csv(store), encoding="utf-8", newline="")
        release_tables(store, work / "tables", tables_dir, date)
        write_snapshot(work / "entities.tsv", current)
        entry = changelog_entry(version, date, previous, changes, current,
                                entity_names(store, changes.added + changes.changed))
        history = (previous["path"] / "CHANGELOG.md").read_text(encoding="utf-8") if previous else ""
        history = history.split("\n", 2)[2] if history.startswith("# Changelog") else history
        (work / "CHANGELOG.md").write_text("# Changelog\n\n" + entry + ("\n" + history if history else ""),
                                           encoding="utf-8")
        cff = citation_cff(version, date, citation)
        (work / "CITATION.cff").write_text(cff, encoding="utf-8")
        manifest = {"version": version, "date": date.isoformat(),
                    "previous": previous["version"] if previous else None,
                    **git_commit(), "ontology_sha256": ontology,
                    "triples": {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
                                for g in CURATED_GRAPHS},
                    "entities": len(current.entities), "retired": len(current.retired),
                    "changes": {"added": len(changes.added), "changed": len(changes.changed),
                                "withdrawn": len(changes.withdrawn)},
                    "dumps": names}
        (work / "release.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        described = {name: ((work / name).stat().st_size, sha256_of(work / name)) for name in files_of(work)}
        (work / "dcat.ttl").write_text(dcat_turtle(version, date, previous, described), encoding="utf-8")
        sums = {name: sha256_of(work / name) for name in files_of(work)}
        (work / "SHA256SUMS").write_text("".join(f"{d}  {n}\n" for n, d in sorted(sums.items())),
                                         encoding="utf-8")
        for name in files_of(work):
            os.chmod(work / name, 0o444)
        os.chmod(work, 0o755)   # mkdtemp made it private
        os.rename(work, target)   # the release appears whole, or not at all
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if update_citation and citation is not None:
        citation.write_text(cff, encoding="utf-8")
    return ReleaseResult(version, target, previous["version"] if previous else None, changes,
                         files_of(target))


def verify(release_dir: Path) -> list[str]:
    """What does not match the release's SHA256SUMS: files changed, missing or not listed."""
    release_dir = Path(release_dir)
    sums = release_dir / "SHA256SUMS"
    if not sums.exists():
        return [f"{release_dir}: no SHA256SUMS"]
    listed, problems = {}, []
    for line in sums.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    for name, digest in sorted(listed.items()):
        path = release_dir / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_of(path) != digest:
            problems.append(f"{name}: checksum differs")
    for name in files_of(release_dir):
        if name != "SHA256SUMS" and name not in listed:
            problems.append(f"{name}: not listed in SHA256SUMS")
    return problems
