"""The rent account (*compte locataire*): rent calls, benefits, payments and balances.

Balances are always :func:`~tremplin_housing.calc.compute_balance` of what the
database holds, so they do not depend on the order things were recorded in. The monthly
rent-call run is one transaction (all occupancies of the month, or none) and idempotent
(unique occupancy + kind + month).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from typing import Any

import asyncpg
from piccolo.query.functions.aggregate import Sum

from tremplin.api import Actor, FormErrors, now, today, transaction, validate
from tremplin_housing.balances import refresh_balances
from tremplin_housing.calc import (
    Terms,
    compute_balance,
    month_bounds,
    prorate,
    terms_on,
)
from tremplin_housing.common import (
    add_event,
    date_or_none,
    money_label,
    not_in_future,
    require,
    write_audit,
)
from tremplin_housing.fields import ENTRY_FIELDS, MEANS, labels
from tremplin_housing.tables import LedgerEntry, Occupancy, RentTerms

DUPLICATE = (sqlite3.IntegrityError, asyncpg.UniqueViolationError)


async def terms_history(occupancy_ids: list[int]) -> dict[int, list[Terms]]:
    """The rent terms of each occupancy, oldest first, in one query."""
    rows = (
        await RentTerms.select()
        .where(RentTerms.occupancy.is_in(occupancy_ids or [0]))
        .order_by(RentTerms.effective_from)
    )
    out: dict[int, list[Terms]] = defaultdict(list)
    for r in rows:
        out[r["occupancy"]].append(
            Terms(r["effective_from"], r["rent_cents"], r["charges_cents"], r["benefit_cents"])
        )
    return out


def month_amounts(
    occupancy: dict[str, Any], month: dt.date, history: list[Terms]
) -> dict[str, Any] | None:
    """What to call for ``month``: rent and charges (and benefit) prorated to the days
    occupied, at the terms in force on the first day occupied; ``None`` if not occupied."""
    first, last = month_bounds(month)
    start = max(first, occupancy["start_date"])
    end = min(last, occupancy["end_date"] or last)
    if end < start:
        return None
    terms = terms_on(history, start)
    if terms is None:
        return None
    days, in_month = (end - start).days + 1, last.day
    return {
        "entry_date": start,
        "month": first,
        "rent_cents": prorate(terms.rent_cents, days, in_month),
        "charges_cents": prorate(terms.charges_cents, days, in_month),
        "benefit_cents": prorate(terms.benefit_cents, days, in_month),
    }


async def _insert_call(occupancy: dict[str, Any], amounts: dict[str, Any], actor: Actor) -> None:
    """Write one month's call (and the benefit paid directly, if any) for one occupancy."""
    common = {
        "occupancy": occupancy["id"],
        "household": occupancy["household"],
        "entry_date": amounts["entry_date"],
        "month": amounts["month"],
        "created_by": actor.user_id,
        "created_at": now(),
    }
    await LedgerEntry.insert(
        LedgerEntry(
            kind="call",
            rent_cents=amounts["rent_cents"],
            charges_cents=amounts["charges_cents"],
            amount_cents=amounts["rent_cents"] + amounts["charges_cents"],
            **common,
        )
    )
    if amounts["benefit_cents"] > 0:
        await LedgerEntry.insert(
            LedgerEntry(
                kind="benefit",
                amount_cents=amounts["benefit_cents"],
                means="caf",
                note="Aide au logement du mois",
                **common,
            )
        )


async def sync_called_month(
    occupancy: dict[str, Any], month: dt.date, history: list[Terms], actor: Actor
) -> None:
    """Re-price an already called month after a revision or an exit (inside a transaction)."""
    first, _ = month_bounds(month)
    where = (LedgerEntry.occupancy == occupancy["id"]) & (LedgerEntry.month == first)
    await LedgerEntry.delete().where(where & LedgerEntry.kind.is_in(["call", "benefit"]))
    amounts = month_amounts(occupancy, first, history)
    if amounts is not None:
        await _insert_call(occupancy, amounts, actor)
    await refresh_balances([occupancy["household"]])


async def run_rent_calls(actor: Actor, month: dt.date, scope: Any = None) -> dict[str, int]:
    """Call the rent of ``month`` for every occupancy overlapping it, once; ``scope``: a
    where-clause on the occupancy keeping those of the user's programmes
    (:func:`tremplin.api.programme_filter` on ``Occupancy.programme``).

    All or nothing: an error on any occupancy rolls the whole month back. Running it again
    calls only occupancies not yet called (say, one entered since). Returns the counts.
    """
    for _ in range(2):
        try:
            return await _run(actor, month, scope)
        except DUPLICATE:
            # PostgreSQL: a concurrent run committed some of the same calls first; ours
            # rolled back whole, and the next attempt skips what is now called.
            continue
    return await _run(actor, month, scope)


async def _run(actor: Actor, month: dt.date, scope: Any = None) -> dict[str, int]:
    first, last = month_bounds(month)
    async with transaction():
        query = Occupancy.select(
            Occupancy.id, Occupancy.household, Occupancy.start_date, Occupancy.end_date
        ).where(
            (Occupancy.start_date <= last)
            & (Occupancy.end_date.is_null() | (Occupancy.end_date >= first))
        )
        if scope is not None:
            query = query.where(scope)
        occupancies = await query.order_by(Occupancy.id)
        called = {
            r["occupancy"]
            for r in await LedgerEntry.select(LedgerEntry.occupancy).where(
                (LedgerEntry.kind == "call") & (LedgerEntry.month == first)
            )
        }
        if scope is not None:
            called &= {o["id"] for o in occupancies}
        todo = [o for o in occupancies if o["id"] not in called]
        history = await terms_history([o["id"] for o in todo])
        created = 0
        for occupancy in todo:
            amounts = month_amounts(occupancy, first, history[occupancy["id"]])
            if amounts is not None:
                await _insert_call(occupancy, amounts, actor)
                created += 1
        await refresh_balances(o["household"] for o in todo)
        await write_audit(
            actor, "rent_calls", "housing_month", first.year * 100 + first.month, ["ledger"]
        )
    return {"created": created, "already": len(called), "total": len(occupancies)}


async def record_entry(actor: Actor, occupancy_id: int, raw: dict[str, Any]) -> int:
    """Record a payment (or a benefit received) once per form: a second submission of the
    same ``_form_id`` returns the first entry's id and writes nothing."""
    values = validate(ENTRY_FIELDS, raw)
    day = date_or_none(values["entry_date"])
    assert day is not None  # a required field: validate() refused it empty
    not_in_future("entry_date", day)
    if values["amount"] <= 0:
        raise FormErrors({"amount": "le montant doit être supérieur à zéro"})
    if values["kind"] == "payment" and not values["means"]:
        raise FormErrors({"means": "indiquez le moyen de paiement"})
    form_id = str(raw.get("_form_id") or "")[:64] or None
    try:
        return await _record(actor, occupancy_id, values, day, form_id)
    except DUPLICATE:
        existing = await _by_form(form_id)
        if existing is None:
            raise
        return existing


async def _by_form(form_id: str | None) -> int | None:
    if not form_id:
        return None
    row = await LedgerEntry.select(LedgerEntry.id).where(LedgerEntry.form_id == form_id).first()
    return row["id"] if row else None


async def _record(
    actor: Actor, occupancy_id: int, values: dict[str, Any], day: dt.date, form_id: str | None
) -> int:
    async with transaction():
        existing = await _by_form(form_id)
        if existing is not None:
            return existing
        occupancy = require(
            await Occupancy.select().where(Occupancy.id == occupancy_id).first(), occupancy_id
        )
        if day < occupancy["start_date"]:
            raise FormErrors(
                {
                    "entry_date": "la date précède l'entrée dans le logement "
                    f"({occupancy['start_date']:%d/%m/%Y})"
                }
            )
        if occupancy["end_date"] is not None:
            # A household that left still pays its debt, never more than it owes.
            owed = await occupancy_balance(occupancy_id)
            left = f"Cette occupation est close (sortie le {occupancy['end_date']:%d/%m/%Y})"
            if owed <= 0:
                raise FormErrors(
                    {
                        "_entry": f"{left} et son compte est soldé : aucun paiement "
                        "ne peut plus y être enregistré."
                    }
                )
            if values["amount"] > owed:
                raise FormErrors(
                    {
                        "amount": f"{left} : le ménage ne doit plus que "
                        f"{money_label(owed)} sur ce compte"
                    }
                )
        row = await LedgerEntry.insert(
            LedgerEntry(
                occupancy=occupancy_id,
                household=occupancy["household"],
                kind=values["kind"],
                entry_date=day,
                amount_cents=values["amount"],
                means=values["means"] or ("caf" if values["kind"] == "benefit" else ""),
                form_id=form_id,
                note=values["note"] or "",
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(LedgerEntry.id)
        entry_id = row[0]["id"]
        await refresh_balances([occupancy["household"]])
        amount = money_label(values["amount"])
        if values["kind"] == "payment":
            means = labels(MEANS).get(values["means"], "")
            title, body = "Paiement du loyer", f"{amount} ({means.lower()})"
        else:
            title, body = "Aide au logement reçue", amount
        await add_event(
            actor,
            occupancy["household"],
            "housing_payment",
            title,
            body,
            day,
            occupancy["programme"],
            {"occupancy": occupancy_id, "entry": entry_id},
        )
        await write_audit(
            actor, "record_" + values["kind"], "housing_occupancy", occupancy_id, ["ledger"]
        )
    return entry_id


async def occupancy_balance(occupancy_id: int, on: dt.date | None = None) -> int:
    """What the household owes on this occupancy at the end of day ``on`` (today)."""
    rows = await LedgerEntry.select(LedgerEntry.kind, LedgerEntry.amount_cents).where(
        (LedgerEntry.occupancy == occupancy_id) & (LedgerEntry.entry_date <= (on or today()))
    )
    return compute_balance((r["kind"], r["amount_cents"]) for r in rows)


async def balances_by_household(
    on: dt.date | None = None, household_ids: list[int] | None = None
) -> dict[int, int]:
    """Balance of every household with a rent account (all its occupancies), in one query."""
    query = LedgerEntry.select(
        LedgerEntry.household,
        LedgerEntry.kind,
        Sum(LedgerEntry.amount_cents).as_alias("total"),
    ).where(LedgerEntry.entry_date <= (on or today()))
    if household_ids is not None:
        query = query.where(LedgerEntry.household.is_in(household_ids or [0]))
    rows = await query.group_by(LedgerEntry.household, LedgerEntry.kind)
    per: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for r in rows:
        per[r["household"]].append((r["kind"], int(r["total"] or 0)))
    return {household: compute_balance(entries) for household, entries in per.items()}


async def statement(occupancy_id: int) -> list[dict[str, Any]]:
    """The entries of an occupancy, oldest first, each with the running balance."""
    rows = (
        await LedgerEntry.select()
        .where(LedgerEntry.occupancy == occupancy_id)
        .order_by(LedgerEntry.entry_date)
        .order_by(LedgerEntry.id)
    )
    running = 0
    for r in rows:
        running += compute_balance([(r["kind"], r["amount_cents"])])
        r["balance"] = running
    return rows
