"""Appointments (*rendez-vous*): planned with a household, shown on calendars and in a
personal ICS feed, and turned into the timeline entry when marked done."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from tremplin.db import raw, transaction
from tremplin.forms import FormErrors, validate
from tremplin.i18n import N_
from tremplin.models import Appointment, CalendarFeed, Enrolment, Household, TimelineEvent, User
from tremplin.plugins import PluginHost
from tremplin.policy import visible_households
from tremplin.services import audit
from tremplin.services.clock import PARIS, now, today
from tremplin.services.households import (
    Actor,
    ConflictError,
    NotFound,
    get_household,
)
from tremplin.types import Choice, EventType, Field, FieldError

__all__ = [
    "appointment_fields",
    "between",
    "cancel",
    "create_appointment",
    "mark_done",
    "plannable_kinds",
]

_TIME = re.compile(r"^([01]?\d|2[0-3])[:hH]([0-5]\d)$")
#: How far ahead an appointment may be planned.
MAX_AHEAD_DAYS = 2 * 366


def plannable_kinds(host: PluginHost, programmes: list[str]) -> list[EventType]:
    """The timeline types that can be planned: manual contacts with the household (office
    appointment, home visit, tripartite meeting, a programme's CEJ meeting…)."""
    return [
        e
        for e in host.event_types.values()
        if e.manual and e.contact and (e.programme is None or e.programme in programmes)
    ]


def appointment_fields(
    host: PluginHost, programmes: list[str], workers: list[dict[str, Any]]
) -> tuple[Field, ...]:
    return (
        Field(
            "kind",
            N_("Type de rendez-vous"),
            kind="choice",
            required=True,
            choices=tuple(Choice(e.key, e.label) for e in plannable_kinds(host, programmes)),
            order=1,
        ),
        Field("day", N_("Date"), kind="date", required=True, order=2),
        Field(
            "time", N_("Heure"), required=True, max_length=5, help=N_("hh:mm, par exemple 14:30")
        ),
        Field(
            "duration",
            N_("Durée (minutes)"),
            kind="int",
            required=True,
            minimum=5,
            maximum=600,
        ),
        Field(
            "programme",
            N_("Programme"),
            kind="choice",
            choices=tuple(Choice(k, host.programmes[k].name_fr) for k in programmes),
        ),
        Field("place", N_("Lieu"), max_length=200),
        Field(
            "attendees",
            N_("Personnes attendues"),
            max_length=500,
            help=N_("le ménage, la conseillère de la Mission Locale, le bailleur…"),
        ),
        Field(
            "worker",
            N_("Professionnel"),
            kind="choice",
            required=True,
            choices=tuple(Choice(str(w["id"]), w["full_name"]) for w in workers),
        ),
        Field("notes", N_("Objet / ordre du jour"), kind="textarea", max_length=2000),
    )


async def staff_choices() -> list[dict[str, Any]]:
    """Active staff who may hold an appointment (partners excluded)."""
    return await (
        User.select(User.id, User.full_name)
        .where((User.role != "partner") & (User.active == True))  # noqa: E712 (SQL)
        .order_by(User.full_name)
    )


def _parse(host: PluginHost, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Cross-field checks: the time, the date within the allowed range, the kind within the
    chosen programme. Adds to ``errors`` (all at once)."""
    out: dict[str, Any] = {}
    match = _TIME.match((values.get("time") or "").strip())
    if values.get("time") and not match:
        errors.setdefault("time", "heure invalide (format attendu : hh:mm)")
    if values.get("day"):
        day = dt.date.fromisoformat(values["day"])
        if day < today():
            errors.setdefault("day", "un rendez-vous se planifie aujourd'hui ou plus tard")
        elif (day - today()).days > MAX_AHEAD_DAYS:
            errors.setdefault("day", "date trop lointaine (deux ans au plus)")
        elif match:
            start = dt.datetime.combine(
                day, dt.time(int(match.group(1)), int(match.group(2))), tzinfo=PARIS
            )
            out["starts_at"] = start.astimezone(dt.UTC)
            out["ends_at"] = (
                start + dt.timedelta(minutes=values.get("duration") or 60)
            ).astimezone(dt.UTC)
    kind = host.event_types.get(values.get("kind") or "")
    if kind and kind.programme and values.get("programme") not in (None, kind.programme):
        errors.setdefault("kind", "ce type n'existe pas dans ce programme")
    return out


def _validate(fields: tuple[Field, ...], raw: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    errors: dict[str, str] = {}
    try:
        values = validate(fields, raw)
    except FormErrors as exc:
        errors.update(exc.errors)
        # Check what parsed, so every error is reported in one pass.
        values = {}
        for f in fields:
            if f.name in errors:
                continue
            try:
                values[f.name] = f.parse(raw.get(f.name))
            except FieldError:
                pass
    return values, errors


async def create_appointment(
    host: PluginHost, actor: Actor, household_id: int, raw: dict[str, Any], programmes: list[str]
) -> int:
    """Plan an appointment with the household; raises :class:`FormErrors` with every
    problem at once."""
    fields = appointment_fields(host, programmes, await staff_choices())
    values, errors = _validate(fields, raw)
    times = _parse(host, values, errors)
    if errors:
        raise FormErrors(errors)
    kind = host.event_types[values["kind"]]
    current = now()
    async with transaction():
        await get_household(household_id)
        row = await Appointment.insert(
            Appointment(
                household=household_id,
                programme=values["programme"] or kind.programme or "",
                kind=kind.key,
                title=kind.label,
                starts_at=times["starts_at"],
                ends_at=times["ends_at"],
                place=values["place"] or "",
                attendees=values["attendees"] or "",
                notes=values["notes"] or "",
                worker=int(values["worker"]),
                created_by=actor.user_id,
                created_at=current,
                updated_at=current,
            )
        ).returning(Appointment.id)
        appointment_id = row[0]["id"]
        await audit.record(
            "plan_appointment",
            "household",
            household_id,
            user_id=actor.user_id,
            fields=["appointment"],
            address=actor.address,
        )
    return appointment_id


async def get_appointment(appointment_id: int, programmes: list[str]) -> dict[str, Any]:
    """The appointment if it belongs to one of ``programmes`` (or to none)."""
    row = (
        await Appointment.select()
        .where(
            (Appointment.id == appointment_id)
            & Appointment.programme.is_in([*programmes, ""])
            & Appointment.household.archived_at.is_null()
        )
        .first()
    )
    if row is None:
        raise NotFound(appointment_id)
    return row


async def mark_done(
    actor: Actor, appointment_id: int, version: int, report: str, programmes: list[str]
) -> int:
    """The appointment took place: it becomes its timeline entry (same type, date and time,
    programme; its agenda and the short report as text), in one transaction. Returns the
    timeline event id; :class:`ConflictError` if it changed or was already closed."""
    report = (report or "").strip()
    if len(report) > 20_000:
        raise FormErrors({"report": "20000 caractères au maximum"})
    async with transaction():
        row = await get_appointment(appointment_id, programmes)
        if row["version"] != version or row["status"] != "planned":
            raise ConflictError(row)
        if row["starts_at"].astimezone(PARIS).date() > today():
            raise FormErrors({"report": "ce rendez-vous n'a pas encore eu lieu"})
        body = "\n\n".join(
            part
            for part in (
                f"Personnes présentes : {row['attendees']}" if row["attendees"] else "",
                f"Lieu : {row['place']}" if row["place"] else "",
                row["notes"],
                report,
            )
            if part
        )
        event = await TimelineEvent.insert(
            TimelineEvent(
                household=row["household"],
                kind=row["kind"],
                occurred_at=row["starts_at"],
                author=actor.user_id,
                programme=row["programme"],
                title=row["title"],
                body=body,
                data={"appointment": appointment_id},
                created_at=now(),
            )
        ).returning(TimelineEvent.id)
        event_id = event[0]["id"]
        changed = (
            await Appointment.update(
                {
                    Appointment.status: "done",
                    Appointment.timeline_event: event_id,
                    Appointment.version: version + 1,
                    Appointment.updated_at: now(),
                }
            )
            .where((Appointment.id == appointment_id) & (Appointment.version == version))
            .returning(Appointment.id)
        )
        if not changed:
            raise ConflictError(row)
        await audit.record(
            "add_event",
            "household",
            row["household"],
            user_id=actor.user_id,
            fields=["timeline", "appointment"],
            address=actor.address,
        )
    return event_id


async def cancel(actor: Actor, appointment_id: int, version: int, programmes: list[str]) -> None:
    async with transaction():
        row = await get_appointment(appointment_id, programmes)
        changed = (
            await Appointment.update(
                {
                    Appointment.status: "cancelled",
                    Appointment.version: version + 1,
                    Appointment.updated_at: now(),
                }
            )
            .where(
                (Appointment.id == appointment_id)
                & (Appointment.version == version)
                & (Appointment.status == "planned")
            )
            .returning(Appointment.id)
        )
        if not changed:
            raise ConflictError(row)
        await audit.record(
            "cancel_appointment",
            "household",
            row["household"],
            user_id=actor.user_id,
            fields=["appointment"],
            address=actor.address,
        )


_COLUMNS = (
    Appointment.id,
    Appointment.household,
    Appointment.programme,
    Appointment.kind,
    Appointment.title,
    Appointment.starts_at,
    Appointment.ends_at,
    Appointment.place,
    Appointment.attendees,
    Appointment.notes,
    Appointment.worker,
    Appointment.status,
    Appointment.version,
)


async def between(
    start: dt.datetime,
    end: dt.datetime,
    *,
    programmes: list[str],
    worker: int | None = None,
    household: int | None = None,
    visible: tuple[list[str], int] | None = None,
    statuses: tuple[str, ...] = ("planned", "done"),
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Appointments starting in ``[start, end)``, earliest first, within ``programmes`` (and
    those tied to none), of one worker or household if given: one query, names joined.
    ``visible`` (programmes, user id) keeps a restricted user to the households they see."""
    where = (
        (Appointment.starts_at >= start)
        & (Appointment.starts_at < end)
        & Appointment.programme.is_in([*programmes, ""])
        & Appointment.status.is_in(list(statuses))
        & Appointment.household.archived_at.is_null()
    )
    if worker is not None:
        where &= Appointment.worker == worker
    if household is not None:
        where &= Appointment.household == household
    if visible is not None:
        where &= Appointment.household.is_in(
            Household.select(Household.id).where(visible_households(*visible))
        )
    return await (
        Appointment.select(
            *_COLUMNS,
            Appointment.household.name.as_alias("household_name"),
            Appointment.worker.full_name.as_alias("worker_name"),
        )
        .where(where)
        .order_by(Appointment.starts_at)
        .order_by(Appointment.id)
        .limit(limit)
    )


async def of_household(
    household: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    programmes: list[str],
    statuses: tuple[str, ...] = ("planned",),
    limit: int = 50,
) -> list[dict[str, Any]]:
    """:func:`between` for one household (the rows and order it gives), hand-written
    (:mod:`tremplin.db.raw`): the household page reads it on every request."""
    keys, states = [*programmes, ""], list(statuses)
    names = ", ".join(f'a."{c._meta.db_column_name}" AS "{c._meta.name}"' for c in _COLUMNS)
    return await raw.fetch(
        f'SELECT {names}, h."name" AS "household_name", u."full_name" AS "worker_name" '
        'FROM "appointment" AS a JOIN "household" AS h ON h."id" = a."household" '
        'LEFT JOIN "tremplin_user" AS u ON u."id" = a."worker" '
        'WHERE a."household" = {} AND a."starts_at" >= {} AND a."starts_at" < {} '
        f'AND a."programme" IN ({raw.placeholders(len(keys))}) '
        f'AND a."status" IN ({raw.placeholders(len(states))}) AND h."archived_at" IS NULL '
        f'ORDER BY a."starts_at", a."id" LIMIT {int(limit)}',
        household,
        start,
        end,
        *keys,
        *states,
    )


# ---------------------------------------------------------------- personal ICS feed


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def new_feed(user_id: int, with_names: bool) -> str:
    """A new secret feed URL token for the user (any previous one is revoked); only its
    hash is stored, so the token is shown once."""
    token = secrets.token_urlsafe(32)
    async with transaction():
        await CalendarFeed.update({CalendarFeed.revoked_at: now()}).where(
            (CalendarFeed.owner == user_id) & CalendarFeed.revoked_at.is_null()
        )
        await CalendarFeed.insert(
            CalendarFeed(
                owner=user_id, token_hash=_hash(token), with_names=with_names, created_at=now()
            )
        )
    return token


async def revoke_feed(user_id: int) -> int:
    """Revoke the user's feed; returns how many were active."""
    async with transaction():
        rows = (
            await CalendarFeed.update({CalendarFeed.revoked_at: now()})
            .where((CalendarFeed.owner == user_id) & CalendarFeed.revoked_at.is_null())
            .returning(CalendarFeed.id)
        )
    return len(rows)


async def active_feed(user_id: int) -> dict[str, Any] | None:
    return (
        await CalendarFeed.select(CalendarFeed.with_names, CalendarFeed.created_at)
        .where((CalendarFeed.owner == user_id) & CalendarFeed.revoked_at.is_null())
        .first()
    )


async def feed_owner(token: str) -> dict[str, Any] | None:
    """The active user and the feed's choice for a token, or ``None`` (unknown, revoked,
    or the account deactivated)."""
    if not token or len(token) > 100:
        return None
    return (
        await CalendarFeed.select(
            CalendarFeed.owner,
            CalendarFeed.with_names,
            CalendarFeed.owner.programmes.as_alias("programmes"),
            CalendarFeed.owner.role.as_alias("role"),
        )
        .where(
            (CalendarFeed.token_hash == _hash(token))
            & CalendarFeed.revoked_at.is_null()
            & (CalendarFeed.owner.active == True)  # noqa: E712 (SQL)
        )
        .output(load_json=True)
        .first()
    )


async def confidential_households(household_ids: list[int], programmes: set[str]) -> set[int]:
    """Which of these households are enrolled in a programme with confidential contacts
    (one query)."""
    if not household_ids or not programmes:
        return set()
    rows = await Enrolment.select(Enrolment.household).where(
        Enrolment.household.is_in(household_ids) & Enrolment.programme.is_in(list(programmes))
    )
    return {r["household"] for r in rows}


def ics(
    rows: list[dict[str, Any]],
    *,
    with_names: bool,
    confidential: set[int],
    host_name: str = "tremplin",
) -> bytes:
    """The iCalendar text of these appointments. Without ``with_names`` an event says only
    its type (« Visite à domicile »): no household name, place, attendees nor notes; a
    household of ``confidential`` (enrolled in a programme with confidential contacts)
    never gives them."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Tremplin//Agenda//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Tremplin : mes rendez-vous")
    stamp = now()
    for r in rows:
        event = Event()
        event.add("uid", f"appointment-{r['id']}@{host_name}")
        event.add("dtstamp", stamp)
        event.add("dtstart", r["starts_at"].astimezone(dt.UTC))
        event.add("dtend", r["ends_at"].astimezone(dt.UTC))
        named = with_names and r["household"] not in confidential
        summary = r["title"]
        if named:
            summary = f"{r['title']} : {r['household_name']}"
            if r["place"]:
                event.add("location", r["place"])
            if r["attendees"]:
                event.add("description", f"Personnes attendues : {r['attendees']}")
        event.add("summary", summary)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
