"""Rows as an .xlsx workbook: a 'Read me' sheet, then one sheet per kind with its header in plain
words, a help row, the rows, text-formatted cells (so that a spreadsheet does not turn 2020-10
into a day) and dropdown lists (data validation) for the controlled values and the known names,
taken from a hidden 'Lists' sheet."""

from __future__ import annotations


from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kg.curation.schema import PRECISIONS, QUALIFIER_KINDS, QUANTITY_KINDS, SHEETS, YES_NO, Sheet, controlled
from kg.curation.vocabulary import Vocabulary

TEMPLATE_ROWS = 1000           # rows given dropdowns beyond the filled ones
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
HELP_FONT = Font(italic=True, color="555555", size=9)
READ_ME = """How to fill this workbook

1. One sheet per kind of thing the document reports. Row 1 names the columns, row 2 says what goes in them; your rows start at row 3.
2. 'Source' has one row: the document itself. The text you import it with (kg sheet import WORKBOOK --source FILE) must be the document's text, byte for byte: every quote is checked against it.
3. Every row that states something carries, in 'quote', the words of the document it rests on, copied exactly. Several quotes: one per line (Alt+Enter in a cell). If a quote occurs more than once in the document, add the words just before it in 'prefix' (or just after it in 'suffix').
4. Names of known people, places and organisations: write them as the dropdown lists them (or their id, such as person:vugar-nemat). Someone new: add a row on 'People', 'Organisations' or 'Places' first. A name close to a known one is refused until you say which it is: the known name, an id of its own, or a row on 'Identity candidates'.
5. Several values in one cell: one per line; names and ids may also be separated by ';'.
6. Dates as precise as the source, never more: 2020-10-09, 2020-10, 2020, or --08-14 for a day without a year (then give 'not before' and 'not after'). What the source leaves out goes on 'Omissions'; its reservations ('reportedly') and your own inferences go on 'Qualifiers'; numbers and money on 'Quantities'.
7. Leave 'id' empty for a new row; keep the ids of an exported workbook when you correct it.
8. Nothing is written unless the whole workbook is right: each problem is reported with its sheet, row and column.
"""


def write_workbook(path, rows: dict, vocabulary: Vocabulary, known_names: dict) -> None:
    """`rows`: sheet name -> [{column key: value}]; `known_names`: sheet name -> [names] for
    the dropdowns of names (People, Places, Organisations, Laws)."""
    book = Workbook()
    read_me = book.active
    read_me.title = "Read me"
    for index, line in enumerate(READ_ME.strip().split("\n"), start=1):
        read_me.cell(index, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
    read_me.column_dimensions["A"].width = 120
    read_me["A1"].font = Font(bold=True, size=13)
    lists = _lists(book, vocabulary, known_names)
    for sheet in SHEETS:
        _sheet(book, sheet, rows.get(sheet.name, []), lists)
    book.move_sheet("Lists", offset=len(book.sheetnames))
    book["Lists"].sheet_state = "hidden"
    book.save(path if hasattr(path, "write") else str(path))


def _lists(book: Workbook, vocabulary: Vocabulary, known_names: dict) -> dict:
    """Each dropdown's values in a column of the 'Lists' sheet; returns name -> range."""
    sheet = book.create_sheet("Lists")
    columns = {
        "yes/no": list(YES_NO), "precision": list(PRECISIONS),
        "quantity_kind": list(QUANTITY_KINDS), "qualifier_kind": list(QUALIFIER_KINDS),
        **{name: [vocabulary.label(t) for t in controlled(vocabulary, name)]
           for name in ("currency", "hedge", "kinship", "component", "quantity", "role", "property")},
    }
    for table in SHEETS:
        if table.type_roots:
            columns[f"type:{table.name}"] = [vocabulary.label(c) for c in vocabulary.classes_under(*table.type_roots)
                                             if c not in vocabulary.deprecated]
    for name, names in known_names.items():
        columns[f"names:{name}"] = sorted(set(names), key=str.lower)
    ranges = {}
    for index, (name, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index, name)
        for row, value in enumerate(values, start=2):
            sheet.cell(row, index, value).data_type = "s"
        last = max(2, len(values) + 1)
        ranges[name] = f"Lists!${letter}$2:${letter}${last}"
    return ranges


def _sheet(book: Workbook, sheet: Sheet, rows: list, lists: dict) -> None:
    worksheet = book.create_sheet(sheet.name)
    for index, column in enumerate(sheet.columns, start=1):
        header = worksheet.cell(1, index, column.header)
        header.font = Font(bold=True)
        header.fill = HEADER_FILL
        help_cell = worksheet.cell(2, index, column.help)
        help_cell.font = HELP_FONT
        help_cell.alignment = Alignment(wrap_text=True, vertical="top")
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    worksheet.row_dimensions[2].height = 60
    worksheet.freeze_panes = "B3" if sheet.columns[0].key == "id" else "A3"
    last_row = 2 + len(rows) + TEMPLATE_ROWS
    for number, row in enumerate(rows, start=3):
        for index, column in enumerate(sheet.columns, start=1):
            value = row.get(column.key)
            if value is None or value == "":
                continue
            cell = worksheet.cell(number, index)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"   # never a formula, even if it starts with '='
                if "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        if column.kind not in ("integer", "number", "boolean"):
            worksheet.column_dimensions[letter].number_format = "@"
        source = _list_for(sheet, column, lists)
        if source is None:
            continue
        strict = not column.multi and column.kind in ("term", "boolean", "precision", "type")
        validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True,
                                    showErrorMessage=strict, showDropDown=False)
        if strict:
            validation.errorTitle = column.header
            validation.error = f"Choose {column.header} from the list."
        validation.promptTitle = column.header[:32]
        validation.prompt = column.help[:250]
        validation.showInputMessage = True
        worksheet.add_data_validation(validation)
        validation.add(f"{letter}3:{letter}{last_row}")


def _list_for(sheet: Sheet, column, lists: dict) -> str | None:
    if column.kind == "boolean" or column.key == "name_not_stated":
        return lists["yes/no"]
    if column.kind == "precision":
        return lists["precision"]
    if column.kind == "type":
        return lists.get(f"type:{sheet.name}")
    if column.kind == "term" and column.terms in lists:
        return lists[column.terms]
    if column.kind == "term" and column.terms == "any_property":
        return lists["property"]
    if column.kind == "ref":
        for target in column.targets:
            if f"names:{target}" in lists:
                return lists[f"names:{target}"]
    return None
