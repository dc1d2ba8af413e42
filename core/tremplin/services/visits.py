"""Visits and interventions recorded by roles that do not open the social file.

A programme declares, on its :class:`~tremplin.types.EventType`, which roles may add events
of that kind (``roles=("technician",)``: the house mistress's monthly visit, a technician's
passage). Those users reach the households of their programmes through the « Passages et
visites » page only: they see the household's name and reference, the events of their own
kinds, and add one. Nothing else of the file (notes, documents, enrolment data) is read.
"""

from __future__ import annotations

from typing import Any

from tremplin.models import Enrolment, Household, TimelineEvent
from tremplin.plugins import PluginHost
from tremplin.types import EventType

__all__ = ["household_programmes", "list_kind_events", "reachable_households", "role_kinds"]

#: Households per page of the « Passages et visites » list.
PAGE = 50


def role_kinds(host: PluginHost, role: str | None, programmes: list[str]) -> list[EventType]:
    """The manual event kinds ``role`` may add in ``programmes`` (the user's programmes)."""
    if not role:
        return []
    return sorted(
        (
            e
            for e in host.event_types.values()
            if e.manual and role in e.roles and (e.programme is None or e.programme in programmes)
        ),
        key=lambda e: (e.order, e.key),
    )


def kind_programmes(kinds: list[EventType], programmes: list[str]) -> list[str]:
    """The programmes whose households the kinds reach (all of the user's for a kind that
    belongs to no programme)."""
    if any(e.programme is None for e in kinds):
        return list(programmes)
    return sorted({e.programme for e in kinds if e.programme in programmes})


def _open_enrolments(programmes: list[str]) -> Any:
    return (
        Enrolment.programme.is_in(programmes or [""])
        & Enrolment.exit_date.is_null()
        & Enrolment.household.archived_at.is_null()
    )


async def reachable_households(
    programmes: list[str], *, after: tuple[str, int] | None = None, limit: int = PAGE
) -> list[dict[str, Any]]:
    """Households with an open enrolment in ``programmes``, by name then id (keyset
    pagination: ``after`` is the (name, id) of the last row shown), one row each."""
    query = (
        Enrolment.select(
            Enrolment.household.id.as_alias("id"),
            Enrolment.household.name.as_alias("name"),
            Enrolment.household.reference.as_alias("reference"),
            Enrolment.programme,
        )
        .where(_open_enrolments(programmes))
        .order_by(Enrolment.household.name, Enrolment.household.id)
    )
    if after is not None:
        name, ident = after
        query = query.where(
            (Enrolment.household.name > name)
            | ((Enrolment.household.name == name) & (Enrolment.household.id > ident))
        )
    rows: dict[int, dict[str, Any]] = {}
    # Several open enrolments of one household come out together (same name and id).
    for row in await query.limit(limit * 4):
        entry = rows.setdefault(row["id"], {**row, "programmes": []})
        entry["programmes"].append(row["programme"])
        if len(rows) > limit:
            rows.pop(row["id"])
            break
    return list(rows.values())[:limit]


async def household_programmes(household_id: int, programmes: list[str]) -> list[str]:
    """The programmes among ``programmes`` in which the household has an open enrolment."""
    rows = await Enrolment.select(Enrolment.programme).where(
        (Enrolment.household == household_id) & _open_enrolments(programmes)
    )
    return sorted({r["programme"] for r in rows})


async def household_header(household_id: int) -> dict[str, Any] | None:
    return (
        await Household.select(Household.id, Household.name, Household.reference)
        .where((Household.id == household_id) & Household.archived_at.is_null())
        .first()
    )


async def list_kind_events(
    household_id: int, kinds: list[str], programmes: list[str], limit: int = 100
) -> list[dict[str, Any]]:
    """The household's events of ``kinds`` only, newest first."""
    return (
        await TimelineEvent.select(
            TimelineEvent.id,
            TimelineEvent.kind,
            TimelineEvent.occurred_at,
            TimelineEvent.title,
            TimelineEvent.body,
            TimelineEvent.programme,
            TimelineEvent.author.full_name.as_alias("author_name"),
        )
        .where(
            (TimelineEvent.household == household_id)
            & TimelineEvent.kind.is_in(kinds or [""])
            & TimelineEvent.programme.is_in([*programmes, ""])
        )
        .order_by(TimelineEvent.occurred_at, ascending=False)
        .order_by(TimelineEvent.id, ascending=False)
        .limit(limit)
    )
