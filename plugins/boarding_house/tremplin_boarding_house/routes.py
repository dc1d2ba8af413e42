"""Pages of the boarding houses: list, house page, set-up forms, the activity form (htmx).

Reading a house page shows its residents: each one shown is audited as « list » (seen in a
list, not a reading of the file), and a household the user may not open is left out.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from tremplin.api import (
    N_,
    Enrolments,
    ExportColumn,
    FormErrors,
    NotFound,
    actor,
    audit,
    can,
    check_household,
    collect_pages,
    current_user,
    export_response,
    household_filter,
    period_filter,
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
from tremplin_boarding_house.tables import House
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


def _list_state(request: Request) -> tuple[dict[str, Any], dict[str, str]]:
    """The houses list's state from the URL: sort, « mes maisons », opening period."""
    params = request.query_params
    sort = str(params.get("tri") or "")
    state: dict[str, Any] = {
        "tri": sort if sort in svc.HOUSE_SORTS else "nom",
        "mine": str(params.get("mine") or "") == "1",
        "du": None,
        "au": None,
    }
    errors: dict[str, str] = {}
    state["du"], state["au"] = period_filter(
        str(params.get("du") or "")[:10], str(params.get("au") or "")[:10], errors
    )
    return state, errors


def _query(state: dict[str, Any], **changes: Any) -> str:
    values = {
        "tri": "" if state["tri"] == "nom" else state["tri"],
        "mine": "1" if state["mine"] else "",
        "du": state["du"].isoformat() if state["du"] else "",
        "au": state["au"].isoformat() if state["au"] else "",
        **changes,
    }
    return urlencode({k: v for k, v in values.items() if v})


async def _houses(
    request: Request, state: dict[str, Any], cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], str | None]:
    return await svc.house_list(
        state["tri"],
        cursor,
        limit,
        host_user=actor(request).user_id if state["mine"] else None,
        since=state["du"],
        until=state["au"],
    )


@get(f"/{KEY}/houses", guards=[SOCIAL])
async def house_list(request: HTMXRequest) -> Template:
    """The houses, sorted and filtered as the URL says (hx-push-url), a keyset page at a
    time (``apres``)."""
    state, errors = _list_state(request)
    after = str(request.query_params.get("apres") or "")[:160] or None
    houses, next_cursor = (
        ([], None) if errors else await _houses(request, state, after, svc.HOUSE_PAGE)
    )
    context = {
        "houses": houses,
        "next_cursor": next_cursor,
        "after": after,
        "state": state,
        "errors": errors,
        "sorts": svc.HOUSE_SORTS,
        "query": _query(state),
        "query_for": lambda key: _query(state, tri="" if key == "nom" else key),
        "in_programme": KEY in user_programmes(request),
        "can_manage": current_user(request).role in ("admin", "head_of_service"),
    }
    if request.htmx and after:
        return Template(f"{KEY}/_house_rows.html", context=context)
    return Template(f"{KEY}/houses.html", context=context, status_code=400 if errors else 200)


#: Columns of the houses export (the list on screen).
HOUSE_EXPORT = (
    ExportColumn("name", N_("Maison"), 30),
    ExportColumn("opened_on", N_("Ouverture"), 12),
    ExportColumn("unit_count", N_("Logements"), 10),
    ExportColumn("units_label", N_("Typologies"), 20),
    ExportColumn("residents", N_("Résidents"), 10),
    ExportColumn("hosts", N_("Hôtes"), 30),
)


@get(f"/{KEY}/houses/export", guards=[SOCIAL])
async def houses_export(request: Request, fmt: FromQuery[str] = "csv") -> Response:
    """The houses as listed (sort and filters of the URL, every page), as CSV or XLSX
    (audited)."""
    state, errors = _list_state(request)
    if errors:
        return Response(
            "Filtres invalides : " + " ; ".join(errors.values()),
            status_code=400,
            media_type="text/plain",
        )

    async def fetch(cursor: Any, size: int) -> tuple[list[dict[str, Any]], Any]:
        return await _houses(request, state, cursor, size)

    rows = await collect_pages(fetch) if fmt in ("csv", "xlsx") else []
    return await export_response(
        fmt,
        HOUSE_EXPORT,
        rows,
        actor=actor(request),
        object_type="boarding_house_list",
        filename="pensions-de-famille",
        title="Pensions de famille",
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
async def residents_export(
    request: Request, fmt: FromQuery[str] = "csv", maison: FromQuery[str] = ""
) -> Response:
    """The current residents, house by house then unit, as CSV or XLSX (audited); only for
    those who work in the programme, and only the households the access policy lets them
    see."""
    from litestar.exceptions import NotFoundException

    if KEY not in user_programmes(request):
        raise NotFoundException()
    house_id = None
    if maison:
        house_id = int(maison) if maison.isdigit() and len(maison) < 12 else -1
        if not await House.exists().where(House.id == house_id):
            raise NotFoundException()
    rows = []
    if fmt in ("csv", "xlsx"):
        # One query for all houses, within the access policy (as the house page's
        # check_household for each resident).
        scope = household_filter(request, Enrolments.household)
        for r in await svc.residents(house_id, scope):
            rows.append(
                {
                    **r,
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
    request: HTMXRequest,
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
async def activity_new(request: HTMXRequest, house_id: FromPath[int]) -> Template:
    return await _activity_form(request, house_id, {"held_on": today().isoformat()}, {})


@post(f"/{KEY}/houses/{{house_id:int}}/activities", guards=[SOCIAL])
async def activity_create(request: HTMXRequest, house_id: FromPath[int]) -> Response:
    raw = await _form(request)
    await svc.get_house(house_id)
    try:
        await record_activity(actor(request), house_id, raw)
    except FormErrors as exc:
        return await _activity_form(request, house_id, raw, exc.errors, 422)
    return redirect_after_write(request, f"/{KEY}/houses/{house_id}")


ROUTES = [
    house_list,
    houses_export,
    residents_export,
    house_new,
    house_create,
    house_page,
    unit_create,
    host_create,
    activity_new,
    activity_create,
]
