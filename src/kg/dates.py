"""Dates at their precision: a day, a month, a year, or a day and month without a year; the span
of days each can denote, and the window of days in which an event happened or began."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import XSD

from kg.namespaces import CPO

DATE_PROPERTIES = (CPO.date, CPO.startDate, CPO.endDate)


def day_span(date: Literal) -> tuple[dt.date, dt.date] | None:
    """First and last day a date literal can denote, or None if it is not a calendar date.

    "2020-10"^^xsd:gYearMonth spans 2020-10-01 .. 2020-10-31; "2020"^^xsd:gYear the whole year.
    """
    text = str(date)
    try:
        if date.datatype == XSD.date:
            day = dt.date.fromisoformat(text[:10])
            return day, day
        if date.datatype == XSD.gYearMonth:
            year, month = int(text[:4]), int(text[5:7])
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        if date.datatype == XSD.gYear:
            year = int(text[:4])
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
    except ValueError:
        return None
    return None


def precision_of(date: Literal) -> str:
    """'day', 'month', 'year', 'day and month' (no year) or 'unknown': how precisely the source
    gave the date."""
    return {XSD.date: "day", XSD.gYearMonth: "month", XSD.gYear: "year",
            XSD.gMonthDay: "day and month"}.get(date.datatype, "unknown")


def month_day_days(date: Literal, low: dt.date, high: dt.date) -> list[dt.date]:
    """The days from `low` to `high` that a day and month without a year
    ("--08-14"^^xsd:gMonthDay) can be."""
    text = str(date)
    try:
        month, day = int(text[2:4]), int(text[5:7])
    except ValueError:
        return []
    days = []
    for year in range(low.year, high.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:  # 29 February of a common year, or no such day
            continue
        if low <= candidate <= high:
            days.append(candidate)
    return days


@dataclass(frozen=True)
class DateWindow:
    """The days on which an event can have happened or begun (`earliest` to `latest_start`), the
    last day on which it can have taken place (`latest`: its end where it has one), and, for a
    day and month without a year, the years it can lie in."""

    earliest: dt.date | None
    latest_start: dt.date | None
    latest: dt.date | None
    years: tuple[int, ...] = ()

    @property
    def days(self) -> int | None:
        """How many days wide the window of its start is (None if one side is open)."""
        if self.earliest is None or self.latest_start is None:
            return None
        return (self.latest_start - self.earliest).days + 1


def date_window(date: Literal | None = None, end: Literal | None = None,
                not_before: Literal | None = None, not_after: Literal | None = None) -> DateWindow | None:
    """An event's window from its cpo:date (at its precision), cpo:endDate and the bounds
    cpo:notBefore / cpo:notAfter; None where they give no day at all. A day and month without
    a year falls on the matching days between the bounds, and needs both."""
    before = day_span(not_before) if not_before is not None else None
    after = day_span(not_after) if not_after is not None else None
    low, high = before and before[0], after and after[1]
    years: tuple[int, ...] = ()
    if date is not None and date.datatype == XSD.gMonthDay:
        days = month_day_days(date, low, high) if low and high else []
        if not days:
            return None
        earliest, latest_start, years = days[0], days[-1], tuple(day.year for day in days)
    else:
        span = day_span(date) if date is not None else None
        earliest = max((d for d in (span and span[0], low) if d), default=None)
        latest_start = min((d for d in (span and span[1], high) if d), default=None)
        if earliest is None and latest_start is None:
            return None
    end_span = day_span(end) if end is not None else None
    return DateWindow(earliest, latest_start, end_span[1] if end_span else latest_start, years)


# The precision of a window so many days wide: the cpo:DatePrecision concept's local name and
# ACLED's time_precision (1 the actual date, 2 a week or a similar period, 3 a month or longer).
WINDOW_PRECISIONS = ((1, "dayPrecision", 1), (7, "weekPrecision", 2), (31, "monthPrecision", 3),
                     (366, "yearPrecision", 3))


def window_precision(days: int) -> tuple[str, int]:
    """The precision concept's local name and the ACLED time_precision code of a window."""
    for widest, name, acled in WINDOW_PRECISIONS:
        if days <= widest:
            return name, acled
    return "yearsPrecision", 3
