"""Pages of the boarding houses: list, house page, set-up forms, the activity form (htmx).

Reading a house page shows its residents: each one shown is audited as « list » (seen in a
list, not a reading of the file), and a household the user may not open is left out.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from tremplin.api import (
    N_,
    ExportColumn,
    FormErrors,
    NotFound,
    actor,
    audit,
    can,
    check_household,
    current_user,
    export_response,
    redirect_after_write,
    requires,
    resolve_choices,
    roles,
    today,
    user_programmes,
)
from tremplin_boarding_house import houses as svc
from tremplin_boarding_house.activities import (
    activities_of,
    activity_fields,
    record_activity,
)
from tremplin_boarding_house.tables import House, Unit
from tremplin_boarding_house.workflow import KEY
from tremplin_housing import api as housing

SOCIAL = requires("social")
#: Opening houses, adding units and naming hosts: the association's management.
MANAGERS = roles("admin", "head_of_service")


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        if key == "_csrf":
            continue
        values = form.getall(key)
        out[key] = values if key == "households" else values[-1]
    return out


@get(f"/{KEY}/houses", guards=[SOCIAL])
async def house_list(request: Request) -> Template:
    houses = await House.select().order_by(House.name)
    units = await Unit.select(Unit.house, Unit.typology)
    counts: dict[int, dict[str, int]] = {}
    for u in units:
        c = counts.setdefault(u["house"], {})
        c[u["typology"]] = c.get(u["typology"], 0) + 1
    residents = {h["id"]: len(await svc.residents_of(h["id"])) for h in houses}
    return Template(
        f"{KEY}/houses.html",
        context={
            "houses": houses,
            "counts": counts,
            "residents": residents,
            "can_manage": current_user(request).role in ("admin", "head_of_service"),
        },
    )


#: Columns of the residents export (every house, or the one of the URL).
RESIDENT_EXPORT = (
    ExportColumn("house", N_("Maison"), 24),
    ExportColumn("unit_label", N_("Logement"), 14),
    ExportColumn("typology", N_("Typologie"), 10),
    ExportColumn("name", N_("Ménage"), 30),
    ExportColumn("entry_date", N_("Entrée le"), 12),
)


@get(f"/{KEY}/residents/export", guards=[SOCIAL])
async def residents_export(request: Request, fmt: str = "csv", maison: str = "") -> Response:
    """The current residents, house by house then unit, as CSV or XLSX (audited); only for
    those who work in the programme."""
    from litestar.exceptions import NotFoundException

    if KEY not in user_programmes(request):
        raise NotFoundException()
    houses = await House.select(House.id, House.name).order_by(House.name)
    if maison:
        houses = [h for h in houses if str(h["id"]) == maison]
        if not houses:
            raise NotFoundException()
    rows = []
    for h in houses if fmt in ("csv", "xlsx") else []:
        for r in await svc.residents_of(h["id"]):
            rows.append(
                {
                    **r,
                    "house": h["name"],
                    "unit_label": r["unit"]["label"],
                    "typology": r["unit"].get("typology", ""),
                }
            )
    return await export_response(
        fmt,
        RESIDENT_EXPORT,
        rows,
        actor=actor(request),
        object_type="boarding_house_resident_list",
        filename="residents-pensions",
        title="Résidents",
    )


def _house_form(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Template:
    return Template(
        f"{KEY}/house_form.html",
        context={"fields": svc.HOUSE_FIELDS, "values": values, "errors": errors},
        status_code=status,
    )


@get(f"/{KEY}/houses/new", guards=[MANAGERS])
async def house_new(request: Request) -> Template:
    return _house_form({}, {})


@post(f"/{KEY}/houses/new", guards=[MANAGERS])
async def house_create(request: Request) -> Response:
    raw = await _form(request)
    try:
        house_id = await svc.create_house(actor(request), raw)
    except FormErrors as exc:
        return _house_form(raw, exc.errors, 422)
    return redirect_after_write(request, f"/{KEY}/houses/{house_id}")


async def _visible_residents(request: Request, house_id: int) -> list[dict[str, Any]]:
    """The house's residents this user may see; each one shown is audited (« list »)."""
    out = []
    a = actor(request)
    for r in await svc.residents_of(house_id):
        try:
            await check_household(request, r["household"])
        except NotFound:
            continue
        await audit(
            "list",  # a name seen in a list: not a reading of the file
            "household",
            r["household"],
            user_id=a.user_id,
            fields=["name", "boarding_house_unit"],
            address=a.address,
        )
        out.append(r)
    return out


async def house_context(request: Request, house_id: int, **forms: Any) -> dict[str, Any]:
    house = await svc.get_house(house_id)
    residents = await _visible_residents(request, house_id)
    user = current_user(request)
    rental = can(user, "rental")
    for r in residents:
        # Rent calls, receipts and arrears live in the housing plugin: link to its account.
        occupancy = await housing.current_occupancy(r["household"])
        r["occupancy_id"] = occupancy.id if occupancy and rental else None
        r["balance"] = await housing.household_balance(r["household"]) if rental else None
    by_unit = {r["unit"]["id"]: r for r in residents}
    context = {
        "house": house,
        "units": await svc.units_of(house_id),
        "by_unit": by_unit,
        "residents": residents,
        "hosts": await svc.hosts_of(house_id),
        "activities": await activities_of(house_id),
        "can_manage": user.role in ("admin", "head_of_service"),
        "can_technical": can(user, "technical"),
        "rental": rental,
        "unit_fields": await resolve_choices(svc.UNIT_FIELDS),
        "host_fields": svc.host_fields(await svc.staff_choices()),
        "unit_values": {"typology": "T1"},
        "unit_errors": {},
        "host_values": {"start_date": today().isoformat()},
        "host_errors": {},
    }
    context.update(forms)
    return context


@get(f"/{KEY}/houses/{{house_id:int}}", guards=[SOCIAL])
async def house_page(request: Request, house_id: FromPath[int]) -> Template:
    return Template(f"{KEY}/house.html", context=await house_context(request, house_id))


@post(f"/{KEY}/houses/{{house_id:int}}/units", guards=[MANAGERS])
async def unit_create(request: Request, house_id: FromPath[int]) -> Response:
    raw = await _form(request)
    await svc.get_house(house_id)
    try:
        await svc.add_unit(actor(request), house_id, raw)
    except FormErrors as exc:
        context = await house_context(request, house_id, unit_values=raw, unit_errors=exc.errors)
        return Template(f"{KEY}/house.html", context=context, status_code=422)
    return redirect_after_write(request, f"/{KEY}/houses/{house_id}")


@post(f"/{KEY}/houses/{{house_id:int}}/hosts", guards=[MANAGERS])
async def host_create(request: Request, house_id: FromPath[int]) -> Response:
    raw = await _form(request)
    await svc.get_house(house_id)
    try:
        await svc.assign_host(actor(request), house_id, raw)
    except FormErrors as exc:
        context = await house_context(request, house_id, host_values=raw, host_errors=exc.errors)
        return Template(f"{KEY}/house.html", context=context, status_code=422)
    return redirect_after_write(request, f"/{KEY}/houses/{house_id}")


async def _activity_form(
    request: Request,
    house_id: int,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    house = await svc.get_house(house_id)
    residents = await _visible_residents(request, house_id)
    context = {
        "house": house,
        "fields": activity_fields(residents),
        "values": values,
        "errors": errors,
    }
    template = f"{KEY}/_activity_form.html" if request.htmx else f"{KEY}/activity_form.html"
    return Template(template, context=context, status_code=status)


@get(f"/{KEY}/houses/{{house_id:int}}/activities/new", guards=[SOCIAL])
async def activity_new(request: Request, house_id: FromPath[int]) -> Template:
    return await _activity_form(request, house_id, {"held_on": today().isoformat()}, {})


@post(f"/{KEY}/houses/{{house_id:int}}/activities", guards=[SOCIAL])
async def activity_create(request: Request, house_id: FromPath[int]) -> Response:
    raw = await _form(request)
    await svc.get_house(house_id)
    try:
        await record_activity(actor(request), house_id, raw)
    except FormErrors as exc:
        return await _activity_form(request, house_id, raw, exc.errors, 422)
    return redirect_after_write(request, f"/{KEY}/houses/{house_id}")


ROUTES = [
    house_list,
    residents_export,
    house_new,
    house_create,
    house_page,
    unit_create,
    host_create,
    activity_new,
    activity_create,
]
