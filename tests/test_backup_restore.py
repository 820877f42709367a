"""`kg backup` during writes, then `kg restore`: a consistent state that conforms to the shapes.

The server (on-disk store) serves a small conforming dataset; a writer keeps moving amounts
between two balances that sum to 100 (two operations per request) while `kg backup` copies
the store from the running server. The backup is restored into a new store directory with
`kg restore` (which validates it with the shapes), served again, and checked: the balances
sum to 100, the digest equals the backup's, the change log is there. A backup that breaks a
shape is refused by `kg restore`.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from kg.dataset.backup import digest_of_file
from kg.pipeline.build import build
from kg.paths import SHAPES_DIR
from server_fixtures import free_port, wait_until_healthy
from test_isolation import BALANCE, GRAPH, A, B, transfer

TOKEN = "backup-token"
KG = str(Path(sys.executable).with_name("kg"))


def serve(store_dir, dataset):
    port = free_port()
    arguments = {"host": "127.0.0.1", "port": port, "store": str(store_dir), "workers": 3,
                 "dataset_path": str(dataset), "update_token": f"operator={TOKEN}"}
    process = subprocess.Popen(
        [sys.executable, "-c", f"from kg.server.run import serve; serve(**{arguments!r})"],
        start_new_session=True, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_until_healthy(base, process)
    return process, base


def stop(process):
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def balances(base):
    query = f"SELECT ?s ?v WHERE {{ GRAPH <{GRAPH}> {{ ?s <{BALANCE}> ?v }} }}"
    rows = requests.get(base + "/sparql", params={"query": query}, timeout=30, headers={
        "Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    return sorted((row["s"]["value"], int(row["v"]["value"])) for row in rows)


def test_a_backup_taken_during_writes_restores_to_a_consistent_conforming_state(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SHAPES_DIR / "examples" / "common.ttl", data / "common.ttl")
    assert build(tmp_path / "dataset.nq", data_dir=data, sources_dir=None).conforms
    auth = {"Authorization": f"Bearer {TOKEN}"}
    process, base = serve(tmp_path / "store", tmp_path / "dataset.nq")
    try:
        assert requests.put(base + "/store", params={"graph": GRAPH}, timeout=30,
                            data=f"<{A}> <{BALANCE}> 50 . <{B}> <{BALANCE}> 50 .",
                            headers={**auth, "Content-Type": "text/turtle"}).status_code == 201
        done, writes = threading.Event(), []

        def writer():
            with requests.Session() as session:
                n = 0
                while not done.is_set():
                    n += 1
                    r = session.post(base + "/sparql", data=transfer(n % 7 - 3).encode(),
                                     headers={**auth, "Content-Type": "application/sparql-update"},
                                     timeout=30)
                    if r.status_code == 200:
                        writes.append(n)

        thread = threading.Thread(target=writer)
        thread.start()
        time.sleep(0.5)
        backup = tmp_path / "backup.nq"
        result = subprocess.run([KG, "backup", str(backup), "--server", base, "--token", TOKEN],
                                capture_output=True, text=True, timeout=60)
        time.sleep(0.3)
        done.set()
        thread.join(timeout=30)
        assert result.returncode == 0, result.stderr
        assert len(writes) >= 3
        refused = subprocess.run([KG, "backup", str(tmp_path / "x.nq"), "--server", base,
                                  "--token", "wrong"], capture_output=True, text=True, timeout=60)
        assert refused.returncode != 0 and not (tmp_path / "x.nq").exists()
    finally:
        stop(process)

    restored = tmp_path / "restored"
    result = subprocess.run([KG, "restore", str(backup), "--store", str(restored)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    process, base = serve(restored, tmp_path / "dataset.nq")
    try:
        state = balances(base)
        assert [s for s, _ in state] == [A, B] and sum(v for _, v in state) == 100, state
        assert requests.get(base + "/-/digest", timeout=30).json()["sha256"] == \
            digest_of_file(backup)
        changes = requests.get(base + "/sparql", timeout=30, headers={
            "Accept": "application/sparql-results+json"}, params={"query": (
                "SELECT (COUNT(?c) AS ?n) WHERE { GRAPH <https://w3id.org/civic-protest/graph/"
                "changes> { ?c a <http://www.w3.org/ns/prov#Activity> } }")}).json()
        assert int(changes["results"]["bindings"][0]["n"]["value"]) >= 2
    finally:
        stop(process)


def test_restore_refuses_a_backup_that_breaks_a_shape(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(SHAPES_DIR / "examples" / "common.ttl", data / "common.ttl")
    assert build(tmp_path / "dataset.nq", data_dir=data, sources_dir=None).conforms
    broken = tmp_path / "broken.nq"
    lines = (tmp_path / "dataset.nq").read_text().splitlines()
    person = ("<https://w3id.org/civic-protest/id/person/nobody> "
              "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
              "<https://w3id.org/civic-protest/ontology#Person> "
              "<https://w3id.org/civic-protest/graph/data> .")
    broken.write_text("\n".join(lines + [person]) + "\n")
    result = subprocess.run([KG, "restore", str(broken), "--store", str(tmp_path / "s")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert "nobody" in result.stderr and not (tmp_path / "s").exists()
