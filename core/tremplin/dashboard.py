"""The core's dashboard blocks."""

from __future__ import annotations

from tremplin.i18n import gettext
from tremplin.models import Enrolment, Household
from tremplin.policy import visible_households
from tremplin.types import DashboardContext, DashboardRow

#: Counts on the dashboard stop there (« 100 et plus »): the page behind the link has them all.
COUNT_CAP = 100


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


async def due_dates(ctx: DashboardContext) -> list[DashboardRow]:
    """« Échéances »: the due dates whose warning period has begun, in the user's
    programmes; overdue first (earliest due date first), the user's own enrolments before
    the others of the same day range, and a last row leading to ``/echeances``."""
    from tremplin.services.deadlines import DueFilter, count_due, list_due
    from tremplin.types import DASHBOARD_ROWS

    watch = DueFilter(programmes=ctx.programmes, watch_on=ctx.today)
    shown = DASHBOARD_ROWS - 1
    mine, _ = await list_due(
        DueFilter(programmes=ctx.programmes, referent=ctx.user.id, watch_on=ctx.today),
        limit=shown,
    )
    rows = list(mine)
    if len(rows) < shown:
        seen = {r["id"] for r in rows}
        others, _ = await list_due(watch, limit=shown)
        rows += [r for r in others if r["id"] not in seen][: shown - len(rows)]
    rows.sort(key=lambda r: (r["due_on"], r["referent"] != ctx.user.id, r["id"]))
    out = []
    for r in rows:
        late = (ctx.today - r["due_on"]).days
        when = (
            f"en retard de {late} j"
            if late > 0
            else ("aujourd'hui" if late == 0 else f"dans {-late} j")
        )
        who = " · vous êtes référent" if r["referent"] == ctx.user.id else ""
        out.append(
            DashboardRow(
                r["name"],
                f"/households/{r['household']}#enrolment-{r['enrolment']}",
                f"{r['label']} · {ctx.programme_names.get(r['programme'], r['programme'])} · "
                f"{r['due_on'].strftime('%d/%m/%Y')} · {when}{who}",
            )
        )
    total = await count_due(watch, cap=COUNT_CAP + 1)
    if total > len(out):
        many = gettext("{n} et plus").format(n=COUNT_CAP) if total > COUNT_CAP else str(total)
        out.append(
            DashboardRow(
                gettext("Toutes les échéances à surveiller ({n})").format(n=many), "/echeances"
            )
        )
    return out


async def upcoming_appointments(ctx: DashboardContext) -> list[DashboardRow]:
    """« Mes prochains rendez-vous »: the user's planned appointments from today to seven
    days ahead (those of today already past stay until marked done or cancelled)."""
    import datetime as dt

    from tremplin.services.appointments import between
    from tremplin.services.clock import PARIS

    start = dt.datetime.combine(ctx.today, dt.time(), tzinfo=PARIS)
    rows = await between(
        start.astimezone(dt.UTC),
        (start + dt.timedelta(days=8)).astimezone(dt.UTC),
        programmes=list(ctx.programmes),
        worker=ctx.user.id,
        visible=None if ctx.restricted_to is None else (list(ctx.programmes), ctx.restricted_to),
        statuses=("planned",),
        limit=50,
    )
    return [
        DashboardRow(
            r["household_name"],
            f"/households/{r['household']}#appointment-{r['id']}",
            f"{r['starts_at'].astimezone(PARIS).strftime('%d/%m/%Y %H:%M')} · {r['title']}"
            + (f" · {r['place']}" if r["place"] else ""),
        )
        for r in rows
    ]
