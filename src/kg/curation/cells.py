"""One cell to RDF literals and back: text, dates at their precision, durations, whole numbers,
decimals, yes/no. A cell that cannot be read raises CellError with a sentence for the documenter;
a value a column cannot show exactly raises CannotShow (it then goes to 'More facts')."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from rdflib import Literal
from rdflib.namespace import XSD

DATE_TYPES = (XSD.date, XSD.gYearMonth, XSD.gYear, XSD.gMonthDay)
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
DURATION_UNITS = {"year": "Y", "month": "M", "week": "W", "day": "D", "hour": "H", "minute": "MIN",
                  "second": "S"}
_ISO_DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)$")


class CellError(ValueError):
    """A cell that cannot be read; the message is for the documenter."""


class CannotShow(ValueError):
    """A value that a column cannot show exactly."""


def is_plain(literal) -> bool:
    return isinstance(literal, Literal) and literal.datatype is None and literal.language is None


def cell_text(value) -> str:
    """A cell as text: numbers without a trailing '.0', dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return (value.date() if isinstance(value, dt.datetime) else value).isoformat()
    return str(value)


def lines(value) -> list[str]:
    """The values of a multi-valued cell: one per line, blank lines dropped."""
    return [line.strip() for line in cell_text(value).splitlines() if line.strip()]


# --- text --------------------------------------------------------------------------------------

def show_text(literals: list, multi: bool):
    for literal in literals:
        if not is_plain(literal) or not str(literal) or str(literal) != str(literal).strip():
            raise CannotShow(literal)
        if multi and "\n" in str(literal):
            raise CannotShow(literal)
    if not multi and len(literals) > 1:
        raise CannotShow(literals)
    return "\n".join(str(literal) for literal in literals)


def read_text(value, multi: bool) -> list[Literal]:
    if multi:
        return [Literal(line) for line in lines(value)]
    text = cell_text(value).strip()
    return [Literal(text)] if text else []


# --- dates -------------------------------------------------------------------------------------

def show_date(literal) -> str:
    if not isinstance(literal, Literal) or literal.datatype not in DATE_TYPES:
        raise CannotShow(literal)
    return str(literal)


def read_date(value, precision: str | None = None) -> Literal:
    """A date at the precision the cell gives: 2020-10-09 (xsd:date), 2020-10 (xsd:gYearMonth),
    2020 (xsd:gYear), --08-14 (xsd:gMonthDay); 'October 9, 2021', '9 Oct 2021', 'October 2021'
    too. A spreadsheet's own date cell is a day, unless `precision` says month or year."""
    if isinstance(value, (dt.datetime, dt.date)):
        day = value.date() if isinstance(value, dt.datetime) else value
        return _at_precision(day.year, day.month, day.day, precision or "day")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = cell_text(value)
    text = str(value).strip()
    found = _iso_date(text) or _worded_date(text)
    if found is None:
        raise CellError(f"'{text}' is not a date: write it as 2020-10-09 (a day), 2020-10 (a month), "
                        "2020 (a year) or --08-14 (a day whose year the source does not give)")
    year, month, day = found
    given = "day" if day else "month" if month else "year"
    if precision and precision != given:
        raise CellError(f"'{text}' gives a {given}, but 'date precision' says {precision}: "
                        "make the two agree (or leave 'date precision' empty)")
    return _at_precision(year, month, day, given)


def _iso_date(text: str):
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text) or \
        re.fullmatch(r"--(\d{1,2})-(\d{1,2})", text)
    if not match:
        return None
    if text.startswith("--"):
        return (None, int(match.group(1)), int(match.group(2)))
    year, month, day = match.groups()
    return (int(year), int(month) if month else None, int(day) if day else None)


def _worded_date(text: str):
    words = re.findall(r"[A-Za-z]+|\d+", text)
    months = [MONTHS[w.lower()] for w in words if w.lower() in MONTHS]
    numbers = [int(w) for w in words if w.isdigit()]
    other = [w for w in words if not w.isdigit() and w.lower() not in MONTHS]
    if len(months) != 1 or other or not numbers or len(numbers) > 2:
        return None
    years = [n for n in numbers if n > 31]
    days = [n for n in numbers if n <= 31]
    if len(years) > 1 or len(days) > 1:
        return None
    return (years[0] if years else None, months[0], days[0] if days else None)


def _at_precision(year, month, day, precision: str) -> Literal:
    if month is not None and not 1 <= month <= 12:
        raise CellError(f"there is no month {month}: months go from 01 to 12")
    if year is None:
        if day is None or month is None:
            raise CellError("a date without a year needs its day and month (--08-14)")
        if day > (29 if month == 2 else calendar.monthrange(2001, month)[1]):
            raise CellError(f"{calendar.month_name[month]} has no day {day}")
        return Literal(f"--{month:02d}-{day:02d}", datatype=XSD.gMonthDay, normalize=False)
    if day is not None and month is not None:
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise CellError(f"{calendar.month_name[month]} {year} has no day {day} "
                            f"(it has {last} days)")
    if precision == "year" or month is None:
        return Literal(f"{year:04d}", datatype=XSD.gYear, normalize=False)
    if precision == "month" or day is None:
        return Literal(f"{year:04d}-{month:02d}", datatype=XSD.gYearMonth, normalize=False)
    return Literal(f"{year:04d}-{month:02d}-{day:02d}", datatype=XSD.date, normalize=False)


# --- durations ---------------------------------------------------------------------------------

def show_duration(literal) -> str:
    if not isinstance(literal, Literal) or literal.datatype != XSD.duration:
        raise CannotShow(literal)
    return str(literal)


def read_duration(value) -> Literal:
    """P4M, P7M16D, PT24H as they are; '4 months', 'seven months and 16 days', '2 weeks'
    turned into them."""
    text = cell_text(value).strip()
    if _ISO_DURATION.match(text.upper()):
        return Literal(text.upper(), datatype=XSD.duration, normalize=False)
    amounts: dict[str, int] = {}
    rest = re.sub(r"\b(and|,)\b|,", " ", text.lower())
    for number, unit in re.findall(r"(\d+|[a-z]+)\s+(year|month|week|day|hour|minute|second)s?\b", rest):
        count = int(number) if number.isdigit() else NUMBER_WORDS.get(number)
        if count is None:
            raise CellError(f"'{text}' is not a duration I can read: write P4M (4 months), P1Y, "
                            "P10D or PT5H (5 hours)")
        code = DURATION_UNITS[unit]
        if code == "W":
            code, count = "D", count * 7
        amounts[code] = amounts.get(code, 0) + count
    leftover = re.sub(r"(\d+|[a-z]+)\s+(year|month|week|day|hour|minute|second)s?\b", "", rest).strip()
    if not amounts or leftover:
        raise CellError(f"'{text}' is not a duration I can read: write P4M (4 months), P1Y, P10D "
                        "or PT5H (5 hours), or in words such as '7 months and 16 days'")
    date_part = "".join(f"{amounts[c]}{c}" for c in ("Y", "M", "D") if c in amounts)
    time_part = "".join(f"{amounts[c]}{c[0]}" for c in ("H", "MIN", "S") if c in amounts)
    return Literal("P" + date_part + (f"T{time_part}" if time_part else ""), datatype=XSD.duration,
                   normalize=False)


# --- numbers and yes/no ------------------------------------------------------------------------

def show_integer(literal) -> int:
    if not isinstance(literal, Literal) or literal.datatype != XSD.integer or \
            not _INTEGER.match(str(literal)) or str(int(str(literal))) != str(literal):
        raise CannotShow(literal)
    return int(str(literal))


def read_integer(value, what: str = "a whole number") -> Literal:
    text = cell_text(value).strip().replace(",", "").replace("\u00a0", "").replace(" ", "")
    if not _INTEGER.match(text):
        raise CellError(f"'{cell_text(value)}' is not {what}: write digits only (40, 50000000)")
    return Literal(str(int(text)), datatype=XSD.integer, normalize=False)


def show_number(literal):
    """A quantity's value: an integer as a number, a decimal as its exact text."""
    if isinstance(literal, Literal) and literal.datatype == XSD.decimal and _DECIMAL.match(str(literal)) \
            and "." in str(literal):
        return str(literal)
    return show_integer(literal)


def read_number(value) -> Literal:
    text = cell_text(value).strip()
    if "." in text and _DECIMAL.match(text):
        return Literal(text, datatype=XSD.decimal, normalize=False)
    return read_integer(value, "a number")


def show_decimal(literal) -> str:
    if not isinstance(literal, Literal) or literal.datatype != XSD.decimal or not _DECIMAL.match(str(literal)):
        raise CannotShow(literal)
    return str(literal)


def read_decimal(value) -> Literal:
    text = repr(value) if isinstance(value, float) else cell_text(value).strip()
    try:
        Decimal(text)
    except InvalidOperation:
        raise CellError(f"'{text}' is not a decimal number (38.0962)") from None
    if not _DECIMAL.match(text):
        raise CellError(f"'{text}' is not a decimal number (38.0962)")
    return Literal(text, datatype=XSD.decimal, normalize=False)


def show_boolean(literal) -> str:
    if not isinstance(literal, Literal) or literal.datatype != XSD.boolean or str(literal) not in ("true", "false"):
        raise CannotShow(literal)
    return "yes" if str(literal) == "true" else "no"


def read_boolean(value) -> Literal:
    if isinstance(value, bool):
        return Literal("true" if value else "false", datatype=XSD.boolean, normalize=False)
    text = cell_text(value).strip().lower()
    if text in ("yes", "y", "true", "1"):
        return Literal("true", datatype=XSD.boolean, normalize=False)
    if text in ("no", "n", "false", "0"):
        return Literal("false", datatype=XSD.boolean, normalize=False)
    raise CellError(f"'{cell_text(value)}' is not yes or no")


SHOW = {"date": show_date, "duration": show_duration, "integer": show_integer, "number": show_number,
        "decimal": show_decimal, "boolean": show_boolean}
READ = {"date": read_date, "duration": read_duration, "integer": read_integer, "number": read_number,
        "decimal": read_decimal, "boolean": read_boolean}
