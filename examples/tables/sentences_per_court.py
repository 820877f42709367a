"""Sentences per court, and arrests per city per month, from the tables of `kg export --tables`.

    kg export --tables tables/
    python examples/tables/sentences_per_court.py tables/

Reads the Data Package with frictionless (types from its Table Schemas), then answers with
pandas; every figure can be traced back to its rows' passages and quotes.
"""

import sys

from frictionless import Package


def main(directory: str) -> None:
    package = Package(f"{directory}/datapackage.json")
    table = lambda name: package.get_resource(name).to_pandas().reset_index()  # keys as columns
    sentences = table("sentences")
    per_court = (sentences.dropna(subset=["court_name"])
                 .groupby("court_name")
                 .agg(sentences=("id", "count"), sentenced_persons=("sentenced_persons", "sum"))
                 .sort_values(["sentences", "sentenced_persons"], ascending=False))
    print("Sentences per court")
    print(per_court.to_string())

    arrests, events, places = table("arrests"), table("events"), table("event_places")
    dated = arrests[["id"]].merge(events[["id", "date"]], on="id")
    # the month is known where the source gives it: a date of the form 2020-10 or 2020-10-01
    dated = dated[dated["date"].str.match(r"^\d{4}-\d{2}", na=False)]
    located = dated.merge(places[places["property"] == "place"], left_on="id", right_on="event")
    located["month"] = located["date"].str[:7]
    per_city = located.groupby(["town_name", "month"]).size().rename("arrests")
    print("\nArrests per city per month (arrests dated at least to the month)")
    print(per_city.to_string())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tables")
