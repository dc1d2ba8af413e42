"""The pooled works fund (*fonds mutualisé pour travaux*, ASL 2024 report): besides the works
at a tenant's departure (the exit inventory's contribution, in the ``housing`` plugin), its
grants to the energy improvement of a dwelling (4 000 € at most per dwelling, all grants
together), to accompanied self-renovation sites and to other improvements."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from tremplin.api import (
    N_,
    Actor,
    Choice,
    Field,
    FormErrors,
    domain,
    format_money,
    now,
    transaction,
    validate,
)
from tremplin_rental_agency import housing_link
from tremplin_rental_agency.common import date_of, not_in_future, write_audit
from tremplin_rental_agency.tables import FundGrant
from tremplin_rental_agency.vocab import ENERGY_CAP_CENTS, FUND_FIELDS

gettext = domain(__name__).gettext

GRANT_FIELDS = (
    Field("dwelling", N_("Logement"), kind="choice", required=True),
    Field("field", N_("Champ d'intervention"), kind="choice", required=True, choices=FUND_FIELDS),
    Field("granted_on", N_("Accordé le"), kind="date", required=True),
    Field("amount", N_("Montant accordé par le fonds"), kind="money", required=True),
    Field("works", N_("Travaux"), max_length=300, help=N_("Par exemple : isolation des combles.")),
)


async def grant_fields() -> tuple[Field, ...]:
    """The form, its dwellings being those of the stock (managed: neither a prospect nor
    given back to its owner)."""
    dwellings = tuple(
        Choice(str(d.id), f"{d.reference} — {d.typology} {d.city}".strip())
        for d in sorted(await housing_link.stock(), key=lambda d: d.reference)
        if d.status not in ("prospect", "returned")
    )
    return (dataclasses.replace(GRANT_FIELDS[0], choices=dwellings), *GRANT_FIELDS[1:])


#: First key of the PostgreSQL advisory lock that serialises the energy grants of a dwelling.
_LOCK_CLASS = 0x52414631  # "RAF1"


async def _energy_given(dwelling_id: int) -> int:
    """What the fund already granted to the energy works of a dwelling. On PostgreSQL a
    concurrent grant to the same dwelling waits here until this transaction ends, so two
    grants cannot both pass the cap (SQLite's write transactions already run one at a
    time)."""
    if isinstance(FundGrant._meta.db, PostgresEngine):
        await FundGrant.raw("SELECT pg_advisory_xact_lock({}, {})", _LOCK_CLASS, dwelling_id)
    rows = await FundGrant.select(FundGrant.amount_cents).where(
        (FundGrant.dwelling_id == dwelling_id) & (FundGrant.field == "energy")
    )
    return sum(r["amount_cents"] for r in rows)


async def record_grant(actor: Actor, raw: dict[str, Any]) -> int:
    """A grant of the fund; refused (every error at once, nothing written) for a dwelling out
    of the stock, a date in the future, an amount of zero, or energy works beyond the cap."""
    errors: dict[str, str] = {}
    try:
        values = validate(await grant_fields(), raw)
    except FormErrors as exc:
        errors.update(exc.errors)
        values = {}
    try:
        day = date_of(raw.get("granted_on"))
        not_in_future("granted_on", day)
    except ValueError:
        pass  # the field's own error
    except FormErrors as exc:
        errors.update(exc.errors)
    amount = values.get("amount") or 0
    if values and amount <= 0:
        errors["amount"] = N_("Le montant doit être supérieur à zéro.")
    if not values:
        raise FormErrors(errors)
    dwelling_id = int(values["dwelling"])
    async with transaction():
        if values["field"] == "energy" and amount > 0:
            given = await _energy_given(dwelling_id)
            if given + amount > ENERGY_CAP_CENTS:
                errors["amount"] = gettext(
                    "Le fonds finance les travaux énergétiques d'un logement à hauteur de "
                    "{cap} au plus ; déjà accordé pour ce logement : {given}."
                ).format(cap=format_money(ENERGY_CAP_CENTS), given=format_money(given))
        if errors:
            raise FormErrors(errors)
        row = await FundGrant.insert(
            FundGrant(
                dwelling_id=dwelling_id,
                field=values["field"],
                granted_on=day,
                amount_cents=amount,
                works=values["works"] or "",
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(FundGrant.id)
        await write_audit(actor, "create", "rental_agency_fund_grant", row[0]["id"], values.keys())
    return row[0]["id"]


async def grants_between(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The grants of the period (inclusive), latest first."""
    return (
        await FundGrant.select()
        .where((FundGrant.granted_on >= start) & (FundGrant.granted_on <= end))
        .order_by(FundGrant.granted_on, ascending=False)
        .order_by(FundGrant.id, ascending=False)
    )
