"""Beyond one machine: an external SPARQL 1.1 store behind our endpoint.

- `kg.backend.publish`: `kg publish --to URL` loads the built dataset into a store through
  the Graph Store Protocol and verifies the triple counts per graph.
- `kg.backend.remote`: `kg serve --backend URL` answers /sparql through that store, with our
  guard, deadline, row cap, formats and error bodies in front of it.
- `kg.backend.http`: the small HTTP client both use (Basic/Digest or bearer credentials).
"""
