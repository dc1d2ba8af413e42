"""Pages of the social residence: the units with their residents and stay alerts, adding a
unit, recording a derogation (htmx panel under the enrolment)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from tremplin.api import (
    EnrolmentView,
    FormErrors,
    NotFound,
    actor,
    audit,
    can,
    check_household,
    current_user,
    enrolment_for_route,
    enrolment_url,
    redirect_after_write,
    requires,
    resolve_choices,
    roles,
    today,
)
from tremplin_housing import api as housing
from tremplin_social_residence import units as svc
from tremplin_social_residence.workflow import KEY

SOCIAL = requires("social")
MANAGERS = roles("admin", "head_of_service")


async def _form(request: Request) -> dict[str, Any]:
    return {k: v for k, v in (await request.form()).items() if k != "_csrf"}


async def _units_page(
    request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Template:
    units = await svc.units_with_residents(today())
    a = actor(request)
    rental = can(current_user(request), "rental")
    for u in units:
        if u["resident"] is None:
            continue
        try:
            await check_household(request, u["resident"]["household"])
        except NotFound:
            u["resident"] = None  # not shown to this user
            continue
        await audit(
            "list",  # a name seen in a list: not a reading of the file
            "household",
            u["resident"]["household"],
            user_id=a.user_id,
            fields=["name", "social_residence_unit"],
            address=a.address,
        )
        if rental:
            # Rent calls, receipts and arrears live in the housing plugin: link to its account.
            occupancy = await housing.current_occupancy(u["resident"]["household"])
            u["occupancy_id"] = occupancy.id if occupancy else None
            u["balance"] = await housing.household_balance(u["resident"]["household"])
    return Template(
        f"{KEY}/units.html",
        context={
            "units": units,
            "fields": await resolve_choices(svc.UNIT_FIELDS),
            "values": values,
            "errors": errors,
            "can_manage": current_user(request).role in ("admin", "head_of_service"),
            "rental": rental,
        },
        status_code=status,
    )


@get(f"/{KEY}/units", guards=[SOCIAL])
async def unit_list(request: Request) -> Template:
    return await _units_page(request, {"typology": "T1"}, {})


@post(f"/{KEY}/units", guards=[MANAGERS])
async def unit_create(request: Request) -> Response:
    raw = await _form(request)
    try:
        await svc.add_unit(actor(request), raw)
    except FormErrors as exc:
        return await _units_page(request, raw, exc.errors, 422)
    return redirect_after_write(request, f"/{KEY}/units")


@post(f"/{KEY}/enrolments/{{enrolment_id:int}}/derogations", guards=[SOCIAL])
async def derogation_create(request: HTMXRequest, enrolment_id: FromPath[int]) -> Response:
    """Record a derogation; htmx gets the panel back with the errors in place."""
    row = await enrolment_for_route(request, enrolment_id, KEY)
    raw = await _form(request)
    try:
        await svc.record_derogation(actor(request), enrolment_id, raw)
    except FormErrors as exc:
        context = await panel_context(EnrolmentView.from_row(row))
        context.update(values=raw, errors=exc.errors)
        template = f"{KEY}/_stay.html" if request.htmx else f"{KEY}/derogation.html"
        return Template(
            template, context={"enrolment": row, "panel_context": context}, status_code=422
        )
    return redirect_after_write(request, enrolment_url(row["household"], enrolment_id))


async def panel_context(enrolment: EnrolmentView) -> dict[str, Any]:
    """The stay block under a social-residence enrolment."""
    derogations = await svc.derogations_of(enrolment.id)
    s = svc.stay(enrolment.entry_date, derogations, today()) if enrolment.entry_date else None
    return {
        "stay": s,
        "unit": await svc.unit_label(enrolment.data),
        "derogations": derogations,
        "can_derogate": enrolment.state == "housed" and enrolment.entry_date is not None,
        "fields": svc.DEROGATION_FIELDS,
        "values": {"decided_on": today().isoformat()},
        "errors": {},
    }


ROUTES = [unit_list, unit_create, derogation_create]
