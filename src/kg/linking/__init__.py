"""Linking our entities with external open-data graphs (Wikidata, GeoNames).

One concern per module:
  vocabulary       IRIs: canonical external forms, link-record terms, linkset IRIs
  names            name folding and transliteration variants, name similarity
  entities         our entities (names, classes, containing places, coordinates) from a graph
  reference        the shared reference table of checked ids, and what each row allows
  reference_links  rows of the reference table matched to our entities
  records          links and their provenance as RDF (reified skos:exactMatch statements)
  geonames         a GeoNames dump reader (GeoNames' own tab-separated format)
  scoring          scoring a GeoNames feature as a candidate for one of our places
  reconciler       deciding: accept only unambiguous high scores, the rest to review
  review           the review CSV
  evaluation       precision and recall against the ids already known
  linksets         VoID descriptions of the linksets
  reference_output, reconciler_output   the two linksets as Turtle files
  commands         what `kg link geonames` does
  entity_search    finding our entities by (variant) name, for /reconcile
  federation       SERVICE only to allow-listed endpoints, with our User-Agent and timeout
"""
