"""`kg serve --processes N` (kg.server.processes): several server processes on one port, each
with its own workers, keep every safety property: deadlines (503), flood limits counted once
across processes (429); with writes, one writer and readers that see each acknowledged write
whole (kg.server.replicas); and the lean worker reply (kg.engine.worker)."""

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from kg.engine.errors import EvaluationError
from kg.engine.jobs import QueryOutcome
from kg.engine.worker import decode_reply, encode_reply
from kg.server.shared_limits import SharedClientLimiter
from server_fixtures import RUNAWAY_QUERY, free_port, live_server, write_flat_dataset

DEADLINE = 2.0
CARTESIAN = RUNAWAY_QUERY


@pytest.fixture(scope="module")
def big_dataset(tmp_path_factory):
    return write_flat_dataset(tmp_path_factory.mktemp("processes") / "big.nq", 5000)


def server_processes(master_pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master_pid)], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


@pytest.fixture(scope="module")
def two_processes(big_dataset):
    with live_server(dataset_path=str(big_dataset), query_timeout=DEADLINE, workers=2,
                     processes=2) as base:
        yield base


def test_two_processes_serve_queries_each_with_its_workers(two_processes):
    for _ in range(20):
        response = requests.get(two_processes + "/sparql", timeout=10, params={
            "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200
        assert response.json()["results"]["bindings"][0]["n"]["value"] == "5000"
    port = int(two_processes.rsplit(":", 1)[1])
    tree = {int(pid) for pid in subprocess.run(["pgrep", "-f", f"'port': {port},"],
                                               capture_output=True, text=True).stdout.split()}
    supervisor = [pid for pid in tree if parent_of(pid) not in tree]
    assert len(supervisor) == 1, tree  # one supervisor, two servers, two workers each
    servers = server_processes(supervisor[0])
    assert len(servers) == 2
    assert all(len(server_processes(server)) == 2 for server in servers)


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rsplit(")", 1)[1].split()[1])


def test_runaway_stopped_at_the_deadline_with_two_processes(two_processes):
    started = time.monotonic()
    response = requests.post(two_processes + "/sparql", data=CARTESIAN, timeout=30,
                             headers={"Content-Type": "application/sparql-query"})
    seconds = time.monotonic() - started
    assert response.status_code == 503
    assert "deadline" in response.json()["error"]["detail"]
    assert DEADLINE <= seconds < DEADLINE + 3
    assert requests.get(two_processes + "/sparql", params={"query": "ASK {}"},
                        timeout=10).json()["boolean"] is True


def test_a_clients_running_queries_are_counted_once_across_processes(big_dataset):
    """With --client-queries 1: of 6 heavy queries sent at once on 6 connections (spread
    over both processes, 4 workers in all), exactly one runs (503 at the deadline); the
    others wait their turn in the fair queue, past CLIENT_QUEUE_SECONDS get 429."""
    with live_server(dataset_path=str(big_dataset), query_timeout=DEADLINE, workers=2,
                     processes=2, client_queries=1,
                     settings={"CLIENT_QUEUE_SECONDS": 0.5}) as base:
        statuses = []

        def heavy():
            statuses.append(requests.post(base + "/sparql", data=CARTESIAN, timeout=30,
                                          headers={"Content-Type": "application/sparql-query"}
                                          ).status_code)
        threads = [threading.Thread(target=heavy) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [429] * 5 + [503], statuses


def test_several_processes_with_updates_need_an_on_disk_store(tmp_path):
    code = (f"from kg.server.run import serve; serve(port={free_port()}, processes=2, "
            f"update_token='t', dataset_path={str(tmp_path / 'none.nq')!r})")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "need --store DIR" in done.stderr


def test_default_is_one_process_per_core_when_read_only_and_one_with_updates():
    from kg.server.processes import default_processes
    assert default_processes(True) == 1
    assert default_processes(False) == max(1, min(8, os.cpu_count() or 1))


# --- the shared limiter ---------------------------------------------------------------------

def test_shared_limiter_counts_across_forked_processes():
    limiter = SharedClientLimiter(max_requests=2, max_queries=1)
    assert limiter.acquire("10.0.0.1", engine=True) is None
    pid = os.fork()
    if pid == 0:  # another server process: it sees the query in flight
        refused = limiter.acquire("10.0.0.1", engine=True)
        other = limiter.acquire("10.0.0.2", engine=True)
        os._exit(0 if refused is not None and other is None else 1)
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0
    assert limiter.acquire("10.0.0.1", engine=False) is None  # 2 requests in flight now
    assert limiter.acquire("10.0.0.1", engine=False) is not None
    limiter.release("10.0.0.1", engine=True)
    assert limiter.acquire("10.0.0.1", engine=True) is None


def test_shared_limiter_token_bucket_and_reuse_of_slots():
    now = [100.0]
    limiter = SharedClientLimiter(rate=2, burst=2, clock=lambda: now[0], slots=64)
    for _ in range(2):
        assert limiter.acquire("c", engine=False) is None
        limiter.release("c", engine=False)
    reason, wait = limiter.acquire("c", engine=False)
    assert "per second" in reason and 0 < wait <= 0.5
    now[0] += 1.0
    assert limiter.acquire("c", engine=False) is None
    limiter.release("c", engine=False)
    now[0] += 10.0  # every bucket full again: slots are reusable, many clients fit
    for k in range(500):
        assert limiter.acquire(f"client-{k}", engine=False) is None
        limiter.release(f"client-{k}", engine=False)
        now[0] += 1.0


def test_shared_limiter_refuses_when_its_window_is_full():
    limiter = SharedClientLimiter(max_requests=1, slots=4)
    admitted = [c for c in (f"c{k}" for k in range(40)) if limiter.acquire(c, engine=False) is None]
    assert len(admitted) == 4  # the 4 slots hold clients in flight; the others get 429
    assert "too many clients" in limiter.acquire("late", engine=False)[0]


# --- the lean reply ---------------------------------------------------------------------------

def test_worker_reply_is_the_body_behind_a_small_header():
    outcome = QueryOutcome(b'{"head":{}}\x00\xff', rows=7, truncated=True,
                           media_type="application/sparql-results+json")
    data = encode_reply(("ok", outcome))
    assert data.endswith(outcome.body) and len(data) < len(outcome.body) + 64
    assert decode_reply(data) == ("ok", outcome)
    assert decode_reply(encode_reply(("ok", QueryOutcome(b"", rows=0)))) == \
        ("ok", QueryOutcome(b"", rows=0))
    status, error = decode_reply(encode_reply(("error", EvaluationError("boom"))))
    assert status == "error" and isinstance(error, EvaluationError) and str(error) == "boom"


# --- several processes with writes: one writer, readers following it ------------------------

DATA_GRAPH = "urn:kg-test:replicas"  # a graph of its own: the fixture data do not conform to the shapes
PERSONS_PER_WRITE = 5
COUNT_PERSONS = ("SELECT (COUNT(?p) AS ?n) WHERE { GRAPH <%s> { ?p a "
                 "<https://w3id.org/civic-protest/ontology#Person> } }" % DATA_GRAPH)


def insert_persons(batch: int) -> str:
    people = " ".join(
        f'<https://w3id.org/civic-protest/id/person/replica-test-{batch}-{k}> a '
        f'<https://w3id.org/civic-protest/ontology#Person> ; <https://schema.org/name> '
        f'"Replica Test {batch} {k}" .' for k in range(PERSONS_PER_WRITE))
    return f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ {people} }} }}"


@pytest.fixture(scope="module")
def writer_and_reader(tmp_path_factory):
    from server_fixtures import SMALL_DATASET

    store = tmp_path_factory.mktemp("replicas") / "store"
    with live_server(dataset_path=str(SMALL_DATASET), store=str(store), processes=2, workers=1,
                     update_token="curator=tok") as base:
        yield base


def count_from_a_fresh_connection(base: str) -> tuple[int, int]:
    """(persons counted, the server process that answered), both on one new connection."""
    with requests.Session() as session:
        process = session.get(base + "/-/stats", timeout=10).json()["process"]
        response = session.get(base + "/sparql", params={"query": COUNT_PERSONS}, timeout=10,
                               headers={"Accept": "application/sparql-results+json"})
        return int(response.json()["results"]["bindings"][0]["n"]["value"]), process


def counts_from_every_process(base: str, each: int = 3, rounds: int = 40) -> list[tuple[int, int]]:
    """Counts from fresh connections until both processes answered `each` times.

    The processes accept on one shared socket, so a new connection goes to whichever wakes
    first: one client asking in turn can meet the same process dozens of times (measured:
    every one of 36 sequential connections), so the counts are asked 4 at a time (with the
    watcher's, within the 5 queries a client may run at once)."""
    answers: list[tuple[int, int]] = []
    with ThreadPoolExecutor(4) as pool:
        for _ in range(rounds):
            answers += pool.map(lambda _: count_from_a_fresh_connection(base), range(4))
            per_process = Counter(process for _, process in answers)
            if len(per_process) == 2 and min(per_process.values()) >= each:
                break
    return answers


def test_readers_see_an_acknowledged_write_and_never_part_of_one(writer_and_reader):
    base = writer_and_reader
    first, _ = count_from_a_fresh_connection(base)
    seen_processes, counts, writing_done = set(), [], threading.Event()

    def watch():
        while not writing_done.is_set():
            counts.append(count_from_a_fresh_connection(base))

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for batch in range(1, 4):
            answer = requests.post(base + "/sparql", data={"update": insert_persons(batch)},
                                   headers={"Authorization": "Bearer tok"}, timeout=120)
            assert answer.status_code == 200, answer.text
            # after the answer, every process counts the whole write
            for count, process in counts_from_every_process(base):
                seen_processes.add(process)
                assert count == first + PERSONS_PER_WRITE * batch, (count, process)
    finally:
        writing_done.set()
        watcher.join()
    assert len(seen_processes | {p for _, p in counts}) == 2  # the writer and the reader
    assert all((count - first) % PERSONS_PER_WRITE == 0 for count, _ in counts), counts
