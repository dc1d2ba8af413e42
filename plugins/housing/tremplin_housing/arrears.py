"""Arrears (*impayés*): the procedure steps and the monthly review list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import Actor, Households, NotFound, now, today, transaction, validate
from tremplin_housing.balances import NEVER_PAID, in_force
from tremplin_housing.common import (
    add_event,
    date_or_none,
    not_in_future,
    write_audit,
)
from tremplin_housing.fields import ARREARS_STEP_FIELDS, ARREARS_STEPS, labels
from tremplin_housing.list_sorts import arrears_cursor, arrears_order
from tremplin_housing.settings import arrears_threshold
from tremplin_housing.tables import ArrearsStep, BalanceSpan, Occupancy

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


def _review_query(on: dt.date, threshold: int, scope: Any, *columns: Any) -> Any:
    """The spans in force at ``on`` above ``threshold``, within ``scope`` (a where-clause
    on ``BalanceSpan.household``)."""
    query = BalanceSpan.select(*columns).where(
        in_force(on) & (BalanceSpan.balance_cents > threshold)
    )
    return query.where(scope) if scope is not None else query


async def review_count(on: dt.date, threshold: int | None = None, scope: Any = None) -> int:
    """How many households the review at ``on`` lists."""
    if threshold is None:
        threshold = await arrears_threshold()
    return await BalanceSpan.count().where(
        in_force(on)
        & (BalanceSpan.balance_cents > threshold)
        & (scope if scope is not None else BalanceSpan.household > 0)
    )


async def review_page(
    on: dt.date | None = None,
    threshold: int | None = None,
    scope: Any = None,
    sort: str = "solde",
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the monthly arrears review (the arrears committee): the households whose
    balance at ``on`` exceeds ``threshold`` (the association's setting by default), in the
    order of ``sort`` (:data:`~tremplin_housing.list_sorts.ARREARS_SORTS`), after
    ``cursor``, at most ``limit`` rows (all without), each with its last payment and last
    procedure step; and the cursor of the next page (``None`` after the last).

    Sorted and paged in SQL on the balance timeline's indexes (``housing_0016``).
    ``scope``: a where-clause on ``BalanceSpan.household`` keeping the households the user
    may see (:func:`tremplin.api.household_filter`) and the list's filters."""
    on = on or today()
    if threshold is None:
        threshold = await arrears_threshold()
    query = _review_query(
        on,
        threshold,
        scope,
        BalanceSpan.household.as_alias("household_id"),
        BalanceSpan.household.name.as_alias("name"),
        BalanceSpan.household.reference.as_alias("reference"),
        BalanceSpan.balance_cents,
        BalanceSpan.last_payment,
    )
    query = arrears_order(query, sort, cursor)
    if limit is not None:
        query = query.limit(limit + 1)
    rows = await query
    next_cursor = None
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        next_cursor = arrears_cursor(rows[-1], sort)
    for r in rows:
        if r["last_payment"] == NEVER_PAID:
            r["last_payment"] = None
    ids = [r["household_id"] for r in rows]
    last_step: dict[int, dict[str, Any]] = {}
    if ids:
        for r in (
            await ArrearsStep.select(
                ArrearsStep.id, ArrearsStep.household, ArrearsStep.step, ArrearsStep.done_on
            )
            .where(ArrearsStep.household.is_in(ids) & (ArrearsStep.done_on <= on))
            .order_by(ArrearsStep.done_on)
            .order_by(ArrearsStep.id)
        ):
            last_step[r["household"]] = {**r, "label": STEP_LABELS.get(r["step"], r["step"])}
    for r in rows:
        r["last_step"] = last_step.get(r["household_id"])
    return rows, next_cursor


async def review_list(
    on: dt.date | None = None, threshold: int | None = None, scope: Any = None
) -> list[dict[str, Any]]:
    """The whole review at ``on`` (:func:`review_page` without a limit), the largest debt
    first."""
    return (await review_page(on, threshold, scope))[0]
