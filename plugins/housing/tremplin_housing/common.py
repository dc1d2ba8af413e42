"""Small helpers shared by the housing services: dates, timeline events, look-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from tremplin.api import (
    Actor,
    FormErrors,
    Households,
    NewEvent,
    NotFound,
    add_timeline_event,
    audit,
    format_money,
    today,
)

PARIS = ZoneInfo("Europe/Paris")


def money_label(amount_cents: int) -> str:
    """``123456`` → ``"1 234,56 €"`` (the core's money format, Babel's for the language)."""
    return format_money(amount_cents)


def date_or_none(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def cents(value: int | None) -> int:
    return int(value or 0)


def not_in_future(name: str, day: dt.date | None, what: str = "la date") -> None:
    if day is not None and day > today():
        raise FormErrors({name: f"{what} est dans le futur"})


async def add_event(
    actor: Actor,
    household_id: int,
    kind: str,
    title: str,
    body: str,
    day: dt.date,
    programme: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    """A timeline event of the household (dated by its business date ``day``); call it inside
    the write's transaction, which audits the change itself."""
    await add_timeline_event(
        actor,
        household_id,
        NewEvent(kind, title, body, on=day, data=data or {}),
        programme=programme,
        audit_action=None,
    )


async def write_audit(
    actor: Actor, action: str, object_type: str, object_id: int, fields: Any = ()
) -> None:
    await audit(
        action, object_type, object_id, user_id=actor.user_id, fields=fields, address=actor.address
    )


UNKNOWN_HOUSEHOLD = "aucun ménage ne porte ce numéro ou cette référence"


async def find_household(text: str, field: str = "household") -> dict[str, Any]:
    """A household by its number (``12``) or its reference (``M-000012``)."""
    text = (text or "").strip()
    query = Households.select(Households.id, Households.name, Households.reference)
    if text.isdigit():
        row = await query.where(Households.id == int(text)).first()
    else:
        row = await query.where(Households.reference == text.upper()).first()
    if row is None:
        raise FormErrors({field: UNKNOWN_HOUSEHOLD})
    return row


def require(row: dict[str, Any] | None, key: int) -> dict[str, Any]:
    if row is None:
        raise NotFound(key)
    return row


def expected_version(raw: dict[str, Any], current: dict[str, Any]) -> int:
    """The version an edit form was shown with (its hidden ``version``); a caller without one
    (the API, a script) edits the version it just read."""
    text = str(raw.get("version") or "").strip()
    return int(text) if text.isdigit() else current["version"]
