"""Curation: documenters add and correct a document's facts in a spreadsheet, without Turtle.

One concern per module:
  vocabulary  the ontology's terms in plain words (kinds, roles, controlled lists), both ways
  schema      the workbook: its sheets and columns, and which facts each column holds
  cells       one cell to RDF terms and back: dates at their precision, durations, yes/no...
  facts       graphs as sets of facts whose blank nodes are trees (compared and diffed exactly)
  quotes      quotes found in the archived text: exact, unique, the closest passage, the section
  scope       what one document holds: its files, its shared entities, or its nodes in a store
  rows        a document's facts as rows of the workbook (export)
  reading     workbooks (read-only, bounded, no formulas) and CSV files as rows
  writing     rows as an .xlsx workbook with a help row and dropdown lists
  matching    names against the known people, places and organisations (kg.linking's matcher)
  importer    rows to facts, every problem named by sheet, row and column
  turtle      facts as Turtle in the project's style
  files       applying an import to the data folder: only the changed statements rewritten
  store_write the same import as a validated, journaled write of the server's store

To carry a new construct of the ontology through the workbook (both ways):
  - a property of a node (a person's, an event's): one Column in schema.SHEETS with its `prop`
    and `kind` (how a cell reads and shows: cells.READ / cells.SHOW; 'term' with `terms`, a list
    of schema.controlled). The import, the export, the dropdowns and the help row follow.
  - a property of a child node (a quantity's bounds, a hedge's wording): one Column on its sheet
    (Quantities, Qualifiers); schema.held_columns makes the import and the export read it.
  - a new kind of child node: a sheet with its own role, a reader in importer (its `_children`)
    and a writer in rows (its `_children`), and a test that a document using it round-trips.
  - until then nothing is lost: what no column holds is exported on 'More facts' (node,
    property, value) and imported back unchanged.
"""
