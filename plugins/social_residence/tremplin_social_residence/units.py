"""Units of the residence, stays and their derogations: the services behind the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import (
    N_,
    Actor,
    Choice,
    ChoiceContext,
    Enrolments,
    Field,
    FormErrors,
    audit,
    domain,
    format_date,
    now,
    resolve_choices,
    transaction,
    validate,
)
from tremplin_housing import api as housing
from tremplin_social_residence.tables import ResidenceUnit
from tremplin_social_residence.workflow import (
    KEY,
    MAX_MONTHS,
    STAY,
    alert_date,
    allowed_until,
    stay_end,
)

gettext = domain(__name__).gettext


async def stock_dwellings(_: ChoiceContext) -> list[Choice]:
    """Dwellings of the housing stock a unit can be tied to: captured and not yet tied to
    another unit of the residence."""
    taken = {
        r["dwelling_id"]
        for r in await ResidenceUnit.select(ResidenceUnit.dwelling_id).where(
            ResidenceUnit.dwelling_id.is_not_null()
        )
    }
    return await housing.dwelling_choices(taken)


UNIT_FIELDS = (
    Field("label", N_("Logement (numéro ou nom)"), required=True, max_length=40),
    Field(
        "typology",
        N_("Typologie"),
        kind="choice",
        required=True,
        choices=(Choice("T1", N_("T1 meublé")), Choice("T1bis", N_("T1 bis meublé"))),
    ),
    Field(
        "dwelling_id",
        N_("Logement du parc (module Logements)"),
        kind="int",
        choices_from=stock_dwellings,
        help=N_("Facultatif : relie le logement à son compte de loyer."),
    ),
)

DEROGATION_FIELDS = (
    Field("decided_on", N_("Date de la décision"), kind="date", required=True),
    Field("until", N_("Séjour prolongé jusqu'au"), kind="date", required=True),
    Field("reason", N_("Motif de la dérogation"), kind="textarea", required=True),
)


async def add_unit(actor: Actor, raw: dict[str, Any]) -> int:
    values = validate(await resolve_choices(UNIT_FIELDS), raw)
    async with transaction():
        if await ResidenceUnit.exists().where(ResidenceUnit.label == values["label"]):
            raise FormErrors({"label": "un logement de la résidence porte déjà ce nom"})
        row = await ResidenceUnit.insert(
            ResidenceUnit(
                label=values["label"],
                typology=values["typology"],
                dwelling_id=values["dwelling_id"],
                created_at=now(),
            )
        ).returning(ResidenceUnit.id)
        await audit(
            "create",
            "social_residence_unit",
            row[0]["id"],
            user_id=actor.user_id,
            fields=values.keys(),
            address=actor.address,
        )
    return row[0]["id"]


async def housed() -> list[dict[str, Any]]:
    """Current residents' enrolments, with the household's name."""
    return (
        await Enrolments.select(
            Enrolments.id,
            Enrolments.household,
            Enrolments.entry_date,
            Enrolments.data,
            Enrolments.household.name.as_alias("name"),
        )
        .where((Enrolments.programme == KEY) & (Enrolments.state == "housed"))
        .output(load_json=True)
    )


async def free_unit_choices(enrolment_id: int | None) -> tuple[Choice, ...]:
    """The units no other resident lives in, "logement label (typology)", by label.

    The stored value stays the unit's id.
    """
    occupied = {
        int((e["data"] or {}).get("unit") or 0) for e in await housed() if e["id"] != enrolment_id
    }
    typologies = {c.value: c.label for c in UNIT_FIELDS[1].choices}
    rows = await ResidenceUnit.select(
        ResidenceUnit.id, ResidenceUnit.label, ResidenceUnit.typology
    ).order_by(ResidenceUnit.label)
    return tuple(
        Choice(
            str(u["id"]),
            gettext("Logement {label} ({typology})").format(
                label=u["label"], typology=gettext(typologies.get(u["typology"], "?"))
            ),
        )
        for u in rows
        if u["id"] not in occupied
    )


async def unit_problem(unit_id: int, enrolment_id: int) -> str | None:
    """Why a resident cannot enter ``unit_id`` (``None``: they can)."""
    if not await ResidenceUnit.exists().where(ResidenceUnit.id == unit_id):
        return "Aucun logement de la résidence ne porte ce numéro."
    for e in await housed():
        if e["id"] != enrolment_id and int((e["data"] or {}).get("unit") or 0) == unit_id:
            return "Ce logement est déjà occupé par un autre résident."
    return None


def stay(entry: dt.date, renewals: list[dict[str, Any]], today: dt.date) -> dict[str, Any]:
    """Where a stay stands on ``today``: key dates and the alert to show, if any
    (``renewals``: its derogations in housing's renewals table, oldest first)."""
    end = stay_end(entry)
    until = allowed_until(entry, renewals)
    if today > until:
        alert = (
            gettext("dépassement de la durée maximale sans dérogation")
            if until == end
            else gettext("dérogation échue le {date}").format(date=format_date(until))
        )
    elif today >= alert_date(entry):
        alert = (
            gettext("20 mois atteints : fin des 24 mois le {date}").format(date=format_date(end))
            if until == end
            else gettext("dérogation jusqu'au {date}").format(date=format_date(until))
        )
    else:
        alert = ""
    return {
        "alert_date": alert_date(entry),
        "end": end,
        "until": until,
        "derogation": until != end,
        "alert": alert,
        "overdue": today > until,
    }


async def units_with_residents(today: dt.date) -> list[dict[str, Any]]:
    units = await ResidenceUnit.select().order_by(ResidenceUnit.label)
    residents = await housed()
    by_unit = {int((e["data"] or {}).get("unit") or 0): e for e in residents}
    renewals = await housing.agreement_renewals([e["id"] for e in residents])
    out = []
    for u in units:
        e = by_unit.get(u["id"])
        out.append(
            {
                **u,
                "resident": e,
                "stay": stay(e["entry_date"], renewals[e["id"]], today)
                if e and e["entry_date"]
                else None,
            }
        )
    return out


async def record_derogation(actor: Actor, enrolment_id: int, raw: dict[str, Any]) -> dt.date:
    """Record a derogation allowing the resident to stay until the given day: a derogation of
    the stay's agreement (:data:`STAY`) in housing's renewals table, on the timeline and
    audited there; refused with every reason at once."""
    values = validate(DEROGATION_FIELDS, raw)
    row = (
        await Enrolments.select(Enrolments.state, Enrolments.entry_date)
        .where((Enrolments.id == enrolment_id) & (Enrolments.programme == KEY))
        .first()
    )
    if row is None:
        raise LookupError(enrolment_id)
    if row["state"] != "housed" or row["entry_date"] is None:
        raise FormErrors(
            {
                "_derogation": "Seul le séjour d'un résident présent peut faire l'objet d'une dérogation."
            }
        )
    entry = row["entry_date"]
    decided_on = dt.date.fromisoformat(values["decided_on"])
    until = dt.date.fromisoformat(values["until"])
    errors = {}
    if decided_on < entry:
        errors["decided_on"] = N_("la décision précède l'entrée dans la résidence")
    allowed = allowed_until(entry, (await housing.agreement_renewals([enrolment_id]))[enrolment_id])
    if until <= stay_end(entry):
        errors["until"] = gettext(
            "une dérogation prolonge le séjour au-delà des {months} mois (après le {date})"
        ).format(months=MAX_MONTHS, date=format_date(stay_end(entry)))
    elif until <= allowed:
        errors["until"] = gettext("une dérogation court déjà jusqu'au {date}").format(
            date=format_date(allowed)
        )
    if errors:
        raise FormErrors(errors)
    try:
        return await housing.renew_agreement(
            enrolment_id,
            KEY,
            STAY,
            decided_on,
            until=until,
            derogation_reason=values["reason"],
            user_id=actor.user_id,
            address=actor.address,
            event_kind="stay_derogation",
        )
    except FormErrors as exc:
        # Housing's names for the same inputs: the form's fields.
        names = {"derogation_reason": "reason", "_renewal": "_derogation"}
        raise FormErrors({names.get(k, k): v for k, v in exc.errors.items()}) from exc


async def derogations_of(enrolment_id: int) -> list[dict[str, Any]]:
    """The stay's derogations, oldest first: ``decided_on``, ``until``, ``reason``."""
    renewals = (await housing.agreement_renewals([enrolment_id]))[enrolment_id]
    return [
        {"decided_on": r["decided_on"], "until": r["until"], "reason": r["derogation_reason"]}
        for r in renewals
    ]


async def unit_label(data: dict[str, Any]) -> str | None:
    unit_id = int((data or {}).get("unit") or 0)
    if not unit_id:
        return None
    row = await ResidenceUnit.select(ResidenceUnit.label).where(ResidenceUnit.id == unit_id).first()
    return row["label"] if row else None
