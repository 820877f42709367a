"""Admin routes under /-/: the store's digest (public) and a consistent backup (token).

- GET /-/digest: {"sha256": ..., "quads": n, "dataset_version": v}: sha256 of the store's
  N-Quads lines, sorted, each ending in "\\n" (what tests compare before and after a write).
- GET /-/backup: the whole store as N-Quads, dumped under the write lock, so it is one
  dataset version (every version was validated before it was committed); needs the update
  token. `kg backup PATH --server URL` saves it; `kg restore PATH --store DIR` installs it.
"""

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify

from kg.dataset.backup import digest as digest_of
from kg.server.auth import authorize_write
from kg.server.state import current_engine

bp = Blueprint("admin", __name__, url_prefix="/-")


@bp.get("/digest")
def digest():
    dataset = current_engine().dataset
    with dataset.lock:
        quads = list(dataset.store)
        version = dataset.version
    sha, count = digest_of(quads)
    return jsonify(sha256=sha, quads=count, dataset_version=version)


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
