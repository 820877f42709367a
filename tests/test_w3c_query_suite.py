"""The W3C query-suite runner itself, on a few categories, with pyoxigraph in process."""

import pytest

import w3c_query_runner as runner


@pytest.fixture(scope="module")
def tests():
    return runner.load_tests()


def test_manifest_lists_all_328_tests(tests):
    kinds = {kind: sum(t.kind == kind for t in tests)
             for kind in ("evaluation", "positive-syntax", "negative-syntax")}
    assert kinds == {"evaluation": 225, "positive-syntax": 63, "negative-syntax": 40}


@pytest.mark.parametrize("category", ["bind/", "construct/", "exists/", "subquery/", "syntax-query/"])
def test_category_passes_in_process(tests, category):
    chosen = [t for t in tests if t.id.startswith(category)]
    results = runner.run_suite(runner.InProcessEngine(runner.SUITE_DIR), chosen, runner.SUITE_DIR)
    failures = [f"{r.id}: {r.reason}" for r in results if not r.passed]
    assert chosen and not failures, failures


def test_comparison_renames_blank_nodes_and_respects_order():
    row = lambda x, y: {"x": x, "y": y}  # noqa: E731
    b = lambda label: ("bnode", label)  # noqa: E731
    one, two = runner.literal_key("1", runner.XSD + "integer", ""), runner.literal_key("2.0", runner.XSD + "decimal", "")
    expected = [row(b("e1"), one), row(b("e2"), two)]
    assert runner.same_rows(expected, [row(b("a2"), two), row(b("a1"), one)], ordered=False)
    assert not runner.same_rows(expected, [row(b("a2"), two), row(b("a1"), one)], ordered=True)
    assert not runner.same_rows(expected, [row(b("a"), one), row(b("a"), two)], ordered=False)


def test_numbers_compare_by_value_within_their_datatype():
    assert runner.literal_key("1.0", runner.XSD + "decimal", "") == runner.literal_key("1", runner.XSD + "decimal", "")
    assert runner.literal_key("1", runner.XSD + "decimal", "") != runner.literal_key("1", runner.XSD + "integer", "")


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """One `kg serve --open-update` on loopback, as the script starts it."""
    pytest.importorskip("kg.server.run", reason="the endpoint (kg.server) is not available")
    port = runner.free_port()
    server = runner.start_server(port, tmp_path_factory.mktemp("suite") / "empty.nq")
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        runner.wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("category", ["construct/", "exists/", "syntax-query/"])
def test_category_passes_through_the_endpoint(tests, endpoint, category):
    chosen = [t for t in tests if t.id.startswith(category)]
    results = runner.run_suite(runner.HttpEngine(endpoint, runner.SUITE_DIR), chosen, runner.SUITE_DIR)
    failures = [f"{r.id}: {r.reason}" for r in results if not r.passed]
    assert chosen and not failures, failures
