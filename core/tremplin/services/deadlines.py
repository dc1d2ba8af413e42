"""Due dates (*échéances*) computed by the core from the programmes' declared deadlines.

A programme declares :class:`~tremplin.types.Deadline` objects in its workflow; the core
turns them into ``due_date`` rows each time an enrolment is written (:func:`refresh`, called
by every core write path and by :func:`tremplin.api.refresh_due_dates` for a plugin's own
table an agreement's term depends on). The dashboard block « Échéances », the badge on the
enrolment and the page ``/echeances`` read those rows through one index, never the
declarations.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tremplin.db import raw
from tremplin.models import DueDate, Enrolment, Household
from tremplin.services.clock import now
from tremplin.types import Deadline, EnrolmentView, Workflow

__all__ = [
    "ORDERS",
    "DueFilter",
    "compute",
    "cursor_values",
    "due_dates_of_households",
    "list_due",
    "refresh",
    "refresh_all",
    "refresh_many",
    "remember_workflows",
]

log = logging.getLogger("tremplin.deadlines")

#: Enrolments computed per query when refreshing many (9 columns: under SQLite's limit).
BATCH = 500
PAGE_SIZE = 50

_workflows: dict[str, Workflow] = {}


def remember_workflows(workflows: Mapping[str, Workflow]) -> None:
    """Keep the declared workflows for callers that have no plugin host at hand (a plugin's
    write through :func:`tremplin.api.refresh_due_dates`). Called when a host is built.

    Merged, not replaced: a programme's declaration is the same in every host of a process,
    and a second host (a test, a command loading a subset of plugins) must not make the
    first one's programmes lose their due dates."""
    _workflows.update(workflows)


async def _due(deadline: Deadline, view: EnrolmentView) -> dt.date | None:
    value = deadline.due(view)
    if inspect.isawaitable(value):
        value = await value
    if value is not None and not isinstance(value, dt.date):
        # i18n: developer (a plugin author's mistake)
        raise TypeError(f"Deadline {deadline.key!r}: due() returned {type(value).__name__}")
    return value


async def compute(row: dict[str, Any], workflows: Mapping[str, Workflow]) -> list[DueDate]:
    """The due dates of one enrolment row (all columns, JSON loaded) in its current state.

    A closed enrolment (exit date recorded) has none. A deadline whose ``due`` fails is
    logged with its programme and skipped, so one faulty declaration never blocks a write.
    """
    workflow = workflows.get(row["programme"])
    if workflow is None or row["exit_date"] is not None:
        return []
    view = EnrolmentView.from_row(row)
    out: list[DueDate] = []
    stamp = now()
    for deadline in workflow.deadlines:
        if row["state"] not in deadline.states:
            continue
        try:
            due = await _due(deadline, view)
        except Exception:
            log.exception(
                "deadline %s of programme %s failed for enrolment %s",
                deadline.key,
                row["programme"],
                row["id"],
            )
            continue
        if due is None:
            continue
        out.append(
            DueDate(
                enrolment=row["id"],
                household=row["household"],
                programme=row["programme"],
                referent=row["referent"],
                key=deadline.key,
                label=deadline.label[:200],
                due_on=due,
                warn_from=deadline.warn_from(due),
                computed_at=stamp,
            )
        )
    return out


async def refresh_many(
    enrolment_ids: Iterable[int], workflows: Mapping[str, Workflow] | None = None
) -> int:
    """Recompute the due dates of these enrolments; returns how many rows were written.

    Run it inside the write's transaction: the due dates change with the enrolment or not
    at all.
    """
    workflows = _workflows if workflows is None else workflows
    ids = sorted(set(enrolment_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        rows = await Enrolment.select().where(Enrolment.id.is_in(chunk)).output(load_json=True)
        await DueDate.delete().where(DueDate.enrolment.is_in(chunk))
        new: list[DueDate] = []
        for row in rows:
            new.extend(await compute(row, workflows))
        if new:
            await DueDate.insert(*new)
        written += len(new)
    return written


async def refresh(enrolment_id: int, workflows: Mapping[str, Workflow] | None = None) -> int:
    """Recompute one enrolment's due dates (see :func:`refresh_many`)."""
    return await refresh_many([enrolment_id], workflows)


async def refresh_all(workflows: Mapping[str, Workflow] | None = None) -> int:
    """Recompute every open enrolment's due dates (the backfill run by ``tremplin migrate``
    and ``tremplin refresh-deadlines``); returns how many due dates there are."""
    from tremplin.db import transaction

    workflows = _workflows if workflows is None else workflows
    with_deadlines = [k for k, w in workflows.items() if w.deadlines]
    async with transaction():
        await DueDate.delete(force=True)
    total, last = 0, 0
    while True:
        ids = [
            r["id"]
            for r in await Enrolment.select(Enrolment.id)
            .where(
                (Enrolment.id > last)
                & Enrolment.exit_date.is_null()
                & Enrolment.programme.is_in(with_deadlines or [""])
            )
            .order_by(Enrolment.id)
            .limit(BATCH)
        ]
        if not ids:
            return total
        async with transaction():
            total += await refresh_many(ids, workflows)
        last = ids[-1]


async def due_dates_of_households(
    household_ids: Sequence[int], programmes: Sequence[str]
) -> dict[int, list[dict[str, Any]]]:
    """Due dates of these households' enrolments in ``programmes``, by enrolment id (one
    query, for the badges of the household page)."""
    if not household_ids:
        return {}
    ids, keys = list(household_ids), list(programmes) or [""]
    # Hand-written (tremplin.db.raw): read on every household page.
    rows = await raw.fetch(
        'SELECT "enrolment", "key", "label", "due_on", "warn_from" FROM "due_date" '
        f'WHERE "household" IN ({raw.placeholders(len(ids))}) '
        f'AND "programme" IN ({raw.placeholders(len(keys))}) ORDER BY "due_on"',
        *ids,
        *keys,
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        out.setdefault(row["enrolment"], []).append(row)
    return out


@dataclass(frozen=True)
class DueFilter:
    """What ``/echeances`` and the dashboard ask for.

    ``programmes`` are those the user may see (already narrowed by a chosen programme);
    ``referent`` keeps one referent's enrolments; ``start``/``end`` bound the due date; with
    neither, ``watch_on`` keeps the due dates whose warning period has begun that day, and
    ``overdue_on`` only those already past.
    """

    programmes: tuple[str, ...]
    referent: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    watch_on: dt.date | None = None
    overdue_on: dt.date | None = None


def _where(f: DueFilter) -> Any:
    # Archived households are few: excluded through their small index rather than a join
    # on every due date.
    archived = Household.select(Household.id).where(Household.archived_at.is_not_null())
    where = DueDate.programme.is_in(list(f.programmes) or [""]) & DueDate.household.not_in(archived)
    if f.referent is not None:
        where &= DueDate.referent == f.referent
    if f.start is not None:
        where &= DueDate.due_on >= f.start
    if f.end is not None:
        where &= DueDate.due_on <= f.end
    if f.watch_on is not None:
        where &= DueDate.warn_from <= f.watch_on
    if f.overdue_on is not None:
        where &= DueDate.due_on < f.overdue_on
    return where


#: The orders of the list (``order`` of :func:`list_due`): the columns walked, each order on
#: an index — ``due_date_due`` (due_on, id), and from ``tremplin_0017``
#: ``due_date_household_due`` (household, due_on, id: households in reference order, each
#: one's due dates earliest first) and ``due_date_label_programme`` (label, programme,
#: due_on, id: by subject, then programme).
ORDERS: dict[str, tuple[Any, ...]] = {
    "due": (DueDate.due_on, DueDate.id),
    "household": (DueDate.household, DueDate.due_on, DueDate.id),
    "subject": (DueDate.label, DueDate.programme, DueDate.due_on, DueDate.id),
}


def _after(columns: tuple[Any, ...], values: tuple[Any, ...], descending: bool) -> Any:
    """Keyset where-clause: the rows after ``values`` in the order of ``columns``."""
    clause = None
    for index, column in enumerate(columns):
        step = column < values[index] if descending else column > values[index]
        for previous, value in zip(columns[:index], values[:index], strict=True):
            step &= previous == value
        clause = step if clause is None else clause | step
    return clause


def cursor_values(row: Mapping[str, Any], order: str = "due") -> tuple[Any, ...]:
    """The cursor naming ``row`` as the last one shown in ``order``."""
    return tuple(row[column._meta.name] for column in ORDERS[order])


async def list_due(
    f: DueFilter,
    *,
    after: tuple[Any, ...] | None = None,
    limit: int = PAGE_SIZE,
    descending: bool = False,
    order: str = "due",
) -> tuple[list[dict[str, Any]], tuple[Any, ...] | None]:
    """A page of due dates in ``order`` (:data:`ORDERS`; by default the earliest, so
    overdue, first), the other way round with ``descending``, with keyset pagination on the
    order's columns through its index (read backwards when descending). ``after``: the
    values of those columns for the last row shown. Returns the rows and the cursor of the
    next page (``None`` at the end)."""
    columns = ORDERS[order]
    where = _where(f)
    if after is not None:
        where &= _after(columns, tuple(after), descending)
    query = DueDate.select(
        DueDate.id,
        DueDate.enrolment,
        DueDate.household,
        DueDate.programme,
        DueDate.referent,
        DueDate.key,
        DueDate.label,
        DueDate.due_on,
        DueDate.warn_from,
        DueDate.household.name.as_alias("name"),
        DueDate.household.reference.as_alias("reference"),
        DueDate.referent.full_name.as_alias("referent_name"),
    ).where(where)
    for column in columns:
        query = query.order_by(column, ascending=not descending)
    rows = await query.limit(limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = cursor_values(rows[-1], order) if more and rows else None
    return rows, cursor


async def count_due(f: DueFilter, cap: int | None = None) -> int:
    """How many due dates match; with ``cap``, counting stops there (the dashboard says
    « N et plus » instead of walking every row of a large programme)."""
    if cap is None:
        return await DueDate.count().where(_where(f))
    return len(await DueDate.select(DueDate.id).where(_where(f)).limit(cap))
