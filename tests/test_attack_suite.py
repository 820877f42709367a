"""The attack suite, CI subset: a live `kg serve` with open updates on loopback,
~270 hostile inputs (outbound, exhaustion, nesting, fuzzed W3C syntax tests, the web surface:
stored script links, cross-site writes, spoofed Host names, malformed parameters; a flood).
The long version is scripts/attack_suite.py."""

import pytest
import requests

from attacks.cases import fuzz_files
from attacks.runner import run_suite
from attacks.suite import ci_cases
from kg.pipeline.validate import validate
from kg.server.limits import ClientLimiter
from kg.sparql.nesting import bracket_depth
from kg.sparql.uploads import UploadRefused, parse_upload


@pytest.fixture(scope="module")
def outcome():
    assert fuzz_files(), "the W3C syntax tests under tests/data/w3c-rdf-tests are missing"
    return run_suite(ci_cases)


def test_no_crash_no_fetch_no_leak_no_change_no_500(outcome):
    figures, _ = outcome
    print(figures.report())
    assert figures.inputs >= 200
    assert figures.crashes == 0
    assert figures.outbound == 0
    assert figures.marker_leaks == 0 and figures.detail_leaks == 0
    assert figures.store_changes == 0
    assert figures.bad_5xx == 0 and figures.no_answer == 0, figures.problems
    assert figures.web_failures == 0, figures.problems


def test_the_health_query_answers_within_a_second_throughout(outcome):
    figures, _ = outcome
    assert len(figures.health_latencies) >= 50
    assert figures.health_failures == 0 and figures.p99() < 1.0, figures.problems


def test_a_flooding_client_gets_429_with_retry_after(outcome):
    _, flood = outcome
    limited = [retry for status, retry in flood if status == 429]
    assert len(limited) >= len(flood) // 2 and all(retry for retry in limited)
    assert all(status in (200, 429, 503) for status, _ in flood)


def test_runaways_are_stopped_with_503_and_oversized_bodies_get_413(outcome):
    figures, _ = outcome
    assert figures.statuses.get(503, 0) >= 4 and figures.statuses.get(413, 0) >= 2


# --- the serving attacks (tests/attacks/serving.py), shortened ------------------------------------

@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    from attacks import serving as attacks
    from attacks.runner import write_dataset
    from server_fixtures import live_server

    dataset = write_dataset(tmp_path_factory.mktemp("serving") / "attack.nq")
    with live_server(dataset_path=str(dataset), open_update=True, query_timeout=2.0,
                     row_limit=1000000,
                     settings={"HEADER_SECONDS": 2.0, "RESULT_MAX_BYTES": 16 * 2**20}) as base:
        pid = requests.get(base + "/-/stats", timeout=10).json()["process"]
        figures = {"connections": attacks.connections(base), "trickle": attacks.trickle(base),
                   "framing": attacks.framing(base), "byte_cap": attacks.byte_cap_memory(base, pid),
                   "dumps": attacks.dumps(base, "civic-protest.nt.gz"),
                   "crowd": attacks.crowd(base, runaways=6, cheap=6, seconds=6)}
    for name, values in figures.items():
        print(f"{name}: {values}")
    return figures


def test_one_address_cannot_take_every_connection(serving):
    held = serving["connections"]
    assert held["other_client_status"] == 200
    assert held["refused_with"].startswith("HTTP/1.1 429")


def test_a_trickled_header_is_cut_and_both_framing_headers_close(serving):
    assert serving["trickle"]["status"] == "408"
    assert serving["framing"] == {"status": "400", "closed": True}


def test_a_result_at_the_byte_cap_is_cut_without_swelling_the_server(serving):
    cap = serving["byte_cap"]
    assert cap["status"] == 200 and cap["truncated"] == "bytes"
    assert cap["body_bytes"] <= int(cap["byte_limit"])
    assert cap["peak_rise_mib"] < 3 * int(cap["byte_limit"]) / 2**20


def test_parallel_first_downloads_generate_a_dump_once(serving):
    assert serving["dumps"]["generations"] == 1 and serving["dumps"]["statuses"] == [200] * 8


def test_fresh_clients_are_answered_among_runaway_and_cheap_clients(serving):
    crowd = serving["crowd"]
    assert crowd["probes"] > 0 and crowd["probe_failures"] == 0
    assert crowd["recovered_after_s"] is not None


# --- the helpers the suite relies on, directly ---------------------------------------------

def test_limiter_concurrency_and_token_bucket():
    now = [0.0]
    limiter = ClientLimiter(max_requests=2, max_queries=1, rate=1, burst=2, clock=lambda: now[0])
    assert limiter.acquire("a", engine=True) is None
    assert limiter.acquire("a", engine=True)[0].startswith("more than 1 SPARQL")
    assert limiter.acquire("b", engine=True) is None  # another client is not affected
    assert limiter.acquire("a", engine=False) is None
    refused = limiter.acquire("a", engine=False)
    assert refused is not None  # two in flight, and the bucket is empty
    limiter.release("a", True), limiter.release("a", False)
    now[0] = 1.0
    assert limiter.acquire("a", engine=False) is None


@pytest.mark.parametrize("text, low", [("{{}}", 2), ("}}}{{{", 3), ('{ "{{{{" # {{\n }', 1),
                                       ("<< << <a> >> >>", 2), ("", 0)])
def test_the_nesting_pre_check_counts_outside_strings_and_comments(text, low):
    lowest, highest = bracket_depth(text)
    assert lowest <= low <= highest


@pytest.mark.parametrize("data, media_type, status", [
    (b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "application/rdf+xml", 400),
    (b'{"@context": "http://127.0.0.1:9/", "@id": "urn:a"}', "application/ld+json", 400),
    (b'{"@context": {"@import": "file:///etc/passwd"}}', "application/ld+json", 400),
    (b"[" * 5000 + b"]" * 5000, "application/ld+json", 400),
    (b"<urn:a> <urn:b> " + b"(" * 5000 + b")" * 5000 + b" .", "text/turtle", 400),
    (b" " * (2 * 1024 * 1024), "text/turtle", 413),
    (b"<a>", "text/html", 415),
])
def test_uploads_refused_before_parsing(data, media_type, status):
    with pytest.raises(UploadRefused) as refused:
        parse_upload(data, media_type)
    assert refused.value.status == status
    assert "/etc/passwd" not in str(refused.value)


def test_upload_parsing_returns_quads_with_fresh_blank_nodes():
    quads = parse_upload(b'{"@context": {"n": "urn:n"}, "@id": "urn:a", "n": {"n": "x"}}',
                         "application/ld+json")
    assert len(quads) == 2


def test_shacl_validation_takes_graphs_only():
    """pyshacl would load a string argument as a path or a URL: our validation refuses any."""
    from rdflib import Graph
    with pytest.raises(TypeError):
        validate("/etc/passwd", Graph())
    with pytest.raises(TypeError):
        validate(Graph(), None)
    assert validate(Graph(), Graph()).conforms
