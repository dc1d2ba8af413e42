"""The monthly coordination meeting with the Mission Locale referent: every young person
currently accompanied, with a short status each (step, CEJ, last tripartite meeting and who
attended, rent up to date or not)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from tremplin.api import Enrolments, NotFound, requires, today, user_programmes
from tremplin_iml_youth.meetings import meetings_of
from tremplin_iml_youth.partner import rent_status
from tremplin_iml_youth.rules import KEY, cej_status
from tremplin_iml_youth.workflow import WORKFLOW

#: Young people "currently accompanied": admitted and waiting for a dwelling, or housed.
CURRENT_STATES = ("admitted", "housed")


async def coordination_rows() -> list[dict[str, Any]]:
    """One row per young person currently accompanied, by name. Rent appears only as
    "à jour" / "en impayé", never as an amount."""
    on = today()
    rows = (
        await Enrolments.select(
            Enrolments.id,
            Enrolments.household,
            Enrolments.state,
            Enrolments.entry_date,
            Enrolments.data,
            Enrolments.household.name.as_alias("name"),
        )
        .where(
            (Enrolments.programme == KEY)
            & Enrolments.state.is_in(list(CURRENT_STATES))
            & Enrolments.household.archived_at.is_null()
        )
        .order_by(Enrolments.household.name)
        .output(load_json=True)
    )
    meetings = await meetings_of([r["household"] for r in rows])
    out = []
    for r in rows:
        # [None]: no meeting yet, last is then None
        last = (meetings.get(r["household"]) or [None])[0]  # type: ignore[list-item]
        data = r["data"] or {}
        housed = r["state"] == "housed"
        out.append(
            {
                "household": r["household"],
                "name": r["name"],
                "state": WORKFLOW.state(r["state"]).label,
                "cej": cej_status(data, on),
                "counsellor": data.get("ml_counsellor") or "",
                "meeting": f"{last['day']:%d/%m/%Y} ({last['short']})" if last else "aucun",
                # Only this programme's dwellings count: the list is read with the
                # Mission Locale, which must learn nothing of another programme's debt.
                "rent": (await rent_status(r["household"]) or "—") if housed else "—",
            }
        )
    return out


@get(f"/{KEY}/coordination", guards=[requires("social")])
async def coordination(request: Request) -> Template:
    """The list for the monthly meeting (staff of the programme only)."""
    if KEY not in user_programmes(request):
        raise NotFound(KEY)
    rows = await coordination_rows()
    return Template(f"{KEY}/coordination.html", context={"rows": rows, "on": today()})
