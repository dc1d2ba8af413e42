"""Appointments: planning one with a household, marking it done, the week and month calendar
of a worker or of the team, and the personal ICS feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import dates as babel_dates
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tremplin import i18n
from tremplin.errors import ConflictError
from tremplin.forms import FormErrors
from tremplin.models import Household
from tremplin.services import appointments as ap
from tremplin.services.clock import PARIS, today
from tremplin.web.access import check_household, visibility
from tremplin.web.auth import requires
from tremplin.web.formdata import form_dict, int_or_none
from tremplin.web.state import actor, app_context, current_user, user_programmes

SOCIAL = requires("social")


def _day_label(day: dt.date) -> str:
    """``lundi 30 novembre`` / ``Monday 30 November`` (Babel, the request's language)."""
    return babel_dates.format_date(day, "EEEE d MMMM", locale=i18n.babel_locale())


def _day_names() -> list[str]:
    """Monday to Sunday in the request's language."""
    names = i18n.babel_locale().days["format"]["wide"]
    return [names[i] for i in range(7)]


async def _form_context(request: Request, household_id: int, **extra: Any) -> dict[str, Any]:
    host = app_context(request).host
    programmes = user_programmes(request)
    household = (
        await Household.select(Household.id, Household.name, Household.reference)
        .where(Household.id == household_id)
        .first()
    )
    return {
        "household": household,
        "fields": ap.appointment_fields(host, programmes, await ap.staff_choices()),
        "values": {"worker": str(current_user(request).id), "duration": "60"},
        "errors": {},
        **extra,
    }


@get("/households/{household_id:int}/appointments/new", guards=[SOCIAL])
async def appointment_new(request: Request, household_id: FromPath[int]) -> Template:
    await check_household(request, household_id)
    return Template("calendar/form.html", context=await _form_context(request, household_id))


@post("/households/{household_id:int}/appointments", guards=[SOCIAL])
async def appointment_create(request: Request, household_id: FromPath[int]) -> Response:
    await check_household(request, household_id)
    raw = await form_dict(request)
    host = app_context(request).host
    try:
        await ap.create_appointment(
            host, actor(request), household_id, raw, user_programmes(request)
        )
    except FormErrors as exc:
        context = await _form_context(request, household_id)
        context.update(values=raw, errors=exc.errors)
        return Template("calendar/form.html", context=context, status_code=422)
    return Redirect(f"/households/{household_id}#appointments", status_code=303)


async def _close(request: Request, appointment_id: int, done: bool) -> Response:
    raw = await form_dict(request)
    programmes = user_programmes(request)
    row = await ap.get_appointment(appointment_id, programmes)
    await check_household(request, row["household"])
    version = int_or_none(raw.get("version")) or 0
    target = f"/households/{row['household']}#appointments"
    try:
        if done:
            await ap.mark_done(
                actor(request), appointment_id, version, str(raw.get("report", "")), programmes
            )
            target = f"/households/{row['household']}#timeline"
        else:
            await ap.cancel(actor(request), appointment_id, version, programmes)
    except FormErrors as exc:
        return Template(
            "calendar/closed.html",
            context={"appointment": row, "errors": exc.errors, "values": raw},
            status_code=422,
        )
    except ConflictError as exc:
        return Template(
            "calendar/closed.html",
            context={
                "appointment": exc.current,
                "values": raw,
                "errors": {
                    "_conflict": "Ce rendez-vous a été modifié entre-temps (déjà réalisé ou "
                    "annulé) : rechargez la fiche du ménage."
                },
            },
            status_code=409,
        )
    return Redirect(target, status_code=303)


@post("/appointments/{appointment_id:int}/done", guards=[SOCIAL])
async def appointment_done(request: Request, appointment_id: FromPath[int]) -> Response:
    """Mark done: the appointment becomes its timeline entry, with nothing to retype."""
    return await _close(request, appointment_id, done=True)


@post("/appointments/{appointment_id:int}/cancel", guards=[SOCIAL])
async def appointment_cancel(request: Request, appointment_id: FromPath[int]) -> Response:
    return await _close(request, appointment_id, done=False)


def _period(view: str, day: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """The shown days [first, last] and the previous and next anchors."""
    if view == "mois":
        first_of_month = day.replace(day=1)
        next_month = (first_of_month + dt.timedelta(days=32)).replace(day=1)
        first = first_of_month - dt.timedelta(days=first_of_month.weekday())
        last_of_month = next_month - dt.timedelta(days=1)
        last = last_of_month + dt.timedelta(days=6 - last_of_month.weekday())
        previous = (first_of_month - dt.timedelta(days=1)).replace(day=1)
        return first, last, previous, next_month
    first = day - dt.timedelta(days=day.weekday())
    return (
        first,
        first + dt.timedelta(days=6),
        first - dt.timedelta(days=7),
        first + dt.timedelta(days=7),
    )


@get("/calendrier", guards=[SOCIAL])
async def calendar_page(request: Request) -> Template:
    """The week (default) or month calendar of the user, of a colleague, or of the team (every
    appointment in the user's programmes)."""
    q = request.query_params
    user = current_user(request)
    errors: dict[str, str] = {}
    view = str(q.get("vue", "semaine"))
    if view not in ("semaine", "mois"):
        errors["vue"], view = "vue inconnue", "semaine"
    raw_day = str(q.get("date", ""))[:10]
    try:
        day = dt.date.fromisoformat(raw_day) if raw_day else today()
        if not 2000 <= day.year <= 2100:
            raise ValueError
    except ValueError:
        errors["date"], day = "date invalide", today()
    who = str(q.get("qui", "moi"))[:12]
    staff = await ap.staff_choices()
    worker: int | None = user.id
    if who == "equipe":
        worker = None
    elif who != "moi":
        chosen = int_or_none(who)
        if chosen is None or chosen not in {s["id"] for s in staff}:
            errors["qui"], who = "professionnel inconnu", "moi"
        else:
            worker = chosen
    first, last, previous, following = _period(view, day)
    start = dt.datetime.combine(first, dt.time(), tzinfo=PARIS)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)
    rows = await ap.between(
        start.astimezone(dt.UTC),
        end.astimezone(dt.UTC),
        programmes=user_programmes(request),
        worker=worker,
        visible=visibility(request),
        limit=2000,
    )
    by_day: dict[dt.date, list[dict[str, Any]]] = {}
    for r in rows:
        local = r["starts_at"].astimezone(PARIS)
        r["time"] = local.strftime("%H:%M")
        by_day.setdefault(local.date(), []).append(r)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    title = (
        babel_dates.format_date(day, "LLLL y", locale=i18n.babel_locale())
        if view == "mois"
        else i18n.gettext("semaine du {first} au {last} {year}").format(
            first=_day_label(first), last=_day_label(last), year=last.year
        )
    )
    return Template(
        "calendar/index.html",
        context={
            "view": view,
            "who": who,
            "staff": staff,
            "day": day,
            "days": days,
            "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
            "by_day": by_day,
            "title": title,
            "previous": previous.isoformat(),
            "following": following.isoformat(),
            "today": today(),
            "day_label": _day_label,
            "day_names": _day_names(),
            "errors": errors,
        },
        status_code=400 if errors else 200,
    )


@get("/compte/agenda", guards=[SOCIAL])
async def feed_page(request: Request) -> Template:
    feed = await ap.active_feed(current_user(request).id)
    return Template("calendar/feed.html", context={"feed": feed, "url": None})


@post("/compte/agenda", guards=[SOCIAL])
async def feed_create(request: Request) -> Template:
    """A new secret address (the old one stops working); shown once, never stored."""
    raw = await form_dict(request)
    with_names = str(raw.get("with_names", "")).lower() in {"1", "on", "oui", "true"}
    user_id = current_user(request).id
    token = await ap.new_feed(user_id, with_names)
    url = f"{str(request.base_url).rstrip('/')}/agenda/{token}.ics"
    return Template(
        "calendar/feed.html", context={"feed": await ap.active_feed(user_id), "url": url}
    )


@post("/compte/agenda/revoquer", guards=[SOCIAL])
async def feed_revoke(request: Request) -> Template:
    await ap.revoke_feed(current_user(request).id)
    return Template("calendar/feed.html", context={"feed": None, "url": None, "revoked": True})


@get("/agenda/{name:str}", exclude_from_auth=True)
async def feed_ics(request: Request, name: FromPath[str]) -> Response:
    """The ICS feed a calendar application subscribes to: authenticated by its secret token
    alone; the owner's appointments from 30 days ago to a year ahead."""
    owner = await ap.feed_owner(name.removesuffix(".ics"))
    if owner is None or owner["role"] == "partner":
        return Response("Agenda inconnu ou révoqué.", status_code=404, media_type="text/plain")
    host = app_context(request).host
    assigned = [p for p in (owner["programmes"] or []) if p in host.programmes]
    programmes = assigned if owner["programmes"] else host.programme_keys
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    rows = await ap.between(
        start,
        start + dt.timedelta(days=400),
        programmes=programmes,
        worker=owner["owner"],
        # A user restricted to some programmes: only the households they may see.
        visible=(programmes, owner["owner"]) if owner["programmes"] else None,
        statuses=("planned", "done"),
        limit=5000,
    )
    protected = {k for k, p in host.programmes.items() if p.confidential_contacts}
    confidential = await ap.confidential_households(
        sorted({r["household"] for r in rows}), protected
    )
    body = ap.ics(rows, with_names=owner["with_names"], confidential=confidential)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"},
    )


ROUTES = [
    appointment_new,
    appointment_create,
    appointment_done,
    appointment_cancel,
    calendar_page,
    feed_page,
    feed_create,
    feed_revoke,
    feed_ics,
]
