"""Admin routes under /-/: the store's digest (public) and a consistent backup (token).

- GET /-/digest: {"sha256": ..., "quads": n, "dataset_version": v}: sha256 of the store's
  N-Quads lines, sorted, each ending in "\\n" (what tests compare before and after a write).
- GET /-/backup: the whole store as N-Quads, dumped under the write lock, so it is one
  dataset version (every version was validated before it was committed); needs the update
  token. `kg backup PATH --server URL` saves it; `kg restore PATH --store DIR` installs it.
"""

import hashlib

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify

from kg.server.auth import authorize_write
from kg.server.state import current_engine

bp = Blueprint("admin", __name__, url_prefix="/-")


def digest_of(store: ox.Store) -> tuple[str, int]:
    lines = sorted(f"{quad} .\n" for quad in store)
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode())
    return digest.hexdigest(), len(lines)


@bp.get("/digest")
def digest():
    dataset = current_engine().dataset
    with dataset.lock:
        quads = list(dataset.store)
        version = dataset.version
    lines = sorted(f"{quad} .\n" for quad in quads)
    sha = hashlib.sha256("".join(lines).encode()).hexdigest()
    return jsonify(sha256=sha, quads=len(lines), dataset_version=version)


@bp.get("/backup")
def backup():
    authorize_write()
    dataset = current_engine().dataset
    with dataset.lock:
        body = dataset.store.dump(format=ox.RdfFormat.N_QUADS)
        version = dataset.version
    return Response(body, content_type="application/n-quads",
                    headers={"X-KG-Dataset-Version": str(version),
                             "Content-Disposition": "attachment; filename=backup.nq"})
