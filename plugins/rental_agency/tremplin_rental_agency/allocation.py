"""Allocation (*attribution*): accepted demands ranked for a dwelling that becomes free, the
allocation recorded, and the lease signature that opens the housing occupancy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import N_, Actor, Field, FormErrors, normalise, now, transaction, validate
from tremplin_rental_agency import housing_link
from tremplin_rental_agency.common import add_event, date_of, not_in_future, require, write_audit
from tremplin_rental_agency.tables import Allocation, Demand, Presentation

#: Rent and charges above this share of the resources are flagged (taux d'effort).
EFFORT_LIMIT_PERCENT = 35

LEASE_FIELDS = (
    Field("signed_on", N_("Date de signature du bail (entrée)"), kind="date", required=True),
    Field("rent", N_("Loyer mensuel"), kind="money", required=True),
    Field("charges", N_("Charges mensuelles"), kind="money"),
    Field("benefit", N_("Aide au logement versée directement (APL/AL)"), kind="money"),
    Field("deposit", N_("Dépôt de garantie"), kind="money"),
)
ALLOCATION_FIELDS = (
    Field("allocated_on", N_("Date de l'attribution"), kind="date", required=True),
)


async def free_dwellings(on: dt.date) -> list[housing_link.StockFact]:
    """Captured dwellings with no occupant on ``on`` and no allocation awaiting a lease."""
    occupied = await housing_link.occupied_on(on)
    pending = {
        r["dwelling_id"]
        for r in await Allocation.select(Allocation.dwelling_id).where(
            Allocation.status == "allocated"
        )
    }
    return [
        d
        for d in await housing_link.stock()
        if d.status == "available" and d.id not in occupied and d.id not in pending
    ]


def _sector_matches(wanted: str, dwelling: housing_link.StockFact) -> bool:
    if not wanted.strip():
        return True
    key = normalise(wanted)
    return key in normalise(dwelling.city) or dwelling.postcode.startswith(wanted.strip())


async def ranked_for(dwelling_id: int, on: dt.date) -> list[dict[str, Any]]:
    """Accepted demands matching the dwelling (typology, sector, rent against the maximum
    the household set), best score first, then the oldest decision, then the oldest demand.
    Each comes with its score, effort rate and whether it is within the effort limit."""
    dwelling = next((d for d in await housing_link.stock() if d.id == dwelling_id), None)
    if dwelling is None:
        raise FormErrors({"dwelling": "aucun logement ne porte ce numéro"})
    pending = {
        r["demand"]
        for r in await Allocation.select(Allocation.demand).where(Allocation.status == "allocated")
    }
    demands = await Demand.select(
        *Demand.all_columns(),
        Demand.household.name.as_alias("household_name"),
        Demand.household.reference.as_alias("household_reference"),
    ).where(Demand.status == "accepted")
    scores: dict[int, tuple[int, dt.date]] = {}
    for p in await Presentation.select(
        Presentation.demand, Presentation.score, Presentation.decided_on
    ).where(
        (Presentation.decision == "accepted")
        & Presentation.demand.is_in([d["id"] for d in demands] or [0])
    ):
        # The latest acceptance is the one that counts.
        if p["demand"] not in scores or p["decided_on"] > scores[p["demand"]][1]:
            scores[p["demand"]] = (p["score"] or 0, p["decided_on"])
    cost = dwelling.rent_cents + dwelling.charges_cents
    out = []
    for d in demands:
        if d["id"] in pending:
            continue
        if d["wanted_typology"] and d["wanted_typology"] != dwelling.typology:
            continue
        if not _sector_matches(d["wanted_sector"] or "", dwelling):
            continue
        if d["max_rent_cents"] and cost > d["max_rent_cents"]:
            continue
        resources = d["monthly_resources_cents"] or 0
        effort = round(100 * cost / resources) if resources else None
        score, decided = scores.get(d["id"], (0, d["registered_on"]))
        out.append(
            {
                **d,
                "score": score,
                "decided_on": decided,
                "effort": effort,
                "effort_ok": effort is not None and effort <= EFFORT_LIMIT_PERCENT,
            }
        )
    out.sort(key=lambda r: (-r["score"], r["decided_on"], r["registered_on"], r["id"]))
    return out


async def allocate(actor: Actor, demand_id: int, dwelling_id: int, raw: dict[str, Any]) -> int:
    """Record the allocation of a free dwelling to an accepted demand."""
    values = validate(ALLOCATION_FIELDS, raw)
    day = date_of(values["allocated_on"])
    assert day is not None  # a required field: validate() refused it empty
    not_in_future("allocated_on", day)
    async with transaction():
        demand = require(
            await Demand.select(Demand.id, Demand.status, Demand.household)
            .where(Demand.id == demand_id)
            .first(),
            demand_id,
        )
        errors = {}
        if demand["status"] != "accepted":
            errors["demand"] = N_(
                "Seule une demande acceptée en CEDL peut recevoir une attribution."
            )
        elif await Allocation.exists().where(
            (Allocation.demand == demand_id) & (Allocation.status == "allocated")
        ):
            errors["demand"] = N_("Cette demande a déjà une attribution en attente de bail.")
        if dwelling_id not in {d.id for d in await free_dwellings(day)}:
            errors["dwelling"] = N_("Ce logement n'est pas libre (occupé, attribué ou non capté).")
        if errors:
            raise FormErrors(errors)
        row = await Allocation.insert(
            Allocation(
                demand=demand_id,
                household=demand["household"],
                dwelling_id=dwelling_id,
                allocated_on=day,
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(Allocation.id)
        await add_event(
            actor, demand["household"], "rental_agency_allocation", "Logement attribué", day
        )
        await write_audit(actor, "create", "rental_agency_allocation", row[0]["id"], ("dwelling",))
    return row[0]["id"]


async def sign_lease(actor: Actor, allocation_id: int, raw: dict[str, Any]) -> int:
    """The household signs the lease: the housing occupancy is opened, the demand is housed,
    in one transaction. Returns the occupancy id."""
    values = validate(LEASE_FIELDS, raw)
    day = date_of(values["signed_on"])
    assert day is not None  # a required field: validate() refused it empty
    async with transaction():
        allocation = require(
            await Allocation.select().where(Allocation.id == allocation_id).first(), allocation_id
        )
        if allocation["status"] != "allocated":
            raise FormErrors({"_allocation": "Cette attribution n'attend plus de bail."})
        if day < allocation["allocated_on"]:
            raise FormErrors({"signed_on": "La signature précède l'attribution."})
        occupancy_id = await housing_link.sign_lease(
            actor,
            allocation["dwelling_id"],
            allocation["household"],
            day,
            values["rent"],
            values["charges"] or 0,
            values["benefit"] or 0,
            values["deposit"] or 0,
        )
        done = (
            await Allocation.update(
                {
                    Allocation.status: "signed",
                    Allocation.lease_signed_on: day,
                    Allocation.occupancy_id: occupancy_id,
                }
            )
            .where((Allocation.id == allocation_id) & (Allocation.status == "allocated"))
            .returning(Allocation.id)
        )
        if not done:
            raise FormErrors({"_allocation": "Cette attribution n'attend plus de bail."})
        await Demand.update(
            {
                Demand.status: "housed",
                Demand.status_on: day,
                Demand.housed_on: day,
                Demand.version: Demand.version + 1,
                Demand.updated_at: now(),
            }
        ).where(Demand.id == allocation["demand"])
        await write_audit(actor, "sign", "rental_agency_allocation", allocation_id, values.keys())
    return occupancy_id


async def cancel_allocation(actor: Actor, allocation_id: int) -> None:
    """The household declined or the dwelling fell through: the demand stays accepted."""
    async with transaction():
        done = (
            await Allocation.update({Allocation.status: "cancelled"})
            .where((Allocation.id == allocation_id) & (Allocation.status == "allocated"))
            .returning(Allocation.id, Allocation.household)
        )
        if not done:
            raise FormErrors({"_allocation": "Cette attribution n'attend plus de bail."})
        await write_audit(actor, "cancel", "rental_agency_allocation", allocation_id)
