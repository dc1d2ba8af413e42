"""The page of the pooled works fund: the grants of a year (energy improvement, accompanied
self-renovation, other improvements) with their totals, and the form to record one."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Redirect, Template

from tremplin.api import FormErrors, Period, actor, form_dict, render, today
from tremplin_rental_agency import fund
from tremplin_rental_agency.routes import STAFF, ensure_enabled
from tremplin_rental_agency.vocab import ENERGY_CAP_CENTS, FUND_FIELD_LABELS, FUND_FIELDS, KEY

Year = Annotated[int | None, Parameter(ge=2000, le=2100)]


async def _fund_page(
    request: Request,
    year: int,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    fields = await fund.grant_fields()
    period = Period.year(year)
    grants = await fund.grants_between(period.start, period.end)
    dwellings = {c.value: c.label for c in fields[0].choices}
    totals = {
        c.value: sum(g["amount_cents"] for g in grants if g["field"] == c.value)
        for c in FUND_FIELDS
    }
    return render(
        request,
        f"{KEY}/fund.html",
        {
            "year": year,
            "this_year": today().year,
            "fields": fields,
            "grants": grants,
            "dwellings": dwellings,
            "field_labels": FUND_FIELD_LABELS,
            "totals": totals,
            "choices": FUND_FIELDS,
            "cap": ENERGY_CAP_CENTS,
            "values": values,
            "errors": errors,
        },
        status=status,
    )


@get(f"/{KEY}/fund", guards=[STAFF])
async def fund_page(request: Request, year: Year = None) -> Template:
    """The fund's grants of a year (this year by default) and the form to record one."""
    ensure_enabled(request)
    return await _fund_page(request, year or today().year, {"granted_on": today().isoformat()}, {})


@post(f"/{KEY}/fund", guards=[STAFF])
async def fund_grant(request: Request) -> Response:
    ensure_enabled(request)
    raw = await form_dict(request)
    try:
        await fund.record_grant(actor(request), raw)
    except FormErrors as exc:
        return await _fund_page(request, today().year, raw, exc.errors, status=422)
    return Redirect(f"/{KEY}/fund", status_code=303)


ROUTES = (fund_page, fund_grant)
