"""The household timeline: typed, dated, authored events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.db import raw, transaction
from tremplin.errors import Actor
from tremplin.forms import FormErrors, parse_fields
from tremplin.i18n import N_
from tremplin.models import TimelineEvent
from tremplin.plugins import PluginHost
from tremplin.services import audit
from tremplin.services.clock import business_datetime, now, today
from tremplin.services.households import get_household
from tremplin.types import Choice, Field

__all__ = ["add_event", "event_fields", "list_events"]


def event_fields(
    host: PluginHost, programmes: list[str], only: list[str] | None = None
) -> tuple[Field, ...]:
    """The fields of the timeline form; ``only`` limits the kinds offered (the kinds a role
    without the social file may add, see :mod:`tremplin.services.visits`)."""
    kinds = [
        e
        for e in host.event_types.values()
        if e.manual
        and (e.programme is None or e.programme in programmes)
        and (only is None or e.key in only)
    ]
    return (
        Field(
            "kind",
            N_("Type"),
            kind="choice",
            required=True,
            choices=tuple(Choice(e.key, e.label) for e in kinds),
        ),
        Field("occurred_on", N_("Date"), kind="date", required=True),
        Field(
            "programme",
            N_("Programme"),
            kind="choice",
            choices=tuple(Choice(k, host.programmes[k].name_fr) for k in programmes),
        ),
        Field("body", N_("Texte"), kind="textarea", required=True),
        Field(
            "visibility",
            N_("Visibilité"),
            kind="choice",
            choices=(
                Choice("staff", N_("Équipe du programme")),
                Choice("partner", N_("Partagé avec les partenaires")),
            ),
        ),
    )


async def add_event(
    host: PluginHost,
    actor: Actor,
    household_id: int,
    raw: dict[str, Any],
    programmes: list[str],
    only: list[str] | None = None,
) -> int:
    """Add a dated event; every error at once (fields, a future date, a kind outside the
    chosen programme). ``only``: the kinds this user may add (``None``: every manual kind)."""
    values, errors = parse_fields(event_fields(host, programmes, only), raw)
    if values["occurred_on"] and dt.date.fromisoformat(values["occurred_on"]) > today():
        errors["occurred_on"] = N_("la date est dans le futur")
    event_type = host.event_types.get(values["kind"] or "")
    if (
        event_type is not None
        and event_type.programme
        and values["programme"] not in (None, event_type.programme)
    ):
        errors.setdefault("kind", "ce type n'existe pas dans ce programme")
    if errors:
        raise FormErrors(errors)
    assert event_type is not None
    occurred = dt.date.fromisoformat(values["occurred_on"])
    async with transaction():
        await get_household(household_id)
        row = await TimelineEvent.insert(
            TimelineEvent(
                household=household_id,
                kind=values["kind"],
                occurred_at=business_datetime(occurred),
                author=actor.user_id,
                programme=values["programme"] or event_type.programme or "",
                visibility=values["visibility"] or "staff",
                title=event_type.label,
                body=values["body"],
                created_at=now(),
            )
        ).returning(TimelineEvent.id)
        await audit.record(
            "add_event",
            "household",
            household_id,
            user_id=actor.user_id,
            fields=["timeline"],
            address=actor.address,
        )
    return row[0]["id"]


async def list_events(
    household_id: int, programmes: list[str], *, before_id: int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Events of the household in the given programmes (and general ones), newest first."""
    keys = [*programmes, ""]
    cursor = ' AND t."id" < {}' if before_id is not None else ""
    # Hand-written (tremplin.db.raw): read on every household page.
    return await raw.fetch(
        'SELECT t."id" AS "id", t."kind" AS "kind", t."occurred_at" AS "occurred_at", '
        't."title" AS "title", t."body" AS "body", t."programme" AS "programme", '
        't."visibility" AS "visibility", u."full_name" AS "author_name" '
        'FROM "timeline_event" AS t LEFT JOIN "tremplin_user" AS u ON u."id" = t."author" '
        f'WHERE t."household" = {{}} AND t."programme" IN ({raw.placeholders(len(keys))})'
        f'{cursor} ORDER BY t."occurred_at" DESC, t."id" DESC LIMIT {int(limit)}',
        household_id,
        *keys,
        *([before_id] if before_id is not None else []),
    )
