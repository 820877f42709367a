#!/usr/bin/env python3
"""Generate data/links/external-ids.ttl from the shared reference table of external ids.

    .venv/bin/python scripts/links_from_reference.py [--reference CSV] [--output TTL]

Re-runnable: reads our data (data/; the links already there do not change the matching) and the table, writes the links with
their provenance, and prints each link made and each id or row skipped, with the reason.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from kg.pipeline.build import load_graphs
from kg.linking.entities import our_entities
from kg.linking.reference import REFERENCE_CSV, read_reference
from kg.linking.reference_output import write_reference_links
from kg.paths import DATA_DIR

OUTPUT = DATA_DIR / "links" / "external-ids.ttl"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REFERENCE_CSV)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    entities = our_entities(load_graphs().data)
    decisions = write_reference_links(read_reference(args.reference), entities, args.output,
                                      table_name=args.reference.name)
    for decision in decisions:
        for line in decision.describe():
            print(line)
    linked = Counter(t for d in decisions for t in d.links)
    skipped = sum(len(d.skips) for d in decisions)
    print(f"\n{args.output}: {linked['wikidata']} Wikidata and {linked['geonames']} GeoNames links; "
          f"{skipped} row(s) or id(s) skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
