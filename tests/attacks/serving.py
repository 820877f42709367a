"""Attacks on what a client may hold of the server (connections, workers, memory, downloads),
each returning its figures. Clients come from distinct loopback addresses (127.x.y.z): the
server sees each as another client.

- connections: connections one address holds (stalled halfway through a header) before it is
  refused, and whether another client is still answered (goal: always);
- trickle: a header sent one byte at a time: seconds until the server closes it;
- framing: Content-Length with Transfer-Encoding: the status, and whether it closed;
- crowd: runaway and cheap clients, each from its own address, for a while: latency of a
  cheap query from a fresh address (goal p99 < 1 s), and after they leave, how long until
  the server answers promptly again;
- byte cap: the server process's peak memory while answering a result at the byte cap;
- dumps: generations counted by the server for 8 parallel first downloads (goal 1).
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from pathlib import Path

import requests

from attacks.net import session_from

HEAVY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "SELECT (1 AS ?x) {}"
# ~500 bytes a row, 9 million rows: far past any byte cap, reached in a fraction of the deadline
HUGE = ("SELECT ?a ?big { ?a ?p ?o . ?b ?q ?r BIND(CONCAT(?o, ?o, ?o, ?o, ?o, ?o, ?o, ?o, ?o, ?o, "
        "?r, ?r, ?r, ?r, ?r, ?r, ?r, ?r, ?r, ?r) AS ?big) }")


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _connect(base: str, source: str, timeout: float = 5.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", _port(base)), timeout=timeout,
                                    source_address=(source, 0))


def _answer(sock: socket.socket, seconds: float = 5.0) -> bytes:
    sock.settimeout(seconds)
    data = b""
    try:
        while True:
            piece = sock.recv(65536)
            if not piece:
                break
            data += piece
    except OSError:
        pass
    return data


def connections(base: str, attacker: str = "127.0.9.1", other: str = "127.0.9.2",
                most: int = 300) -> dict:
    held, refused_with = [], None
    for _ in range(most):
        try:
            sock = _connect(base, attacker)
            sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        except OSError:
            refused_with = "connection error"
            break
        sock.settimeout(0.05)
        try:
            first = sock.recv(64)
        except socket.timeout:
            held.append(sock)
            continue
        refused_with = first[:12].decode("latin-1", "replace") or "closed"
        sock.close()
        break
    started = time.monotonic()
    try:
        with session_from(other) as session:
            status = session.get(base + "/-/health", timeout=10).status_code
    except requests.RequestException as error:
        status = f"no answer ({type(error).__name__})"
    seconds = time.monotonic() - started
    for sock in held:
        sock.close()
    return {"held_before_refused": len(held), "refused_with": refused_with,
            "other_client_status": status, "other_client_seconds": round(seconds, 3)}


def trickle(base: str, source: str = "127.0.9.3", every: float = 0.5, most: float = 60.0) -> dict:
    sock = _connect(base, source)
    sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n")
    started, answer = time.monotonic(), b""
    while time.monotonic() - started < most:
        try:
            sock.sendall(b"X")
        except OSError:
            break
        sock.settimeout(every)
        try:
            piece = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            break
        answer += piece
        if not piece:
            break
    sock.close()
    return {"closed_after_s": round(time.monotonic() - started, 2),
            "status": answer[9:12].decode() if answer.startswith(b"HTTP/1.1 ") else None}


def framing(base: str, source: str = "127.0.9.4") -> dict:
    sock = _connect(base, source)
    sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                 b"Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nASK {}\n\r\n0\r\n\r\n")
    started = time.monotonic()
    answer = _answer(sock, 5.0)
    closed = time.monotonic() - started < 5.0
    sock.close()
    return {"status": answer[9:12].decode() if answer.startswith(b"HTTP/1.1 ") else None,
            "closed": closed}


def crowd(base: str, runaways: int = 25, cheap: int = 25, seconds: float = 60.0,
          probe_every: float = 0.5) -> dict:
    """Runaway and cheap clients hammer the server for `seconds`, while a probe from a fresh
    address each time asks a cheap query; then they leave and the probe goes on until
    answers come within a second again."""
    stop = threading.Event()

    def client(address: str, query: str) -> None:
        with session_from(address) as session:
            while not stop.is_set():
                try:
                    session.get(base + "/sparql", params={"query": query}, timeout=60)
                except requests.RequestException:
                    time.sleep(0.1)
    threads = [threading.Thread(target=client, args=(f"127.0.10.{k + 1}", HEAVY), daemon=True)
               for k in range(runaways)]
    threads += [threading.Thread(target=client, args=(f"127.0.11.{k + 1}", CHEAP), daemon=True)
                for k in range(cheap)]
    for thread in threads:
        thread.start()
    latencies, failures, fresh = [], 0, [0]

    def probe() -> float | None:
        fresh[0] += 1
        address = f"127.0.{12 + fresh[0] // 250}.{fresh[0] % 250 + 1}"
        started = time.monotonic()
        try:
            with session_from(address) as session:
                response = session.get(base + "/sparql", params={"query": CHEAP}, timeout=40)
            if response.status_code != 200:
                return None
        except requests.RequestException:
            return None
        return time.monotonic() - started

    began = time.monotonic()
    ends, slow = began + seconds, []
    while time.monotonic() < ends:
        asked = time.monotonic() - began
        took = probe()
        if took is None:
            failures += 1
        else:
            latencies.append(took)
            if took > 1.0:
                slow.append((round(asked, 1), round(took, 2)))
        time.sleep(probe_every)
    stop.set()
    left = time.monotonic()
    recovered = None
    while time.monotonic() - left < 60:
        took = probe()
        if took is not None and took < 1.0:
            recovered = time.monotonic() - left
            break
        time.sleep(0.2)
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else None
    return {"runaway_clients": runaways, "cheap_clients": cheap, "seconds": seconds,
            "probes": len(latencies) + failures, "probe_failures": failures,
            "probe_p50_s": round(statistics.median(ordered), 3) if ordered else None,
            "probe_p99_s": round(p99, 3) if p99 is not None else None,
            "probes_over_1s": sum(1 for t in latencies if t > 1.0),
            "slow_probes_at_s_took_s": slow,
            "recovered_after_s": round(recovered, 2) if recovered is not None else None}


def byte_cap_memory(base: str, server_pid: int, source: str = "127.0.9.5") -> dict:
    """The server process's peak RSS (VmHWM, reset first) while it answers a result the
    byte cap cuts."""
    status = Path(f"/proc/{server_pid}/status")

    def field(name: str) -> int:
        for line in status.read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
        return 0
    try:
        Path(f"/proc/{server_pid}/clear_refs").write_text("5")  # reset the peak
    except OSError:
        pass
    before = field("VmRSS")
    with session_from(source) as session:
        response = session.get(base + "/sparql", params={"query": HUGE}, timeout=120,
                               headers={"Accept": "application/sparql-results+json"})
    return {"status": response.status_code, "body_bytes": len(response.content),
            "truncated": response.headers.get("X-KG-Truncated"),
            "byte_limit": response.headers.get("X-KG-Byte-Limit"),
            "rss_before_mib": round(before / 2**20, 1),
            "peak_rss_mib": round(field("VmHWM") / 2**20, 1),
            "peak_rise_mib": round((field("VmHWM") - before) / 2**20, 1)}


def dumps(base: str, name: str = "civic-protest-inferred.ttl", parallel: int = 8) -> dict:
    """Generations the server counts (/-/stats) for `parallel` first downloads at once."""
    before = requests.get(base + "/-/stats", timeout=10).json()["dump_generations"]
    statuses, started = [], time.monotonic()

    def download(k: int) -> None:
        with session_from(f"127.0.13.{k + 1}") as session:
            statuses.append(session.get(base + f"/dumps/{name}", timeout=300).status_code)
    threads = [threading.Thread(target=download, args=(k,)) for k in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = requests.get(base + "/-/stats", timeout=10).json()["dump_generations"]
    return {"downloads": parallel, "statuses": sorted(statuses), "generations": after - before,
            "seconds": round(time.monotonic() - started, 2)}


def serving_figures(base: str, server_pid: int, crowd_seconds: float = 60.0) -> dict:
    return {"connections": connections(base), "trickle": trickle(base), "framing": framing(base),
            "byte_cap": byte_cap_memory(base, server_pid), "dumps": dumps(base),
            "crowd": crowd(base, seconds=crowd_seconds)}
