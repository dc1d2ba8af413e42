"""House-mistress follow-up: housed households without a visit for over a month.

La Clède's house mistress visits every household at least once a month; a visit is a
``house_mistress_visit`` timeline event. Three queries in all, whatever the number of
households: the first housed enrolments without a recent visit, their last visit, the count.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.query import Max

from tremplin.api import (
    DashboardContext,
    DashboardRow,
    Enrolments,
    Households,
    TimelineEvents,
    add_months,
    domain,
    format_date,
)
from tremplin_iml_sublease.workflow import KEY

gettext = domain(__name__).gettext

VISIT = "house_mistress_visit"
#: Households named on the dashboard (it shows 15 lines: the last one counts them all).
SHOWN = 14
COUNT_CAP = 100
PARIS = ZoneInfo("Europe/Paris")


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


async def visits_overdue(ctx: DashboardContext) -> list[DashboardRow]:
    """Housed households with no visit since a month ago, the longest-housed first.

    Computed in SQL (the landing page must not walk every housed household): the housed
    enrolments whose household has no visit since the limit, at most
    :data:`SHOWN` of them with their last visit, then a line counting them all.
    """
    limit = add_months(ctx.today, -1)
    since = dt.datetime.combine(limit, dt.time(), tzinfo=PARIS)
    recent = TimelineEvents.select(TimelineEvents.household).where(
        (TimelineEvents.kind == VISIT) & (TimelineEvents.occurred_at >= since)
    )
    archived = Households.select(Households.id).where(Households.archived_at.is_not_null())
    where = (
        (Enrolments.programme == KEY)
        & (Enrolments.state == "housed")
        & (Enrolments.entry_date < limit)
        & Enrolments.household.not_in(archived)
        & Enrolments.household.not_in(recent)
    )
    rows = (
        await Enrolments.select(
            Enrolments.household,
            Enrolments.entry_date,
            Enrolments.household.name.as_alias("name"),
        )
        .where(where)
        .order_by(Enrolments.entry_date)  # the covering index's order: no sort
        .limit(SHOWN)
    )
    if not rows:
        return []
    last = {
        r["household"]: _day(r["last"])
        for r in await TimelineEvents.select(
            TimelineEvents.household,
            Max(TimelineEvents.occurred_at, alias="last"),
        )
        .where(
            (TimelineEvents.kind == VISIT)
            & TimelineEvents.household.is_in([r["household"] for r in rows])
        )
        .group_by(TimelineEvents.household)
    }
    out = []
    for r in rows:
        seen = last.get(r["household"])
        detail = (
            gettext("dernier passage le {date}").format(date=format_date(seen))
            if seen
            else gettext("aucun passage depuis l'entrée ({date})").format(
                date=format_date(r["entry_date"])
            )
        )
        out.append(DashboardRow(r["name"], f"/households/{r['household']}", detail))
    # Counted up to a cap: the landing page never walks every housed household.
    total = len(await Enrolments.select(Enrolments.id).where(where).limit(COUNT_CAP + 1))
    if total > len(out):
        label = (
            gettext("plus de {n} ménages au total sans passage depuis plus d'un mois")
            if total > COUNT_CAP
            else gettext("{n} ménages au total sans passage depuis plus d'un mois")
        )
        out.append(DashboardRow(label.format(n=COUNT_CAP if total > COUNT_CAP else total)))
    return out
