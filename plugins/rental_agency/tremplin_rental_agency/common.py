"""Small helpers shared by the agency's services: audit, timeline events, look-ups."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar.params import Parameter

from tremplin.api import (
    Actor,
    FormErrors,
    NewEvent,
    NotFound,
    add_timeline_event,
    audit,
    now,
    today,
)
from tremplin_rental_agency.vocab import KEY

PARIS = ZoneInfo("Europe/Paris")

#: A row id in a URL: a positive 32-bit integer, else 400 (never a database overflow).
RowId = Annotated[int, Parameter(ge=1, le=2_147_483_647)]


def moment(day: dt.date) -> dt.datetime:
    """An aware UTC timestamp for something that happened on ``day`` (now, if today)."""
    if day == today():
        return now()
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=PARIS).astimezone(dt.UTC)


async def add_event(
    actor: Actor,
    household_id: int,
    kind: str,
    title: str,
    day: dt.date,
    body: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """A timeline event of the household, tagged with the agency's key; call it inside the
    write's transaction."""
    await add_timeline_event(
        actor,
        household_id,
        NewEvent(kind, title, body, on=day, data=data or {}),
        programme=KEY,
        audit_action=None,  # the caller audits its whole change
    )


async def write_audit(
    actor: Actor, action: str, object_type: str, object_id: int | None, fields: Any = ()
) -> None:
    await audit(
        action, object_type, object_id, user_id=actor.user_id, fields=fields, address=actor.address
    )


#: The error of a form posted without the version of the record it edits.
VERSION_MISSING = "Version manquante : rechargez la page."


def posted_int(raw: dict[str, Any], name: str, message: str, key: str | None = None) -> int:
    """The integer a form posted in ``name`` (a row chosen in a list, a record's version),
    else :class:`FormErrors` with ``message`` under ``key`` (``name`` by default)."""
    try:
        return int(raw.get(name, ""))
    except (TypeError, ValueError):
        raise FormErrors({key or name: message}) from None


def require(row: dict[str, Any] | None, key: int) -> dict[str, Any]:
    if row is None:
        raise NotFound(key)
    return row


def not_in_future(name: str, day: dt.date | None, what: str = "La date") -> None:
    if day is not None and day > today():
        raise FormErrors({name: f"{what} est dans le futur."})


def date_of(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
