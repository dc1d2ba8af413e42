"""J'APPART follow-up: the 12-month occupancy with its derogation, and the 2 to 3 meetings
a month with the social worker (a ``cllaj_jappart_meeting`` timeline event each).

The derogation is a dated decision of the occupancy agreement, recorded by the workflow's
« Dérogation à la durée de 12 mois » (housing's ``renewal_transition``) and kept by housing
with every programme's renewals: the exit guard and the panel read it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import (
    DashboardContext,
    DashboardRow,
    Enrolments,
    EnrolmentView,
    TimelineEvents,
    add_months,
    domain,
    today,
)
from tremplin_cllaj.rules import JAPPART, JAPPART_MIN_MEETINGS
from tremplin_cllaj.workflow_jappart import AGREEMENT
from tremplin_housing import api as housing

_t = domain(__name__)
gettext, ngettext = _t.gettext, _t.ngettext

MEETING = "cllaj_jappart_meeting"


def month_window(on: dt.date) -> tuple[dt.date, dt.date]:
    """The last month up to ``on`` included: (``on`` minus one month, ``on``]."""
    return add_months(on, -1), on


async def meetings_in_last_month(household_ids: list[int], on: dt.date) -> dict[int, int]:
    """Household → number of J'APPART meetings in the month up to ``on`` (one query)."""
    if not household_ids:
        return {}
    start, end = month_window(on)
    since = dt.datetime.combine(start + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    rows = await TimelineEvents.select(TimelineEvents.household).where(
        (TimelineEvents.kind == MEETING)
        & TimelineEvents.household.is_in(household_ids)
        & (TimelineEvents.occurred_at >= since)
        & (TimelineEvents.occurred_at < until)
    )
    counts: dict[int, int] = {}
    for r in rows:
        counts[r["household"]] = counts.get(r["household"], 0) + 1
    return counts


async def _row(enrolment_id: int) -> dict[str, Any]:
    row = (
        await Enrolments.select()
        .where((Enrolments.id == enrolment_id) & (Enrolments.programme == JAPPART))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise LookupError(enrolment_id)
    return row


async def panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    entry = enrolment.entry_date
    housed = enrolment.state == "housed"
    meetings = (
        (await meetings_in_last_month([enrolment.household_id], today())).get(
            enrolment.household_id, 0
        )
        if housed
        else None
    )
    occupancy = await housing.current_occupancy(enrolment.household_id) if housed else None
    renewals = (await housing.agreement_renewals([enrolment.id]))[enrolment.id]
    return {
        "dwelling": occupancy.dwelling_reference if occupancy else "",
        "end": housing.agreement_end(entry, AGREEMENT, renewals) if entry else None,
        "max_end": housing.agreement_max_end(entry, AGREEMENT) if entry else None,
        "derogation": renewals[-1]["derogation_reason"] if renewals else None,
        "meetings": meetings,
        "min_meetings": JAPPART_MIN_MEETINGS,
        "housed": housed,
        "errors": {},
    }


async def _housed(programme: str) -> list[dict[str, Any]]:
    return (
        await Enrolments.select(
            Enrolments.household,
            Enrolments.entry_date,
            Enrolments.data,
            Enrolments.household.name.as_alias("name"),
        )
        .where(
            (Enrolments.programme == programme)
            & (Enrolments.state == "housed")
            & Enrolments.household.archived_at.is_null()
        )
        .output(load_json=True)
    )


async def too_few_meetings(ctx: DashboardContext) -> list[DashboardRow]:
    """Young people housed for a month or more, met fewer than twice in the last month."""
    rows = [
        r
        for r in await _housed(JAPPART)
        if r["entry_date"] and r["entry_date"] <= month_window(ctx.today)[0]
    ]
    counts = await meetings_in_last_month([r["household"] for r in rows], ctx.today)
    out = []
    for r in sorted(rows, key=lambda r: r["name"]):
        n = counts.get(r["household"], 0)
        if n < JAPPART_MIN_MEETINGS:
            out.append(
                DashboardRow(
                    r["name"],
                    f"/households/{r['household']}",
                    ngettext(
                        "{n} rencontre le mois dernier (2 à 3 attendues)",
                        "{n} rencontres le mois dernier (2 à 3 attendues)",
                        n,
                    ).format(n=n),
                )
            )
    return out
