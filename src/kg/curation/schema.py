"""The workbook: one sheet per kind of thing a document reports, and what each column holds.

Column names are the tables' (kg export --tables) where the tables have the column, written in
plain words in the header ('not before' for not_before); a CSV with either spelling reads the
same. Each column holds the values of one property of the row's node, or one of the special
parts of a row (its id, its kind, its quotes). What a sheet has no column for goes to 'More facts'
(node, property, value), so a document's every fact has a place in the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCTERMS, SKOS

from kg.namespaces import CPO, SCHEMA, WGS84

PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
# a source's provenance and rights notes: the class of the statement each column holds
STATEMENT_CLASSES = {DCTERMS.provenance: DCTERMS.ProvenanceStatement, DCTERMS.rights: DCTERMS.RightsStatement}


@dataclass(frozen=True)
class Column:
    key: str                       # the tables' name: date_precision
    help: str                      # the help row's words
    prop: URIRef | None = None     # the property whose values it holds, if any
    kind: str = "text"             # how a cell reads: text, date, ref, term, boolean ... (kg.curation.cells)
    multi: bool = False            # several values: one per line (names and ids also by ';')
    targets: tuple = ()            # ref: the sheets whose rows (and known entities) it may name
    terms: str | None = None       # term: the controlled list
    registry: bool = False         # a shared entity's definition (data/registry/), not a report
    required: bool = False
    aliases: tuple = ()            # other spellings read as this column (the tables' names)
    width: int = 18

    @property
    def header(self) -> str:
        return self.key.replace("_", " ")


@dataclass(frozen=True)
class Sheet:
    name: str
    help: str
    role: str                      # source, entity, node, quantities, components, qualifiers,
                                   # identity, omissions, passages, facts
    columns: tuple
    classes: tuple = ()            # nodes of these classes (and subclasses) are listed here
    default_class: URIRef | None = None
    namespace: str = "event"       # where new rows get their id
    type_roots: tuple = ()         # the kinds its 'type' column offers (subclasses included)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


AGENTS = ("People", "Organisations")
PLACES = ("Places", "Organisations")
EVENT_SHEETS = ("Events", "Arrests", "Detentions", "Releases", "Charges", "Rulings", "Statements")
NODE_SHEETS = ("Source", "People", "Organisations", "Places", "Laws", *EVENT_SHEETS, "Sentences",
               "Propositions", "Relations", "Other things")

# --- columns every row of a node has ------------------------------------------------------------

ID = Column("id", "Empty for a new row (an id is made from the name); keep it when you edit.", kind="id")
QUOTE = Column("quote", "The words of the document this row rests on, copied exactly; several quotes: "
               "one per line.", kind="quote", width=60)
PREFIX = Column("prefix", "Only if a quote occurs more than once: the words just before it "
                "(one line per quote).", kind="prefix", width=14)
SUFFIX = Column("suffix", "Only if a quote occurs more than once: the words just after it.",
                kind="suffix", width=14)
PASSAGES = Column("passages", "Ids of the quotes (filled on export; empty for new quotes).",
                  kind="passages", width=24, aliases=("passage",))
# Columns of kg export --tables that a sheet has no use for (computed by the build, or said by
# the workbook as a whole): a CSV written by the tables reads without them.
TABLES_ONLY = frozenset({"source_document", "agent_name", "category", "earliest_date", "latest_date",
                         "possible_years", "time_precision", "date_inferred", "place_precision",
                         "geo_precision", "court_name", "court_not_stated", "on_bail", "articles",
                         "town", "province", "wikidata", "geonames"})
NOTE = Column("curator_note", "A note by the curators (not the source's words).", CPO.curatorNote,
              multi=True, width=30)
QUOTED = (QUOTE, PREFIX, SUFFIX, PASSAGES)


def text(key, prop, help, multi=True, **more) -> Column:
    return Column(key, help, prop, "text", multi, **more)


def ref(key, prop, targets, help, multi=True, **more) -> Column:
    return Column(key, help, prop, "ref", multi, targets=targets, **more)


def boolean(key, prop, help, **more) -> Column:
    return Column(key, help, prop, "boolean", width=10, **more)


def entity_head(registry_help: str) -> tuple:
    return (
        Column("name", registry_help, SCHEMA.name, required=True, registry=True, width=28),
        text("other_names", SKOS.altLabel, "Other spellings the sources use, one per line.", registry=True),
        boolean("name_not_stated", None, "yes if the source gives no name, only a post or a description "
                "(then 'name' holds the source's designation).", registry=True),
    )


# --- events: what every kind of event has -------------------------------------------------------

def dated(extra: tuple, default=None, roots=(CPO.Event,), help="") -> tuple:
    return (
        ID,
        Column("type", "The kind of event (from the list).", kind="type", multi=True, width=20),
        Column("name", "A short title in your words.", SCHEMA.name, required=True, width=34),
        Column("date", "As precise as the source: 2020-10-09, 2020-10, 2020, or --08-14 for a day "
               "without a year (then give not before / not after).", CPO.date, "date", width=12),
        Column("date_precision", "day, month or year: only needed where a spreadsheet turned the "
               "date into a full day.", kind="precision", width=10),
        Column("end_date", "When an event that lasted ended.", CPO.endDate, "date", width=12),
        Column("not_before", "No date, but the source bounds it: it happened on or after this.",
               CPO.notBefore, "date", width=12),
        Column("not_after", "It happened on or before this.", CPO.notAfter, "date", width=12),
        text("date_qualifier", CPO.dateQualifier, "The source's words about the date that the date "
             "cannot hold ('that same night')."),
        ref("places", CPO.place, PLACES, "Where (known places by name, one per line or separated by ;)."),
        ref("part_of", CPO.subEventOf, EVENT_SHEETS, "A larger event this one is part of (id or name)."),
        ref("part_of_wave", CPO.wasPartOfWave, EVENT_SHEETS, "The wave or campaign it belongs to."),
        ref("followed", CPO.followed, EVENT_SHEETS, "An earlier event it followed (a release after a "
            "detention)."),
        ref("directed_against", CPO.directedAgainst, EVENT_SHEETS, "For a repressive action: the "
            "protest it was aimed at."),
        ref("reported_by", CPO.reportedBy, AGENTS + ("Source",), "Who the source says reports it."),
        text("participants_as_described", CPO.participantDescription, "The source's words for "
             "unnamed participants ('local residents')."),
        *extra,
        NOTE, *QUOTED,
    )


def durations(help: str) -> tuple:
    """How long, where a sheet keeps it: exact, as worded, and the bounds the words give."""
    return (
        Column("duration", help, CPO.duration, "duration", width=10),
        text("duration_wording", CPO.durationWording, "The source's words for an inexact duration."),
        Column("duration_at_least", "For an inexact duration, what the words give as its lower bound "
               "('more than two months': P2M).", CPO.minDuration, "duration", width=10),
        Column("duration_at_most", "For an inexact duration, what the words give as its upper bound "
               "('less than a week': P7D).", CPO.maxDuration, "duration", width=10),
    )


def agents(key, prop, help) -> Column:
    return ref(key, prop, AGENTS, help)


SHEETS: tuple = (
    Sheet("Source", "The document itself: one row.", "source", (
        ID,
        Column("name", "The document's title.", SCHEMA.name, required=True, registry=True, width=34),
        text("description", DCTERMS.description, "What it is, in a sentence.", registry=True),
        text("genre", SCHEMA.genre, "news report, encyclopedic article, NGO report ...", registry=True),
        text("language", SCHEMA.inLanguage, "Its language code: en, fa, az ...", registry=True),
        Column("published", "When it was published, as precise as known.", SCHEMA.datePublished,
               "date", registry=True),
        ref("authors", SCHEMA.author, AGENTS, "Who wrote it (an organisation or a group standing "
            "for its authors).", registry=True),
        ref("cites", CPO.citesSource, AGENTS + ("Source",), "Sources the document names as its own."),
        Column("provenance", "Where it comes from and when it was retrieved, or that this is unknown.",
               DCTERMS.provenance, "statement", multi=True, registry=True, width=40),
        Column("rights", "What is known of its licence, if only that it is unknown.", DCTERMS.rights,
               "statement", multi=True, registry=True, width=40),
        Column("local_file", "The archived copy in sources/ (filled on import).", CPO.localFile,
               "local_file", registry=True),
        Column("sha256", "The SHA-256 of the archived copy (filled on import).", None, "sha256",
               registry=True, width=20),
        Column("curator_note", NOTE.help, CPO.curatorNote, multi=True, registry=True),
    ), classes=(CPO.SourceDocument,), default_class=CPO.SourceDocument, namespace="source"),

    Sheet("People", "Everyone the document names: one row each. Known people: use their name as "
          "the registry has it (the dropdown lists them).", "entity", (
        ID, *entity_head("The name as the source first spells it."),
        text("occupation", CPO.occupation, "As the source words it ('journalist'), one per line."),
        text("position", CPO.position, "A post, in the source's words."),
        Column("reported_age", "Age in years, as stated.", CPO.reportedAge, "integer", width=8),
        boolean("is_minor", CPO.isMinor, "yes where the source says a child."),
        text("disability", CPO.disability, "As the source words it."),
        ref("residence", CPO.residence, PLACES, "Where the person lives."),
        ref("member_of", CPO.memberOf, AGENTS, "Organisations or groups the person belongs to."),
        Column("curator_note", NOTE.help, CPO.curatorNote, multi=True, registry=True, width=30),
        *QUOTED,
    ), classes=(CPO.Person,), default_class=CPO.Person, namespace="person"),

    Sheet("Organisations", "Organisations, bodies and informal groups: one row each.", "entity", (
        ID,
        Column("type", "What kind of body (from the list); a prison or office is also a place.",
               kind="type", multi=True, width=20),
        *entity_head("The name as the source first spells it."),
        ref("part_of", CPO.partOfOrganisation, ("Organisations",), "The body it is a branch or "
            "department of.", registry=True),
        ref("located_in", CPO.locatedIn, PLACES, "For a prison or office: its town.", registry=True),
        ref("jurisdiction", CPO.jurisdiction, PLACES, "The place it is responsible for.", registry=True),
        ref("country", CPO.country, ("Places",), "The country it belongs to.", registry=True),
        text("branch_number", CPO.branchNumber, "Number of a court branch or department (digits).",
             multi=False, registry=True),
        ref("residence", CPO.residence, PLACES, "Where a group lives."),
        ref("member_of", CPO.memberOf, AGENTS, "Bodies it belongs to."),
        text("participants_as_described", CPO.participantDescription, "The source's words for a "
             "group's members."),
        Column("curator_note", NOTE.help, CPO.curatorNote, multi=True, registry=True, width=30),
        *QUOTED,
    ), classes=(CPO.Organisation, CPO.Group), default_class=CPO.Organisation,
        namespace="organisation", type_roots=(CPO.Organisation, CPO.Group, CPO.Place)),

    Sheet("Places", "Places: one row each, inside the place that contains it.", "entity", (
        ID,
        Column("type", "country, province, city, town, street, square, building ... (from the list).",
               kind="type", multi=True, width=16),
        *entity_head("The name as the source first spells it.")[:2],
        ref("located_in", CPO.locatedIn, PLACES, "The nearest place that contains it (a town for a "
            "street, a province for a town).", registry=True),
        Column("latitude", "Only from a gazetteer (GeoNames), never guessed.", WGS84.lat, "decimal",
               registry=True, width=10),
        Column("longitude", "As latitude.", WGS84.long, "decimal", registry=True, width=10),
        ref("represented_country", CPO.representedCountry, ("Places",), "For an embassy or consulate: "
            "whose.", registry=True),
        Column("curator_note", NOTE.help, CPO.curatorNote, multi=True, registry=True, width=30),
        *QUOTED,
    ), classes=(CPO.Place,), default_class=None, namespace="place", type_roots=(CPO.Place,)),

    Sheet("Laws", "Legal codes and their articles.", "entity", (
        ID,
        Column("type", "legal code or legal provision.", kind="type", multi=True),
        *entity_head("As the source names it.")[:2],
        text("article_number", CPO.articleNumber, "The article's number ('607').", multi=False,
             registry=True),
        ref("part_of_code", CPO.partOfCode, ("Laws",), "The code the article belongs to.", registry=True),
        ref("country", CPO.country, ("Places",), "Whose law.", registry=True),
        Column("curator_note", NOTE.help, CPO.curatorNote, multi=True, registry=True, width=30),
        *QUOTED,
    ), classes=(CPO.LegalCode, CPO.LegalProvision), default_class=CPO.LegalProvision, namespace="law",
        type_roots=(CPO.LegalCode, CPO.LegalProvision)),

    Sheet("Events", "Protests, repressive actions and other events (arrests, detentions, releases, "
          "charges, rulings and statements have sheets of their own).", "node", dated((
            agents("organisers", CPO.organiser, "Who organised or called for it."),
            agents("protesters", CPO.protester, "Who took part in the protest."),
            agents("speakers", CPO.speaker, "Who spoke."),
            agents("participants", CPO.participant, "Who took part, in no role named below."),
            agents("perpetrators", CPO.perpetrator, "Who carried out a repressive action."),
            agents("targets", CPO.target, "Who it was aimed at."),
            agents("victims", CPO.victim, "Who suffered the mistreatment."),
            agents("witnesses", CPO.witness, "Who was present and told of it."),
            agents("responsible_officials", CPO.responsibleOfficial, "At whose direction."),
            agents("summoned_to", CPO.summonedTo, "The office a summons orders its target to."),
            ref("about", CPO.about, NODE_SHEETS, "What it is about."),
            text("purpose", CPO.purpose, "What it was for, in the source's words."),
            text("outcome", CPO.outcome, "What came of it, in the source's words."),
            text("method", CPO.method, "How it was done, in the source's words."),
            text("slogans", CPO.slogan, "Chanted or shouted, verbatim, one per line."),
            text("written_texts", CPO.bannerText, "Banners, placards, posters, leaflets, walls: "
                 "verbatim, one per line."),
            text("symbols_displayed", CPO.symbolDisplayed, "Flags or symbols, as the source names them."),
            text("demands", CPO.demand, "Demands, in the source's words."),
            text("injuries", CPO.injury, "Injuries, in the source's words."),
            text("ban_scope", CPO.banScope, "What a ban or restriction forbids."),
            *durations("How long: P2D (2 days), PT5H (5 hours) or in words ('5 hours')."),
            boolean("succeeded", CPO.succeeded, "yes / no where the source says."),
            text("reason", CPO.reason, "The reason given, in the source's words."),
            text("content", CPO.content, "What was said, in the source's words."),
            ref("ends_monitoring_of", CPO.endsMonitoringOf, ("Releases",), "The release whose "
                "monitoring ends."),
          )), classes=(CPO.Event,), namespace="event", type_roots=(CPO.Event,)),

    Sheet("Arrests", "Arrests: who was taken into custody, by whom, when and where.", "node", dated((
            Column("arrested", "Who was arrested (names, one per line or ;).", CPO.arrestee, "ref",
                   True, targets=AGENTS, aliases=("named_arrestees", "arrestees")),
            agents("perpetrators", CPO.perpetrator, "Who made the arrest."),
            agents("targets", CPO.target, "Who it was aimed at, if not arrested."),
            text("method", CPO.method, "How, in the source's words."),
            text("reason", CPO.reason, "The reason given."),
            text("injuries", CPO.injury, "Injuries, in the source's words."),
            boolean("succeeded", CPO.succeeded, "no for an attempt that failed."),
          )), classes=(CPO.Arrest,), default_class=CPO.Arrest, type_roots=(CPO.Arrest,)),

    Sheet("Detentions", "Periods in custody: where, how long, under which conditions.", "node", dated((
            Column("detainees", "Who was held.", CPO.detainee, "ref", True, targets=AGENTS,
                   aliases=("named_detainees",)),
            ref("held_at", CPO.heldAt, PLACES, "Where (a prison, a detention centre)."),
            agents("held_by", CPO.heldBy, "The body holding them."),
            *durations("How long: P1Y, P2M, P10D, PT24H, or in words ('2 months')."),
            boolean("incommunicado", CPO.incommunicado, "yes where relatives were not told."),
            boolean("solitary_confinement", CPO.solitaryConfinement, "yes where the source says."),
            boolean("location_disclosed", CPO.locationDisclosed, "no where the place was undisclosed."),
            text("conditions", CPO.condition, "Conditions of custody, in the source's words."),
          )), classes=(CPO.Detention,), default_class=CPO.Detention, type_roots=(CPO.Detention,)),

    Sheet("Releases", "Releases from custody; bail goes on the Quantities sheet.", "node", dated((
            Column("released", "Who was released.", CPO.releasedPerson, "ref", True, targets=AGENTS,
                   aliases=("named_released",)),
            boolean("temporary", CPO.temporary, "yes for a temporary release (until trial)."),
            boolean("electronic_monitoring", CPO.electronicMonitoring, "yes with an electronic tag."),
            text("conditions", CPO.condition, "Conditions, in the source's words."),
          )), classes=(CPO.Release,), default_class=CPO.Release, type_roots=(CPO.Release,)),

    Sheet("Charges", "Charges and accusations brought against someone.", "node", dated((
            Column("defendants", "Who was charged.", CPO.defendant, "ref", True, targets=AGENTS,
                   aliases=("named_defendants",)),
            agents("charged_by", CPO.chargedBy, "The body that brought the charge."),
            text("charge_wording", CPO.chargeWording, "The charge, verbatim ('violating public order')."),
            ref("provisions", CPO.underProvision, ("Laws",), "Legal articles it is brought under."),
            text("reason", CPO.reason, "The reason given."),
          )), classes=(CPO.Charge,), default_class=CPO.Charge, namespace="charge",
        type_roots=(CPO.Charge,)),

    Sheet("Rulings", "Trials, convictions, acquittals and appeal rulings.", "node", dated((
            ref("court", CPO.court, ("Organisations",), "The court or court branch."),
            Column("defendants", "Who was tried.", CPO.defendant, "ref", True, targets=AGENTS,
                   aliases=("named_defendants",)),
            ref("charges", CPO.charge, ("Charges",), "The charges it decides on (Charges sheet)."),
            ref("sentences", CPO.imposes, ("Sentences",), "The sentences it imposes (Sentences sheet)."),
            ref("amends", CPO.amends, ("Rulings",), "For an appeal ruling: the ruling it changes."),
            text("reason", CPO.reason, "The reason given ('lack of evidence')."),
          )), classes=(CPO.Ruling, CPO.Trial), default_class=CPO.Conviction,
        type_roots=(CPO.Ruling, CPO.Trial)),

    Sheet("Sentences", "Sentences imposed by rulings; their parts go on 'Sentence components'.", "node", (
        ID,
        Column("name", "A short title ('Four months in prison and 20 lashes, each').", SCHEMA.name,
               width=34),
        Column("sentenced", "Who the sentence is imposed on (each of them).", CPO.sentencedPerson,
               "ref", True, targets=("People",)),
        ref("replaces", CPO.replacesSentence, ("Sentences",), "The earlier sentence it replaces."),
        NOTE, *QUOTED,
    ), classes=(CPO.Sentence,), default_class=CPO.Sentence, namespace="sentence"),

    Sheet("Sentence components", "The parts of a sentence: prison term, flogging, fine, ban.",
          "components", (
        ref("sentence", CPO.component, ("Sentences",), "The sentence (id or name).", multi=False,
            required=True),
        Column("kind", "prison term, flogging, fine or ban.", kind="term", terms="component",
               required=True, width=12),
        Column("duration", "For a prison term or ban: P4M, P1Y, or in words ('4 months').",
               CPO.duration, "duration", width=10),
        Column("lashes", "For a flogging: how many.", CPO.lashes, "integer", width=8),
        text("ban_scope", CPO.banScope, "For a ban: what it forbids.", multi=False),
        Column("amount", "For a fine: the amount in whole units.", None, "integer", width=12),
        Column("currency", "For a fine: the currency (from the list).", None, "term", terms="currency",
               width=12),
        text("amount_wording", None, "For a fine: the source's words for the amount.", multi=False),
        text("wording", CPO.wording, "The source's words for this part ('four months in prison').",
             multi=False),
        *QUOTED,
    )),

    Sheet("Statements", "Statements, claims, denials, appeals, interviews, open letters: what "
          "someone said; never facts of the graph.", "node", dated((
            ref("authors", CPO.author, AGENTS + ("Source",), "Who made it (for the source's own "
                "voice: its authors)."),
            agents("addressed_to", CPO.addressedTo, "To whom."),
            ref("about", CPO.about, NODE_SHEETS, "What it is about: events, people, places ..."),
            ref("claims", CPO.claims, ("Propositions",), "For a claim: what it says is true "
                "(Propositions sheet)."),
            ref("denies", CPO.denies, ("Propositions",), "For a denial: what it says is false."),
            ref("responds_to", CPO.respondsTo, EVENT_SHEETS, "The statement it answers."),
            agents("accused", CPO.accused, "For an accusation: who is accused."),
            ref("medium", CPO.medium, AGENTS, "The outlet or channel."),
            text("content", CPO.content, "What was said, in the source's words."),
            text("demands", CPO.demand, "Demands made, in the source's words."),
            agents("signatories", CPO.signatory, "Who signed."),
            agents("organisers", CPO.organiser, "Who organised it."),
            agents("speakers", CPO.speaker, "Who spoke."),
            text("method", CPO.method, "How, in the source's words."),
          )), classes=(CPO.Statement,), default_class=CPO.Statement, type_roots=(CPO.Statement,)),

    Sheet("Propositions", "What claims and denials say is true or false, in the source's words.",
          "node", (
        ID,
        Column("name", "The proposition, in the source's words.", SCHEMA.name, required=True, width=50),
        NOTE, *QUOTED,
    ), classes=(CPO.Proposition,), default_class=CPO.Proposition, namespace="proposition"),

    Sheet("Relations", "Family relations: PERSON is the KINSHIP of RELATIVE.", "node", (
        ID,
        ref("person", CPO.person, ("People",), "The person.", multi=False, required=True),
        Column("kinship", "mother, father, daughter, son, wife, husband, sibling or relative.",
               CPO.kinship, "term", terms="kinship", required=True, width=12),
        ref("relative", CPO.relative, ("People",), "Whose relative.", multi=False, required=True),
        NOTE, *QUOTED,
    ), classes=(CPO.FamilyRelation,), default_class=CPO.FamilyRelation, namespace="relation"),

    Sheet("Participants", "Who took part in an event, in which role: another way to fill the role "
          "columns of the event sheets (one row per person or body).", "participants", (
        ref("event", None, EVENT_SHEETS, "The event (its id or name).", multi=False, required=True),
        ref("agent", None, AGENTS, "Who (a known name, or a row of People or Organisations).",
            multi=False, required=True),
        Column("role", "arrested person, protester, organiser, perpetrator, victim ... (from the list).",
               kind="term", terms="role", required=True, width=18),
        *QUOTED,
    )),

    Sheet("Quantities", "Numbers and amounts of money as the source words them.", "quantities", (
        ref("node", None, NODE_SHEETS, "What is counted or paid (the row's id or name).", multi=False,
            required=True),
        Column("property", "What the number is: number arrested, number of participants, bail ...",
               kind="term", terms="quantity", required=True, width=20),
        Column("kind", "count or money.", kind="term", terms="quantity_kind", width=8),
        Column("value", "The number (exact unless approximate).", SCHEMA.value,
               "number", width=10),
        Column("min_value", "At least ('more than 30' is 31).", SCHEMA.minValue, "number", width=10),
        Column("max_value", "At most.", SCHEMA.maxValue, "number", width=10),
        boolean("approximate", CPO.approximate, "yes for 'around 40', 'about'."),
        boolean("per_person", CPO.perPerson, "yes where the source says 'each'."),
        Column("currency", "For money (from the list).", CPO.currency, "term", terms="currency", width=12),
        text("wording", CPO.wording, "The source's exact words ('around 40 individuals').", multi=False,
             required=True),
        Column("not_stated", "What the source leaves out: value, currency (one per line).",
               CPO.notStated, "term", multi=True, terms="property", width=12),
        *QUOTED,
    )),

    Sheet("Qualifiers", "The source's hedges ('reportedly') and the curators' inferences.",
          "qualifiers", (
        ref("node", CPO.qualifier, NODE_SHEETS, "The row it qualifies (id or name).", multi=False,
            required=True),
        Column("property", "The columns it concerns, by property (empty: all of the row).",
               CPO.onProperty, "term", multi=True, terms="property", width=16),
        Column("value", "Only some values of that property: which (one per line).", CPO.onValue,
               "on_value", multi=True, width=16),
        Column("kind", "hedge (the source's reservation) or curator inference.", kind="term",
               terms="qualifier_kind", required=True, width=12),
        Column("hedge_type", "allegedly, reportedly, apparently, presumably, disputed, circa.",
               CPO.hedgeType, "term", terms="hedge", width=12),
        text("wording", CPO.wording, "For a hedge: the source's words ('reportedly').", multi=False),
        text("reason", CPO.inferenceReason, "For an inference: why, in words a reader can check.",
             multi=False),
        *QUOTED,
    )),

    Sheet("Identity candidates", "Two rows that may be one person, place or body, though the source "
          "does not say so: both are kept, linked as possibly the same.", "identity", (
        ref("a", CPO.possiblySameAs, NODE_SHEETS, "One (id or name).", multi=False, required=True),
        ref("b", None, NODE_SHEETS, "The other.", multi=False, required=True),
        text("reason", CPO.inferenceReason, "Why they may be one, in words a reader can check.",
             multi=False),
        *QUOTED,
    )),

    Sheet("Omissions", "What the source speaks of but leaves out (the court of a ruling, who beat "
          "someone): not the same as not recorded.", "omissions", (
        ref("node", CPO.notStated, NODE_SHEETS, "The row (id or name).", multi=False, required=True),
        Column("property", "What is left out (court, perpetrators, released ...).", kind="term",
               terms="property", required=True, width=16),
        *QUOTED,
    )),

    Sheet("Other things", "Anything of another kind (a conflict between two versions the source "
          "gives ...).", "node", (
        ID,
        Column("type", "Its kind (a class of the ontology).", kind="type", multi=True, width=20),
        Column("name", "Its name, if it has one.", SCHEMA.name, width=34),
        NOTE, *QUOTED,
    ), namespace="conflict", type_roots=()),

    Sheet("Passages", "Quotes that no row cites (rows carry their quotes themselves).", "passages", (
        ID, Column("quote", QUOTE.help, kind="quote", required=True, width=60), PREFIX, SUFFIX,
    ), classes=(CPO.Passage,), namespace="passage"),

    Sheet("More facts", "Facts no column holds, one per row, for curators who know the ontology.",
          "facts", (
        Column("node", "The row's id (or _:name for a node without one).", kind="node", required=True,
               width=28),
        Column("property", "A property: its prefixed name (cpo:underProvision) or label.", kind="term",
               terms="any_property", required=True, width=24),
        Column("value", "An id, _:name, or the literal's text.", kind="raw", required=True, width=40),
        Column("datatype", "For a literal: xsd:string, xsd:date, xsd:integer ... (empty: an id).",
               kind="raw", width=14),
        Column("language", "For a literal in a language: en, fa ...", kind="raw", width=8),
    )),
)

SHEET_BY_NAME = {sheet.name: sheet for sheet in SHEETS}


def held_columns(sheet_name: str, *anchors: str) -> tuple:
    """The columns of a child sheet (Quantities, Qualifiers) whose values are properties of the
    row's own node, each read and shown by its `kind`: a property such a node may have is one
    Column here, and the import and the export follow. `anchors`: the columns that say where the
    node hangs (node, property) rather than what it says."""
    return tuple(c for c in SHEET_BY_NAME[sheet_name].columns
                 if c.prop is not None and c.key not in anchors and c.kind in HELD_KINDS)


HELD_KINDS = ("text", "number", "integer", "decimal", "boolean", "date", "duration", "term")
# Which sheet lists a node, by its classes: the first whose classes it has, in this order.
LISTING_ORDER = ("Source", "Passages", "People", "Organisations", "Places", "Laws", "Arrests",
                 "Detentions", "Releases", "Charges", "Rulings", "Sentences", "Statements", "Events",
                 "Propositions", "Relations")
QUANTITY_PROPERTIES = (CPO.participantCount, CPO.arrestCount, CPO.signatoryCount, CPO.memberCount,
                       CPO.reportedNumber, CPO.bail, CPO.amount)
COMPONENT_KINDS = (CPO.PrisonTerm, CPO.Flogging, CPO.Fine, CPO.Ban)
QUALIFIER_KINDS = {"hedge": CPO.Hedge, "curator inference": CPO.CuratorInference}
QUANTITY_KINDS = {"count": CPO.Quantity, "money": CPO.MonetaryAmount}
PRECISIONS = ("day", "month", "year")
YES_NO = ("yes", "no")


def controlled(vocabulary, name: str) -> list:
    """The terms a 'term' column offers: IRIs, or for the two kinds, their words."""
    from rdflib.namespace import RDF

    if name == "currency":
        return vocabulary.instances(CPO.Currency)
    if name == "hedge":
        return vocabulary.instances(CPO.HedgeType)
    if name == "kinship":
        return vocabulary.instances(CPO.Kinship)
    if name == "component":
        return list(COMPONENT_KINDS)
    if name == "quantity":
        return list(QUANTITY_PROPERTIES)
    if name == "role":
        return vocabulary.subproperties(CPO.participant)
    if name in ("property", "any_property"):
        props = set(vocabulary.properties) - vocabulary.deprecated
        props |= {c.prop for s in SHEETS for c in s.columns if c.prop is not None}
        props |= {RDF.type, PROV_DERIVED}
        return sorted(props, key=lambda p: vocabulary.label(p).lower())
    raise KeyError(name)

