"""What a write must pass before it commits (the worker pool's finish hook): the inferred graph
brought up to date, SHACL validation, and the PROV record of the change."""
