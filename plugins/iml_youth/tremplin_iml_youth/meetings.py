"""Tripartite meetings (*rendez-vous tripartites*) of the young person, the association's
social worker and the Mission Locale counsellor, with who attended.

A meeting is a timeline event of kind ``tripartite_meeting`` whose ``data`` keeps the
attendees; the body says who was there, so the timeline and the partner's shared notes
(when the worker shares it) read it as is. The monthly coordination list shows each young
person's last meeting.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, post
from litestar.params import FromPath
from litestar.response import Template

from tremplin.api import (
    N_,
    Actor,
    Choice,
    Enrolments,
    Field,
    FormErrors,
    NewEvent,
    TimelineEvents,
    actor,
    add_timeline_event,
    enrolment_for_route,
    enrolment_url,
    redirect_after_write,
    requires,
    today,
    transaction,
    validate,
)
from tremplin_iml_youth.rules import KEY

KIND = "tripartite_meeting"
ATTENDEES = (
    Choice("young", N_("Le ou la jeune")),
    Choice("social_worker", N_("Travailleur·euse social·e de l'association")),
    Choice("ml_counsellor", N_("Conseiller·ère Mission Locale")),
    Choice("other", N_("Autre personne")),
)
SHORT = {
    "young": N_("jeune"),
    "social_worker": N_("travailleur·euse social·e"),
    "ml_counsellor": N_("Mission Locale"),
    "other": N_("autre"),
}
MEETING_FIELDS = (
    Field("meeting_date", N_("Date du rendez-vous"), kind="date", required=True),
    Field("attendees", N_("Présents"), kind="multichoice", required=True, choices=ATTENDEES),
    Field("other_attendee", N_("Autre personne présente (nom, structure)"), max_length=120),
    Field("notes", N_("Compte rendu"), kind="textarea", max_length=4000),
    Field("shared", N_("Partager avec la Mission Locale (notes partagées)"), kind="bool"),
)
OPEN_STATES = ("referral", "admitted", "housed")


def attendees_label(attendees: list[str], other: str = "", counsellor: str = "") -> str:
    """ "Le ou la jeune, Conseiller·ère Mission Locale (Mme X), M. Y" in form order."""
    parts = []
    for choice in ATTENDEES:
        if choice.value not in attendees:
            continue
        if choice.value == "other":
            parts.append(other)
        elif choice.value == "ml_counsellor" and counsellor:
            parts.append(f"{choice.label} ({counsellor})")
        else:
            parts.append(choice.label)
    return ", ".join(parts)


async def record_meeting(
    enrolment_id: int, raw: dict[str, Any], user_id: int | None, address: str
) -> int:
    """Record a tripartite meeting held on a past or present day; returns the event id."""
    values = validate(MEETING_FIELDS, raw)
    errors = {}
    day = dt.date.fromisoformat(values["meeting_date"])
    if day > today():
        errors["meeting_date"] = N_(
            "la date est dans le futur : enregistrez le rendez-vous une fois tenu"
        )
    other = (values["other_attendee"] or "").strip()
    if "other" in values["attendees"] and not other:
        errors["other_attendee"] = N_("indiquez qui était l'autre personne présente")
    if other and "other" not in values["attendees"]:
        errors["attendees"] = N_("cochez « Autre personne » ou videz son nom")
    if errors:
        raise FormErrors(errors)
    async with transaction():
        row = (
            await Enrolments.select(
                Enrolments.household, Enrolments.state, Enrolments.referral_date, Enrolments.data
            )
            .where((Enrolments.id == enrolment_id) & (Enrolments.programme == KEY))
            .output(load_json=True)
            .first()
        )
        if row is None:
            raise LookupError(enrolment_id)
        if row["state"] not in OPEN_STATES:
            raise FormErrors({"_panel": "L'accompagnement est clos : plus de rendez-vous."})
        if row["referral_date"] and day < row["referral_date"]:
            raise FormErrors({"meeting_date": "la date précède l'orientation"})
        counsellor = (row["data"] or {}).get("ml_counsellor") or ""
        body = "Présents : " + attendees_label(values["attendees"], other, counsellor) + "."
        if values["notes"]:
            body += "\n" + values["notes"]
        return await add_timeline_event(
            Actor(user_id, address),
            row["household"],
            NewEvent(
                kind=KIND,
                title="Rendez-vous tripartite",
                body=body,
                on=day,
                visibility="partner" if values["shared"] else "staff",
                data={"attendees": values["attendees"], "other": other},
            ),
            programme=KEY,
            enrolment_id=enrolment_id,
        )


async def meetings_of(household_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Tripartite meetings per household, newest first (one query for the whole list)."""
    if not household_ids:
        return {}
    rows = (
        await TimelineEvents.select(
            TimelineEvents.household,
            TimelineEvents.occurred_at,
            TimelineEvents.data,
        )
        .where(
            (TimelineEvents.kind == KIND)
            & TimelineEvents.household.is_in(household_ids)
            & (TimelineEvents.programme == KEY)
        )
        .order_by(TimelineEvents.occurred_at, ascending=False)
        .output(load_json=True)
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        data = r["data"] or {}
        out.setdefault(r["household"], []).append(
            {
                "day": r["occurred_at"].date(),
                "attendees": data.get("attendees") or [],
                "short": ", ".join(SHORT[a] for a in (data.get("attendees") or []) if a in SHORT),
            }
        )
    return out


@post(f"/{KEY}/enrolments/{{enrolment_id:int}}/meetings", guards=[requires("social")])
async def meeting_create(request: Request, enrolment_id: FromPath[int]) -> Response:
    """Record a tripartite meeting; the panel comes back with the errors when refused."""
    from tremplin_iml_youth.agreement import agreement_view, panel_context

    row = await enrolment_for_route(request, enrolment_id, KEY)
    form = await request.form()
    raw: dict[str, Any] = {k: v for k, v in form.items() if k not in ("_csrf", "attendees")}
    raw["attendees"] = form.getall("attendees") if "attendees" in form else []
    a = actor(request)
    try:
        await record_meeting(enrolment_id, raw, a.user_id, a.address)
    except FormErrors as exc:
        context = await panel_context(agreement_view(row))
        context.update(errors=exc.errors, form="meeting", meeting_values=raw)
        return Template(
            f"{KEY}/_panel.html",
            status_code=422,
            context={"enrolment": row, "panel_context": context},
        )
    return redirect_after_write(request, enrolment_url(row["household"], enrolment_id))
