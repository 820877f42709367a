"""Work forked from the threaded server (downloads, reconciliation, queries) must not inherit a
lock that another server thread held at the moment of the fork: no thread of the child would
ever release it, and the child would wait until its deadline (a download answered after 300 s,
or a client's timeout first)."""

import threading

import pyoxigraph as ox

from kg.dataset import jsonld_context
from kg.dataset.export import serialize
from kg.engine.store import DatasetStore
from kg.engine.worker import call_in_fork

PERSON = ox.NamedNode("https://example.org/id/person/someone")
NAME = ox.NamedNode("http://schema.org/name")


def small_dataset() -> DatasetStore:
    store = ox.Store()
    store.add(ox.Quad(PERSON, NAME, ox.Literal("Someone"), ox.DefaultGraph()))
    return DatasetStore(store)


def compaction_held_by_another_thread():
    """Start a thread that holds the JSON-LD compaction lock until the returned event is set,
    as an entity page's JSON-LD compaction does while a download's worker is forked."""
    holding, done = threading.Event(), threading.Event()

    def hold():
        with jsonld_context._COMPACTING:
            holding.set()
            done.wait(60)
    threading.Thread(target=hold, daemon=True).start()
    assert holding.wait(10)
    return done


def test_jsonld_download_forked_while_a_page_compacts_still_answers():
    release = compaction_held_by_another_thread()
    try:
        body = call_in_fork(small_dataset(), lambda store: serialize(store, "json-ld", False),
                            20.0, "download's generation")
    finally:
        release.set()
    assert b"Someone" in body


def test_the_parents_lock_is_still_the_one_its_threads_share():
    dataset = small_dataset()
    call_in_fork(dataset, lambda store: serialize(store, "json-ld", False), 20.0, "download")
    lock = jsonld_context._COMPACTING
    assert lock.acquire(timeout=1)
    lock.release()
    assert jsonld_context._COMPACTING is lock
