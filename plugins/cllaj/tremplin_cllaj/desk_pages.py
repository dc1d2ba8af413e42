"""Pages of the youth housing desk: sessions, a session with its intakes (added with htmx),
an intake's edit and follow-up, open follow-ups, workshops, and the places (administrator).

Staff with the ``social`` capability only: partners never see the desk. Reads of a session
or an intake are audited like reads of a household.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from tremplin.api import (
    FormErrors,
    actor,
    audit,
    form_dict,
    redirect_after_write,
    requires,
    today,
)
from tremplin_cllaj import desk, desk_workshops
from tremplin_cllaj.common import require_cllaj
from tremplin_cllaj.rules import (
    DESK_PRESCRIBERS,
    DESK_RESOURCES,
    DESK_SITUATIONS,
    DESK_STATUSES,
    WORKSHOP_AUDIENCES,
)

SOCIAL = requires("social")
LABELS = {
    "prescribers": {c.value: c.label for c in DESK_PRESCRIBERS},
    "resources": {c.value: c.label for c in DESK_RESOURCES},
    "situations": {c.value: c.label for c in DESK_SITUATIONS},
    "statuses": {c.value: c.label for c in DESK_STATUSES},
    "audiences": {c.value: c.label for c in WORKSHOP_AUDIENCES},
}


def _page(template: str, context: dict[str, Any], status: int = 200) -> Template:
    return Template(f"cllaj/{template}", context={**LABELS, **context}, status_code=status)


async def _sessions_context(
    after: str | None, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    rows, next_cursor = await desk.session_list(after)
    return {
        "rows": rows,
        "next_cursor": next_cursor,
        "after": after,
        "fields": desk.session_fields(await desk.places()),
        "values": values or {"held_on": today().isoformat()},
        "errors": errors or {},
    }


@get("/cllaj/desk", guards=[SOCIAL])
async def sessions(request: HTMXRequest, after: FromQuery[str | None] = None) -> Template:
    """The desk sessions, latest first; htmx asks for the next page's rows only."""
    require_cllaj(request)
    context = await _sessions_context(after)
    return _page("_session_rows.html" if request.htmx and after else "sessions.html", context)


@post("/cllaj/desk/sessions", guards=[SOCIAL])
async def session_create(request: Request) -> Response:
    require_cllaj(request)
    raw = await form_dict(request)
    a = actor(request)
    try:
        session_id = await desk.create_session(raw, a.user_id, a.address)
    except FormErrors as exc:
        return _page("sessions.html", await _sessions_context(None, raw, exc.errors), 422)
    return redirect_after_write(request, f"/cllaj/desk/sessions/{session_id}")


async def _session_context(
    session: dict[str, Any],
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    session_values: dict[str, Any] | None = None,
    session_errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    places = {p["id"]: p for p in await desk.places()}
    places.setdefault(session["place"], {"id": session["place"], "name": session["place_name"]})
    return {
        "session": session,
        "intakes": await desk.session_intakes(session["id"]),
        "fields": desk.INTAKE_FIELDS,
        "values": values or {},
        "errors": errors or {},
        "session_fields": desk.session_fields(list(places.values())),
        "session_values": session_values
        or {
            "place": str(session["place"]),
            "held_on": session["held_on"].isoformat(),
            "notes": session["notes"],
        },
        "session_errors": session_errors or {},
    }


async def _session_or_404(session_id: int) -> dict[str, Any]:
    session = await desk.get_session(session_id)
    if session is None:
        raise NotFoundException()
    return session


@get("/cllaj/desk/sessions/{session_id:int}", guards=[SOCIAL])
async def session_page(request: Request, session_id: FromPath[int]) -> Template:
    require_cllaj(request)
    session = await _session_or_404(session_id)
    a = actor(request)
    await audit("read", "cllaj_desk_session", session_id, user_id=a.user_id, address=a.address)
    return _page("session.html", await _session_context(session))


@post("/cllaj/desk/sessions/{session_id:int}", guards=[SOCIAL])
async def session_update(request: Request, session_id: FromPath[int]) -> Response:
    """Correct the session's place, date or notes."""
    require_cllaj(request)
    session = await _session_or_404(session_id)
    raw = await form_dict(request)
    a = actor(request)
    try:
        await desk.update_session(session_id, raw, a.user_id, a.address)
    except FormErrors as exc:
        context = await _session_context(session, session_values=raw, session_errors=exc.errors)
        return _page("session.html", context, 422)
    return redirect_after_write(request, f"/cllaj/desk/sessions/{session_id}")


@post("/cllaj/desk/sessions/{session_id:int}/intakes", guards=[SOCIAL])
async def intake_create(request: HTMXRequest, session_id: FromPath[int]) -> Response:
    """Add a young person to the session; htmx gets the intakes block back (with the
    errors and what was typed when refused)."""
    require_cllaj(request)
    session = await _session_or_404(session_id)
    raw = await form_dict(request)
    a = actor(request)
    try:
        await desk.add_intake(session_id, raw, a.user_id, a.address)
    except FormErrors as exc:
        context = await _session_context(session, raw, exc.errors)
        return _page("_intakes.html" if request.htmx else "session.html", context, 422)
    if request.htmx:
        return _page("_intakes.html", {**await _session_context(session), "saved": True})
    return redirect_after_write(request, f"/cllaj/desk/sessions/{session_id}")


def _intake_values(row: dict[str, Any]) -> dict[str, Any]:
    values = {k: ("" if v is None else v) for k, v in row.items()}
    values["status_date"] = row["status_date"].isoformat() if row["status_date"] else ""
    return values


@get("/cllaj/desk/intakes/{intake_id:int}", guards=[SOCIAL])
async def intake_edit(request: Request, intake_id: FromPath[int]) -> Template:
    require_cllaj(request)
    row = await desk.get_intake(intake_id)
    if row is None:
        raise NotFoundException()
    a = actor(request)
    await audit("read", "cllaj_desk_intake", intake_id, user_id=a.user_id, address=a.address)
    return _page(
        "intake.html",
        {
            "intake": row,
            "fields": (*desk.INTAKE_FIELDS, *desk.FOLLOWUP_FIELDS),
            "values": _intake_values(row),
            "errors": {},
        },
    )


@post("/cllaj/desk/intakes/{intake_id:int}", guards=[SOCIAL])
async def intake_update(request: Request, intake_id: FromPath[int]) -> Response:
    require_cllaj(request)
    row = await desk.get_intake(intake_id)
    if row is None:
        raise NotFoundException()
    raw = await form_dict(request)
    a = actor(request)
    try:
        await desk.update_intake(intake_id, raw, a.user_id, a.address)
    except FormErrors as exc:
        return _page(
            "intake.html",
            {
                "intake": row,
                "fields": (*desk.INTAKE_FIELDS, *desk.FOLLOWUP_FIELDS),
                "values": raw,
                "errors": exc.errors,
            },
            422,
        )
    return redirect_after_write(request, f"/cllaj/desk/sessions/{row['session']}")


@post("/cllaj/desk/intakes/{intake_id:int}/delete", guards=[SOCIAL])
async def intake_delete(request: Request, intake_id: FromPath[int]) -> Response:
    """Delete an intake recorded by mistake (twice, wrong session…)."""
    require_cllaj(request)
    a = actor(request)
    try:
        session_id = await desk.delete_intake(intake_id, a.user_id, a.address)
    except LookupError:
        raise NotFoundException() from None
    return redirect_after_write(request, f"/cllaj/desk/sessions/{session_id}")


@get("/cllaj/desk/followups", guards=[SOCIAL])
async def followups(request: HTMXRequest, after: FromQuery[int | None] = None) -> Template:
    """Young people whose follow-up is still under way (housed or handed over: closed)."""
    require_cllaj(request)
    rows, next_cursor = await desk.open_followups(after)
    context = {"rows": rows, "next_cursor": next_cursor, "after": after}
    return _page("_followup_rows.html" if request.htmx and after else "followups.html", context)


async def _workshops_context(
    after: str | None, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    rows, next_cursor = await desk_workshops.workshop_list(after)
    return {
        "rows": rows,
        "next_cursor": next_cursor,
        "after": after,
        "fields": desk_workshops.WORKSHOP_FIELDS,
        "values": values or {"held_on": today().isoformat(), "audience": "young"},
        "errors": errors or {},
    }


@get("/cllaj/desk/workshops", guards=[SOCIAL])
async def workshops(request: HTMXRequest, after: FromQuery[str | None] = None) -> Template:
    require_cllaj(request)
    context = await _workshops_context(after)
    return _page("_workshop_rows.html" if request.htmx and after else "workshops.html", context)


@post("/cllaj/desk/workshops", guards=[SOCIAL])
async def workshop_create(request: Request) -> Response:
    require_cllaj(request)
    raw = await form_dict(request)
    a = actor(request)
    try:
        await desk_workshops.add_workshop(raw, a.user_id, a.address)
    except FormErrors as exc:
        return _page("workshops.html", await _workshops_context(None, raw, exc.errors), 422)
    return redirect_after_write(request, "/cllaj/desk/workshops")


ADMIN = requires("admin")


async def _places_context(values=None, errors=None) -> dict[str, Any]:
    return {
        "places": await desk.places(active_only=False),
        "fields": desk.PLACE_FIELDS,
        "values": values or {},
        "errors": errors or {},
    }


@get("/cllaj/desk/places", guards=[ADMIN])
async def places_page(request: Request) -> Template:
    """The places where the desk is held: the administrator adds or deactivates them."""
    return _page("places.html", await _places_context())


@post("/cllaj/desk/places", guards=[ADMIN])
async def place_create(request: Request) -> Response:
    raw = await form_dict(request)
    a = actor(request)
    try:
        await desk.add_place(raw, a.user_id, a.address)
    except FormErrors as exc:
        return _page("places.html", await _places_context(raw, exc.errors), 422)
    return redirect_after_write(request, "/cllaj/desk/places")


@post("/cllaj/desk/places/{place_id:int}/toggle", guards=[ADMIN])
async def place_toggle(request: Request, place_id: FromPath[int]) -> Response:
    a = actor(request)
    try:
        await desk.toggle_place(place_id, a.user_id, a.address)
    except LookupError:
        raise NotFoundException() from None
    return redirect_after_write(request, "/cllaj/desk/places")


ROUTES = [
    sessions,
    session_create,
    session_page,
    session_update,
    intake_create,
    intake_edit,
    intake_update,
    intake_delete,
    followups,
    workshops,
    workshop_create,
    places_page,
    place_create,
    place_toggle,
]
