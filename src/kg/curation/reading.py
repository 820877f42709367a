"""Workbooks and CSV files as rows, read defensively: sizes bounded before any parser runs (the
zip's entries and their expanded sizes), external links and macros refused, formulas never
evaluated (a cell holding one is refused: its cached value could say anything), openpyxl in
read-only mode with defusedxml. Headers are matched in plain words or the tables' names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from kg.curation.schema import SHEETS, TABLES_ONLY, Sheet
from kg.curation.vocabulary import fold

MAX_WORKBOOK_BYTES = 16 * 1024 * 1024         # the upload itself
MAX_EXPANDED_BYTES = 96 * 1024 * 1024         # all its parts, unzipped
MAX_RATIO = 150                               # unzipped / zipped, for any part over 1 MiB
MAX_ENTRIES = 400
MAX_ROWS = 20000                              # per sheet
MAX_COLUMNS = 100
MAX_CELL_CHARS = 32767                        # what a spreadsheet cell can hold
HELP_SHEETS = ("Read me", "Lists")


class WorkbookRefused(ValueError):
    """A workbook or CSV that is not read at all (too large, not a workbook, links out ...)."""


@dataclass
class Row:
    sheet: str
    number: int
    cells: dict = field(default_factory=dict)

    def get(self, key: str):
        return self.cells.get(key)

    @property
    def empty(self) -> bool:
        return all(value is None or str(value).strip() == "" for value in self.cells.values())


Workbook = dict   # sheet name -> [Row]


@dataclass
class Reading:
    workbook: Workbook
    problems: list      # (sheet, row, column, message)


def check_zip(data: bytes) -> None:
    """Refuse what could hurt the reader before openpyxl sees it."""
    if len(data) > MAX_WORKBOOK_BYTES:
        raise WorkbookRefused(f"the workbook is {len(data)} bytes; at most {MAX_WORKBOOK_BYTES} are read")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookRefused("this is not an .xlsx workbook (not a zip archive): save it as "
                              "Excel 2007-365 (.xlsx), or send CSV files") from None
    if len(entries) > MAX_ENTRIES:
        raise WorkbookRefused(f"the workbook has {len(entries)} parts; at most {MAX_ENTRIES} are read")
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise WorkbookRefused("this zip archive is not an .xlsx workbook")
    if any(n.startswith("xl/externalLinks/") for n in names):
        raise WorkbookRefused("the workbook links to other workbooks (external links): remove the links "
                              "and keep the values")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise WorkbookRefused("the workbook holds macros: save it as a plain .xlsx workbook")
    total = sum(e.file_size for e in entries)
    if total > MAX_EXPANDED_BYTES:
        raise WorkbookRefused(f"the workbook unpacks to {total} bytes; at most {MAX_EXPANDED_BYTES} are read")
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_RATIO * max(1, entry.compress_size):
            raise WorkbookRefused(f"the workbook's part {entry.filename} is compressed {entry.file_size // max(1, entry.compress_size)} "
                                  "times: refused as a possible zip bomb")


def read_xlsx(data: bytes) -> Reading:
    check_zip(data)
    import openpyxl

    book = None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        tables = {worksheet.title: _sheet_values(worksheet) for worksheet in book.worksheets}
    except WorkbookRefused:
        raise
    except Exception as error:  # openpyxl and defusedxml raise many kinds for a broken or hostile file
        raise WorkbookRefused(f"the workbook cannot be read ({type(error).__name__}): save it again as "
                              ".xlsx from a spreadsheet program") from None
    finally:
        if book is not None:
            book.close()
    return rows_of_tables(tables)


def _sheet_values(worksheet) -> list[list]:
    """The sheet's cells as rows of values; formulas refused (marked), sizes bounded."""
    rows = []
    for index, row in enumerate(worksheet.iter_rows()):
        if index >= MAX_ROWS + 2:
            raise WorkbookRefused(f"sheet '{worksheet.title}' has more than {MAX_ROWS} rows")
        values = []
        for position, cell in enumerate(row):
            if position >= MAX_COLUMNS:
                if getattr(cell, "value", None) not in (None, ""):
                    raise WorkbookRefused(f"sheet '{worksheet.title}' has more than {MAX_COLUMNS} columns")
                continue
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")
                                                           and getattr(cell, "data_type", "") == "f"):
                value = Formula(str(value))
            elif isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                raise WorkbookRefused(f"sheet '{worksheet.title}' has a cell of more than {MAX_CELL_CHARS} characters")
            values.append(shown_date(value, getattr(cell, "number_format", None)))
        rows.append(values)
    return rows


def shown_date(value, number_format: str | None):
    """A date cell as precise as the spreadsheet shows it. Excel and LibreOffice turn a typed
    'May 2025' (or a pasted date) into the first of the month, formatted 'mmm-yy': the format,
    not the value, says it is a month ('2025-05') or a year ('2025')."""
    if not isinstance(value, dt.datetime) or not number_format:
        return value
    # the format's first section, without its quoted words, [locale] codes and escaped characters
    shown = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", number_format.split(";")[0]).lower()
    if "y" not in shown or any(part in shown for part in "dhs"):
        return value
    return f"{value.year:04d}-{value.month:02d}" if "m" in shown else f"{value.year:04d}"


@dataclass(frozen=True)
class Formula:
    text: str


def read_csv_bytes(data: bytes, sheet_name: str) -> list[list]:
    if len(data) > MAX_WORKBOOK_BYTES:
        raise WorkbookRefused(f"{sheet_name}.csv is {len(data)} bytes; at most {MAX_WORKBOOK_BYTES} are read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WorkbookRefused(f"{sheet_name}.csv is not UTF-8 text: save it as 'CSV UTF-8'") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if first else ","
    rows = []
    for index, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter)):
        if index >= MAX_ROWS + 2:
            raise WorkbookRefused(f"{sheet_name}.csv has more than {MAX_ROWS} rows")
        rows.append(row[:MAX_COLUMNS])
    return rows


def read_path(path: Path) -> Reading:
    """An .xlsx workbook, one .csv file (named after its sheet) or a folder of .csv files."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.csv"))
        if not files:
            raise WorkbookRefused(f"{path} holds no .csv file")
        return rows_of_tables({sheet_for_file(f): read_csv_bytes(f.read_bytes(), f.stem) for f in files})
    if path.suffix.lower() == ".csv":
        return rows_of_tables({sheet_for_file(path): read_csv_bytes(path.read_bytes(), path.stem)})
    return read_xlsx(path.read_bytes())


def sheet_for_file(path: Path) -> str:
    """The sheet a CSV file holds: named after it, or after the workbook and it, the way
    LibreOffice writes every sheet of a workbook ('review-Events.csv', 'review-Read me.csv')."""
    wanted = fold(path.stem)
    for name in (*(sheet.name for sheet in SHEETS), *HELP_SHEETS):
        if fold(name) == wanted or wanted.endswith(" " + fold(name)):
            return name
    return path.stem


def rows_of_tables(tables: dict) -> Reading:
    """Rows by sheet from each sheet's values (header first, then an optional help row)."""
    workbook: Workbook = {}
    problems = []
    by_fold = {fold(sheet.name): sheet for sheet in SHEETS}
    for title, values in tables.items():
        if title in HELP_SHEETS:
            continue
        sheet = by_fold.get(fold(title))
        if sheet is None:
            if any(any(v not in (None, "") for v in row) for row in values):
                problems.append((title, None, None, f"'{title}' is not a sheet of the workbook "
                                 f"(the sheets are: {', '.join(s.name for s in SHEETS)})"))
            continue
        rows, more = _rows(sheet, values)
        workbook[sheet.name] = rows
        problems += more
    return Reading(workbook, problems)


def _rows(sheet: Sheet, values: list[list]) -> tuple[list[Row], list]:
    problems = []
    header_index = next((i for i, row in enumerate(values[:5]) if any(v not in (None, "") for v in row)), None)
    if header_index is None:
        return [], []
    header = values[header_index]
    keys: list = []
    for position, title in enumerate(header):
        text = fold(title) if title not in (None, "") else ""
        column = _column_for(sheet, text)
        if column is None and text.replace(" ", "_") in TABLES_ONLY:
            keys.append(None)
            continue
        if text and column is None:
            problems.append((sheet.name, header_index + 1, str(title),
                             f"'{title}' is not a column of {sheet.name} (its columns are: "
                             f"{', '.join(c.header for c in sheet.columns)})"))
        if column is not None and column.key in keys:
            problems.append((sheet.name, header_index + 1, str(title), f"the column '{title}' is there twice"))
            column = None
        keys.append(column.key if column else None)
    start = header_index + 1
    if start < len(values) and _is_help_row(sheet, keys, values[start]):
        start += 1
    rows = []
    for index in range(start, len(values)):
        cells = {}
        for key, value in zip(keys, values[index]):
            if key is None:
                continue
            if isinstance(value, Formula):
                problems.append((sheet.name, index + 1, sheet.column(key).header,
                                 "the cell holds a formula; type its value instead (formulas are not evaluated)"))
                continue
            cells[key] = value
        row = Row(sheet.name, index + 1, cells)
        if not row.empty:
            rows.append(row)
    return rows, problems


def _column_for(sheet: Sheet, text: str):
    for column in sheet.columns:
        if text == fold(column.key) or text in (fold(a) for a in column.aliases):
            return column
    return None


def _is_help_row(sheet: Sheet, keys: list, values: list) -> bool:
    texts = [(key, value) for key, value in zip(keys, values) if key and value not in (None, "")]
    return bool(texts) and all(str(value).strip() == sheet.column(key).help for key, value in texts)

