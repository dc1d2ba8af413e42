"""Maintenance (*entretien*): interventions requested in a dwelling, who is liable, who does
them and what they cost; on the occupant household's timeline; counted in the report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from tremplin.api import (
    N_,
    Actor,
    FormErrors,
    IndicatorRow,
    IndicatorTable,
    now,
    rows_from_counts,
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
    INTERVENTION_FIELDS,
    INTERVENTION_STATUSES,
    INTERVENTION_UPDATE_FIELDS,
    LIABLE_PARTIES,
    PROVIDERS,
    labels,
)
from tremplin_housing.tables import Dwelling, Intervention, Occupancy

EVENT_KIND = "intervention"
LIABLE_LABELS = labels(LIABLE_PARTIES)
PROVIDER_LABELS = labels(PROVIDERS)
STATUS_LABELS = labels(INTERVENTION_STATUSES)


def _values(raw: dict[str, Any]) -> dict[str, Any]:
    """Parse and cross-check the form; every problem at once, in French."""
    values = validate(INTERVENTION_FIELDS, raw)
    errors: dict[str, str] = {}
    requested = date_or_none(values["requested_on"])
    done = date_or_none(values["done_on"])
    for name, day in (("requested_on", requested), ("done_on", done)):
        try:
            not_in_future(name, day)
        except FormErrors as exc:
            errors.update(exc.errors)
    if values["status"] == "done" and done is None:
        errors["done_on"] = N_("indiquez la date de réalisation")
    if done is not None and values["status"] != "done":
        errors["status"] = N_("une intervention datée de sa réalisation est « Réalisée »")
    if done is not None and requested is not None and done < requested:
        errors["done_on"] = N_("la réalisation précède la demande")
    if errors:
        raise FormErrors(errors)
    values.update(requested_on=requested, done_on=done, cost_cents=cents(values.pop("cost")))
    return values


async def add_intervention(actor: Actor, dwelling_id: int, raw: dict[str, Any]) -> int:
    """Record an intervention; when a household occupied the dwelling on the day it was
    requested, it appears on that household's timeline."""
    values = _values(raw)
    async with transaction():
        dwelling = require(
            await Dwelling.select(Dwelling.id, Dwelling.reference)
            .where(Dwelling.id == dwelling_id)
            .first(),
            dwelling_id,
        )
        day = values["requested_on"]
        occupant = (
            await Occupancy.select(Occupancy.household, Occupancy.programme)
            .where(
                (Occupancy.dwelling == dwelling_id)
                & (Occupancy.start_date <= day)
                & (Occupancy.end_date.is_null() | (Occupancy.end_date >= day))
            )
            .first()
        )
        row = await Intervention.insert(
            Intervention(
                dwelling=dwelling_id,
                household=occupant["household"] if occupant else None,
                requested_on=day,
                description=values["description"],
                liable=values["liable"],
                cost_cents=values["cost_cents"],
                done_by=values["done_by"],
                done_on=values["done_on"],
                status=values["status"],
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(Intervention.id)
        intervention_id = row[0]["id"]
        if occupant:
            await add_event(
                actor,
                occupant["household"],
                EVENT_KIND,
                f"Intervention dans le logement {dwelling['reference']}",
                values["description"],
                day,
                occupant["programme"],
                {
                    "intervention": intervention_id,
                    "liable": values["liable"],
                    "done_by": values["done_by"],
                },
            )
        await write_audit(
            actor, "add_intervention", "housing_dwelling", dwelling_id, ["intervention"]
        )
    return intervention_id


async def update_intervention(actor: Actor, intervention_id: int, raw: dict[str, Any]) -> int:
    """Follow-up of an intervention: its state, cost and the day it was done. Returns the
    dwelling id. Marked done, it appears on the occupant household's timeline."""
    values = validate(INTERVENTION_UPDATE_FIELDS, raw)
    done = date_or_none(values["done_on"])
    not_in_future("done_on", done)
    async with transaction():
        row = require(
            await Intervention.select().where(Intervention.id == intervention_id).first(),
            intervention_id,
        )
        errors: dict[str, str] = {}
        if values["status"] == "done" and done is None:
            errors["done_on"] = N_("indiquez la date de réalisation")
        if done is not None and values["status"] != "done":
            errors["status"] = N_("une intervention datée de sa réalisation est « Réalisée »")
        if done is not None and done < row["requested_on"]:
            errors["done_on"] = N_("la réalisation précède la demande")
        if errors:
            raise FormErrors(errors)
        await versioned_update(
            Intervention,
            intervention_id,
            expected_version(raw, row),
            {
                Intervention.status: values["status"],
                Intervention.done_on: done,
                Intervention.cost_cents: cents(values["cost"]),
            },
        )
        if row["household"] is not None and values["status"] != row["status"]:
            await add_event(
                actor,
                row["household"],
                EVENT_KIND,
                f"Intervention {STATUS_LABELS[values['status']].lower()}",
                row["description"],
                done or today(),
                "",
                {"intervention": intervention_id},
            )
        await write_audit(
            actor, "update_intervention", "housing_dwelling", row["dwelling"], ["intervention"]
        )
    return row["dwelling"]


async def interventions_of(dwelling_id: int) -> list[dict[str, Any]]:
    rows = (
        await Intervention.select()
        .where(Intervention.dwelling == dwelling_id)
        .order_by(Intervention.requested_on, ascending=False)
        .order_by(Intervention.id, ascending=False)
    )
    for r in rows:
        r["liable_label"] = LIABLE_LABELS.get(r["liable"], r["liable"])
        r["done_by_label"] = PROVIDER_LABELS.get(r["done_by"], r["done_by"])
        r["status_label"] = STATUS_LABELS.get(r["status"], r["status"])
    return rows


async def intervention_tables(
    dwelling_ids: list[int], start: dt.date, end: dt.date
) -> list[IndicatorTable]:
    """Interventions carried out in the period (``done_on`` inside it), by provider: how
    many, and their cost in euros."""
    rows = await Intervention.select(Intervention.done_by, Intervention.cost_cents).where(
        Intervention.dwelling.is_in(dwelling_ids or [0])
        & (Intervention.status == "done")
        & (Intervention.done_on >= start)
        & (Intervention.done_on <= end)
    )
    counts = Counter(r["done_by"] for r in rows)
    costs: Counter = Counter()
    for r in rows:
        costs[r["done_by"]] += r["cost_cents"]
    cost_rows = tuple(
        IndicatorRow(c.label, round(costs[c.value] / 100, 2), key=c.value) for c in PROVIDERS
    )
    return [
        IndicatorTable(
            "housing_interventions",
            N_("Interventions par type de prestataire"),
            rows_from_counts(counts, PROVIDERS, len(rows)),
            total=len(rows),
            unit="interventions",
            note=N_("Interventions réalisées dans la période."),
        ),
        IndicatorTable(
            "housing_interventions_cost",
            N_("Coût des interventions par type de prestataire"),
            cost_rows,
            total=round(sum(costs.values()) / 100, 2),
            unit="euros",
        ),
    ]
