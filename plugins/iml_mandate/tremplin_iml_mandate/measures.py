"""Arithmetic of the support measures: months-measures in a period and the evolution of a
rent debt over a reinforced measure. Pure functions, tested on their own.

Months-measures use :func:`tremplin.api.measure_months` (whole civil months, days inclusive,
a started month counting one): a measure from 15 March to 14 June is 3, to 20 June is 4.
In a report, only the part of a measure inside the period counts.
"""

from __future__ import annotations

import datetime as dt

from tremplin.api import N_, Choice, Period, measure_months

DEBT_CATEGORIES = (
    Choice("cleared", N_("N'ont plus de dette")),
    Choice("nearly_cleared", N_("N'ont quasiment plus de dette et respectent un plan d'apurement")),
    Choice("plan_not_kept", N_("Ne respectent pas le plan d'apurement")),
)


def months_in_period(start: dt.date | None, end: dt.date | None, period: Period) -> int:
    """Months-measures of a measure ``start`` → ``end`` (``None``: ongoing) inside ``period``."""
    if start is None or start > period.end or (end is not None and end < period.start):
        return 0
    return measure_months(max(start, period.start), min(end or period.end, period.end))


def debt_category(at_entry: int | None, latest: int | None, plan_kept: bool) -> str | None:
    """Where a debt at entry stands: ``cleared`` (nothing owed any more), ``nearly_cleared``
    (something still owed, repayment plan kept), ``plan_not_kept``; ``None`` when there was
    no debt at entry, ``"unknown"`` when the latest amount was never recorded."""
    if not at_entry or at_entry <= 0:
        return None
    if latest is None:
        return "unknown"
    if latest <= 0:
        return "cleared"
    return "nearly_cleared" if plan_kept else "plan_not_kept"


def debt_change_percent(at_entry: int, latest: int) -> float:
    """Change of a debt in percent, one decimal: 1 000 € → 870 € is -13.0."""
    return round((latest - at_entry) * 100 / at_entry, 1)
