"""Reviews (*bilans*) of the sub-lease at 6, 10 and 12 months with the landlord and the household.

A review is kept in the enrolment's ``data["reviews"]`` (date, who attended, outcome, notes).
The outcome "sliding lease" (*bail glissant*) does not close the file by itself: the
enrolment is closed through the workflow transition ``slide`` (housed → exited), whose guard
requires a recorded sliding review and an exit date equal to the review date, so the core
keeps the timeline, audit and version checks of every state change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from tremplin.api import (
    CONFIDENTIAL_MASK,
    N_,
    Actor,
    Choice,
    ConflictError,
    Enrolments,
    EnrolmentView,
    Field,
    FormErrors,
    GuardContext,
    NewEvent,
    actor,
    add_months,
    app_context,
    audit,
    audit_confidential,
    check_household,
    current_user,
    enrolment_for_route,
    enrolment_url,
    redirect_after_write,
    requires,
    today,
    transaction,
    update_enrolment_data,
    validate,
)
from tremplin_iml_sublease.workflow import KEY

#: Months after entry at which a review is held.
MILESTONES = (6, 10, 12)
SLIDING_DESTINATIONS = (
    Choice("private_sliding", N_("Logement secteur privé (bail glissant)")),
    Choice("public_sliding", N_("Logement secteur public (bail glissant)")),
)
OUTCOMES = (
    Choice("continue", N_("Poursuite de la sous-location")),
    Choice("sliding", N_("Glissement du bail au ménage")),
)
REVIEW_FIELDS = (
    Field("review_date", N_("Date du bilan"), kind="date", required=True),
    Field("landlord_present", N_("Bailleur présent"), kind="bool"),
    Field("household_present", N_("Ménage présent"), kind="bool"),
    Field("outcome", N_("Décision"), kind="choice", required=True, choices=OUTCOMES),
    # The dwelling's stock (private/public) is not exposed by housing.api: asked here.
    Field(
        "sliding_destination",
        N_("Parc du logement (si bail glissant)"),
        kind="choice",
        choices=SLIDING_DESTINATIONS,
    ),
    Field("notes", N_("Observations"), kind="textarea", max_length=2000),
)


def next_review(entry: dt.date | None, done: int) -> tuple[int, dt.date] | None:
    """The next milestone (months, date) after ``done`` reviews, or ``None`` when all held."""
    if entry is None or done >= len(MILESTONES):
        return None
    months = MILESTONES[done]
    return months, add_months(entry, months)


def sliding_review(data: dict[str, Any]) -> dict[str, Any] | None:
    """The last review when it decided a sliding lease."""
    reviews = data.get("reviews") or []
    return reviews[-1] if reviews and reviews[-1].get("outcome") == "sliding" else None


def require_sliding_review(ctx: GuardContext) -> str | None:
    """Guard of ``slide``: a sliding review is recorded and the exit date is its date."""
    review = sliding_review(ctx.enrolment.data)
    if review is None:
        return "Le glissement du bail doit d'abord être décidé lors d'un bilan."
    if str(ctx.values.get("exit_date") or "") != review["date"]:
        day = dt.date.fromisoformat(review["date"]).strftime("%d/%m/%Y")
        return f"La date de sortie doit être celle du bilan ({day})."
    if ctx.values.get("exit_destination") != review["destination"]:
        return "La destination doit être celle décidée lors du bilan."
    return None


async def record_review(
    enrolment_id: int, raw: dict[str, Any], user_id: int | None, address: str
) -> dict[str, Any]:
    """Record a review of a housed household; returns the stored review."""
    values = validate(REVIEW_FIELDS, raw)
    if values["outcome"] == "sliding" and not values["sliding_destination"]:
        raise FormErrors({"sliding_destination": "Indiquez le parc du logement (privé ou public)."})
    async with transaction():
        row = (
            await Enrolments.select(
                Enrolments.id,
                Enrolments.household,
                Enrolments.state,
                Enrolments.entry_date,
                Enrolments.data,
                Enrolments.version,
            )
            .where((Enrolments.id == enrolment_id) & (Enrolments.programme == KEY))
            .output(load_json=True)
            .first()
        )
        if row is None:
            raise LookupError(enrolment_id)
        if row["state"] != "housed" or row["entry_date"] is None:
            raise FormErrors({"_panel": "Un bilan ne concerne qu'un ménage dans le logement."})
        if dt.date.fromisoformat(values["review_date"]) < row["entry_date"]:
            raise FormErrors({"review_date": "la date du bilan précède celle de l'entrée"})
        reviews = list((row["data"] or {}).get("reviews") or [])
        milestone = next_review(row["entry_date"], len(reviews))
        review = {
            "number": len(reviews) + 1,
            "milestone": milestone[0] if milestone else None,
            "date": values["review_date"],
            "landlord_present": bool(values["landlord_present"]),
            "household_present": bool(values["household_present"]),
            "outcome": values["outcome"],
            "destination": values["sliding_destination"]
            if values["outcome"] == "sliding"
            else None,
            "notes": values["notes"] or "",
            "recorded_by": user_id,
        }
        outcome = dict((c.value, c.label) for c in OUTCOMES)[values["outcome"]]
        review_day = dt.date.fromisoformat(values["review_date"])
        try:
            await update_enrolment_data(
                Actor(user_id, address),
                enrolment_id,
                row["version"],
                {"reviews": [*reviews, review]},
                programme=KEY,
                action="review",
                event=NewEvent(
                    kind="sublease_review",
                    title="Bilan de la sous-location",
                    body=f"Bilan du {review_day.strftime('%d/%m/%Y')} : {outcome}",
                    on=review_day,
                    data={"review": review["number"]},
                ),
            )
        except ConflictError:
            raise FormErrors(
                {"_panel": "Le dossier a été modifié entre-temps : rechargez la page."}
            ) from None
    return review


async def panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    reviews = enrolment.data.get("reviews") or []
    upcoming = next_review(enrolment.entry_date, len(reviews))
    return {
        "reviews": [
            {
                **r,
                "outcome_label": dict((c.value, c.label) for c in OUTCOMES)[r["outcome"]],
                "day": dt.date.fromisoformat(r["date"]),
            }
            for r in reviews
        ],
        "next": upcoming,
        "sliding": sliding_review(enrolment.data) is not None and enrolment.state == "housed",
        "can_review": enrolment.state == "housed",
        "fields": REVIEW_FIELDS,
        "values": {"review_date": today().isoformat(), "outcome": "continue"},
        "errors": {},
    }


@post(f"/{KEY}/enrolments/{{enrolment_id:int}}/reviews", guards=[requires("social")])
async def review_create(request: HTMXRequest, enrolment_id: FromPath[int]) -> Response:
    row = await enrolment_for_route(request, enrolment_id, KEY)
    raw = {k: v for k, v in (await request.form()).items() if k != "_csrf"}
    a = actor(request)
    try:
        await record_review(enrolment_id, raw, a.user_id, a.address)
    except FormErrors as exc:
        if not request.htmx:
            raise
        from tremplin_iml_sublease.checklists import enrolment_view

        context = await panel_context(enrolment_view(row))
        context.update(values=raw, errors=exc.errors)
        return Template(
            f"{KEY}/_reviews.html",
            context={"enrolment": row, "panel_context": context},
            status_code=422,
        )
    return redirect_after_write(request, enrolment_url(row["household"], enrolment_id))


@get(
    f"/{KEY}/enrolments/{{enrolment_id:int}}/reviews/{{number:int}}/pdf",
    guards=[requires("social")],
)
async def review_pdf(
    request: Request, enrolment_id: FromPath[int], number: FromPath[int]
) -> Response:
    """The review sheet (*fiche bilan*) of review ``number``."""
    from tremplin_iml_sublease.convention import (
        compile_typst,
        convention_data,
        template_path,
    )

    row = await enrolment_for_route(request, enrolment_id, KEY)
    reviews = (row["data"] or {}).get("reviews") or []
    if not 1 <= number <= len(reviews):
        raise NotFoundException()
    review = reviews[number - 1]
    settings = app_context(request).settings
    access = await check_household(request, row["household"])
    data = await convention_data(
        enrolment_id, settings.association_name, access, current_user(request), request
    )
    labels = dict((c.value, c.label) for c in OUTCOMES + SLIDING_DESTINATIONS)
    data.update(
        {
            "review_number": str(number),
            "milestone": f"{review['milestone']} mois" if review.get("milestone") else "",
            "review_date": dt.date.fromisoformat(review["date"]).strftime("%d/%m/%Y"),
            "landlord_present": "oui" if review["landlord_present"] else "non",
            "household_present": "oui" if review["household_present"] else "non",
            "outcome": labels[review["outcome"]],
            "destination": labels.get(review.get("destination") or "", ""),
            "notes": review.get("notes") or "",
        }
    )
    pdf = compile_typst(template_path(settings.templates_dir, "fiche_bilan.typ"), data)
    a = actor(request)
    await audit("export", "enrolment", enrolment_id, user_id=a.user_id, fields=["bilan"])
    if data["address"] and data["address"] != CONFIDENTIAL_MASK:
        await audit_confidential(request, access, "bilan")
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="bilan-{enrolment_id}-{number}.pdf"',
            "Cache-Control": "no-store",
        },
    )
