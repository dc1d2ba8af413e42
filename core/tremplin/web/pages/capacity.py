"""Places of each programme per year (administrator): the capacity the report prints and
its occupancy rate divides by, set as data instead of living in plugin code."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromQuery
from litestar.response import Template

from tremplin.models import ProgrammeCapacity
from tremplin.reports.capacity import CapacityError, capacities, set_capacity
from tremplin.services.clock import today
from tremplin.web.auth import requires
from tremplin.web.formdata import form_dict
from tremplin.web.responses import redirect_after_write
from tremplin.web.state import actor, app_context

ADMIN = requires("admin")


async def _context(request: Request, year: int, **extra: Any) -> dict[str, Any]:
    host = app_context(request).host
    keys = host.programme_keys
    in_force = await capacities(keys, [year])
    own = {
        r["programme"]
        for r in await ProgrammeCapacity.select(ProgrammeCapacity.programme).where(
            ProgrammeCapacity.programme.is_in(keys or [""]) & (ProgrammeCapacity.year == year)
        )
    }
    rows = [
        {
            "key": k,
            "name": host.programmes[k].name_fr,
            "capacity": in_force.get((k, year)),
            "own": k in own,
        }
        for k in keys
    ]
    return {
        "year": year,
        "years": list(range(today().year + 1, today().year - 8, -1)),
        "rows": rows,
        "errors": {},
        "values": {},
        **extra,
    }


def _year(value: Any) -> int:
    try:
        year = int(str(value))
    except (TypeError, ValueError):
        return today().year
    return year if 1990 <= year <= 2100 else today().year


@get("/admin/places", guards=[ADMIN])
async def places_page(request: Request, year: FromQuery[int | None] = None) -> Template:
    """The places of every enabled programme for a year (those of an earlier year apply
    until changed)."""
    return Template("reports/places.html", context=await _context(request, _year(year)))


@post("/admin/places", guards=[ADMIN])
async def places_save(request: Request) -> Response:
    raw = await form_dict(request)
    year = _year(raw.get("year"))
    programme = str(raw.get("programme", ""))
    host = app_context(request).host
    if programme not in host.programmes:
        context = await _context(
            request, year, errors={"programme": "programme inconnu ou désactivé"}, values=raw
        )
        return Template("reports/places.html", context=context, status_code=422)
    a = actor(request)
    try:
        await set_capacity(programme, year, raw, a.user_id, a.address)
    except CapacityError as exc:
        context = await _context(request, year, errors=exc.errors, values=raw, failed=programme)
        return Template("reports/places.html", context=context, status_code=422)
    return redirect_after_write(request, f"/admin/places?year={year}")


ROUTES = [places_page, places_save]
