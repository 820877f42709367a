"""`kg export --format quickstatements`: every line parses as a QuickStatements v1 command,
every statement carries its references (S854, S813, S1683, and S248 where the document has a
Wikidata item: all four in the fixture), every date its precision, and every value round-trips
to the triples of ours it came from.

The grammar below follows QuickStatements v1 as Wikidata's Help:QuickStatements describes it
("Different parts of the statement are separated by a TAB or "|" characters. Each command is in
a new line"; "Each statement must consist of an entity, a property, and a value"; qualifiers
follow as property-value pairs, and sources as pairs whose property starts with S instead of P,
e.g. S854 reference URL; time values are "+1967-01-17T00:00:00Z/11" with the precision after
the slash: 9 year, 10 month, 11 day; monolingual text is en:"..."; "somevalue" is an unknown
value) and as the tool's parser (magnusmanske/quickstatements, importDataFromV1 and
parseValueV1) reads it: a line is trimmed, "/* ... */" at its end is taken out as the edit
summary, so a line that is only a comment is no command and is skipped.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from conftest import run_kg
from kg.dataset.quickstatements import quickstatements
from kg.engine.store import load_store
from wikidata_fixtures import fixture_store

# --- a small grammar of QuickStatements v1 ---------------------------------------------------

ENTITY = r"Q[1-9][0-9]*"
PROPERTY = r"P[1-9][0-9]*"
SOURCE = r"S[1-9][0-9]*"
TIME = r"[+-][0-9]{4,16}-[0-9]{2}-[0-9]{2}T00:00:00Z/(?:9|10|11)"
STRING = r'"[^\t\r\n]*"'
MONOLINGUAL = r'[a-z][a-z_-]*:"[^\t\r\n]*"'
VALUE = rf"(?:{ENTITY}|{TIME}|{MONOLINGUAL}|{STRING}|somevalue|novalue)"
COMMAND = re.compile(rf"^{ENTITY}\t{PROPERTY}\t{VALUE}(?:\t{PROPERTY}\t{VALUE})*(?:\t{SOURCE}\t{VALUE})+$")
COMMENT = re.compile(r"^/\*(?:(?!\*/).)*\*/$")


def parse(text: str) -> list[tuple[str, dict]]:
    """Each line as ('comment', {...}) or ('command', {...}); any other line fails the test."""
    parsed = []
    for number, line in enumerate(text.split("\n"), 1):
        if line == "":
            continue
        if COMMENT.match(line):
            parsed.append(("comment", {"text": line[2:-2].strip()}))
            continue
        assert COMMAND.match(line), f"line {number} is not a QuickStatements v1 command: {line!r}"
        fields = line.split("\t")
        subject, prop, value, rest = fields[0], fields[1], fields[2], fields[3:]
        pairs = list(zip(rest[::2], rest[1::2]))
        parsed.append(("command", {
            "subject": subject, "property": prop, "value": value,
            "qualifiers": [(p, v) for p, v in pairs if p.startswith("P")],
            "sources": [(p, v) for p, v in pairs if p.startswith("S")]}))
    return parsed


def commands_by_entity(text: str) -> list[tuple[str, dict]]:
    """Each command with the IRI of the entity comment that heads it."""
    heading, found = None, []
    for kind, item in parse(text):
        if kind == "comment":
            first = item["text"].split(" ", 1)[0]
            if first.startswith("https://w3id.org/civic-protest/id/"):
                heading = first
        else:
            assert heading, "a command before any entity comment"
            found.append((heading, item))
    return found


# --- from Wikidata values back to our terms -----------------------------------------------------

XSD = "http://www.w3.org/2001/XMLSchema#"
DATATYPE_OF_PRECISION = {"11": "date", "10": "gYearMonth", "9": "gYear"}


def literal_of_time(value: str) -> str:
    """The SPARQL literal of ours a time value says: its datatype is its precision's."""
    match = re.fullmatch(r"\+([0-9]{4})-([0-9]{2})-([0-9]{2})T00:00:00Z/(9|10|11)", value)
    assert match, value
    year, month, day, precision = match.groups()
    lexical = {"11": f"{year}-{month}-{day}", "10": f"{year}-{month}", "9": year}[precision]
    if precision == "10":
        assert day == "00", f"{value}: a month's day is 00"
    if precision == "9":
        assert month == day == "00", f"{value}: a year's month and day are 00"
    return f'"{lexical}"^^<{XSD}{DATATYPE_OF_PRECISION[precision]}>'


def linked(variable: str, value: str) -> str:
    return f"{variable} skos:exactMatch <http://www.wikidata.org/entity/{value}> ."


# For each property, the pattern of ours it says (?e: the node, ?s: the subject entity).
MAIN = {
    "P2632": "?e cpo:detainee|cpo:arrestee ?s ; cpo:heldAt ?v .",
    "P551": "?s cpo:residence ?v . BIND(?s AS ?e)",
    "P463": "?s cpo:memberOf ?v . BIND(?s AS ?e)",
    "P460": "{ ?s cpo:possiblySameAs ?v } UNION { ?v cpo:possiblySameAs ?s } BIND(?s AS ?e)",
    "P131": "?s cpo:locatedIn ?v . BIND(?s AS ?e)",
    "P17": "?s cpo:locatedIn|cpo:country ?v . BIND(?s AS ?e)",
    "P361": "?s cpo:partOfOrganisation|cpo:subEventOf|cpo:wasPartOfWave ?v . BIND(?s AS ?e)",
    "P276": "?s cpo:place ?v . BIND(?s AS ?e)",
    "P710": "?s cpo:participant|cpo:protester ?v . BIND(?s AS ?e)",
    "P664": "?s cpo:organiser ?v . BIND(?s AS ?e)",
}
DATE_QUALIFIERS = {"P580": "cpo:date", "P582": "cpo:endDate", "P585": "cpo:date",
                   "P1319": "cpo:notBefore", "P1326": "cpo:notAfter"}
PREFIXES = """PREFIX cpo: <https://w3id.org/civic-protest/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX pav: <http://purl.org/pav/>
"""


def ask(store: ox.Store, where: str) -> bool:
    return bool(store.query(PREFIXES + "ASK { GRAPH <https://w3id.org/civic-protest/graph/data> {"
                            + where + "} }"))


def round_trip(store: ox.Store, iri: str, command: dict) -> None:
    """Assert that the command says triples of ours: the subject is the item of the entity
    heading it, the value (and each qualifier) what its pattern finds on the same node, and
    each reference a passage that node cites, of a document with that URL and date."""
    prop, value = command["property"], command["value"]
    pattern = [linked(f"<{iri}>", command["subject"]), f"BIND(<{iri}> AS ?s)"]
    if prop in MAIN:
        pattern += [MAIN[prop], linked("?v", value)]
    elif prop in ("P585", "P580", "P582"):
        pattern.append("BIND(?s AS ?e)")
        if value == "somevalue":
            assert not ask(store, f"<{iri}> cpo:date ?d FILTER(datatype(?d) != <{XSD}gMonthDay>)"), command
        else:
            pattern.append(f"?e {DATE_QUALIFIERS[prop]} {literal_of_time(value)} .")
    else:
        pytest.fail(f"a property the round trip does not know: {prop}")
    for qualifier, qvalue in command["qualifiers"]:
        if qualifier in DATE_QUALIFIERS:
            pattern.append(f"?e {DATE_QUALIFIERS[qualifier]} {literal_of_time(qvalue)} .")
        elif qualifier == "P1310":
            pattern.append(f"?denial a cpo:Denial ; cpo:about ?e ; cpo:author ?denier . {linked('?denier', qvalue)}")
        elif qualifier == "P1480":
            hedge = {"Q32188232": "cpo:allegedly", "Q18122778": "cpo:presumably",
                     "Q18912752": "cpo:disputed", "Q5727902": "cpo:circa"}[qvalue]
            if qvalue == "Q18912752":  # disputed: a hedge, or a denial by an agent without item
                pattern.append("{ ?e cpo:qualifier/cpo:hedgeType cpo:disputed } UNION "
                               "{ ?denial cpo:about ?e ; cpo:author ?denier . "
                               "FILTER NOT EXISTS { ?denier skos:exactMatch ?any } }")
            else:
                pattern.append(f"?e cpo:qualifier/cpo:hedgeType {hedge} .")
        else:
            pytest.fail(f"a qualifier the round trip does not know: {qualifier}")
    sources = dict(command["sources"])
    assert {"S854", "S813", "S1683"} <= set(sources) <= {"S248", "S854", "S813", "S1683"}, command
    language, quote = re.fullmatch(r'([a-z_-]+):"(.*)"', sources["S1683"]).groups()
    url = sources["S854"][1:-1]
    quote_literal = '"' + quote.replace("\\", "\\\\").replace('"', '\\"') + '"'
    pattern.append(f"""?e prov:wasDerivedFrom ?passage . ?passage oa:hasSource ?doc ;
        oa:hasSelector/oa:exact {quote_literal} .
        ?doc schema:url <{url}> ; schema:inLanguage "{language}" ;
            pav:retrievedOn {literal_of_time(sources["S813"])} .""")
    # "stated in" exactly where the document has a checked item
    pattern.append(linked("?doc", sources["S248"]) if "S248" in sources
                   else "FILTER NOT EXISTS { ?doc skos:exactMatch ?item }")
    assert ask(store, "\n".join(pattern)), f"does not round-trip to our triples: {command}"


# --- fixtures ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store():
    return fixture_store()


@pytest.fixture(scope="module")
def output(store) -> str:
    return quickstatements(store)


# --- the tests -----------------------------------------------------------------------------------

def test_the_real_datas_output_parses_line_by_line(built, build_env):
    result = run_kg("export", "--format", "quickstatements", env=build_env)
    assert result.returncode == 0, result.stderr.decode()
    text = result.stdout.decode("utf-8")
    commands = commands_by_entity(text)
    real = load_store(built.output)
    for iri, command in commands:
        round_trip(real, iri, command)
    # No document of the real data has a known URL (data/ records "no URL" where the copies
    # do not say): nothing can carry a reference URL, so nothing is exported, and the output
    # says why for each linked entity that has facts of these kinds.
    if not commands:
        assert "no URL is known" in text or "cites no passage" in text or "inferred" in text


def test_every_command_round_trips_with_four_references(store, output):
    commands = commands_by_entity(output)
    assert len(commands) >= 12
    for iri, command in commands:
        round_trip(store, iri, command)
        # the fixture's document has a URL, a retrieval date and a Wikidata item
        assert [p for p, _ in command["sources"]] == ["S248", "S854", "S813", "S1683"], command


def test_dates_keep_their_precision(output):
    lines = output.splitlines()
    day = [l for l in lines if "\tP580\t+2021-03-03T00:00:00Z/11\tP582\t+2021-04-10T00:00:00Z/11\t" in l]
    month = [l for l in lines if "\tP580\t+2021-05-00T00:00:00Z/10\t" in l]
    year = [l for l in lines if "\tP580\t+2019-00-00T00:00:00Z/9\t" in l]
    assert len(day) == 1 and len(month) == 1 and len(year) == 2  # 2019: two passages, two references
    # a day without a year is no date: its bounds, each at its own precision
    bounded = [l for l in lines if "\tP1319\t+2021-06-00T00:00:00Z/10\tP1326\t+2022-00-00T00:00:00Z/9\t" in l]
    assert len(bounded) == 1 and "\tP580\t" not in bounded[0]
    assert "\tP585\t+2020-10-00T00:00:00Z/10\t" in output   # an event's month


def test_hedges_denials_and_inferences(output):
    lines = output.splitlines()
    alleged = [l for l in lines if "+2021-05-00T00:00:00Z/10" in l]
    assert "\tP1480\tQ32188232\t" in alleged[0]                 # allegedly
    denied = [l for l in lines if "+2019-00-00T00:00:00Z/9" in l]
    assert all("\tP1310\tQ99990005\t" in l for l in denied)    # the ministry's denial
    undocumented_denier = [l for l in lines if l.startswith("Q99990007\tP2632") and "+2020-00-00" in l]
    assert "\tP1480\tQ18912752\t" in undocumented_denier[0]    # denied by someone without an item
    assert "'reportedly' (reportedly), which has no checked Wikidata item" in output
    assert "the curators inferred it ('the city's prison' read as Tabriz Central Prison.)" in output
    # a hedge on all of a node's facts qualifies the statement, and leaves its date in place
    assert "Q99990007\tP2632\tQ99990003\tP580\t+2022-00-00T00:00:00Z/9\tS248" in output


def test_nothing_without_a_citable_url_or_a_linked_value(output):
    assert "Q99990007\tP2632\tQ99990003\tP580\t+2023" not in output
    assert "no URL is known for the document <https://w3id.org/civic-protest/id/source/example-copy-without-url>" in output
    assert "Example Detention Centre <https://w3id.org/civic-protest/id/organisation/example-detention-centre>: it has no checked Wikidata item" in output
    assert "example-town" in output and "Q99990002\tP131\tQ176081\t" in output
    # never a subject or a value that is not one of our checked links
    items = set(re.findall(r"\bQ[0-9]+\b", "\n".join(l for l in output.splitlines() if not l.startswith("/*"))))
    ours = {"Q99990001", "Q99990002", "Q99990003", "Q99990004", "Q99990005", "Q99990006",
            "Q99990007", "Q99990008", "Q99990009", "Q794", "Q176081", "Q80053"}
    vocabulary = {"Q32188232", "Q18912752"}     # P1480 items of the reference table
    assert items <= ours | vocabulary


def test_only_ids_of_the_reference_table(output):
    from kg.dataset.wikidata import property_table

    table = property_table()
    body = "\n".join(l for l in output.splitlines() if not l.startswith("/*"))
    for pid in set(re.findall(r"\t[PS]([0-9]+)\t", body)):
        assert f"P{pid}" in table, f"P{pid} is not in the reference table"
    assert "single source for P460 (said to be the same as), P1310 (statement disputed by)" in output


def test_kind_restricts_the_facts(store):
    detentions = quickstatements(store, ["detention"])
    commands = [c for _, c in commands_by_entity(detentions)]
    assert commands and {c["property"] for c in commands} == {"P2632"}
    with pytest.raises(ValueError, match="unknown kinds"):
        quickstatements(store, ["births"])


def test_each_entity_is_headed_by_its_iri(output):
    assert ("/* https://w3id.org/civic-protest/id/person/example-activist Example Activist = Q99990006 */"
            in output.splitlines())
