"""Housing demands: intake, desk appointments, status moves (one transaction each,
version-checked, audited, with a timeline event in the household's file)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import N_, Actor, Field, FormErrors, Households, now, today, transaction, validate
from tremplin_rental_agency.common import (
    add_event,
    date_of,
    not_in_future,
    require,
    write_audit,
)
from tremplin_rental_agency.tables import Demand, DeskAppointment
from tremplin_rental_agency.vocab import (
    HOUSING_PROBLEMS,
    MANUAL_MOVES,
    SITUATIONS,
    STATUS_LABELS,
    STATUSES,
    TYPOLOGIES,
)

#: The demand's own data: the composition and members are read from the household.
DEMAND_FIELDS = (
    Field("registered_on", N_("Date d'enregistrement"), kind="date", required=True),
    Field("unique_number", N_("Numéro unique départemental"), max_length=30),
    Field("situation", N_("Situation vis-à-vis du logement"), kind="choice", choices=SITUATIONS),
    Field(
        "problems",
        N_("Principales problématiques de logement"),
        kind="multichoice",
        choices=HOUSING_PROBLEMS,
    ),
    Field("monthly_resources", N_("Ressources mensuelles du ménage"), kind="money"),
    Field("wanted_typology", N_("Typologie souhaitée"), kind="choice", choices=TYPOLOGIES),
    Field("wanted_sector", N_("Secteur souhaité"), max_length=100),
    Field("max_rent", N_("Loyer maximum (charges comprises)"), kind="money"),
)

APPOINTMENT_FIELDS = (
    Field("on_date", N_("Date de la permanence"), kind="date", required=True),
    Field("attended", N_("Ménage reçu"), kind="bool"),
)

CANCEL_FIELDS = (
    Field(
        "status",
        N_("Nouveau statut"),
        kind="choice",
        required=True,
        choices=tuple(c for c in STATUSES if c.value in ("received", "admissible"))
        + tuple(c for c in STATUSES if c.value.startswith("cancelled")),
    ),
    Field("on_date", N_("Date"), kind="date", required=True),
    Field("note", N_("Précision"), max_length=200),
)


def _row_values(values: dict[str, Any]) -> dict[Any, Any]:
    return {
        Demand.unique_number: (values["unique_number"] or "").strip(),
        Demand.situation: values["situation"] or "",
        Demand.problems: ",".join(values["problems"] or []),
        Demand.monthly_resources_cents: values["monthly_resources"] or 0,
        Demand.wanted_typology: values["wanted_typology"] or "",
        Demand.wanted_sector: (values["wanted_sector"] or "").strip(),
        Demand.max_rent_cents: values["max_rent"] or 0,
    }


async def _check_household(household_id: int) -> dict[str, Any]:
    row = (
        await Households.select(Households.id, Households.anonymised_at)
        .where(Households.id == household_id)
        .first()
    )
    if row is None:
        raise FormErrors({"household": "aucun ménage ne porte ce numéro"})
    if row["anonymised_at"] is not None:
        raise FormErrors({"household": "ce ménage est anonymisé"})
    return row


async def _open_demand(household_id: int) -> dict[str, Any] | None:
    """The household's demand still in progress (not closed), if any."""
    closed = ("refused", "cancelled_elsewhere", "cancelled_other", "housed")
    return (
        await Demand.select(Demand.id, Demand.status)
        .where((Demand.household == household_id) & Demand.status.not_in(list(closed)))
        .first()
    )


async def create_demand(
    actor: Actor, household_id: int, raw: dict[str, Any], external_id: str | None = None
) -> int:
    """Register a housing demand for a household already on file (status *registered*).

    A household has one demand in progress at a time: a second is refused.
    """
    values = validate(DEMAND_FIELDS, raw)
    registered = date_of(values["registered_on"])
    assert registered is not None  # a required field: validate() refused it empty
    not_in_future("registered_on", registered, "La date d'enregistrement")
    async with transaction():
        await _check_household(household_id)
        if await _open_demand(household_id):
            raise FormErrors({"household": "ce ménage a déjà une demande en cours"})
        current = now()
        row = await Demand.insert(
            Demand(
                household=household_id,
                registered_on=registered,
                status="registered",
                status_on=registered,
                external_id=external_id,
                created_by=actor.user_id,
                created_at=current,
                updated_at=current,
            )
        ).returning(Demand.id)
        demand_id = row[0]["id"]
        await Demand.update(_row_values(values)).where(Demand.id == demand_id)
        await add_event(
            actor,
            household_id,
            "rental_agency_demand",
            "Demande de logement enregistrée",
            registered,
        )
        await write_audit(actor, "create", "rental_agency_demand", demand_id, values.keys())
    return demand_id


async def get_demand(demand_id: int) -> dict[str, Any]:
    row = (
        await Demand.select(
            *Demand.all_columns(),
            Demand.household.name.as_alias("household_name"),
            Demand.household.reference.as_alias("household_reference"),
            Demand.household.composition.as_alias("composition"),
        )
        .where(Demand.id == demand_id)
        .first()
    )
    return require(row, demand_id)


async def update_demand(actor: Actor, demand_id: int, raw: dict[str, Any], version: int) -> None:
    """Correct a demand's data; a second writer with an old version gets a conflict."""
    values = validate(DEMAND_FIELDS, raw)
    registered = date_of(values["registered_on"])
    assert registered is not None  # a required field: validate() refused it empty
    not_in_future("registered_on", registered, "La date d'enregistrement")
    async with transaction():
        changes = _row_values(values)
        changes.update(
            {
                Demand.registered_on: registered,
                Demand.version: Demand.version + 1,
                Demand.updated_at: now(),
            }
        )
        done = (
            await Demand.update(changes)
            .where((Demand.id == demand_id) & (Demand.version == version))
            .returning(Demand.id)
        )
        if not done:
            require(await Demand.select(Demand.id).where(Demand.id == demand_id).first(), demand_id)
            raise FormErrors(
                {"_version": "Cette demande a été modifiée entre-temps : rechargez la page."}
            )
        await write_audit(actor, "update", "rental_agency_demand", demand_id, values.keys())


async def set_status(
    actor: Actor, demand_id: int, status: str, day: dt.date, note: str = ""
) -> None:
    """Move a demand to ``status`` by hand (received, admissible, cancelled…): only the moves
    of ``MANUAL_MOVES`` are allowed; decisions, allocations and leases have their commands."""
    not_in_future("on_date", day)
    async with transaction():
        demand = require(
            await Demand.select(Demand.id, Demand.status, Demand.household, Demand.registered_on)
            .where(Demand.id == demand_id)
            .first(),
            demand_id,
        )
        if status not in MANUAL_MOVES.get(demand["status"], ()):
            raise FormErrors(
                {
                    "status": f"Une demande « {STATUS_LABELS[demand['status']].lower()} » ne "
                    f"peut pas passer à « {STATUS_LABELS.get(status, status).lower()} »."
                }
            )
        if day < demand["registered_on"]:
            raise FormErrors({"on_date": "La date précède l'enregistrement de la demande."})
        await Demand.update(
            {
                Demand.status: status,
                Demand.status_on: day,
                Demand.cancel_note: note[:200] if status.startswith("cancelled") else "",
                Demand.version: Demand.version + 1,
                Demand.updated_at: now(),
            }
        ).where(Demand.id == demand_id)
        await add_event(
            actor,
            demand["household"],
            "rental_agency_demand",
            f"Demande de logement : {STATUS_LABELS[status].lower()}",
            day,
        )
        await write_audit(actor, "status", "rental_agency_demand", demand_id, ("status",))


async def change_status(actor: Actor, demand_id: int, raw: dict[str, Any]) -> None:
    values = validate(CANCEL_FIELDS, raw)
    day = date_of(values["on_date"])
    assert day is not None  # a required field: validate() refused it empty
    await set_status(actor, demand_id, values["status"], day, values["note"] or "")


async def add_appointment(actor: Actor, demand_id: int, raw: dict[str, Any]) -> int:
    """A desk appointment; the first one attended moves a registered demand to *received*."""
    values = validate(APPOINTMENT_FIELDS, raw)
    day = date_of(values["on_date"])
    assert day is not None  # a required field: validate() refused it empty
    async with transaction():
        demand = require(
            await Demand.select(Demand.id, Demand.status, Demand.household)
            .where(Demand.id == demand_id)
            .first(),
            demand_id,
        )
        row = await DeskAppointment.insert(
            DeskAppointment(
                demand=demand_id,
                household=demand["household"],
                on_date=day,
                attended=values["attended"],
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(DeskAppointment.id)
        if values["attended"] and day <= today():
            await add_event(
                actor, demand["household"], "rental_agency_desk", "Reçu en permanence", day
            )
            if demand["status"] == "registered":
                await Demand.update(
                    {
                        Demand.status: "received",
                        Demand.status_on: day,
                        Demand.version: Demand.version + 1,
                        Demand.updated_at: now(),
                    }
                ).where(Demand.id == demand_id)
        await write_audit(actor, "create", "rental_agency_appointment", row[0]["id"], values.keys())
    return row[0]["id"]
