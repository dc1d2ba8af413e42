"""Arrears (*impayés*): the procedure steps and the monthly review list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import Actor, Households, NotFound, now, today, transaction, validate
from tremplin_housing.common import (
    add_event,
    date_or_none,
    not_in_future,
    write_audit,
)
from tremplin_housing.fields import ARREARS_STEP_FIELDS, ARREARS_STEPS, labels
from tremplin_housing.ledger import balances_by_household
from tremplin_housing.settings import arrears_threshold
from tremplin_housing.tables import ArrearsStep, LedgerEntry, Occupancy

STEP_LABELS = labels(ARREARS_STEPS)


async def record_step(actor: Actor, household_id: int, raw: dict[str, Any]) -> int:
    """A dated step of the procedure (first reminder … eviction), on the household's
    timeline; tied to its latest occupancy."""
    values = validate(ARREARS_STEP_FIELDS, raw)
    day = date_or_none(values["done_on"])
    assert day is not None  # a required field: validate() refused it empty
    not_in_future("done_on", day)
    async with transaction():
        if not await Households.exists().where(Households.id == household_id):
            raise NotFound(household_id)
        latest = (
            await Occupancy.select(Occupancy.id, Occupancy.programme)
            .where(Occupancy.household == household_id)
            .order_by(Occupancy.start_date, ascending=False)
            .first()
        )
        row = await ArrearsStep.insert(
            ArrearsStep(
                household=household_id,
                occupancy=latest["id"] if latest else None,
                step=values["step"],
                done_on=day,
                note=values["note"] or "",
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(ArrearsStep.id)
        await add_event(
            actor,
            household_id,
            "housing_arrears_step",
            f"Impayés : {STEP_LABELS[values['step']]}",
            values["note"] or "",
            day,
            latest["programme"] if latest else "",
            {"step": values["step"]},
        )
        await write_audit(actor, "arrears_step", "household", household_id, ["arrears"])
    return row[0]["id"]


async def steps_of(household_id: int) -> list[dict[str, Any]]:
    rows = (
        await ArrearsStep.select()
        .where(ArrearsStep.household == household_id)
        .order_by(ArrearsStep.done_on)
        .order_by(ArrearsStep.id)
    )
    for r in rows:
        r["label"] = STEP_LABELS.get(r["step"], r["step"])
    return rows


async def review_list(
    on: dt.date | None = None, threshold: int | None = None, scope: Any = None
) -> list[dict[str, Any]]:
    """Households whose balance at ``on`` exceeds ``threshold`` (the association's setting
    by default), the largest debt first, with their last payment and last procedure step
    (the monthly arrears committee). ``scope``: a where-clause on ``Household.id`` keeping
    the households the user may see (:func:`tremplin.api.household_filter`)."""
    on = on or today()
    if threshold is None:
        threshold = await arrears_threshold()
    balances = {h: b for h, b in (await balances_by_household(on)).items() if b > threshold}
    ids = list(balances)
    if not ids:
        return []
    query = Households.select(Households.id, Households.name, Households.reference).where(
        Households.id.is_in(ids)
    )
    if scope is not None:
        query = query.where(scope)
    households = {r["id"]: r for r in await query}
    ids = [h for h in ids if h in households]
    if not ids:
        return []
    last_payment: dict[int, dt.date] = {}
    for r in (
        await LedgerEntry.select(LedgerEntry.household, LedgerEntry.entry_date)
        .where(
            LedgerEntry.household.is_in(ids)
            & (LedgerEntry.kind == "payment")
            & (LedgerEntry.entry_date <= on)
        )
        .order_by(LedgerEntry.entry_date)
    ):
        last_payment[r["household"]] = r["entry_date"]
    last_step: dict[int, dict[str, Any]] = {}
    for r in (
        await ArrearsStep.select(
            ArrearsStep.id, ArrearsStep.household, ArrearsStep.step, ArrearsStep.done_on
        )
        .where(ArrearsStep.household.is_in(ids) & (ArrearsStep.done_on <= on))
        .order_by(ArrearsStep.done_on)
        .order_by(ArrearsStep.id)
    ):
        last_step[r["household"]] = {**r, "label": STEP_LABELS.get(r["step"], r["step"])}
    rows = [
        {
            "household_id": h,
            "name": households[h]["name"],
            "reference": households[h]["reference"],
            "balance_cents": balances[h],
            "last_payment": last_payment.get(h),
            "last_step": last_step.get(h),
        }
        for h in ids
        if h in households
    ]
    return sorted(rows, key=lambda r: (-r["balance_cents"], r["reference"]))
