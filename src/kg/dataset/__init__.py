"""Uses of the built dataset: export, query, statistics, backup, example queries, and the
JSON-LD context."""
