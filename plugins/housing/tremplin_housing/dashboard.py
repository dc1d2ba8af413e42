"""The rental manager's dashboard blocks: rent calls to issue, dwellings vacant for more
than 30 days, interventions still open. Each row links to a page the ``rental`` or
``technical`` capability opens; no household is named (no social data on these blocks)."""

from __future__ import annotations

import datetime as dt

from tremplin.api import N_, DashboardContext, DashboardRow, domain, format_date, programme_filter
from tremplin_housing.tables import Intervention, LedgerEntry, Occupancy, Vacancy

_t = domain(__name__)
gettext, ngettext = _t.gettext, _t.ngettext

#: A dwelling empty for longer than this is listed (the vacancy costs the association).
VACANT_DAYS = 30


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
    month = format_date(first, "MMMM y")
    return [
        DashboardRow(
            ngettext(
                "{n} appel de loyer de {month} à émettre",
                "{n} appels de loyer de {month} à émettre",
                due,
            ).format(n=due, month=month),
            "/housing/rent-calls",
            gettext("{called} déjà émis sur {active} occupations").format(
                called=called, active=active
            ),
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
            gettext("vacant depuis le {date} ({days} jours)").format(
                date=format_date(r["start_date"]), days=(ctx.today - r["start_date"]).days
            ),
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
    status = {"requested": N_("demandée le {date}"), "planned": N_("programmée le {date}")}
    return [
        DashboardRow(
            gettext("Logement {reference}").format(reference=r["reference"]),
            f"/housing/dwellings/{r['dwelling_id']}",
            gettext(status[r["status"]]).format(date=format_date(r["requested_on"])),
        )
        for r in rows
    ]
