"""Shared fixtures: the real data built once per test session, into a temporary directory."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.pipeline.build import build

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The build of the repository's ontology, shapes and data (must conform)."""
    output = tmp_path_factory.mktemp("build") / "dataset.nq"
    result = build(output=output)
    assert result.conforms, result.report.describe()
    return result


@pytest.fixture(scope="session")
def build_env(built):
    """Environment for `kg` subprocesses that reuse the session's build."""
    return {**os.environ, "KG_BUILD_DIR": str(built.output.parent)}


def run_kg(*args, env=None, input=None) -> subprocess.CompletedProcess:
    """Run the real `kg` command line."""
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True,
                          env=env, input=input, cwd=ROOT, timeout=300)


def nquads_without(source, target, subject=None, predicate=None):
    """Copy the N-Quads file `source` to `target` without the quads matching the pattern."""
    import pyoxigraph as ox

    store = ox.Store()
    store.load(path=str(source), format=ox.RdfFormat.N_QUADS)
    for quad in list(store.quads_for_pattern(subject, predicate, None, None)):
        store.remove(quad)
    Path(target).write_bytes(store.dump(format=ox.RdfFormat.N_QUADS))
    return Path(target)
