"""The balance timeline of each household's rent account (``housing_balance_span``).

The ledger stays the only truth (:func:`~tremplin_housing.calc.compute_balance` of its
entries); this table is derived from it so that the arrears review can filter and sort the
balances *at a date* in SQL, on indexes, with keyset pages. Each household's spans are
rebuilt from its ledger in the transaction of every ledger write (rent calls, payments,
benefits, aids, re-pricing after a revision or an exit correction), so a reader never sees a
balance the ledger does not give; ``housing_0016`` fills the table for existing ledgers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from piccolo.query.functions.aggregate import Sum

from tremplin_housing.calc import SIGNS
from tremplin_housing.tables import BalanceSpan, LedgerEntry

#: ``to_day`` of a household's latest span (no later entry yet): a date, never NULL, so the
#: "in force at" test is two plain comparisons on an index.
FAR_DAY = dt.date(9999, 12, 31)
#: ``last_payment`` when the household never paid: the oldest date, so « dernier paiement
#: le plus ancien d'abord » lists them first on both engines (no NULL ordering to reconcile).
NEVER_PAID = dt.date(1, 1, 1)
#: Households rebuilt per batch (bounded ``IN`` lists).
BATCH = 500


def spans_of(entries: Iterable[tuple[dt.date, str, int]]) -> list[dict[str, Any]]:
    """The spans of one household from its ``(entry_date, kind, amount)`` (or sums per day
    and kind), in any order: one span per day the balance may move."""
    per_day: dict[dt.date, list[tuple[str, int]]] = defaultdict(list)
    for day, kind, amount in entries:
        per_day[day].append((kind, int(amount)))
    days = sorted(per_day)
    spans: list[dict[str, Any]] = []
    balance, last_payment = 0, NEVER_PAID
    for index, day in enumerate(days):
        for kind, amount in per_day[day]:
            balance += SIGNS[kind] * amount
            if kind == "payment":
                last_payment = day
        spans.append(
            {
                "from_day": day,
                "to_day": days[index + 1] if index + 1 < len(days) else FAR_DAY,
                "balance_cents": balance,
                "last_payment": last_payment,
            }
        )
    return spans


#: First key of the PostgreSQL advisory locks taken per household by :func:`refresh_balances`.
LOCK_SPACE = 16_0016


async def _lock(household_ids: list[int]) -> None:
    """PostgreSQL: hold each household's rebuild lock until the transaction ends (ids in
    order, so two writers never wait on each other crosswise). Without it two concurrent
    payments of one household would each rebuild from a ledger missing the other's entry
    (READ COMMITTED) and leave both sets of spans. SQLite's write transactions are already
    one at a time."""
    if BalanceSpan._meta.db.engine_type != "postgres" or not household_ids:
        return
    await BalanceSpan.raw(
        "SELECT pg_advisory_xact_lock({}, h) FROM (SELECT unnest({}::int[]) AS h ORDER BY h) s",
        LOCK_SPACE,
        household_ids,
    )


async def refresh_balances(household_ids: Iterable[int]) -> None:
    """Rebuild the spans of these households from their ledger. Call it inside the
    transaction that wrote their entries, after the writes."""
    ids = sorted({int(h) for h in household_ids})
    await _lock(ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = (
            await LedgerEntry.select(
                LedgerEntry.household,
                LedgerEntry.entry_date,
                LedgerEntry.kind,
                Sum(LedgerEntry.amount_cents).as_alias("total"),
            )
            .where(LedgerEntry.household.is_in(chunk))
            .group_by(LedgerEntry.household, LedgerEntry.entry_date, LedgerEntry.kind)
        )
        per: dict[int, list[tuple[dt.date, str, int]]] = defaultdict(list)
        for r in rows:
            per[r["household"]].append((r["entry_date"], r["kind"], int(r["total"] or 0)))
        await BalanceSpan.delete().where(BalanceSpan.household.is_in(chunk))
        new = [
            BalanceSpan(household=household, **span)
            for household in chunk
            for span in spans_of(per.get(household, []))
        ]
        if new:
            await BalanceSpan.insert(*new)


def in_force(on: dt.date) -> Any:
    """Where-clause: the span of each household in force at the end of day ``on``."""
    return (BalanceSpan.from_day <= on) & (BalanceSpan.to_day > on)


async def balances_on(on: dt.date, household_ids: list[int] | None = None) -> dict[int, int]:
    """Balance of every household with a rent account at the end of ``on``, from the spans
    (the same figures as :func:`tremplin_housing.ledger.balances_by_household`)."""
    query = BalanceSpan.select(BalanceSpan.household, BalanceSpan.balance_cents).where(in_force(on))
    if household_ids is not None:
        query = query.where(BalanceSpan.household.is_in(household_ids or [0]))
    return {r["household"]: r["balance_cents"] for r in await query}
