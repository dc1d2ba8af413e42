"""The core's dashboard blocks."""

from __future__ import annotations

from tremplin.models import Enrolment, Household
from tremplin.services.households import visible_households
from tremplin.types import DashboardContext, DashboardRow


async def referent_enrolments(ctx: DashboardContext) -> list[DashboardRow]:
    """Open enrolments the user is the referent of."""
    rows = (
        await Enrolment.select(
            Enrolment.household,
            Enrolment.programme,
            Enrolment.state,
            Enrolment.household.name.as_alias("name"),
        )
        .where(
            (Enrolment.referent == ctx.user.id)
            & Enrolment.exit_date.is_null()
            & Enrolment.programme.is_in(list(ctx.programmes) or [""])
        )
        .order_by(Enrolment.id, ascending=False)
        .limit(20)
    )
    rows = [r for r in rows if (r["programme"], r["state"]) not in ctx.closed_states]
    return [
        DashboardRow(
            r["name"],
            f"/households/{r['household']}",
            f"{ctx.programme_names[r['programme']]} · "
            f"{ctx.state_labels.get((r['programme'], r['state']), r['state'])}",
        )
        for r in rows
    ]


async def recent_households(ctx: DashboardContext) -> list[DashboardRow]:
    query = Household.select(Household.id, Household.name, Household.reference).where(
        Household.archived_at.is_null()
    )
    if ctx.restricted_to is not None:
        query = query.where(visible_households(list(ctx.programmes), ctx.restricted_to))
    rows = await query.order_by(Household.updated_at, ascending=False).limit(10)
    return [DashboardRow(r["name"], f"/households/{r['id']}", r["reference"]) for r in rows]
