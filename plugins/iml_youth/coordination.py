"""The monthly coordination meeting with the Mission Locale referent: every young person
currently accompanied, with a short status each (step, CEJ, rent up to date or not)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.response import Template

from tremplin.api import Enrolment, NotFound, requires, today, user_programmes
from tremplin_plugins.housing import api as housing

from tremplin_plugins.iml_youth.rules import KEY, cej_status
from tremplin_plugins.iml_youth.workflow import WORKFLOW

#: Young people "currently accompanied": admitted and waiting for a dwelling, or housed.
CURRENT_STATES = ("admitted", "housed")


async def coordination_rows() -> list[dict[str, Any]]:
    """One row per young person currently accompanied, by name. Rent appears only as
    "à jour" / "en impayé", never as an amount."""
    on = today()
    rows = (
        await Enrolment.select(
            Enrolment.id,
            Enrolment.household,
            Enrolment.state,
            Enrolment.entry_date,
            Enrolment.data,
            Enrolment.household.name.as_alias("name"),
        )
        .where(
            (Enrolment.programme == KEY)
            & Enrolment.state.is_in(list(CURRENT_STATES))
            & Enrolment.household.archived_at.is_null()
        )
        .order_by(Enrolment.household.name)
        .output(load_json=True)
    )
    out = []
    for r in rows:
        data = r["data"] or {}
        housed = r["state"] == "housed"
        out.append(
            {
                "household": r["household"],
                "name": r["name"],
                "state": WORKFLOW.state(r["state"]).label,
                "cej": cej_status(data, on),
                "counsellor": data.get("ml_counsellor") or "",
                "rent": ("en impayé" if await housing.in_arrears(r["household"]) else "à jour")
                if housed
                else "—",
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
