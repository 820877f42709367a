"""What the spreadsheet tests share: a small data folder to import into (the registry and the 2023
report, so that a build takes seconds), the invented test document and its workbook's rows."""

from __future__ import annotations

import shutil
from pathlib import Path

from kg.curation.vocabulary import ontology_vocabulary
from kg.curation.writing import write_workbook
from kg.paths import DATA_DIR, SOURCES_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "sheets"
INVENTED = FIXTURES / "invented-protest.txt"
RALLY = "Students protest in front of Tabriz University against the closure of the language society"
ARREST = "Arrest of Leyla Testova and Orhan Ornekli at Tabriz University"


def small_data_folder(root: Path) -> tuple[Path, Path]:
    """A data folder with the registry and the 2023 report only, and its sources: what an
    import is checked against, at a tenth of the build time of the whole data."""
    data, sources = root / "data", root / "sources"
    shutil.copytree(DATA_DIR / "registry", data / "registry")
    shutil.copytree(DATA_DIR / "documents" / "azfront-2023", data / "documents" / "azfront-2023")
    shutil.copytree(SOURCES_DIR, sources)
    return data, sources


def invented_rows() -> dict:
    """The rows a documenter would type for the invented report (tests/fixtures/sheets)."""
    return {
        "Source": [{"name": "Invented report of a student protest in Tabriz (test data)",
                    "genre": "test fixture", "language": "en", "published": "2024-03",
                    "provenance": "Written for the test suite of kg sheet import; invented, never part of data/.",
                    "rights": "Test data written for the project; no third-party rights."}],
        "People": [
            {"name": "Leyla Testova", "occupation": "members of the society's board",
             "quote": "plain-clothes agents arrested Leyla Testova and Orhan Ornekli, two members of the society's board"},
            {"name": "Orhan Ornekli", "occupation": "members of the society's board",
             "quote": "plain-clothes agents arrested Leyla Testova and Orhan Ornekli, two members of the society's board"},
        ],
        "Organisations": [
            {"type": "prosecutor's office", "name": "Tabriz prosecutor's office", "jurisdiction": "Tabriz",
             "country": "Iran"},
        ],
        "Events": [
            {"type": "rally", "name": RALLY, "date": "14 March 2024", "places": "Tabriz University",
             "participants_as_described": "students",
             "purpose": "to protest against the closure of the university's Azerbaijani language society",
             "slogans": "Our language is our identity", "written_texts": "Open the society",
             "quote": "On 14 March 2024, about 60 students gathered in front of Tabriz University to protest "
                      "against the closure of the university's Azerbaijani language society.\n"
                      "The protesters chanted \"Our language is our identity\" and held a banner reading "
                      "\"Open the society\"."},
            {"type": "dispersal", "name": "Security forces disperse the student protest at Tabriz University",
             "date": "2024-03-14", "places": "Tabriz University", "directed_against": RALLY,
             "participants_as_described": "Security forces",
             "quote": "Security forces dispersed the gathering within an hour."},
        ],
        "Arrests": [
            {"name": ARREST, "date": "2024-03-14", "places": "Tabriz University",
             "arrested": "Leyla Testova", "directed_against": RALLY,
             "participants_as_described": "plain-clothes agents",
             "quote": "Reportedly, plain-clothes agents arrested Leyla Testova and Orhan Ornekli, two members "
                      "of the society's board, in front of the university gate."},
        ],
        "Releases": [
            {"name": "Release of Leyla Testova on bail", "date": "2024-03-20", "released": "Leyla Testova",
             "followed": ARREST,
             "quote": "Leyla Testova was released on bail of 100 million rials on 20 March 2024."},
        ],
        "Charges": [
            {"name": "Charge against Leyla Testova", "defendants": "Leyla Testova",
             "charge_wording": "disturbing public order",
             "quote": "Her lawyer said the court had charged her with \"disturbing public order\"."},
        ],
        "Statements": [
            {"type": "denial", "name": "The Tabriz prosecutor's office denies that any student was beaten",
             "authors": "Tabriz prosecutor's office", "denies": "Any student had been beaten",
             "about": RALLY,
             "quote": "The Tabriz prosecutor's office denied that any student had been beaten."},
        ],
        "Propositions": [
            {"name": "Any student had been beaten",
             "quote": "The Tabriz prosecutor's office denied that any student had been beaten."},
        ],
        "Participants": [   # a role given on a row of its own rather than in the event's column
            {"event": ARREST, "agent": "Orhan Ornekli", "role": "arrested person"},
        ],
        "Quantities": [
            {"node": RALLY, "property": "number of participants", "kind": "count", "value": 60,
             "approximate": "yes", "wording": "about 60 students"},
            {"node": "Release of Leyla Testova on bail", "property": "bail or guarantee", "kind": "money",
             "value": 100000000, "currency": "Iranian rial", "wording": "100 million rials"},
        ],
        "Qualifiers": [
            {"node": ARREST, "property": "participants as described", "kind": "hedge",
             "hedge_type": "reportedly", "wording": "Reportedly"},
        ],
        "Omissions": [
            {"node": "Charge against Leyla Testova", "property": "charged by"},
        ],
    }


def workbook(path: Path, rows: dict) -> Path:
    """The rows in a workbook as a documenter gets it (kg sheet template's layout)."""
    write_workbook(path, rows, ontology_vocabulary(), {})
    return path
