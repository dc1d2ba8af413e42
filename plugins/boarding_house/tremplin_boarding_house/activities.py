"""Collective life: activities, events and house meetings (*conseil de maison*).

An activity records everyone who took part (``participants``) and which residents did;
each resident ticked gets a ``collective_activity`` event on their timeline.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tremplin.api import (
    N_,
    Actor,
    Choice,
    Field,
    FormErrors,
    NewEvent,
    add_timeline_event,
    domain,
    now,
    record_audit,
    today,
    transaction,
    validate,
)
from tremplin_boarding_house.houses import get_house, residents_of
from tremplin_boarding_house.tables import Activity
from tremplin_boarding_house.workflow import KEY

_t = domain(__name__)
gettext, ngettext = _t.gettext, _t.ngettext

PARIS = ZoneInfo("Europe/Paris")

ACTIVITY_KINDS = (
    Choice("workshop", N_("Atelier (cuisine, jardin, bricolage…)")),
    Choice("meal", N_("Repas partagé")),
    Choice("outing", N_("Sortie, séjour")),
    Choice("event", N_("Fête, événement")),
    Choice("sport_culture", N_("Activité sportive ou culturelle")),
    Choice("house_meeting", N_("Conseil de maison")),
    Choice("other", N_("Autre")),
)
KIND_LABELS = {c.value: c.label for c in ACTIVITY_KINDS}


def activity_fields(residents: list[dict[str, Any]]) -> tuple[Field, ...]:
    """The form, with the house's current residents as check boxes."""
    return (
        Field("held_on", N_("Date"), kind="date", required=True),
        Field("kind", N_("Type"), kind="choice", required=True, choices=ACTIVITY_KINDS),
        Field("title", N_("Intitulé"), required=True, max_length=200),
        Field(
            "participants",
            N_("Nombre de participants (résidents et invités)"),
            kind="int",
            minimum=0,
            maximum=500,
        ),
        Field(
            "households",
            N_("Résidents présents"),
            kind="multichoice",
            choices=tuple(
                Choice(str(r["household"]), f"{r['name']} ({r['unit']['label']})")
                for r in residents
            ),
        ),
        Field("notes", N_("Compte rendu"), kind="textarea"),
    )


def _moment(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=PARIS).astimezone(dt.UTC)


async def record_activity(actor: Actor, house_id: int, raw: dict[str, Any]) -> int:
    """Record an activity; every problem at once, in French."""
    house = await get_house(house_id)
    residents = await residents_of(house_id)
    values = validate(activity_fields(residents), raw)
    held_on = dt.date.fromisoformat(values["held_on"])
    ticked = [int(h) for h in values["households"]]
    count = values["participants"]
    errors: dict[str, str] = {}
    if count is None and not ticked:
        errors["participants"] = N_(
            "indiquez le nombre de participants ou cochez les résidents présents"
        )
    elif count is not None and count < len(ticked):
        errors["participants"] = ngettext(
            "{n} résident est coché : le nombre de participants ne peut pas être inférieur",
            "{n} résidents sont cochés : le nombre de participants ne peut pas être inférieur",
            len(ticked),
        ).format(n=len(ticked))
    if house["opened_on"] and held_on < house["opened_on"]:
        errors["held_on"] = N_("la maison n'était pas encore ouverte à cette date")
    if ticked and held_on > today():
        errors["households"] = N_("on ne coche les résidents présents qu'une fois l'activité tenue")
    if errors:
        raise FormErrors(errors)
    label = KIND_LABELS[values["kind"]]
    async with transaction():
        row = await Activity.insert(
            Activity(
                house=house_id,
                held_on=held_on,
                kind=values["kind"],
                title=values["title"],
                participants=count if count is not None else len(ticked),
                households=ticked,
                notes=values["notes"] or "",
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(Activity.id)
        activity_id = row[0]["id"]
        for household_id in ticked:
            await add_timeline_event(
                actor,
                household_id,
                NewEvent(
                    kind="collective_activity",
                    title=f"{label} : {values['title']}",
                    body=house["name"],
                    on=held_on,
                    data={"activity": activity_id},
                ),
                programme=KEY,
                audit_action="update",
            )
        await record_audit(
            "create",
            "boarding_house_activity",
            activity_id,
            user_id=actor.user_id,
            fields=values.keys(),
            address=actor.address,
        )
    return activity_id


async def activities_of(house_id: int, limit: int = 30) -> list[dict[str, Any]]:
    rows = (
        await Activity.select()
        .where(Activity.house == house_id)
        .order_by(Activity.held_on, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [
        {
            **r,
            "kind_label": KIND_LABELS.get(r["kind"], r["kind"]),
            "residents": len(r["households"] or []),
        }
        for r in rows
    ]
