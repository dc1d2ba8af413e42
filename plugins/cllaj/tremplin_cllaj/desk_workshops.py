"""Collective workshops (*ateliers collectifs*) of the CLLAJ: theme, date, public,
co-facilitator and number of attendees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import N_, Field, audit, now, transaction, validate
from tremplin_cllaj.desk import PAGE_SIZE, parse_cursor
from tremplin_cllaj.rules import WORKSHOP_AUDIENCES
from tremplin_cllaj.tables import Workshop

WORKSHOP_FIELDS = (
    Field("held_on", N_("Date"), kind="date", required=True),
    Field("theme", N_("Thème"), required=True, max_length=200),
    Field("audience", N_("Public"), kind="choice", required=True, choices=WORKSHOP_AUDIENCES),
    Field(
        "co_facilitator",
        N_("Co-animé avec"),
        max_length=200,
        help=N_("Par exemple : référent logement de la Mission Locale"),
    ),
    Field(
        "attendees", N_("Nombre de participants"), kind="int", required=True, minimum=0, maximum=500
    ),
)


async def add_workshop(raw: dict[str, Any], user_id: int | None, address: str) -> int:
    values = validate(WORKSHOP_FIELDS, raw)
    async with transaction():
        row = await Workshop.insert(
            Workshop(
                held_on=dt.date.fromisoformat(values["held_on"]),
                theme=values["theme"],
                audience=values["audience"],
                co_facilitator=values["co_facilitator"] or "",
                attendees=values["attendees"],
                created_by=user_id,
                created_at=now(),
            )
        ).returning(Workshop.id)
        await audit(
            "create",
            "cllaj_workshop",
            row[0]["id"],
            user_id=user_id,
            fields=values.keys(),
            address=address,
        )
    return row[0]["id"]


async def workshop_list(after: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    query = Workshop.select()
    cursor = parse_cursor(after)
    if cursor:
        day, ident = cursor
        query = query.where(
            (Workshop.held_on < day) | ((Workshop.held_on == day) & (Workshop.id < ident))
        )
    rows = (
        await query.order_by(Workshop.held_on, ascending=False)
        .order_by(Workshop.id, ascending=False)
        .limit(PAGE_SIZE + 1)
    )
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (f"{rows[-1]['held_on'].isoformat()}_{rows[-1]['id']}" if more else None)
