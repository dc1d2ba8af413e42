"""Core commands: how anything outside the core changes the core's rows.

Plugins read core tables, but write enrolments, the timeline and the audit trail only through
these functions (re-exported by :mod:`tremplin.api`). Each versioned write is an
``UPDATE … WHERE version = ?`` whose affected row count is checked on both engines: the second
of two concurrent writers gets :class:`ConflictError` and its transaction writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from piccolo.table import Table

from tremplin.db import transaction
from tremplin.errors import Actor, ConflictError, NotFound
from tremplin.models import Enrolment, TimelineEvent
from tremplin.services import audit
from tremplin.services.clock import business_datetime, now, today

__all__ = [
    "NewEvent",
    "add_timeline_event",
    "record_audit",
    "update_enrolment_data",
    "versioned_update",
]

#: Append an entry to the audit trail (who, what, which fields — never the values).
record_audit = audit.record


@dataclass(frozen=True)
class NewEvent:
    """A timeline event to add: its type, title and text, and its business date ``on``
    (the day it happened; today in the association's time zone when ``None``)."""

    kind: str
    title: str
    body: str = ""
    on: dt.date | None = None
    visibility: str = "staff"
    data: Mapping[str, Any] = field(default_factory=dict)


async def versioned_update(
    table: type[Table], row_id: int, version: int, values: Mapping[Any, Any]
) -> int:
    """``UPDATE table SET values, version = version + 1 WHERE id = ? AND version = ?``.

    Returns the new version. Raises :class:`ConflictError` (carrying the current row) when no
    row was changed: someone else saved since ``version`` was read. Call it inside a
    ``transaction()`` so that the conflict also undoes what the caller wrote before it.
    """
    columns = {c._meta.name for c in table._meta.columns}
    update: dict[Any, Any] = {**values, table._meta.get_column_by_name("version"): version + 1}
    if "updated_at" in columns:
        update[table._meta.get_column_by_name("updated_at")] = now()
    pk = table._meta.primary_key
    changed = (
        await table.update(update)
        .where((pk == row_id) & (table._meta.get_column_by_name("version") == version))
        .returning(pk)
    )
    if not changed:
        current = await table.select().where(pk == row_id).output(load_json=True).first()
        if current is None:
            raise NotFound(row_id)
        raise ConflictError(current)
    if table is Enrolment:
        # Every versioned write of an enrolment (transition, correction, declared data)
        # recomputes its due dates in the same transaction.
        from tremplin.services import deadlines

        await deadlines.refresh(row_id)
    return version + 1


async def add_timeline_event(
    actor: Actor,
    household_id: int,
    event: NewEvent,
    *,
    programme: str = "",
    enrolment_id: int | None = None,
    audit_action: str | None = "add_event",
) -> int:
    """Add ``event`` to a household's timeline, dated by its business date (the click time is
    kept as ``created_at``); audited as ``audit_action`` on the household unless ``None``
    (when the caller audits the whole change itself). Returns the event id."""
    data = dict(event.data)
    if enrolment_id is not None:
        data.setdefault("enrolment", enrolment_id)
    async with transaction():
        row = await TimelineEvent.insert(
            TimelineEvent(
                household=household_id,
                kind=event.kind,
                occurred_at=business_datetime(event.on or today()),
                author=actor.user_id,
                programme=programme,
                visibility=event.visibility,
                title=event.title[:200],
                body=event.body,
                data=data,
                created_at=now(),
            )
        ).returning(TimelineEvent.id)
        if audit_action:
            await audit.record(
                audit_action,
                "household",
                household_id,
                user_id=actor.user_id,
                fields=["timeline"],
                address=actor.address,
            )
    return row[0]["id"]


async def update_enrolment_data(
    actor: Actor,
    enrolment_id: int,
    expected_version: int,
    changes: Mapping[str, Any],
    *,
    programme: str | None = None,
    action: str = "update",
    fields: Iterable[str] | None = None,
    event: NewEvent | None = None,
) -> int:
    """Merge ``changes`` into an enrolment's declared data (``Enrolment.data``), provided it is
    still at ``expected_version``; returns the new version.

    ``programme`` restricts to enrolments of that programme (:class:`NotFound` otherwise).
    The change is audited as ``action`` with ``fields`` (default: the changed keys) and, with
    ``event``, recorded on the household's timeline — all in one transaction, so a
    :class:`ConflictError` leaves no trace.
    """
    async with transaction():
        query = Enrolment.select(
            Enrolment.id, Enrolment.household, Enrolment.programme, Enrolment.data
        ).where(Enrolment.id == enrolment_id)
        if programme is not None:
            query = query.where(Enrolment.programme == programme)
        row = await query.output(load_json=True).first()
        if row is None:
            raise NotFound(enrolment_id)
        data = {**(row["data"] or {}), **changes}
        version = await versioned_update(
            Enrolment, enrolment_id, expected_version, {Enrolment.data: data}
        )
        if event is not None:
            await add_timeline_event(
                actor,
                row["household"],
                event,
                programme=row["programme"],
                enrolment_id=enrolment_id,
                audit_action=None,
            )
        await audit.record(
            action,
            "enrolment",
            enrolment_id,
            user_id=actor.user_id,
            fields=list(changes) if fields is None else fields,
            address=actor.address,
        )
    return version
