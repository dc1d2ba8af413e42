"""Damages and insurance claims (*sinistres*) of a dwelling: what happened, the insurer, the
claim reference, the amounts claimed and received, the state of the claim. A claim on a
dwelling occupied that day appears on the occupant household's timeline."""

from __future__ import annotations

from typing import Any

from tremplin.api import (
    N_,
    Actor,
    FormErrors,
    now,
    today,
    transaction,
    validate,
    versioned_update,
)
from tremplin_housing.common import (
    add_event,
    cents,
    date_or_none,
    expected_version,
    not_in_future,
    require,
    write_audit,
)
from tremplin_housing.fields import (
    CLAIM_FIELDS,
    CLAIM_KINDS,
    CLAIM_STATUSES,
    CLAIM_UPDATE_FIELDS,
    labels,
)
from tremplin_housing.tables import Claim, Dwelling, Occupancy

EVENT_KIND = "housing_claim"
KIND_LABELS = labels(CLAIM_KINDS)
STATUS_LABELS = labels(CLAIM_STATUSES)


def _amounts(values: dict[str, Any]) -> dict[str, Any]:
    claimed, received = cents(values.pop("claimed")), cents(values.pop("received"))
    errors = {}
    if values["status"] == "compensated" and received <= 0:
        errors["received"] = N_("un sinistre indemnisé a une indemnité reçue")
    if values["status"] in ("declared", "expertise", "refused") and received > 0:
        errors["status"] = N_("une indemnité reçue : le sinistre est « Indemnisé » ou « Clos »")
    if errors:
        raise FormErrors(errors)
    return {**values, "claimed_cents": claimed, "received_cents": received}


async def add_claim(actor: Actor, dwelling_id: int, raw: dict[str, Any]) -> int:
    values = _amounts(validate(CLAIM_FIELDS, raw))
    day = date_or_none(values["occurred_on"])
    assert day is not None  # a required field: validate() refused it empty
    not_in_future("occurred_on", day)
    async with transaction():
        dwelling = require(
            await Dwelling.select(Dwelling.id, Dwelling.reference)
            .where(Dwelling.id == dwelling_id)
            .first(),
            dwelling_id,
        )
        same = (
            await Claim.select(Claim.id)
            .where(
                (Claim.dwelling == dwelling_id)
                & (Claim.occurred_on == day)
                & (Claim.kind == values["kind"])
                & (Claim.description == values["description"])
            )
            .first()
        )
        if same is not None:  # the same form submitted twice
            return same["id"]
        occupant = (
            await Occupancy.select(Occupancy.household, Occupancy.programme)
            .where(
                (Occupancy.dwelling == dwelling_id)
                & (Occupancy.start_date <= day)
                & (Occupancy.end_date.is_null() | (Occupancy.end_date >= day))
            )
            .first()
        )
        row = await Claim.insert(
            Claim(
                dwelling=dwelling_id,
                household=occupant["household"] if occupant else None,
                occurred_on=day,
                kind=values["kind"],
                description=values["description"],
                insurer=values["insurer"] or "",
                claim_reference=values["claim_reference"] or "",
                claimed_cents=values["claimed_cents"],
                received_cents=values["received_cents"],
                status=values["status"],
                created_by=actor.user_id,
                created_at=now(),
                updated_at=now(),
            )
        ).returning(Claim.id)
        claim_id = row[0]["id"]
        if occupant:
            await add_event(
                actor,
                occupant["household"],
                EVENT_KIND,
                f"Sinistre dans le logement {dwelling['reference']} : "
                f"{KIND_LABELS[values['kind']].lower()}",
                values["description"],
                day,
                occupant["programme"],
                {"claim": claim_id},
            )
        await write_audit(actor, "add_claim", "housing_dwelling", dwelling_id, ["claim"])
    return claim_id


async def get_claim(claim_id: int) -> dict[str, Any]:
    return require(await Claim.select().where(Claim.id == claim_id).first(), claim_id)


async def update_claim(actor: Actor, claim_id: int, raw: dict[str, Any]) -> int:
    """Follow-up of a claim: its state, reference and amounts. Returns the dwelling id."""
    values = _amounts(validate(CLAIM_UPDATE_FIELDS, raw))
    async with transaction():
        claim = await get_claim(claim_id)
        await versioned_update(
            Claim,
            claim_id,
            expected_version(raw, claim),
            {
                Claim.status: values["status"],
                Claim.claim_reference: values["claim_reference"] or "",
                Claim.claimed_cents: values["claimed_cents"],
                Claim.received_cents: values["received_cents"],
            },
        )
        if claim["household"] is not None and values["status"] != claim["status"]:
            await add_event(
                actor,
                claim["household"],
                EVENT_KIND,
                f"Sinistre du {claim['occurred_on']:%d/%m/%Y} : "
                f"{STATUS_LABELS[values['status']].lower()}",
                "",
                today(),
                "",
                {"claim": claim_id},
            )
        await write_audit(actor, "update_claim", "housing_dwelling", claim["dwelling"], ["claim"])
    return claim["dwelling"]


async def claims_of(dwelling_id: int) -> list[dict[str, Any]]:
    rows = (
        await Claim.select()
        .where(Claim.dwelling == dwelling_id)
        .order_by(Claim.occurred_on, ascending=False)
        .order_by(Claim.id, ascending=False)
    )
    for r in rows:
        r["kind_label"] = KIND_LABELS.get(r["kind"], r["kind"])
        r["status_label"] = STATUS_LABELS.get(r["status"], r["status"])
    return rows
