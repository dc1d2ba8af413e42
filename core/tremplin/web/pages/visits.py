"""« Passages et visites »: the house mistress and technicians record their visits and
interventions on the households of their programmes, without opening the social file.

Only the event kinds a programme declares for the user's role (``EventType.roles``) are
listed and offered; a household outside those programmes answers 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tremplin.forms import FormErrors
from tremplin.services import audit
from tremplin.services import visits as vs
from tremplin.services.clock import today
from tremplin.services.timeline import add_event, event_fields
from tremplin.web.auth import staff_only
from tremplin.web.formdata import form_dict
from tremplin.web.state import actor, app_context, current_user, user_programmes


def _kinds(request: Request) -> tuple[list[Any], list[str]]:
    """The user's kinds and the programmes they reach (none: an empty page, and 404 on
    every household; the menu shows the page only to roles with kinds)."""
    host = app_context(request).host
    programmes = user_programmes(request)
    kinds = vs.role_kinds(host, current_user(request).role, programmes)
    return kinds, vs.kind_programmes(kinds, programmes) if kinds else []


@get("/passages", guards=[staff_only])
async def visits_list(request: Request) -> Template:
    kinds, programmes = _kinds(request)
    after = None
    raw = str(request.query_params.get("apres", ""))[:250]
    if raw:
        name, _, ident = raw.rpartition("~")
        if ident.isdigit():
            after = (name, int(ident))
    rows = await vs.reachable_households(programmes, after=after) if kinds else []
    host = app_context(request).host
    await audit.record(
        "list", "household", None, user_id=actor(request).user_id, address=actor(request).address
    )
    last = rows[-1] if len(rows) == vs.PAGE else None
    return Template(
        "visits/list.html",
        context={
            "rows": rows,
            "kinds": kinds,
            "programme_names": {k: p.name_fr for k, p in host.programmes.items()},
            "next_cursor": f"{last['name']}~{last['id']}" if last else None,
        },
    )


async def _household(
    request: Request, household_id: int
) -> tuple[dict[str, Any], list[Any], list[str]]:
    kinds, programmes = _kinds(request)
    household = await vs.household_header(household_id)
    mine = await vs.household_programmes(household_id, programmes) if household else []
    if household is None or not mine:
        raise NotFoundException()
    # Kinds tied to a programme only where the household is enrolled in it.
    kinds = [k for k in kinds if k.programme is None or k.programme in mine]
    if not kinds:
        raise NotFoundException()
    return household, kinds, mine


async def _context(
    request: Request, household: dict[str, Any], kinds: list[Any], mine: list[str]
) -> dict[str, Any]:
    host = app_context(request).host
    return {
        "household": household,
        "kinds": kinds,
        "events": await vs.list_kind_events(household["id"], [k.key for k in kinds], mine),
        "fields": [
            f
            for f in event_fields(host, mine, [k.key for k in kinds])
            if f.name in ("kind", "occurred_on", "programme", "body")
        ],
        "programme_names": {k: p.name_fr for k, p in host.programmes.items()},
    }


@get("/passages/{household_id:int}", guards=[staff_only])
async def visits_household(request: Request, household_id: FromPath[int]) -> Template:
    household, kinds, mine = await _household(request, household_id)
    context = await _context(request, household, kinds, mine)
    await audit.record(
        "read",
        "household",
        household_id,
        user_id=actor(request).user_id,
        fields=["passages"],
        address=actor(request).address,
    )
    values = {"occurred_on": today().isoformat(), "kind": kinds[0].key}
    if len(mine) == 1:
        values["programme"] = mine[0]
    return Template("visits/household.html", context={**context, "values": values, "errors": {}})


@post("/passages/{household_id:int}", guards=[staff_only])
async def visits_add(request: Request, household_id: FromPath[int]) -> Response:
    household, kinds, mine = await _household(request, household_id)
    raw = await form_dict(request)
    raw["visibility"] = "staff"
    try:
        await add_event(
            app_context(request).host,
            actor(request),
            household_id,
            raw,
            mine,
            only=[k.key for k in kinds],
        )
    except FormErrors as exc:
        context = await _context(request, household, kinds, mine)
        return Template(
            "visits/household.html",
            context={**context, "values": raw, "errors": exc.errors},
            status_code=422,
        )
    return Redirect(f"/passages/{household_id}", status_code=303)


ROUTES = [visits_list, visits_household, visits_add]
