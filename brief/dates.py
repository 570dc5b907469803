"""Dates as the data and the parameters write them: YYYY-MM-DD, YYYY-MM or YYYY in ASCII digits, and why a text is not one.

Kept free of heavy imports: the command line checks --as-of with it before anything else is loaded.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

DATE_PATTERN = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")
PRECISION_BY_LENGTH = {4: "year", 7: "month", 10: "day"}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 22nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def calendar_problem(text: str) -> str | None:
    """For a text in one of the date forms: why the calendar has no such date ('February 2026 has no 30th day'); None if it has."""
    parts = [int(p) for p in text.split("-")]
    if parts[0] < dt.MINYEAR:
        return "there is no year 0000"
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return f"there is no month {parts[1]:02d} (months run from 01 to 12)"
    if len(parts) > 2:
        last = calendar.monthrange(parts[0], parts[1])[1]
        if not 1 <= parts[2] <= last:
            return f"{calendar.month_name[parts[1]]} {parts[0]} has no {ordinal(parts[2])} day" if parts[2] else "there is no day 00"
    return None


def parse_partial_date(text: str) -> dt.date:
    """'2025-06-27', '2025-06' or '2025' -> the first day it can mean; ValueError saying why if it is not a date."""
    text = text.strip()
    if not DATE_PATTERN.fullmatch(text):
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    problem = calendar_problem(text)
    if problem:
        raise ValueError(f"{text!r} is not a date: {problem}")
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def precision_of(text: str) -> str:
    return PRECISION_BY_LENGTH.get(len(text.strip()), "")
