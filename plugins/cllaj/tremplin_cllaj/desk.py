"""The youth housing desk (*permanence d'accueil-information-orientation*, AIO): sessions
at a place, quick intakes of young people without a household file, their follow-up until
they are housed or handed over to a partner, and collective workshops.

Every write is audited with field names only; an intake stores no name (initials or a
first name at most), so the desk's tables hold no directly identifying data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import (
    N_,
    Choice,
    DashboardContext,
    DashboardRow,
    Field,
    FormErrors,
    add_months,
    audit,
    can,
    domain,
    format_date,
    now,
    transaction,
    validate,
    vocabulary,
)
from tremplin_cllaj.rules import (
    BAIL,
    DESK_PRESCRIBERS,
    DESK_RESOURCES,
    DESK_SITUATIONS,
    DESK_STATUSES,
    GLISSANT,
    JAPPART,
)
from tremplin_cllaj.tables import DeskIntake, DeskPlace, DeskSession

gettext = domain(__name__).gettext

PAGE_SIZE = 50


def session_fields(places: list[dict[str, Any]]) -> tuple[Field, ...]:
    return (
        Field(
            "place",
            N_("Lieu de la permanence"),
            kind="choice",
            required=True,
            choices=tuple(Choice(str(p["id"]), p["name"]) for p in places),
        ),
        Field("held_on", N_("Date"), kind="date", required=True),
        Field("notes", N_("Observations"), kind="textarea", max_length=2000),
    )


INTAKE_FIELDS = (
    Field(
        "initials",
        N_("Initiales ou prénom (facultatif)"),
        max_length=20,
        help=N_("Jamais le nom de famille : le jeune n'a pas de dossier."),
    ),
    Field(
        "age",
        N_("Âge"),
        kind="int",
        minimum=14,
        maximum=40,
        help=N_("Laisser vide si le jeune ne le dit pas."),
    ),
    Field("sex", N_("Sexe"), kind="choice", required=True, choices=vocabulary.SEXES),
    Field("prescriber", N_("Orienté par"), kind="choice", required=True, choices=DESK_PRESCRIBERS),
    Field("resources", N_("Ressources"), kind="choice", required=True, choices=DESK_RESOURCES),
    Field(
        "situation",
        N_("Situation de logement"),
        kind="choice",
        required=True,
        choices=DESK_SITUATIONS,
    ),
    Field("advice", N_("Conseils donnés, orientation"), kind="textarea", max_length=4000),
)
FOLLOWUP_FIELDS = (
    Field("status", N_("Suivi"), kind="choice", required=True, choices=DESK_STATUSES),
    Field("status_date", N_("Date (entrée en logement, relais, fin du suivi)"), kind="date"),
)
PLACE_FIELDS = (Field("name", N_("Nom du lieu"), required=True, max_length=120),)


async def places(active_only: bool = True) -> list[dict[str, Any]]:
    query = DeskPlace.select(DeskPlace.id, DeskPlace.name, DeskPlace.active)
    if active_only:
        query = query.where(DeskPlace.active == True)  # noqa: E712 (Piccolo expression)
    return await query.order_by(DeskPlace.name)


# --- Sessions ----------------------------------------------------------------------------


async def create_session(raw: dict[str, Any], user_id: int | None, address: str) -> int:
    values = validate(session_fields(await places()), raw)
    async with transaction():
        row = await DeskSession.insert(
            DeskSession(
                place=int(values["place"]),
                held_on=dt.date.fromisoformat(values["held_on"]),
                counsellor=user_id,
                notes=values["notes"] or "",
                created_by=user_id,
                created_at=now(),
            )
        ).returning(DeskSession.id)
        await audit(
            "create",
            "cllaj_desk_session",
            row[0]["id"],
            user_id=user_id,
            fields=values.keys(),
            address=address,
        )
    return row[0]["id"]


def parse_cursor(text: str | None) -> tuple[dt.date, int] | None:
    """``2024-03-05_17`` → (date, id); anything else → ``None`` (first page)."""
    try:
        day, _, ident = (text or "").partition("_")
        return dt.date.fromisoformat(day), int(ident)
    except ValueError:
        return None


async def session_list(after: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Sessions, latest first, by pages of 50 (keyset on date then id), with intake counts."""
    query = DeskSession.select(
        DeskSession.id,
        DeskSession.held_on,
        DeskSession.notes,
        DeskSession.place.name.as_alias("place_name"),
    )
    cursor = parse_cursor(after)
    if cursor:
        day, ident = cursor
        query = query.where(
            (DeskSession.held_on < day) | ((DeskSession.held_on == day) & (DeskSession.id < ident))
        )
    rows = (
        await query.order_by(DeskSession.held_on, ascending=False)
        .order_by(DeskSession.id, ascending=False)
        .limit(PAGE_SIZE + 1)
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    counts: dict[int, int] = {}
    if rows:
        for r in await DeskIntake.select(DeskIntake.session).where(
            DeskIntake.session.is_in([r["id"] for r in rows])
        ):
            counts[r["session"]] = counts.get(r["session"], 0) + 1
    for r in rows:
        r["intakes"] = counts.get(r["id"], 0)
    next_cursor = f"{rows[-1]['held_on'].isoformat()}_{rows[-1]['id']}" if more else None
    return rows, next_cursor


async def update_session(
    session_id: int, raw: dict[str, Any], user_id: int | None, address: str
) -> None:
    """Correct a session's place, date or notes (a deactivated place may be kept)."""
    async with transaction():
        row = await DeskSession.select().where(DeskSession.id == session_id).first()
        if row is None:
            raise LookupError(session_id)
        current = await DeskPlace.select(DeskPlace.id, DeskPlace.name).where(
            DeskPlace.id == row["place"]
        )
        choices = {p["id"]: p for p in [*await places(), *current]}
        values = validate(session_fields(list(choices.values())), raw)
        update = {
            "place": int(values["place"]),
            "held_on": dt.date.fromisoformat(values["held_on"]),
            "notes": values["notes"] or "",
        }
        changed = [k for k, v in update.items() if row[k] != v]
        await DeskSession.update({getattr(DeskSession, k): v for k, v in update.items()}).where(
            DeskSession.id == session_id
        )
        await audit(
            "update",
            "cllaj_desk_session",
            session_id,
            user_id=user_id,
            fields=changed or ["notes"],
            address=address,
        )


async def get_session(session_id: int) -> dict[str, Any] | None:
    return (
        await DeskSession.select(
            DeskSession.id,
            DeskSession.held_on,
            DeskSession.notes,
            DeskSession.place,
            DeskSession.place.name.as_alias("place_name"),
        )
        .where(DeskSession.id == session_id)
        .first()
    )


# --- Intakes -----------------------------------------------------------------------------


async def session_intakes(session_id: int) -> list[dict[str, Any]]:
    return await DeskIntake.select().where(DeskIntake.session == session_id).order_by(DeskIntake.id)


async def add_intake(
    session_id: int, raw: dict[str, Any], user_id: int | None, address: str
) -> int:
    values = validate(INTAKE_FIELDS, raw)
    async with transaction():
        if not await DeskSession.exists().where(DeskSession.id == session_id):
            raise LookupError(session_id)
        row = await DeskIntake.insert(
            DeskIntake(
                session=session_id,
                initials=values["initials"] or "",
                age=values["age"],
                sex=values["sex"],
                prescriber=values["prescriber"],
                resources=values["resources"],
                situation=values["situation"],
                advice=values["advice"] or "",
                status="open",
                status_date=None,
                created_by=user_id,
                created_at=now(),
                updated_at=now(),
            )
        ).returning(DeskIntake.id)
        await audit(
            "create",
            "cllaj_desk_intake",
            row[0]["id"],
            user_id=user_id,
            fields=values.keys(),
            address=address,
        )
    return row[0]["id"]


async def get_intake(intake_id: int) -> dict[str, Any] | None:
    return (
        await DeskIntake.select(
            *DeskIntake.all_columns(),
            DeskIntake.session.held_on.as_alias("held_on"),
            DeskIntake.session.place.name.as_alias("place_name"),  # type: ignore[union-attr]  # a joined column: Piccolo types a ForeignKey's attribute Column | Any
        )
        .where(DeskIntake.id == intake_id)
        .first()
    )


async def update_intake(
    intake_id: int, raw: dict[str, Any], user_id: int | None, address: str
) -> None:
    """Correct an intake and record its follow-up; a closed follow-up needs its date."""
    values = validate((*INTAKE_FIELDS, *FOLLOWUP_FIELDS), raw)
    if values["status"] != "open" and not values["status_date"]:
        raise FormErrors(
            {
                "status_date": "indiquez la date de fin du suivi (entrée en logement, "
                "relais ou dernier contact)"
            }
        )
    async with transaction():
        row = await DeskIntake.select().where(DeskIntake.id == intake_id).first()
        if row is None:
            raise LookupError(intake_id)
        session = (
            await DeskSession.select(DeskSession.held_on)
            .where(DeskSession.id == row["session"])
            .first()
        )
        assert session is not None  # the intake's session (foreign key)
        day = dt.date.fromisoformat(values["status_date"]) if values["status_date"] else None
        if day and day < session["held_on"]:
            raise FormErrors({"status_date": "la date précède celle de la permanence"})
        if values["status"] == "open":
            day = None
        update = {
            "initials": values["initials"] or "",
            "age": values["age"],
            "sex": values["sex"],
            "prescriber": values["prescriber"],
            "resources": values["resources"],
            "situation": values["situation"],
            "advice": values["advice"] or "",
            "status": values["status"],
            "status_date": day,
        }
        changed = [k for k, v in update.items() if row[k] != v]
        await DeskIntake.update(
            {**{getattr(DeskIntake, k): v for k, v in update.items()}, DeskIntake.updated_at: now()}
        ).where(DeskIntake.id == intake_id)
        await audit(
            "update",
            "cllaj_desk_intake",
            intake_id,
            user_id=user_id,
            fields=changed or ["status"],
            address=address,
        )


async def delete_intake(intake_id: int, user_id: int | None, address: str) -> int:
    """Remove an intake recorded by mistake; returns its session (the deletion is audited)."""
    async with transaction():
        row = await DeskIntake.select(DeskIntake.session).where(DeskIntake.id == intake_id).first()
        if row is None:
            raise LookupError(intake_id)
        await DeskIntake.delete().where(DeskIntake.id == intake_id)
        await audit("delete", "cllaj_desk_intake", intake_id, user_id=user_id, address=address)
    return row["session"]


async def open_followups(after: int | None = None) -> tuple[list[dict[str, Any]], int | None]:
    """Intakes whose follow-up is under way, oldest first, by pages of 50 (keyset on id)."""
    query = DeskIntake.select(
        DeskIntake.id,
        DeskIntake.initials,
        DeskIntake.age,
        DeskIntake.situation,
        DeskIntake.session,
        DeskIntake.session.held_on.as_alias("held_on"),
        DeskIntake.session.place.name.as_alias("place_name"),  # type: ignore[union-attr]  # a joined column: Piccolo types a ForeignKey's attribute Column | Any
    ).where(DeskIntake.status == "open")
    if after:
        query = query.where(DeskIntake.id > after)
    rows = await query.order_by(DeskIntake.id).limit(PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1]["id"] if more else None)


#: An open follow-up older than this shows on the dashboard (to close or hand over).
STALE_MONTHS = 3


def _who(row: dict[str, Any]) -> str:
    age = f", {row['age']} ans" if row["age"] is not None else ""
    return f"{row['initials'] or 'Jeune'}{age}"


async def stale_followups(ctx: DashboardContext) -> list[DashboardRow]:
    """Follow-ups still open three months after the session: to close or hand over."""
    if not can(ctx.user, "social") or not set(ctx.programmes) & {BAIL, JAPPART, GLISSANT}:
        return []
    limit = add_months(ctx.today, -STALE_MONTHS)
    rows = (
        await DeskIntake.select(
            DeskIntake.id,
            DeskIntake.initials,
            DeskIntake.age,
            DeskIntake.session.held_on.as_alias("held_on"),
            DeskIntake.session.place.name.as_alias("place_name"),  # type: ignore[union-attr]  # a joined column: Piccolo types a ForeignKey's attribute Column | Any
        )
        .where((DeskIntake.status == "open") & (DeskIntake.session.held_on < limit))
        .order_by(DeskIntake.session.held_on)
        .limit(20)
    )
    return [
        DashboardRow(
            _who(r),
            f"/cllaj/desk/intakes/{r['id']}",
            gettext("reçu le {date} ({place}), suivi toujours en cours").format(
                date=format_date(r["held_on"]), place=r["place_name"]
            ),
        )
        for r in rows
    ]


# --- Places ----------------------------------------------------------------------------------


async def add_place(raw: dict[str, Any], user_id: int | None, address: str) -> int:
    values = validate(PLACE_FIELDS, raw)
    async with transaction():
        if await DeskPlace.exists().where(DeskPlace.name == values["name"]):
            raise FormErrors({"name": "ce lieu existe déjà"})
        row = await DeskPlace.insert(
            DeskPlace(name=values["name"], active=True, created_at=now())
        ).returning(DeskPlace.id)
        await audit(
            "create",
            "cllaj_desk_place",
            row[0]["id"],
            user_id=user_id,
            fields=["name"],
            address=address,
        )
    return row[0]["id"]


async def toggle_place(place_id: int, user_id: int | None, address: str) -> None:
    async with transaction():
        row = await DeskPlace.select(DeskPlace.active).where(DeskPlace.id == place_id).first()
        if row is None:
            raise LookupError(place_id)
        await DeskPlace.update({DeskPlace.active: not row["active"]}).where(
            DeskPlace.id == place_id
        )
        await audit(
            "update",
            "cllaj_desk_place",
            place_id,
            user_id=user_id,
            fields=["active"],
            address=address,
        )
