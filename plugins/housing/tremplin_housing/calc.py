"""Pure computations of the housing plugin: balances, months, proration, vacancy cost, DPE.

No database here: the database code feeds these functions, and the tests check the
database against them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from tremplin.api import add_months

__all__ = [
    "ARREARS_THRESHOLD_CENTS",
    "SIGNS",
    "Terms",
    "add_months",
    "compute_balance",
    "dpe_alerts",
    "plan_instalments",
    "plan_progress",
    "first_of_month",
    "month_bounds",
    "overlaps",
    "prorate",
    "round_half_up",
    "terms_on",
    "vacancy_cost",
]

#: A household is in arrears when its balance *exceeds* this (the seeds: 30 €, examined
#: monthly by the arrears committee). A plugin constant until settings exist for plugins.
ARREARS_THRESHOLD_CENTS = 3000

#: How each kind of ledger entry moves the balance (what the household owes): ``aid`` is a
#: granted aid (FSL, VISALE, a fund) paid directly to the association.
SIGNS = {"call": 1, "benefit": -1, "payment": -1, "aid": -1}

DPE_MAX_AGE_YEARS = 10


def compute_balance(entries: Iterable[tuple[str, int]]) -> int:
    """What is owed, in cents: calls minus benefits minus payments.

    ``entries`` are ``(kind, amount_cents)`` pairs (single entries or sums per kind): a sum,
    so the order in which things were recorded cannot matter. Positive = debt.
    """
    return sum(SIGNS[kind] * int(amount) for kind, amount in entries)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month containing ``month``."""
    first = first_of_month(month)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def round_half_up(value: Fraction) -> int:
    """Round a non-negative exact amount of cents to the nearest cent, halves up."""
    return int((value * 2 + 1) // 2)


def prorate(amount_cents: int, days: int, days_in_month: int) -> int:
    """The part of a monthly amount for ``days`` days of the month, to the cent."""
    if days >= days_in_month:
        return amount_cents
    return round_half_up(Fraction(amount_cents * days, days_in_month))


def overlaps(
    start_a: dt.date, end_a: dt.date | None, start_b: dt.date, end_b: dt.date | None
) -> bool:
    """Whether two periods with inclusive ends (``None``: still running) share a day."""
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


@dataclass(frozen=True)
class Terms:
    """Rent, charges and directly-paid benefit in force from ``effective_from``."""

    effective_from: dt.date
    rent_cents: int
    charges_cents: int = 0
    benefit_cents: int = 0

    @property
    def residual_cents(self) -> int:
        """The household's own share (*loyer résiduel*) after the housing benefit."""
        return self.rent_cents + self.charges_cents - self.benefit_cents


def terms_on(history: Sequence[Terms], day: dt.date) -> Terms | None:
    """The terms in force on ``day``: the latest revision effective on or before it."""
    current = None
    for terms in sorted(history, key=lambda t: t.effective_from):
        if terms.effective_from <= day:
            current = terms
    return current


def vacancy_cost(
    start: dt.date, end: dt.date, leases: Sequence[tuple[dt.date, dt.date | None, int]]
) -> int:
    """What the association paid the owner for the days of ``[start, end]`` with no occupant.

    ``leases`` are (start, end, monthly rent + charges) of its head leases; each day costs
    the monthly amount of the lease in force divided by the days of that month.
    """
    total = Fraction(0)
    day = start
    while day <= end:
        monthly = next(
            (amount for s, e, amount in leases if s <= day and (e is None or day <= e)), 0
        )
        total += Fraction(monthly, calendar.monthrange(day.year, day.month)[1])
        day += dt.timedelta(days=1)
    return round_half_up(total)


def dpe_alerts(dpe_class: str, dpe_date: dt.date | None, on: dt.date) -> list[str]:
    """French warnings about a dwelling's energy performance certificate (DPE)."""
    alerts = []
    if not dpe_class:
        alerts.append("DPE non renseigné")
    elif dpe_class in ("F", "G"):
        alerts.append(f"Classe {dpe_class} : passoire énergétique, travaux à prévoir")
    if dpe_class and dpe_date is None:
        alerts.append("Date du DPE inconnue")
    elif dpe_date is not None and add_months(dpe_date, 12 * DPE_MAX_AGE_YEARS) < on:
        alerts.append(f"DPE de plus de {DPE_MAX_AGE_YEARS} ans : à refaire")
    return alerts


MAX_PLAN_INSTALMENTS = 60


def plan_instalments(
    debt_cents: int, monthly_cents: int, first_due: dt.date
) -> list[tuple[dt.date, int]]:
    """Monthly instalments of ``monthly_cents`` from ``first_due`` until ``debt_cents`` is
    repaid, the last one smaller if needed: 1 000 € at 150 € a month = 6 × 150 € + 100 €."""
    if debt_cents <= 0 or monthly_cents <= 0:
        return []
    count = -(-debt_cents // monthly_cents)
    out = [(add_months(first_due, k), monthly_cents) for k in range(count - 1)]
    out.append((add_months(first_due, count - 1), debt_cents - monthly_cents * (count - 1)))
    return out


def plan_progress(
    start: dt.date,
    instalments: Sequence[tuple[dt.date, int]],
    entries: Iterable[tuple[dt.date, str, int]],
    on: dt.date,
) -> tuple[list[bool | None], str]:
    """Whether each instalment of a repayment plan is kept, and the plan's status.

    The household pays its current rent *and* the instalments: what repays the old debt by
    day D is what its balance went down by from ``start`` to D (credits minus calls dated in
    ``[start, D]``). Instalment k, due on D, is kept when that reduction reaches the sum of
    instalments 1…k on D; one not yet due is ``None``. The plan is ``broken`` as soon as an
    instalment was not kept, ``kept`` when every instalment is due and kept, else
    ``ongoing``. ``entries`` are ``(entry_date, kind, amount_cents)`` of the household.
    """
    moves = sorted(
        (day, -SIGNS[kind] * int(amount)) for day, kind, amount in entries if day >= start
    )
    kept: list[bool | None] = []
    owed = 0
    for due_on, amount in sorted(instalments):
        owed += amount
        if due_on > on:
            kept.append(None)
            continue
        reduced = sum(m for day, m in moves if day <= due_on)
        kept.append(reduced >= owed)
    if any(k is False for k in kept):
        status = "broken"
    elif kept and all(k is True for k in kept):
        status = "kept"
    else:
        status = "ongoing"
    return kept, status
