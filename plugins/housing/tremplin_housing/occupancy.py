"""Occupancies: entry, rent revisions, exit, transfer, inventories, insurance, deposit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import (
    N_,
    Actor,
    FormErrors,
    domain,
    format_date,
    now,
    today,
    transaction,
    validate,
)
from tremplin_housing.calc import add_months, first_of_month, overlaps
from tremplin_housing.common import (
    add_event,
    cents,
    date_or_none,
    find_household,
    not_in_future,
    require,
    write_audit,
)
from tremplin_housing.fields import (
    DEPOSIT_PAID_FIELDS,
    EXIT_FIELDS,
    EXIT_REASONS,
    INSURANCE_FIELDS,
    INVENTORY_FIELDS,
    INVENTORY_KINDS,
    REVISION_FIELDS,
    TRANSFER_FIELDS,
    labels,
    occupancy_fields,
)
from tremplin_housing.ledger import sync_called_month, terms_history
from tremplin_housing.tables import (
    DepositInstalment,
    Dwelling,
    Inventory,
    LedgerEntry,
    Occupancy,
    RentTerms,
)

gettext = domain(__name__).gettext


def _terms(values: dict[str, Any]) -> dict[str, Any]:
    rent, charges, benefit = (
        cents(values["rent"]),
        cents(values["charges"]),
        cents(values["benefit"]),
    )
    if benefit > rent + charges:
        raise FormErrors({"benefit": gettext("l'aide au logement dépasse le loyer et les charges")})
    return {"rent_cents": rent, "charges_cents": charges, "benefit_cents": benefit}


def occupancy_period(start: dt.date, end: dt.date | None) -> str:
    if end is None:
        return gettext("du {start} à ce jour").format(start=format_date(start))
    return gettext("du {start} au {end}").format(start=format_date(start), end=format_date(end))


async def lock_dwelling(dwelling_id: int) -> dict[str, Any]:
    """Touch the dwelling row first: on PostgreSQL a concurrent occupancy of the same
    dwelling waits here, then sees ours when it checks for overlaps."""
    await Dwelling.update({Dwelling.updated_at: now()}).where(Dwelling.id == dwelling_id)
    return require(await Dwelling.select().where(Dwelling.id == dwelling_id).first(), dwelling_id)


async def _open(
    actor: Actor,
    dwelling_id: int,
    household_id: int,
    start: dt.date,
    terms: dict[str, Any],
    extra: dict[str, Any],
) -> int:
    """Insert an occupancy after checking neither the dwelling nor the household is taken."""
    dwelling = await lock_dwelling(dwelling_id)
    if dwelling["status"] == "returned":
        raise FormErrors({"_occupancy": gettext("Ce logement a été rendu au propriétaire.")})
    if dwelling["status"] == "prospect":
        raise FormErrors(
            {
                "_occupancy": gettext(
                    "Ce logement n'est pas encore capté (propriétaire seulement contacté) : enregistrez d'abord la captation et le bail avec le propriétaire."
                )
            }
        )
    taken = await Occupancy.select().where(Occupancy.dwelling == dwelling_id)
    for o in taken:
        if overlaps(start, None, o["start_date"], o["end_date"]):
            raise FormErrors(
                {
                    "start_date": gettext(
                        "Ce logement est déjà occupé par un autre ménage {period} : enregistrez d'abord sa sortie."
                    ).format(period=occupancy_period(o["start_date"], o["end_date"]))
                }
            )
    mine = await Occupancy.select(Occupancy.start_date, Occupancy.end_date).where(
        Occupancy.household == household_id
    )
    for o in mine:
        if overlaps(start, None, o["start_date"], o["end_date"]):
            raise FormErrors(
                {
                    "household": gettext(
                        "Ce ménage occupe déjà un logement à cette date : enregistrez sa sortie ou un transfert."
                    )
                }
            )
    current = now()
    row = await Occupancy.insert(
        Occupancy(
            dwelling=dwelling_id,
            household=household_id,
            start_date=start,
            created_by=actor.user_id,
            created_at=current,
            updated_at=current,
            **extra,
        )
    ).returning(Occupancy.id)
    occupancy_id = row[0]["id"]
    await RentTerms.insert(
        RentTerms(
            occupancy=occupancy_id,
            effective_from=start,
            reason="entry",
            created_by=actor.user_id,
            created_at=current,
            **terms,
        )
    )
    if start <= today():
        await Dwelling.update({Dwelling.status: "occupied"}).where(Dwelling.id == dwelling_id)
    # One fact, one record: the entry ends the dwelling's open vacancy (the day before), as
    # the workflow's entry does (journey.occupy).
    from tremplin_housing.journey import close_vacancy

    await close_vacancy(dwelling_id, start)
    return occupancy_id


#: Why the dwelling page does not record an entry for a programme that houses people
#: through its workflow (one fact, one record).
THROUGH_WORKFLOW = N_(
    "Dans ce programme, l'entrée dans un logement s'enregistre sur la mesure du ménage "
    "(« Entrée dans le logement ») : l'occupation, le loyer et la vacance suivent."
)


async def create_occupancy(
    actor: Actor,
    dwelling_id: int,
    raw: dict[str, Any],
    programmes: dict[str, str],
    through_workflow: frozenset[str] | set[str] = frozenset(),
) -> int:
    """A household enters a dwelling: occupancy, its first rent terms, the deposit plan.

    Only for an occupancy outside a programme whose workflow houses people: for those
    (``through_workflow``), the programme's entry transition opens it, and this refuses.
    """
    values = validate(occupancy_fields(programmes), raw)
    if values["programme"] and values["programme"] in through_workflow:
        raise FormErrors({"programme": gettext(THROUGH_WORKFLOW)})
    terms = _terms(values)
    start = date_or_none(values["start_date"])
    assert start is not None  # a required field: validate() refused it empty
    deposit = cents(values["deposit"])
    async with transaction():
        household = await find_household(values["household"])
        occupancy_id = await _open(
            actor,
            dwelling_id,
            household["id"],
            start,
            terms,
            {
                "kind": values["kind"],
                "programme": values["programme"] or "",
                "deposit_cents": deposit,
                "insurance_expires_on": date_or_none(values["insurance_expires_on"]),
            },
        )
        # The seeds: half of the deposit at signature, the rest the following month.
        first_part = deposit - deposit // 2
        for due, amount in ((start, first_part), (add_months(start, 1), deposit // 2)):
            if amount > 0:
                await DepositInstalment.insert(
                    DepositInstalment(occupancy=occupancy_id, due_on=due, amount_cents=amount)
                )
        dwelling = (
            await Dwelling.select(Dwelling.reference).where(Dwelling.id == dwelling_id).first()
        )
        assert dwelling is not None  # the occupancy's dwelling, checked above
        reference = dwelling["reference"]
        await add_event(
            actor,
            household["id"],
            "housing_occupancy",
            f"Entrée dans le logement {reference}",
            "",
            min(start, today()),
            values["programme"] or "",
            {"occupancy": occupancy_id},
        )
        await write_audit(actor, "create", "housing_occupancy", occupancy_id, values.keys())
    return occupancy_id


async def get_occupancy(occupancy_id: int) -> dict[str, Any]:
    return require(
        await Occupancy.select().where(Occupancy.id == occupancy_id).first(), occupancy_id
    )


async def add_revision(actor: Actor, occupancy_id: int, raw: dict[str, Any]) -> None:
    """New rent terms from a date, on the same occupancy; months already called from that
    date on are re-priced so the account always matches the terms in force."""
    values = validate(REVISION_FIELDS, raw)
    terms = _terms(values)
    effective = date_or_none(values["effective_from"])
    assert effective is not None  # a required field: validate() refused it empty
    async with transaction():
        occupancy = await get_occupancy(occupancy_id)
        if effective < occupancy["start_date"]:
            raise FormErrors(
                {
                    "effective_from": gettext(
                        "la révision ne peut pas précéder l'entrée dans le logement ({date})"
                    ).format(date=format_date(occupancy["start_date"]))
                }
            )
        if occupancy["end_date"] and effective > occupancy["end_date"]:
            raise FormErrors({"effective_from": gettext("l'occupation est terminée à cette date")})
        if await RentTerms.exists().where(
            (RentTerms.occupancy == occupancy_id) & (RentTerms.effective_from == effective)
        ):
            raise FormErrors(
                {"effective_from": gettext("une révision prend déjà effet à cette date")}
            )
        await RentTerms.insert(
            RentTerms(
                occupancy=occupancy_id,
                effective_from=effective,
                reason=values["reason"],
                created_by=actor.user_id,
                created_at=now(),
                **terms,
            )
        )
        await reprice_from(actor, occupancy, first_of_month(effective))
        await write_audit(actor, "revise_rent", "housing_occupancy", occupancy_id, ["terms"])


async def reprice_from(actor: Actor, occupancy: dict[str, Any], month: dt.date) -> None:
    called = await LedgerEntry.select(LedgerEntry.month).where(
        (LedgerEntry.occupancy == occupancy["id"])
        & (LedgerEntry.kind == "call")
        & (LedgerEntry.month >= month)
    )
    history = (await terms_history([occupancy["id"]]))[occupancy["id"]]
    for row in called:
        await sync_called_month(occupancy, row["month"], history, actor)


async def close_row(actor: Actor, occupancy: dict[str, Any], end: dt.date, reason: str) -> None:
    if end < occupancy["start_date"]:
        raise FormErrors(
            {
                "end_date": gettext("la date de sortie précède la date d'entrée ({date})").format(
                    date=format_date(occupancy["start_date"])
                )
            }
        )
    if occupancy["end_date"] is not None:
        raise FormErrors({"_occupancy": gettext("La sortie de ce logement est déjà enregistrée.")})
    closed = {**occupancy, "end_date": end}
    await Occupancy.update(
        {
            Occupancy.end_date: end,
            Occupancy.exit_reason: reason,
            Occupancy.version: occupancy["version"] + 1,
            Occupancy.updated_at: now(),
        }
    ).where(Occupancy.id == occupancy["id"])
    # Months called beyond the exit are re-priced (the exit month prorated, later ones gone).
    await reprice_from(actor, closed, first_of_month(end))
    others = await Occupancy.exists().where(
        (Occupancy.dwelling == occupancy["dwelling"])
        & (Occupancy.id != occupancy["id"])
        & (Occupancy.start_date <= today())
        & Occupancy.end_date.is_null()
    )
    if not others:
        await Dwelling.update({Dwelling.status: "available"}).where(
            (Dwelling.id == occupancy["dwelling"]) & (Dwelling.status == "occupied")
        )


async def close_occupancy(actor: Actor, occupancy_id: int, raw: dict[str, Any]) -> None:
    """The household leaves the dwelling (``end_date`` is its last day there): as the
    workflow's exit does, the dwelling is vacant from the next day."""
    from tremplin_housing.journey import open_vacancy

    values = validate(EXIT_FIELDS, raw)
    end = date_or_none(values["end_date"])
    assert end is not None  # a required field: validate() refused it empty
    async with transaction():
        occupancy = await get_occupancy(occupancy_id)
        await lock_dwelling(occupancy["dwelling"])
        await close_row(actor, occupancy, end, values["exit_reason"])
        await open_vacancy(occupancy["dwelling"], end)
        await add_event(
            actor,
            occupancy["household"],
            "housing_occupancy",
            "Sortie du logement",
            labels(EXIT_REASONS)[values["exit_reason"]],
            min(end, today()),
            occupancy["programme"],
            {"occupancy": occupancy_id},
        )
        await write_audit(actor, "exit", "housing_occupancy", occupancy_id, values.keys())


async def _dwelling_by_text(text: str) -> int:
    text = text.strip().upper()
    where = Dwelling.id == int(text) if text.isdigit() else Dwelling.reference == text
    row = await Dwelling.select(Dwelling.id).where(where).first()
    if row is None:
        raise FormErrors(
            {"dwelling": gettext("aucun logement ne porte ce numéro ou cette référence")}
        )
    return row["id"]


#: Why the occupancy page does not move a resident of a programme that houses in its own
#: units (the unit must follow the occupancy).
THROUGH_UNITS = N_(
    "Dans ce programme, le changement de logement s'enregistre sur la mesure du résident "
    "(« Changement de logement ») : le logement de la maison ou de la résidence, "
    "l'occupation et la vacance suivent."
)


async def transfer(
    actor: Actor,
    occupancy_id: int,
    raw: dict[str, Any],
    confidential: bool = False,
    by_unit: frozenset[str] | set[str] = frozenset(),
) -> int:
    """Move the household to another dwelling with the rent terms typed: this occupancy
    ends the day before, a new one starts (``transferred_from`` links them; both rent
    accounts are kept). The same implementation as the workflow's « Changement de logement »
    (:func:`tremplin_housing.journey.transfer_occupancy`): the dwelling left is vacant from
    the transfer date, the new one's vacancy ends, the new occupancy stays the enrolment's
    and a dwelling of a programme whose contacts are confidential (``confidential``) gets a
    confidential address. Refused for a programme in ``by_unit`` (its residents move
    between its units through the workflow: :data:`THROUGH_UNITS`)."""
    from tremplin_housing.journey import transfer_occupancy

    values = validate(TRANSFER_FIELDS, raw)
    terms = _terms(values)
    day = date_or_none(values["transfer_date"])
    assert day is not None  # a required field: validate() refused it empty
    async with transaction():
        occupancy = await get_occupancy(occupancy_id)
        if occupancy["programme"] and occupancy["programme"] in by_unit:
            raise FormErrors({"dwelling": gettext(THROUGH_UNITS)})
        target = await _dwelling_by_text(values["dwelling"])
        return await transfer_occupancy(
            actor,
            occupancy,
            target,
            day,
            terms,
            confidential=confidential,
            field="dwelling",
            date_field="transfer_date",
        )


async def add_inventory(actor: Actor, occupancy_id: int, raw: dict[str, Any]) -> int:
    values = validate(INVENTORY_FIELDS, raw)
    day = date_or_none(values["done_on"])
    assert day is not None  # a required field: validate() refused it empty
    fund = cents(values["fund"]) or 0
    errors = {}
    if fund and values["kind"] != "exit":
        errors["fund"] = N_("le fonds mutualisé n'intervient qu'à un état des lieux de sortie")
    try:
        not_in_future("done_on", day)
    except FormErrors as exc:
        errors.update(exc.errors)
    if errors:
        raise FormErrors(errors)
    async with transaction():
        occupancy = await get_occupancy(occupancy_id)
        row = await Inventory.insert(
            Inventory(
                occupancy=occupancy_id,
                kind=values["kind"],
                done_on=day,
                notes=values["notes"] or "",
                fund_cents=fund,
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(Inventory.id)
        await add_event(
            actor,
            occupancy["household"],
            "housing_inventory",
            labels(INVENTORY_KINDS)[values["kind"]],
            values["notes"] or "",
            day,
            occupancy["programme"],
            {"occupancy": occupancy_id},
        )
        await write_audit(actor, "inventory", "housing_occupancy", occupancy_id, ["inventory"])
    return row[0]["id"]


async def set_insurance(actor: Actor, occupancy_id: int, raw: dict[str, Any]) -> None:
    values = validate(INSURANCE_FIELDS, raw)
    async with transaction():
        await get_occupancy(occupancy_id)
        await Occupancy.update(
            {
                Occupancy.insurance_expires_on: date_or_none(values["insurance_expires_on"]),
                Occupancy.updated_at: now(),
            }
        ).where(Occupancy.id == occupancy_id)
        await write_audit(actor, "insurance", "housing_occupancy", occupancy_id, ["insurance"])


async def mark_deposit_paid(actor: Actor, instalment_id: int, raw: dict[str, Any]) -> int:
    """Record that a deposit instalment was paid; returns its occupancy id."""
    values = validate(DEPOSIT_PAID_FIELDS, raw)
    day = date_or_none(values["paid_on"])
    not_in_future("paid_on", day)
    async with transaction():
        row = require(
            await DepositInstalment.select().where(DepositInstalment.id == instalment_id).first(),
            instalment_id,
        )
        await DepositInstalment.update({DepositInstalment.paid_on: day}).where(
            DepositInstalment.id == instalment_id
        )
        await write_audit(actor, "deposit_paid", "housing_occupancy", row["occupancy"], ["deposit"])
    return row["occupancy"]
