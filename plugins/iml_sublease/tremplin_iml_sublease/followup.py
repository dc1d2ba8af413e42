"""House-mistress follow-up: housed households without a visit for over a month.

La Clède's house mistress visits every household at least once a month; a visit is a
``house_mistress_visit`` timeline event. Two queries in all, whatever the number of
households: the housed enrolments, then the last visit of each of their households.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.query import Max

from tremplin.api import DashboardContext, DashboardRow, Enrolment, TimelineEvent, add_months
from tremplin_iml_sublease.workflow import KEY

VISIT = "house_mistress_visit"


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


async def visits_overdue(ctx: DashboardContext) -> list[DashboardRow]:
    rows = await Enrolment.select(
        Enrolment.household,
        Enrolment.entry_date,
        Enrolment.household.name.as_alias("name"),
    ).where((Enrolment.programme == KEY) & (Enrolment.state == "housed"))
    if not rows:
        return []
    last = {
        r["household"]: _day(r["last"])
        for r in await TimelineEvent.select(
            TimelineEvent.household,
            Max(TimelineEvent.occurred_at, alias="last"),
        )
        .where(
            (TimelineEvent.kind == VISIT)
            & TimelineEvent.household.is_in(sorted({r["household"] for r in rows}))
        )
        .group_by(TimelineEvent.household)
    }
    limit = add_months(ctx.today, -1)
    out = []
    for r in rows:
        seen = last.get(r["household"])
        since = seen or r["entry_date"]
        if since is None or since >= limit:
            continue
        detail = (
            f"dernier passage le {seen.strftime('%d/%m/%Y')}"
            if seen
            else f"aucun passage depuis l'entrée ({since.strftime('%d/%m/%Y')})"
        )
        out.append((since, DashboardRow(r["name"], f"/households/{r['household']}", detail)))
    return [row for _, row in sorted(out, key=lambda x: x[0])]
