"""The team's follow-up list: every IML support under way (before entry or in the dwelling)
with its months used and planned end, and every support measure under way with its
months-measures and the end of a reinforced contract."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from tremplin.api import (
    Enrolments,
    EnrolmentView,
    NotFound,
    actor,
    audit,
    measure_months,
    requires,
    today,
    user_programmes,
)
from tremplin_iml_mandate.tables import StabilisationAxis
from tremplin_iml_mandate.workflow import (
    KEY,
    MEASURE_KINDS,
    SUPPORT_KEY,
    SUPPORT_WORKFLOW,
    WORKFLOW,
    contract_end,
    support_end,
)


async def _rows(programme: str, states: tuple[str, ...]) -> list[dict[str, Any]]:
    return (
        await Enrolments.select(
            *Enrolments.all_columns(),
            Enrolments.household.name.as_alias("name"),
        )
        .where(
            (Enrolments.programme == programme)
            & Enrolments.state.is_in(list(states))
            & Enrolments.household.archived_at.is_null()
        )
        .order_by(Enrolments.household.name)
        .output(load_json=True)
    )


async def supports() -> list[dict[str, Any]]:
    on = today()
    rows = await _rows(KEY, ("pre_entry", "housed"))
    axes = await StabilisationAxis.select(
        StabilisationAxis.enrolment, StabilisationAxis.progress
    ).where(StabilisationAxis.enrolment.is_in([r["id"] for r in rows] or [-1]))
    out = []
    for r in rows:
        view = EnrolmentView.from_row(r)
        end = support_end(view)
        mine = [a for a in axes if a["enrolment"] == r["id"]]
        out.append(
            {
                "household": r["household"],
                "name": r["name"],
                "state": WORKFLOW.state(r["state"]).label,
                "start": r["decision_date"],
                "entry": r["entry_date"],
                "end": end,
                "late": bool(end and end < on),
                "months": measure_months(r["decision_date"], on) if r["decision_date"] else 0,
                "axes": f"{sum(a['progress'] == 'achieved' for a in mine)} atteint(s) / "
                f"{sum(a['progress'] != 'not_started' for a in mine)} travaillé(s)",
            }
        )
    return out


async def measures() -> list[dict[str, Any]]:
    on = today()
    kinds: dict[str | None, str] = {c.value: c.label for c in MEASURE_KINDS}
    out = []
    for r in await _rows(SUPPORT_KEY, ("active",)):
        view = EnrolmentView.from_row(r)
        end = contract_end(view)
        out.append(
            {
                "household": r["household"],
                "name": r["name"],
                "kind": kinds.get((r["data"] or {}).get("measure_kind"), ""),
                "state": SUPPORT_WORKFLOW.state(r["state"]).label,
                "start": r["entry_date"],
                "contract_end": end,
                "late": bool(end and end < on),
                "months": measure_months(r["entry_date"], on) if r["entry_date"] else 0,
            }
        )
    return out


@get(f"/{KEY}/follow-up", guards=[requires("social")])
async def follow_up(request: Request) -> Template:
    """The list for the team meeting (staff working in these programmes only)."""
    programmes = user_programmes(request)
    if KEY not in programmes and SUPPORT_KEY not in programmes:
        raise NotFound(KEY)
    mandate = await supports() if KEY in programmes else []
    support = await measures() if SUPPORT_KEY in programmes else []
    a = actor(request)
    # Names of the households listed: one « list » entry per household (not a read).
    for row in mandate + support:
        await audit(
            "list",  # a name seen in a list: not a reading of the file
            "household",
            row["household"],
            user_id=a.user_id,
            fields=["follow_up"],
            address=a.address,
        )
    return Template(
        f"{KEY}/follow_up.html",
        context={
            "supports": mandate,
            "measures": support,
            "on": today(),
            "show_mandate": KEY in programmes,
            "show_measures": SUPPORT_KEY in programmes,
        },
    )
