"""The write-ahead log's own rules: whole records replay, a torn tail is cut, replay is
idempotent over a store that already holds some records, compaction empties it; and how
update tokens are named."""

import pyoxigraph as ox

from kg.engine.delta import Delta, apply_to
from kg.engine.journal import Journal
from kg.server.auth import DEFAULT_NAME, update_tokens

EX = "http://example.org/"


def quad(s, o, graph="g"):
    return ox.Quad(ox.NamedNode(EX + s), ox.NamedNode(EX + "p"), ox.Literal(o),
                   ox.NamedNode(EX + graph))


def deltas():
    bnode = ox.Quad(ox.BlankNode("b1"), ox.NamedNode(EX + "p"), ox.Literal('a "quoted"\nline'),
                    ox.NamedNode(EX + "g"))
    return [Delta(added=[quad("a", "1"), bnode], graphs_created=[ox.NamedNode(EX + "g")]),
            Delta(removed=[quad("a", "1")], added=[quad("a", "2")]),
            Delta(removed=[quad("a", "2"), bnode], graphs_dropped=[ox.NamedNode(EX + "g")]),
            Delta(added=[quad("c", "3", "h")])]


def final_state():
    store = ox.Store()
    for delta in deltas():
        for q in delta.removed:
            store.remove(q)
        for g in delta.graphs_dropped:
            store.remove_graph(g)
        for g in delta.graphs_created:
            store.add_graph(g)
        store.extend(delta.added)
    return set(store), set(store.named_graphs())


def test_replay_from_any_prefix_gives_the_same_state(tmp_path):
    journal = Journal(tmp_path)
    for delta in deltas():
        journal.append(delta)
    expected = final_state()
    for applied in range(len(deltas()) + 1):  # the store already holds a prefix
        store = ox.Store()
        for delta in deltas()[:applied]:
            apply_to(store, delta)
        assert Journal(tmp_path).replay(store) == 4
        assert (set(store), set(store.named_graphs())) == expected


def test_a_torn_record_is_cut_off_and_later_appends_follow_it(tmp_path):
    journal = Journal(tmp_path)
    for delta in deltas()[:2]:
        journal.append(delta)
    whole = journal.path.stat().st_size
    journal.close()
    with open(journal.path, "ab") as f:  # killed while writing the third record
        f.write(b"KGJ1 3 999 abc\n{\"removed\": [")
    reopened = Journal(tmp_path)
    assert len(reopened.read()) == 2 and reopened.path.stat().st_size == whole
    reopened.append(deltas()[2])
    assert len(Journal(tmp_path).read()) == 3


def test_a_corrupt_record_ends_the_replay(tmp_path):
    journal = Journal(tmp_path)
    for delta in deltas():
        journal.append(delta)
    journal.close()
    data = bytearray(journal.path.read_bytes())
    data[-5] ^= 0xFF  # a flipped byte in the last record's payload
    journal.path.write_bytes(bytes(data))
    assert len(Journal(tmp_path).read()) == 3


def test_reset_empties_and_inverse_undoes(tmp_path):
    journal = Journal(tmp_path)
    journal.append(deltas()[0])
    journal.append(deltas()[0].inverse())
    store = ox.Store()
    journal.replay(store)
    assert set(store) == set() and set(store.named_graphs()) == set()
    journal.reset()
    assert Journal(tmp_path).read() == []


def test_update_tokens_are_named():
    assert update_tokens("s3cret") == {"s3cret": DEFAULT_NAME}
    assert update_tokens(("alice=one", "bob=two")) == {"one": "alice", "two": "bob"}
    assert update_tokens("abc==") == {"abc==": DEFAULT_NAME}  # base64 padding, not a name
    assert update_tokens(None) == {} and update_tokens(()) == {}
