"""Dates at their precision: a day, a month or a year, and the span of days each can denote."""

from __future__ import annotations

import calendar
import datetime as dt

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
    """'day', 'month', 'year' or 'unknown' — how precisely the source gave the date."""
    return {XSD.date: "day", XSD.gYearMonth: "month", XSD.gYear: "year"}.get(date.datatype, "unknown")
