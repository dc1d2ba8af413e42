"""Adapted rental management (*GLA*): the follow-up of every tenant of the agency's stock,
as timeline events of the kinds the plugin declares, and the monthly arrears commission."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import (
    N_,
    Actor,
    Choice,
    Field,
    FormErrors,
    Households,
    normalise,
    now,
    transaction,
    validate,
)
from tremplin_rental_agency import housing_link
from tremplin_rental_agency.common import add_event, date_of, not_in_future, require, write_audit
from tremplin_rental_agency.tables import ArrearsCase, ArrearsCause, ArrearsCommission
from tremplin_rental_agency.vocab import DEFAULT_CAUSES, GLA_KINDS, GLA_LABELS, OUTCOMES

GLA_FIELDS = (
    Field("kind", N_("Nature"), kind="choice", required=True, choices=GLA_KINDS),
    Field("on_date", N_("Date"), kind="date", required=True),
    Field("note", N_("Observations"), kind="textarea"),
)
COMMISSION_FIELDS = (Field("held_on", N_("Date de la commission"), kind="date", required=True),)
CAUSE_FIELDS = (Field("label", N_("Nouvelle cause d'impayé"), required=True, max_length=200),)


async def causes() -> tuple[Choice, ...]:
    """The default causes, then those the administrator added."""
    extra = await ArrearsCause.select(ArrearsCause.key, ArrearsCause.label).order_by(
        ArrearsCause.id
    )
    return DEFAULT_CAUSES + tuple(Choice(r["key"], r["label"]) for r in extra)


async def add_cause(actor: Actor, raw: dict[str, Any]) -> str:
    values = validate(CAUSE_FIELDS, raw)
    label = values["label"].strip()
    key = "x_" + "_".join(normalise(label).split())[:36]
    async with transaction():
        known = await causes()
        if any(c.value == key or normalise(c.label) == normalise(label) for c in known):
            raise FormErrors({"label": "Cette cause existe déjà."})
        row = await ArrearsCause.insert(
            ArrearsCause(key=key, label=label, created_at=now())
        ).returning(ArrearsCause.id)
        await write_audit(actor, "create", "rental_agency_arrears_cause", row[0]["id"], ("label",))
    return key


async def record_gla(actor: Actor, household_id: int, raw: dict[str, Any]) -> None:
    """A GLA action for a tenant of the stock (an occupancy on that day, any programme)."""
    values = validate(GLA_FIELDS, raw)
    day = date_of(values["on_date"])
    assert day is not None  # a required field: validate() refused it empty
    not_in_future("on_date", day)
    async with transaction():
        require(
            await Households.select(Households.id).where(Households.id == household_id).first(),
            household_id,
        )
        tenants = {o.household_id for o in await housing_link.tenants_between(day, day)}
        if household_id not in tenants:
            raise FormErrors(
                {"household": "Ce ménage n'est pas locataire du parc de l'agence à cette date."}
            )
        await add_event(
            actor,
            household_id,
            values["kind"],
            GLA_LABELS[values["kind"]],
            day,
            values["note"] or "",
        )
        await write_audit(actor, "create", "rental_agency_gla", household_id, values.keys())


async def open_commission(actor: Actor, raw: dict[str, Any]) -> int:
    """Hold an arrears commission: every tenant on that day whose balance is over the
    threshold (the housing plugin's, 30 € by default) becomes a situation to decide on."""
    values = validate(COMMISSION_FIELDS, raw)
    day = date_of(values["held_on"])
    assert day is not None  # a required field: validate() refused it empty
    not_in_future("held_on", day)
    async with transaction():
        threshold = await housing_link.arrears_threshold()
        tenants = sorted({o.household_id for o in await housing_link.tenants_on(day)})
        balances = await housing_link.balances(tenants, day)
        row = await ArrearsCommission.insert(
            ArrearsCommission(
                held_on=day, threshold_cents=threshold, created_by=actor.user_id, created_at=now()
            )
        ).returning(ArrearsCommission.id)
        commission_id = row[0]["id"]
        # The cause and outcome of the household's last situation carry over.
        last: dict[int, dict[str, Any]] = {}
        for c in (
            await ArrearsCase.select(ArrearsCase.household, ArrearsCase.cause, ArrearsCase.outcome)
            .where(ArrearsCase.household.is_in(tenants or [0]))
            .order_by(ArrearsCase.id)
        ):
            last[c["household"]] = c
        cases = [
            ArrearsCase(
                commission=commission_id,
                household=h,
                balance_cents=balances[h],
                cause=last.get(h, {}).get("cause", ""),
                outcome="pending",
                updated_by=actor.user_id,
                updated_at=now(),
            )
            for h in tenants
            if balances.get(h, 0) > threshold
        ]
        if cases:
            await ArrearsCase.insert(*cases)
        await write_audit(actor, "create", "rental_agency_arrears_commission", commission_id)
    return commission_id


async def case_fields() -> tuple[Field, ...]:
    return (
        Field("cause", N_("Cause de l'impayé"), kind="choice", choices=await causes()),
        Field("decision", N_("Décision de la commission"), kind="textarea"),
        Field(
            "outcome", N_("Issue de la situation"), kind="choice", required=True, choices=OUTCOMES
        ),
    )


async def record_case(actor: Actor, case_id: int, raw: dict[str, Any], version: int) -> None:
    values = validate(await case_fields(), raw)
    async with transaction():
        done = (
            await ArrearsCase.update(
                {
                    ArrearsCase.cause: values["cause"] or "",
                    ArrearsCase.decision: values["decision"] or "",
                    ArrearsCase.outcome: values["outcome"],
                    ArrearsCase.version: ArrearsCase.version + 1,
                    ArrearsCase.updated_by: actor.user_id,
                    ArrearsCase.updated_at: now(),
                }
            )
            .where((ArrearsCase.id == case_id) & (ArrearsCase.version == version))
            .returning(ArrearsCase.household)
        )
        if not done:
            require(
                await ArrearsCase.select(ArrearsCase.id).where(ArrearsCase.id == case_id).first(),
                case_id,
            )
            raise FormErrors(
                {"_version": "Cette situation a été modifiée entre-temps : rechargez la page."}
            )
        await write_audit(actor, "update", "rental_agency_arrears_case", case_id, values.keys())


async def commission_cases(commission_id: int) -> list[dict[str, Any]]:
    return (
        await ArrearsCase.select(
            *ArrearsCase.all_columns(),
            ArrearsCase.household.name.as_alias("household_name"),
            ArrearsCase.household.reference.as_alias("household_reference"),
        )
        .where(ArrearsCase.commission == commission_id)
        .order_by(ArrearsCase.id)
    )


def day_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
