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
"""
