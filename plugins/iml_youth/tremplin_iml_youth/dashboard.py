"""Dashboard block of the youth IML: CEJ suspensions (they threaten rent payment).

The agreements' ends are due dates the core computes from the workflow's deadline."""

from __future__ import annotations

from tremplin.api import DashboardContext, DashboardRow, Enrolments
from tremplin_iml_youth.rules import KEY


async def _current(states: tuple[str, ...]) -> list[dict]:
    return (
        await Enrolments.select(
            Enrolments.household,
            Enrolments.entry_date,
            Enrolments.data,
            Enrolments.household.name.as_alias("name"),
        )
        .where(
            (Enrolments.programme == KEY)
            & Enrolments.state.is_in(list(states))
            & Enrolments.household.archived_at.is_null()
        )
        .output(load_json=True)
    )


async def cej_suspensions(ctx: DashboardContext) -> list[DashboardRow]:
    """Young people whose CEJ allowance is suspended: the rent may no longer be paid."""
    rows = []
    for r in await _current(("admitted", "housed")):
        data = r["data"] or {}
        if data.get("cej_suspended"):
            since = data.get("cej_suspended_on") or ""
            detail = (
                "CEJ suspendu"
                + (f" depuis le {since[8:10]}/{since[5:7]}/{since[:4]}" if since else "")
                + " : risque d'impayé"
            )
            rows.append(DashboardRow(r["name"], f"/households/{r['household']}", detail))
    return rows
