"""Month values as users type them ("2024-03") and as the store keeps them (first-day dates)."""

from __future__ import annotations

import re
from datetime import date

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(value: str | date) -> date:
    """`"2024-03"` or a date -> the first day of that month; ValueError naming the value otherwise."""
    if isinstance(value, date):
        return value.replace(day=1)
    match = _MONTH.match(value.strip())
    if not match:
        raise ValueError(f"month {value!r} is not in YYYY-MM form")
    return date(int(match[1]), int(match[2]), 1)


def month_key(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


def month_range(start: date, end: date) -> list[date]:
    """Every first-of-month from `start` to `end`, both included."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        months.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
