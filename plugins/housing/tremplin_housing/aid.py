"""Applications for help with a rent debt: FSL, a VISALE guarantee claim, another fund.

Each application has a date, the amount requested, an outcome (pending, granted, refused)
and the amount granted. A granted aid paid to the association is recorded once as an
``aid`` credit of the rent account (``form_id`` ``aid-<id>``, unique), so it lowers the
balance exactly like a payment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import N_, Actor, FormErrors, Households, NotFound, now, transaction, validate
from tremplin_housing.balances import refresh_balances
from tremplin_housing.common import (
    add_event,
    date_or_none,
    money_label,
    not_in_future,
    require,
    write_audit,
)
from tremplin_housing.fields import (
    AID_DECISION_FIELDS,
    AID_FIELDS,
    AID_KINDS,
    AID_OUTCOMES,
    AID_PAID_FIELDS,
    labels,
)
from tremplin_housing.ledger import DUPLICATE
from tremplin_housing.tables import AidApplication, LedgerEntry, Occupancy

KIND_LABELS = labels(AID_KINDS)
OUTCOME_LABELS = labels(AID_OUTCOMES)
#: Short names for the ledger and the timeline.
SHORT = {"fsl": N_("FSL"), "visale": N_("VISALE"), "fund": N_("Fonds d'aide"), "other": N_("Aide")}


async def add_application(actor: Actor, household_id: int, raw: dict[str, Any]) -> int:
    """A new application (pending). The same application submitted twice is kept once."""
    values = validate(AID_FIELDS, raw)
    day = date_or_none(values["applied_on"])
    assert day is not None  # a required field: validate() refused it empty
    not_in_future("applied_on", day)
    if values["requested"] <= 0:
        raise FormErrors({"requested": "le montant demandé doit être supérieur à zéro"})
    try:
        return await _add(actor, household_id, values, day)
    except DUPLICATE:  # the same form, committed first by a concurrent request
        same = await _same(household_id, values, day)
        if same is None:
            raise
        return same


async def _same(household_id: int, values: dict[str, Any], day: dt.date) -> int | None:
    row = (
        await AidApplication.select(AidApplication.id)
        .where(
            (AidApplication.household == household_id)
            & (AidApplication.kind == values["kind"])
            & (AidApplication.applied_on == day)
            & (AidApplication.requested_cents == values["requested"])
        )
        .first()
    )
    return row["id"] if row else None


async def _add(actor: Actor, household_id: int, values: dict[str, Any], day: dt.date) -> int:
    async with transaction():
        if not await Households.exists().where(Households.id == household_id):
            raise NotFound(household_id)
        same = await _same(household_id, values, day)
        if same is not None:
            return same
        latest = (
            await Occupancy.select(Occupancy.id, Occupancy.programme)
            .where(Occupancy.household == household_id)
            .order_by(Occupancy.start_date, ascending=False)
            .first()
        )
        row = await AidApplication.insert(
            AidApplication(
                household=household_id,
                occupancy=latest["id"] if latest else None,
                kind=values["kind"],
                applied_on=day,
                requested_cents=values["requested"],
                note=values["note"] or "",
                created_by=actor.user_id,
                created_at=now(),
                updated_at=now(),
            )
        ).returning(AidApplication.id)
        aid_id = row[0]["id"]
        await add_event(
            actor,
            household_id,
            "housing_arrears_step",
            f"Demande d'aide : {SHORT[values['kind']]}",
            f"{money_label(values['requested'])} demandés",
            day,
            latest["programme"] if latest else "",
            {"aid": aid_id},
        )
        await write_audit(actor, "aid_application", "household", household_id, ["aid"])
    return aid_id


async def get_application(aid_id: int) -> dict[str, Any]:
    return require(await AidApplication.select().where(AidApplication.id == aid_id).first(), aid_id)


async def decide(actor: Actor, aid_id: int, raw: dict[str, Any]) -> None:
    """The outcome: granted (with its amount and date), refused (with its date) or back to
    pending. An aid already paid into the account cannot change any more."""
    values = validate(AID_DECISION_FIELDS, raw)
    decided = date_or_none(values["decided_on"])
    not_in_future("decided_on", decided)
    granted = values["granted"] or 0
    errors: dict[str, str] = {}
    if values["outcome"] != "pending" and decided is None:
        errors["decided_on"] = N_("indiquez la date de la décision")
    if values["outcome"] == "granted" and granted <= 0:
        errors["granted"] = N_("indiquez le montant accordé")
    if values["outcome"] != "granted" and granted:
        errors["granted"] = N_("un montant accordé suppose une aide accordée")
    if errors:
        raise FormErrors(errors)
    async with transaction():
        aid = await get_application(aid_id)
        if aid["ledger_entry"] is not None:
            raise FormErrors(
                {
                    "_aid": "Cette aide a déjà été versée au compte : sa décision "
                    "ne peut plus être modifiée."
                }
            )
        if decided is not None and decided < aid["applied_on"]:
            raise FormErrors(
                {"decided_on": f"la décision précède la demande ({aid['applied_on']:%d/%m/%Y})"}
            )
        await AidApplication.update(
            {
                AidApplication.outcome: values["outcome"],
                AidApplication.decided_on: decided,
                AidApplication.granted_cents: granted,
                AidApplication.updated_at: now(),
            }
        ).where(AidApplication.id == aid_id)
        if values["outcome"] != aid["outcome"] and values["outcome"] != "pending":
            assert decided is not None  # a decision's date is checked above
            body = (
                f"{money_label(granted)} accordés" if values["outcome"] == "granted" else "refusée"
            )
            await add_event(
                actor,
                aid["household"],
                "housing_arrears_step",
                f"Décision d'aide : {SHORT[aid['kind']]}",
                body,
                decided,
                "",
                {"aid": aid_id},
            )
        await write_audit(actor, "aid_decision", "household", aid["household"], ["aid"])


async def record_paid(actor: Actor, aid_id: int, raw: dict[str, Any]) -> int:
    """A granted aid paid to the association: one ``aid`` credit in the rent account of the
    application's occupancy (even closed: the aid pays a debt). Twice → the same entry."""
    values = validate(AID_PAID_FIELDS, raw)
    day = date_or_none(values["paid_on"])
    assert day is not None  # a required field: validate() refused it empty
    not_in_future("paid_on", day)
    form_id = f"aid-{aid_id}"
    try:
        return await _paid(actor, aid_id, day, form_id)
    except DUPLICATE:
        row = await LedgerEntry.select(LedgerEntry.id).where(LedgerEntry.form_id == form_id).first()
        if row is None:
            raise
        return row["id"]


async def _paid(actor: Actor, aid_id: int, day: dt.date, form_id: str) -> int:
    async with transaction():
        aid = await get_application(aid_id)
        if aid["ledger_entry"] is not None:
            return aid["ledger_entry"]
        if aid["outcome"] != "granted":
            raise FormErrors({"_aid": "Seule une aide accordée peut être versée au compte."})
        if aid["occupancy"] is None:
            raise FormErrors({"_aid": "Ce ménage n'a pas de compte locataire."})
        if day < aid["decided_on"]:
            raise FormErrors(
                {"paid_on": f"le versement précède la décision ({aid['decided_on']:%d/%m/%Y})"}
            )
        occupancy = (
            await Occupancy.select(Occupancy.programme)
            .where(Occupancy.id == aid["occupancy"])
            .first()
        )
        assert occupancy is not None  # the aid's occupancy (foreign key)
        row = await LedgerEntry.insert(
            LedgerEntry(
                occupancy=aid["occupancy"],
                household=aid["household"],
                kind="aid",
                entry_date=day,
                amount_cents=aid["granted_cents"],
                means="other",
                form_id=form_id,
                note=SHORT[aid["kind"]],
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(LedgerEntry.id)
        entry_id = row[0]["id"]
        await refresh_balances([aid["household"]])
        await AidApplication.update(
            {AidApplication.ledger_entry: entry_id, AidApplication.updated_at: now()}
        ).where(AidApplication.id == aid_id)
        await add_event(
            actor,
            aid["household"],
            "housing_payment",
            f"Aide versée au compte : {SHORT[aid['kind']]}",
            money_label(aid["granted_cents"]),
            day,
            occupancy["programme"],
            {"aid": aid_id, "entry": entry_id},
        )
        await write_audit(actor, "aid_paid", "housing_occupancy", aid["occupancy"], ["ledger"])
    return entry_id


async def applications_of(household_id: int) -> list[dict[str, Any]]:
    rows = (
        await AidApplication.select()
        .where(AidApplication.household == household_id)
        .order_by(AidApplication.applied_on)
        .order_by(AidApplication.id)
    )
    for r in rows:
        r["kind_label"] = KIND_LABELS.get(r["kind"], r["kind"])
        r["outcome_label"] = OUTCOME_LABELS.get(r["outcome"], r["outcome"])
    return rows
