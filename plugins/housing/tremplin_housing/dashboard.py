"""The rental manager's dashboard blocks: rent calls to issue, dwellings vacant for more
than 30 days, interventions still open. Each row links to a page the ``rental`` or
``technical`` capability opens; no household is named (no social data on these blocks)."""

from __future__ import annotations

import datetime as dt

from tremplin.api import DashboardContext, DashboardRow, programme_filter
from tremplin_housing.tables import Intervention, LedgerEntry, Occupancy, Vacancy

#: A dwelling empty for longer than this is listed (the vacancy costs the association).
VACANT_DAYS = 30
MONTHS_FR = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()


def _month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


async def rent_calls_due(ctx: DashboardContext) -> list[DashboardRow]:
    """The occupancies of the current month whose rent has not been called yet (one row)."""
    first, last = _month_bounds(ctx.today)
    active_query = Occupancy.count().where(
        (Occupancy.start_date <= last)
        & (Occupancy.end_date.is_null() | (Occupancy.end_date >= first))
    )
    called_query = LedgerEntry.count().where(
        (LedgerEntry.kind == "call") & (LedgerEntry.month == first)
    )
    # A user restricted to programmes counts theirs only (the same rule as the lists).
    scope = programme_filter(ctx, Occupancy.programme)
    if scope is not None:
        active_query = active_query.where(scope)
        called_query = called_query.where(programme_filter(ctx, LedgerEntry.occupancy.programme))
    active = await active_query
    called = await called_query
    due = max(0, active - called)
    if not due:
        return []
    month = f"{MONTHS_FR[first.month - 1]} {first.year}"
    return [
        DashboardRow(
            f"{due} appel{'s' if due > 1 else ''} de loyer de {month} à émettre",
            "/housing/rent-calls",
            f"{called} déjà émis sur {active} occupations",
        )
    ]


async def long_vacancies(ctx: DashboardContext) -> list[DashboardRow]:
    """Dwellings vacant for more than :data:`VACANT_DAYS` days, the longest first."""
    since = ctx.today - dt.timedelta(days=VACANT_DAYS)
    query = Vacancy.select(
        Vacancy.start_date,
        Vacancy.dwelling.id.as_alias("dwelling_id"),
        Vacancy.dwelling.reference.as_alias("reference"),
        Vacancy.dwelling.city.as_alias("city"),
        Vacancy.dwelling.confidential.as_alias("confidential"),
    ).where(Vacancy.end_date.is_null() & (Vacancy.start_date <= since))
    scope = programme_filter(ctx, Vacancy.dwelling.programme)
    if scope is not None:
        query = query.where(scope)
    rows = await query.order_by(Vacancy.start_date).limit(50)
    return [
        DashboardRow(
            r["reference"] + ("" if r["confidential"] or not r["city"] else f" ({r['city']})"),
            f"/housing/dwellings/{r['dwelling_id']}",
            f"vacant depuis le {r['start_date']:%d/%m/%Y} "
            f"({(ctx.today - r['start_date']).days} jours)",
        )
        for r in rows
    ]


async def open_interventions(ctx: DashboardContext) -> list[DashboardRow]:
    """Interventions requested or planned, the oldest request first."""
    query = Intervention.select(
        Intervention.requested_on,
        Intervention.status,
        Intervention.dwelling.id.as_alias("dwelling_id"),
        Intervention.dwelling.reference.as_alias("reference"),
    ).where(Intervention.status.is_in(["requested", "planned"]))
    scope = programme_filter(ctx, Intervention.dwelling.programme)
    if scope is not None:
        query = query.where(scope)
    rows = await query.order_by(Intervention.requested_on).limit(50)
    status = {"requested": "demandée", "planned": "programmée"}
    return [
        DashboardRow(
            f"Logement {r['reference']}",
            f"/housing/dwellings/{r['dwelling_id']}",
            f"{status[r['status']]} le {r['requested_on']:%d/%m/%Y}",
        )
        for r in rows
    ]
