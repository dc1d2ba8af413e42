"""Date arithmetic shared by the core and the programme plugins (exposed in :mod:`tremplin.api`).

Months are civil months: adding one month keeps the day of the month, clamped to the end of a
shorter month. *Months-measures* (the unit funders count support measures in) follow the same
rule, counted on days inclusive: a measure from 15 March to 14 June lasts 3 months, a started
month beyond the last whole one counts as one more month (15 March → 20 June is 4).
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later (or earlier), clamped to the month's end: 31/01 + 1 → 28 or 29/02."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_on(birth: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def whole_months(start: dt.date, end: dt.date) -> int:
    """Whole civil months from ``start`` to ``end`` *inclusive* (15/03 → 14/06 is 3; → 13/06 is 2)."""
    if end < start:
        return 0
    after = end + dt.timedelta(days=1)
    n = (after.year - start.year) * 12 + after.month - start.month
    while n > 0 and add_months(start, n) > after:
        n -= 1
    return n


def measure_months(start: dt.date, end: dt.date) -> int:
    """Months-measures of a support measure from ``start`` to ``end`` inclusive: whole months,
    plus one for a started month (15/03 → 14/06 is 3, 15/03 → 20/06 is 4, one day is 1)."""
    if end < start:
        return 0
    n = whole_months(start, end)
    return n + (add_months(start, n) <= end)
