"""Synthetic data in our ontology, shaped like the real data, that passes our SHACL shapes.

Run: .venv/bin/python benchmarks/generate.py --triples 100000 --seed 1 --out /tmp/kg-1e5

Writes OUT/synthetic.ttl (N-Triples lines, which are also Turtle, so `kg build`'s loader and
pyoxigraph both read it) and OUT/synthetic-source-SEED.txt: the synthetic source document
whose text holds every quoted passage once (its SHA-256 is in the data, like the real
sources'). Deterministic: the same --triples and --seed give the same bytes.

Each "case" is a documented episode like the real ones: a rally (with slogans and a crowd
count) in a city, the arrest of some of its protesters by a security body, a detention in a
prison of that city (duration, flags), a release on bail, in half the cases a conviction by
the city's court under an article of the criminal code imposing a sentence made of a prison
term, lashes and sometimes a fine, and in a third of the cases an official's claim and a
family's denial about it. Every fact cites a passage; every passage quotes the source.
People are new per case (names drawn from lists, some with a spelling variant); places form
a country > provinces > cities > prisons/streets tree as in data/registry/places.ttl.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from pathlib import Path

BASE = "https://w3id.org/civic-protest/"
ID = BASE + "id/"
CPO = BASE + "ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
NAME = "<https://schema.org/name>"
ALT = "<http://www.w3.org/2004/02/skos/core#altLabel>"
VALUE = "<https://schema.org/value>"
MIN_VALUE = "<https://schema.org/minValue>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
OA = "http://www.w3.org/ns/oa#"
DCTERMS = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"

FIRST = ("Huseyn Asghar Mustafa Murtaza Mojtaba Hamid Mohammad Subhan Mehdi Bahman Sajjad Abbas "
         "Afsana Fatma Hakima Yaseman Sadullah Rahim Aydin Elnur Leyla Gunel Nigar Ramin Tural "
         "Vugar Sevda Arzu Kamran Orkhan Ilham Jafar Rasul Nasir Parisa Shirin Babak Yusif").split()
LAST = ("Balakhani Akbarzadeh Parvin Heydari Colani Bakhshi Hushmand Kheirju Lisani Ahmadi Zafari "
        "Sasaniyan Purali Ibrahimzade Afshar Tahiri Nadarli Mammadli Aliyev Rzayev Guliyev Hasanli "
        "Karimi Rezaei Musavi Jafarzadeh Abbasi Tabrizi Ardabili Urmiyeli").split()
SLOGANS = ("Karabakh is ours, it will be ours!", "Long live Azerbaijan!", "Freedom for the detained!",
           "Our language, our identity!", "Open the border!", "Justice for the arrested!")
CITIES_PER_PROVINCE = 12  # provinces: one per 30,000 triples asked for, 3 to 30


def lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def typed(text: str, datatype: str) -> str:
    return f'"{text}"^^<{XSD}{datatype}>'


def coordinate(value: float) -> str:
    """A decimal in the form our shapes ask for (as GeoNames writes it): a point and no
    trailing zero, so that it reads the same in every RDF syntax and in the store."""
    text = f"{value:.4f}".rstrip("0")
    return text if not text.endswith(".") else f"{value + 0.0001:.4f}".rstrip("0")


def iri(kind: str, local: str) -> str:
    return f"<{ID}{kind}/{local}>"


def cpo(term: str) -> str:
    return f"<{CPO}{term}>"


class Writer:
    """Counts triples as it writes them, and the source text as it grows (with its hash)."""

    def __init__(self, data, text, seed: int):
        self.data, self.text, self.count, self.seed = data, text, 0, seed
        self.sha = hashlib.sha256()
        self.passages = 0
        self.source = iri("source", f"synthetic-{seed}")

    def t(self, s: str, p: str, o: str) -> None:
        self.data.write(f"{s} {p} {o} .\n")
        self.count += 1

    def passage(self, local: str, quote: str) -> str:
        """A cpo:Passage quoting `quote`, which is appended to the source text once."""
        self.passages += 1
        paragraph = f"[{self.passages}] {quote}\n"
        self.text.write(paragraph)
        self.sha.update(paragraph.encode("utf-8"))
        node = iri("passage", local)
        selector = f"_:sel{self.passages}"
        self.t(node, RDF_TYPE, cpo("Passage"))
        self.t(node, f"<{OA}hasSource>", self.source)
        self.t(node, f"<{OA}hasSelector>", selector)
        self.t(selector, RDF_TYPE, f"<{OA}TextQuoteSelector>")
        self.t(selector, f"<{OA}exact>", lit(f"[{self.passages}] {quote}"))
        return node


def reference_data(w: Writer, rnd: random.Random, provinces: int) -> dict:
    """Places, organisations, the criminal code: shared by every case."""
    t = w.t
    country = iri("place", "synthetic-country")
    t(country, RDF_TYPE, cpo("Country"))
    t(country, NAME, lit("Synthetica"))
    cities, prisons, courts, security = [], [], [], []
    for p in range(provinces):
        province = iri("place", f"syn-province-{p}")
        t(province, RDF_TYPE, cpo("Province"))
        t(province, NAME, lit(f"Province {p}"))
        t(province, cpo("locatedIn"), country)
        for c in range(CITIES_PER_PROVINCE):
            city = iri("place", f"syn-city-{p}-{c}")
            t(city, RDF_TYPE, cpo("City"))
            t(city, NAME, lit(f"City {p}-{c}"))
            t(city, cpo("locatedIn"), province)
            t(city, "<http://www.w3.org/2003/01/geo/wgs84_pos#lat>",
              typed(coordinate(36 + rnd.random() * 3), "decimal"))
            t(city, "<http://www.w3.org/2003/01/geo/wgs84_pos#long>",
              typed(coordinate(45 + rnd.random() * 4), "decimal"))
            prison = iri("place", f"syn-prison-{p}-{c}")
            t(prison, RDF_TYPE, cpo("Prison"))
            t(prison, NAME, lit(f"Prison of City {p}-{c}"))
            t(prison, cpo("locatedIn"), city)
            court = iri("organisation", f"syn-court-{p}-{c}")
            t(court, RDF_TYPE, cpo("Court"))
            t(court, NAME, lit(f"Revolutionary Court of City {p}-{c}"))
            cities.append(city)
            prisons.append(prison)
            courts.append(court)
        body = iri("organisation", f"syn-intelligence-{p}")
        t(body, RDF_TYPE, cpo("IntelligenceBody"))
        t(body, NAME, lit(f"Intelligence Office of Province {p}"))
        security.append(body)
    code = iri("law", "syn-criminal-code")
    t(code, RDF_TYPE, cpo("LegalCode"))
    t(code, NAME, lit("Synthetic Criminal Code"))
    provisions = []
    for article in (498, 499, 500, 610, 618, 607, 512, 514):
        law = iri("law", f"syn-article-{article}")
        t(law, RDF_TYPE, cpo("LegalProvision"))
        t(law, NAME, lit(f"Article {article} of the Synthetic Criminal Code"))
        t(law, cpo("articleNumber"), lit(str(article)))
        t(law, cpo("partOfCode"), code)
        provisions.append((law, article))
    return {"cities": cities, "prisons": prisons, "courts": courts, "security": security,
            "provisions": provisions}


def a_date(rnd: random.Random) -> tuple[str, int, int, int]:
    year, month, day = rnd.randint(2004, 2023), rnd.randint(1, 12), rnd.randint(1, 28)
    kind = rnd.random()
    if kind < 0.8:
        return typed(f"{year}-{month:02d}-{day:02d}", "date"), year, month, day
    if kind < 0.95:
        return typed(f"{year}-{month:02d}", "gYearMonth"), year, month, 0
    return typed(f"{year}", "gYear"), year, 0, 0


def case(w: Writer, rnd: random.Random, ref: dict, i: int) -> None:
    t = w.t
    k = rnd.randrange(len(ref["cities"]))
    city, prison, court = ref["cities"][k], ref["prisons"][k], ref["courts"][k]
    security = ref["security"][k // CITIES_PER_PROVINCE]
    city_name = f"City {k // CITIES_PER_PROVINCE}-{k % CITIES_PER_PROVINCE}"
    date, year, month, day = a_date(rnd)
    when = f"on {year}-{month:02d}-{day:02d}" if day else f"in {year}-{month:02d}" if month else f"in {year}"

    people, names, ages = [], [], {}
    for j in range(rnd.randint(2, 4)):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        person = iri("person", f"syn-{i}-{j}")
        names.append(f"{first} {last}")
        people.append(person)
        t(person, RDF_TYPE, cpo("Person"))
        t(person, NAME, lit(f"{first} {last}"))
        if rnd.random() < 0.3:
            t(person, ALT, lit(f"{first} {last}i"))
        if rnd.random() < 0.2:
            ages[person] = rnd.randint(15, 70)
            t(person, cpo("reportedAge"), typed(str(ages[person]), "integer"))
    listed = ", ".join(names)

    told_ages = "".join(f" {names[people.index(p)]} was {age} years old." for p, age in ages.items())
    rally_p = w.passage(f"syn-{i}-rally", f"{when.capitalize()}, a rally took place in {city_name}; "
                                          f"{listed} were among the protesters, chanting slogans.{told_ages}")
    for person in ages:   # an age, like any description of a person, cites its passage
        t(person, DERIVED, rally_p)
    rally = iri("event", f"syn-{i}-rally")
    t(rally, RDF_TYPE, cpo("Rally"))
    t(rally, NAME, lit(f"Rally in {city_name} {when}"))
    t(rally, cpo("date"), date)
    t(rally, cpo("place"), city)
    for person in people:
        t(rally, cpo("protester"), person)
    t(rally, cpo("slogan"), lit(rnd.choice(SLOGANS)))
    crowd = f"_:crowd{i}"
    t(rally, cpo("participantCount"), crowd)
    t(crowd, RDF_TYPE, cpo("Quantity"))
    size = rnd.choice((20, 50, 100, 300, 1000))
    t(crowd, MIN_VALUE, typed(str(size), "integer"))
    t(crowd, cpo("wording"), lit(f"more than {size} people"))
    t(rally, DERIVED, rally_p)

    arrest_p = w.passage(f"syn-{i}-arrest", f"Security forces arrested {listed} at the rally in {city_name}.")
    arrest = iri("event", f"syn-{i}-arrest")
    t(arrest, RDF_TYPE, cpo("Arrest"))
    t(arrest, NAME, lit(f"Arrest of {listed} in {city_name}"))
    t(arrest, cpo("date"), date)
    t(arrest, cpo("place"), city)
    t(arrest, cpo("perpetrator"), security)
    for person in people:
        t(arrest, cpo("arrestee"), person)
    t(arrest, cpo("directedAgainst"), rally)
    t(arrest, DERIVED, arrest_p)

    detained = people[0]
    days = rnd.randint(1, 60)
    detention_p = w.passage(f"syn-{i}-detention", f"{names[0]} was held in the prison of {city_name} "
                                                  f"for {days} days, {rnd.choice(('incommunicado', 'in solitary confinement', 'with visits'))}.")
    detention = iri("event", f"syn-{i}-detention")
    t(detention, RDF_TYPE, cpo("Detention"))
    t(detention, NAME, lit(f"Detention of {names[0]} in the prison of {city_name}"))
    t(detention, cpo("detainee"), detained)
    t(detention, cpo("heldAt"), prison)
    t(detention, cpo("duration"), typed(f"P{days}D", "duration"))
    t(detention, cpo("solitaryConfinement"), typed(rnd.choice(("true", "false")), "boolean"))
    t(detention, cpo("followed"), arrest)
    t(detention, DERIVED, detention_p)

    bail_amount = rnd.choice((100, 200, 500, 1000)) * 1_000_000
    release_p = w.passage(f"syn-{i}-release", f"{names[0]} was released on bail of {bail_amount} rials.")
    release = iri("event", f"syn-{i}-release")
    t(release, RDF_TYPE, cpo("Release"))
    t(release, NAME, lit(f"Release of {names[0]} on bail"))
    t(release, cpo("releasedPerson"), detained)
    t(release, cpo("temporary"), typed("true", "boolean"))
    bail = f"_:bail{i}"
    t(release, cpo("bail"), bail)
    t(bail, RDF_TYPE, cpo("MonetaryAmount"))
    t(bail, VALUE, typed(str(bail_amount), "integer"))
    t(bail, cpo("currency"), cpo("IranianRial"))
    t(bail, cpo("wording"), lit(f"{bail_amount} rials"))
    t(release, cpo("followed"), detention)
    t(release, DERIVED, release_p)

    if i % 2 == 0:
        law, article = rnd.choice(ref["provisions"])
        months, lashes = rnd.randint(1, 24), rnd.choice((0, 30, 50, 74))
        ruling_p = w.passage(f"syn-{i}-ruling", f"The court of {city_name} sentenced {listed} under Article "
                                                f"{article} to {months} months in prison"
                                                + (f" and {lashes} lashes." if lashes else "."))
        ruling = iri("event", f"syn-{i}-conviction")
        t(ruling, RDF_TYPE, cpo("Conviction"))
        t(ruling, NAME, lit(f"Conviction of {listed} by the court of {city_name}"))
        t(ruling, cpo("date"), typed(f"{min(year + 1, 2024)}", "gYear"))
        t(ruling, cpo("place"), city)
        t(ruling, cpo("court"), court)
        charge = iri("charge", f"syn-{i}")   # the legal provision is on the charge
        t(ruling, cpo("charge"), charge)
        t(charge, RDF_TYPE, cpo("Charge"))
        t(charge, NAME, lit(f"Charge under Article {article}"))
        t(charge, cpo("underProvision"), law)
        t(charge, DERIVED, ruling_p)
        for person in people:
            t(ruling, cpo("defendant"), person)
        sentence = iri("sentence", f"syn-{i}")
        t(ruling, cpo("imposes"), sentence)
        t(ruling, DERIVED, ruling_p)
        t(sentence, RDF_TYPE, cpo("Sentence"))
        t(sentence, NAME, lit(f"{months} months in prison" + (f" and {lashes} lashes" if lashes else "")))
        for person in people:
            t(sentence, cpo("sentencedPerson"), person)
        term = f"_:term{i}"
        t(sentence, cpo("component"), term)
        t(term, RDF_TYPE, cpo("PrisonTerm"))
        t(term, cpo("duration"), typed(f"P{months}M", "duration"))
        t(term, cpo("wording"), lit(f"{months} months in prison"))
        if lashes:
            flogging = f"_:lashes{i}"
            t(sentence, cpo("component"), flogging)
            t(flogging, RDF_TYPE, cpo("Flogging"))
            t(flogging, cpo("lashes"), typed(str(lashes), "integer"))
            t(flogging, cpo("wording"), lit(f"{lashes} lashes"))
        if i % 6 == 0:
            fine, amount = f"_:fine{i}", f"_:fineAmount{i}"
            t(sentence, cpo("component"), fine)
            t(fine, RDF_TYPE, cpo("Fine"))
            t(fine, cpo("amount"), amount)
            t(amount, RDF_TYPE, cpo("MonetaryAmount"))
            t(amount, VALUE, typed("20000000", "integer"))
            t(amount, cpo("currency"), cpo("IranianRial"))
        t(sentence, DERIVED, ruling_p)

    if i % 3 == 0:
        proposition = iri("proposition", f"syn-{i}")
        t(proposition, RDF_TYPE, cpo("Proposition"))
        t(proposition, NAME, lit(f"{names[0]} was mistreated in the prison of {city_name}"))
        claim_p = w.passage(f"syn-{i}-claim", f"Relatives of {names[0]} said that he was beaten in the prison of {city_name}.")
        claim = iri("event", f"syn-{i}-claim")
        t(claim, RDF_TYPE, cpo("Claim"))
        t(claim, NAME, lit(f"Relatives' claim about the treatment of {names[0]}"))
        relatives = iri("group", f"syn-{i}-relatives")
        t(relatives, RDF_TYPE, cpo("Group"))
        t(relatives, NAME, lit(f"Relatives of {names[0]}"))
        t(claim, cpo("author"), relatives)
        t(claim, cpo("claims"), proposition)
        t(claim, DERIVED, claim_p)
        denial_p = w.passage(f"syn-{i}-denial", f"The intelligence office denied that {names[0]} had been mistreated.")
        denial = iri("event", f"syn-{i}-denial")
        t(denial, RDF_TYPE, cpo("Denial"))
        t(denial, NAME, lit(f"Official denial about {names[0]}"))
        t(denial, cpo("author"), security)
        t(denial, cpo("denies"), proposition)
        t(denial, DERIVED, denial_p)


def generate(out: Path, triples: int, seed: int = 1) -> dict:
    """Write about `triples` triples (a little more: whole cases) into `out`; return counts."""
    out.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(seed)
    text_name = f"synthetic-source-{seed}.txt"
    data_path = out / "synthetic.ttl"
    with (out / text_name).open("w", encoding="utf-8") as text, \
            data_path.open("w", encoding="utf-8", buffering=1 << 20) as data:
        w = Writer(data, text, seed)
        ref = reference_data(w, rnd, max(3, min(30, triples // 30_000)))
        cases = 0
        while w.count < triples - 15:
            case(w, rnd, ref, cases)
            cases += 1
        source = w.source
        w.t(source, RDF_TYPE, cpo("SourceDocument"))
        w.t(source, NAME, lit(f"Synthetic source document (seed {seed})"))
        w.t(source, cpo("localFile"), lit(text_name))
        w.t(source, f"<{DCTERMS}provenance>", "_:provenance")
        w.t("_:provenance", RDF_TYPE, f"<{DCTERMS}ProvenanceStatement>")
        w.t("_:provenance", LABEL, lit(f"Generated by benchmarks/generate.py (seed {seed}); not retrieved from anywhere."))
        w.t(source, f"<{DCTERMS}rights>", "_:rights")
        w.t("_:rights", RDF_TYPE, f"<{DCTERMS}RightsStatement>")
        w.t("_:rights", LABEL, lit("Synthetic text, no rights reserved."))
        w.t(source, f"<{SPDX}checksum>", "_:checksum")
        w.t("_:checksum", RDF_TYPE, f"<{SPDX}Checksum>")
        w.t("_:checksum", f"<{SPDX}algorithm>", f"<{SPDX}checksumAlgorithm_sha256>")
        w.t("_:checksum", f"<{SPDX}checksumValue>", typed(w.sha.hexdigest(), "hexBinary"))
    return {"triples": w.count, "cases": cases, "passages": w.passages, "path": str(data_path)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=float, default=1e5, help="about how many (e.g. 1e6)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="directory to write into")
    args = parser.parse_args(argv)
    result = generate(args.out, int(args.triples), args.seed)
    print(f"{result['triples']:,} triples, {result['cases']:,} cases, {result['passages']:,} passages "
          f"-> {result['path']}", file=sys.stderr)


if __name__ == "__main__":
    main()
