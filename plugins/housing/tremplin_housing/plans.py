"""Repayment plans (*plans d'apurement*) of a rent debt, and whether they are kept.

A plan spreads a debt into monthly instalments paid on top of the current rent
(:func:`~tremplin_housing.calc.plan_instalments`). Whether each instalment is kept
is computed from the rent account, never typed
(:func:`~tremplin_housing.calc.plan_progress`): by each due date the household's
balance must have gone down, since the plan started, by at least the instalments due so far.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from tremplin.api import (
    N_,
    Actor,
    FormErrors,
    Households,
    NotFound,
    domain,
    format_date,
    now,
    today,
    transaction,
    validate,
)
from tremplin_housing.calc import (
    MAX_PLAN_INSTALMENTS,
    plan_instalments,
    plan_progress,
)
from tremplin_housing.common import (
    add_event,
    date_or_none,
    money_label,
    not_in_future,
    write_audit,
)
from tremplin_housing.fields import PLAN_FIELDS, PLAN_STATUSES, labels
from tremplin_housing.ledger import DUPLICATE, balances_by_household
from tremplin_housing.tables import (
    LedgerEntry,
    Occupancy,
    PlanInstalment,
    RepaymentPlan,
)

gettext = domain(__name__).gettext

STATUS_LABELS = labels(PLAN_STATUSES)


def _values(raw: dict[str, Any]) -> dict[str, Any]:
    values = validate(PLAN_FIELDS, raw)
    start = date_or_none(values["start_date"])
    first_due = date_or_none(values["first_due_on"])
    assert (
        start is not None and first_due is not None
    )  # required fields: validate() refused them empty
    not_in_future("start_date", start)
    errors: dict[str, str] = {}
    if values["debt"] <= 0:
        errors["debt"] = N_("la dette à apurer doit être supérieure à zéro")
    if values["monthly"] <= 0:
        errors["monthly"] = N_("l'échéance doit être supérieure à zéro")
    elif values["debt"] > 0 and -(-values["debt"] // values["monthly"]) > MAX_PLAN_INSTALMENTS:
        errors["monthly"] = gettext(
            "plus de {count} échéances : augmentez le montant mensuel"
        ).format(count=MAX_PLAN_INSTALMENTS)
    if first_due < start:
        errors["first_due_on"] = N_("la première échéance précède la signature du plan")
    if errors:
        raise FormErrors(errors)
    return {**values, "start_date": start, "first_due_on": first_due}


async def create_plan(actor: Actor, household_id: int, raw: dict[str, Any]) -> int:
    """Record a plan and its instalments. A double submission of the same plan returns the
    first one; a second plan while one is under way is refused."""
    values = _values(raw)
    try:
        return await _create(actor, household_id, values)
    except DUPLICATE:
        existing = await _same(household_id, values)
        if existing is None:
            raise
        return existing


async def _same(household_id: int, values: dict[str, Any]) -> int | None:
    row = (
        await RepaymentPlan.select(RepaymentPlan.id, RepaymentPlan.debt_cents)
        .where(
            (RepaymentPlan.household == household_id)
            & (RepaymentPlan.start_date == values["start_date"])
        )
        .first()
    )
    if row is None:
        return None
    if row["debt_cents"] != values["debt"]:
        raise FormErrors({"start_date": "un autre plan d'apurement commence déjà ce jour-là"})
    return row["id"]


async def _create(actor: Actor, household_id: int, values: dict[str, Any]) -> int:
    start = values["start_date"]
    async with transaction():
        if not await Households.exists().where(Households.id == household_id):
            raise NotFound(household_id)
        existing = await _same(household_id, values)
        if existing is not None:
            return existing
        for plan in await plans_of(household_id, today()):
            if plan["status"] == "ongoing":
                raise FormErrors(
                    {
                        "_plan": gettext(
                            "Un plan d'apurement est déjà en cours (signé le {date}) : il doit "
                            "être respecté ou rompu avant d'en signer un autre."
                        ).format(date=format_date(plan["start_date"]))
                    }
                )
        owed = (await balances_by_household(start, [household_id])).get(household_id, 0)
        if values["debt"] > owed:
            raise FormErrors(
                {
                    "debt": gettext(
                        "la dette indiquée dépasse le solde du ménage au {date} ({amount})"
                    ).format(date=format_date(start), amount=money_label(max(owed, 0)))
                }
            )
        latest = (
            await Occupancy.select(Occupancy.id, Occupancy.programme)
            .where(Occupancy.household == household_id)
            .order_by(Occupancy.start_date, ascending=False)
            .first()
        )
        row = await RepaymentPlan.insert(
            RepaymentPlan(
                household=household_id,
                occupancy=latest["id"] if latest else None,
                start_date=start,
                debt_cents=values["debt"],
                note=values["note"] or "",
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(RepaymentPlan.id)
        plan_id = row[0]["id"]
        instalments = plan_instalments(values["debt"], values["monthly"], values["first_due_on"])
        for due_on, amount in instalments:
            await PlanInstalment.insert(
                PlanInstalment(plan=plan_id, due_on=due_on, amount_cents=amount)
            )
        await add_event(
            actor,
            household_id,
            "housing_arrears_step",
            "Plan d'apurement signé",
            f"{money_label(values['debt'])} en {len(instalments)} échéance(s) "
            f"de {money_label(values['monthly'])}",
            start,
            latest["programme"] if latest else "",
            {"plan": plan_id},
        )
        await write_audit(actor, "repayment_plan", "household", household_id, ["repayment_plan"])
    return plan_id


async def plans_for(
    household_ids: list[int], on: dt.date | None = None, start_by: dt.date | None = None
) -> list[dict[str, Any]]:
    """Plans of these households (signed on or before ``start_by``), oldest first, each
    with its instalments marked kept (``True``/``False``/``None`` not yet due) at ``on``
    and its status — in three queries."""
    on = on or today()
    query = RepaymentPlan.select().where(RepaymentPlan.household.is_in(household_ids or [0]))
    if start_by is not None:
        query = query.where(RepaymentPlan.start_date <= start_by)
    plans = await query.order_by(RepaymentPlan.start_date).order_by(RepaymentPlan.id)
    if not plans:
        return []
    instalments: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for i in (
        await PlanInstalment.select()
        .where(PlanInstalment.plan.is_in([p["id"] for p in plans]))
        .order_by(PlanInstalment.due_on)
    ):
        instalments[i["plan"]].append(i)
    entries: dict[int, list[tuple[dt.date, str, int]]] = defaultdict(list)
    for e in await LedgerEntry.select(
        LedgerEntry.household, LedgerEntry.entry_date, LedgerEntry.kind, LedgerEntry.amount_cents
    ).where(
        LedgerEntry.household.is_in(sorted({p["household"] for p in plans}))
        & (LedgerEntry.entry_date <= on)
    ):
        entries[e["household"]].append((e["entry_date"], e["kind"], e["amount_cents"]))
    for plan in plans:
        rows = instalments[plan["id"]]
        kept, status = plan_progress(
            plan["start_date"],
            [(i["due_on"], i["amount_cents"]) for i in rows],
            entries[plan["household"]],
            on,
        )
        for row, flag in zip(rows, kept, strict=True):
            row["kept"] = flag
        plan["instalments"] = rows
        plan["status"] = status
        plan["status_label"] = STATUS_LABELS[status]
        plan["kept_count"] = sum(1 for k in kept if k is True)
    return plans


async def plans_of(household_id: int, on: dt.date | None = None) -> list[dict[str, Any]]:
    return await plans_for([household_id], on)
