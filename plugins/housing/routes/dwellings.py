"""Dwelling pages: the filtered list and search, creation, edition, the dwelling file with
its head leases, vacancy periods and occupants over time."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from tremplin.api import FormErrors, actor, current_user, programme_names, today
from tremplin_plugins.housing import occupancy as occ
from tremplin_plugins.housing import stock
from tremplin_plugins.housing.maintenance import add_intervention
from tremplin_plugins.housing.access import RENTAL, TECHNICAL, can_see_confidential, visible
from tremplin_plugins.housing.common import UNKNOWN_HOUSEHOLD, find_household
from tremplin_plugins.housing.fields import (
    DPE_CLASSES,
    HEAD_LEASE_FIELDS,
    INTERVENTION_FIELDS,
    LEASE_KINDS,
    MEANS,
    OCCUPANCY_KINDS,
    RETURN_REASONS,
    STATUSES,
    TYPOLOGIES,
    VACANCY_CAUSES,
    dwelling_fields,
    labels,
    occupancy_fields,
)
from tremplin_plugins.housing.routes.common import (
    done,
    form_dict,
    is_htmx,
    page,
    prefixed,
    unprefix,
)
from tremplin_plugins.housing.views import (
    FILTERS,
    dwelling_list,
    dwelling_page,
    get_dwelling,
    owners,
)

LABELS = {
    "statuses": labels(STATUSES), "typologies": labels(TYPOLOGIES),
    "dpe_classes": labels(DPE_CLASSES), "lease_kinds": labels(LEASE_KINDS),
    "vacancy_causes": labels(VACANCY_CAUSES), "occupancy_kinds": labels(OCCUPANCY_KINDS),
    "return_reasons": labels(RETURN_REASONS), "means": labels(MEANS),
}


async def _list_context(request: Request, filters: dict[str, str], q: str,
                        after: int | None) -> dict[str, Any]:
    rows, next_cursor = await dwelling_list(filters, q, after, current_user(request))
    return {"rows": rows, "next_cursor": next_cursor, "q": q, "filters": filters,
            "after": after, "programmes": programme_names(request), **LABELS}


def _rows_or_page(request: Request, context: dict[str, Any]) -> Template:
    template = "housing/_dwelling_rows.html" if is_htmx(request) else "housing/dwellings.html"
    return page(template, context)


@get("/housing/dwellings", guards=[TECHNICAL])
async def dwellings(
    request: Request, status: FromQuery[str] = "", typology: FromQuery[str] = "",
    programme: FromQuery[str] = "", dpe_class: FromQuery[str] = "",
    after: FromQuery[int | None] = None,
) -> Template:
    filters = {"status": status, "typology": typology, "programme": programme,
               "dpe_class": dpe_class}
    return _rows_or_page(request, await _list_context(request, filters, "", after))


@post("/housing/dwellings/search", guards=[TECHNICAL])
async def dwelling_search(request: Request) -> Template:
    """Search by POST, so that an address typed never lands in a URL or an access log."""
    form = await form_dict(request)
    filters = {name: str(form.get(name) or "")[:30] for name in FILTERS}
    after = str(form.get("after") or "")
    context = await _list_context(request, filters, str(form.get("q") or "")[:100],
                                  int(after) if after.isdigit() else None)
    return _rows_or_page(request, context)


async def _form(request: Request, dwelling: dict[str, Any] | None, values: dict[str, Any],
                errors: dict[str, str], status: int = 200) -> Template:
    return page("housing/dwelling_form.html", {
        "dwelling": dwelling, "fields": dwelling_fields(programme_names(request)),
        "owners": await owners(), "values": values, "errors": errors,
    }, status)


@get("/housing/dwellings/new", guards=[TECHNICAL])
async def dwelling_new(request: Request) -> Template:
    return await _form(request, None, {"status": "prospect", "stock": "private",
                                       "captured_on": today().isoformat()}, {})


@post("/housing/dwellings/new", guards=[TECHNICAL])
async def dwelling_create(request: Request) -> Response:
    raw = await form_dict(request)
    try:
        dwelling_id = await stock.create_dwelling(actor(request), raw, programme_names(request))
    except FormErrors as exc:
        return await _form(request, None, raw, exc.errors, 422)
    return done(request, f"/housing/dwellings/{dwelling_id}")


def _values(dwelling: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in dwelling.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = "" if value is None else value
    return out


async def _editable(request: Request, dwelling_id: int) -> dict[str, Any]:
    context = await dwelling_page(request, dwelling_id)
    if context["dwelling"]["confidential"] and not can_see_confidential(current_user(request)):
        raise PermissionDeniedException(
            "Seuls l'administrateur et le chef de service modifient un logement confidentiel.")
    return context["dwelling"]


@get("/housing/dwellings/{dwelling_id:int}/edit", guards=[TECHNICAL])
async def dwelling_edit(request: Request, dwelling_id: FromPath[int]) -> Template:
    dwelling = await _editable(request, dwelling_id)
    return await _form(request, dwelling, _values(dwelling), {})


@post("/housing/dwellings/{dwelling_id:int}/edit", guards=[TECHNICAL])
async def dwelling_update(request: Request, dwelling_id: FromPath[int]) -> Response:
    dwelling = await _editable(request, dwelling_id)
    raw = await form_dict(request)
    try:
        await stock.update_dwelling(actor(request), dwelling_id, raw, programme_names(request))
    except FormErrors as exc:
        return await _form(request, dwelling, raw, exc.errors, 422)
    return done(request, f"/housing/dwellings/{dwelling_id}")


#: The occupancy form is the page's main one; the others' inputs are prefixed.
PREFIXES = {"occupancy": "", "lease": "lease_", "vacancy": "vacancy_",
            "intervention": "intervention_"}
ANCHORS = {"occupancy": "occupancies", "lease": "leases", "vacancy": "vacancies",
           "intervention": "interventions"}


def _forms(request: Request) -> dict[str, dict[str, Any]]:
    return {
        "occupancy": {"fields": occupancy_fields(programme_names(request)), "prefix": "",
                      "values": {"start_date": today().isoformat(), "kind": "agreement"},
                      "errors": {}},
        "lease": {"fields": HEAD_LEASE_FIELDS, "prefix": "lease_",
                  "values": {"lease_notice_months": 3}, "errors": {}},
        "vacancy": {"fields": stock.VACANCY_FIELDS, "prefix": "vacancy_", "values": {},
                    "errors": {}},
        "intervention": {"fields": INTERVENTION_FIELDS, "prefix": "intervention_",
                         "values": {"intervention_requested_on": today().isoformat(),
                                    "intervention_status": "requested"}, "errors": {}},
    }


async def _detail(request: Request, dwelling_id: int, form: str = "",
                  values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                  status: int = 200) -> Template:
    context = await dwelling_page(request, dwelling_id)
    forms = _forms(request)
    if form:
        forms[form].update(values=values or {}, errors=prefixed(errors or {}, PREFIXES[form]))
    return page("housing/dwelling.html", {
        **context, "forms": forms, "programmes": programme_names(request), **LABELS,
    }, status)


@get("/housing/dwellings/{dwelling_id:int}", guards=[TECHNICAL])
async def dwelling_detail(request: Request, dwelling_id: FromPath[int]) -> Template:
    return await _detail(request, dwelling_id)


async def _write(request: Request, dwelling_id: int, form: str, action) -> Response:
    raw = await form_dict(request)
    await get_dwelling(dwelling_id)  # 404 before anything is validated
    try:
        await action(unprefix(raw, PREFIXES[form]))
    except FormErrors as exc:
        return await _detail(request, dwelling_id, form, raw, exc.errors, 422)
    return done(request, f"/housing/dwellings/{dwelling_id}#{ANCHORS[form]}")


@post("/housing/dwellings/{dwelling_id:int}/leases", guards=[RENTAL])
async def lease_add(request: Request, dwelling_id: FromPath[int]) -> Response:
    return await _write(request, dwelling_id, "lease",
                        lambda raw: stock.add_head_lease(actor(request), dwelling_id, raw))


@post("/housing/dwellings/{dwelling_id:int}/vacancies", guards=[RENTAL])
async def vacancy_add(request: Request, dwelling_id: FromPath[int]) -> Response:
    return await _write(request, dwelling_id, "vacancy",
                        lambda raw: stock.add_vacancy(actor(request), dwelling_id, raw))


@post("/housing/dwellings/{dwelling_id:int}/occupancies", guards=[RENTAL])
async def occupancy_add(request: Request, dwelling_id: FromPath[int]) -> Response:
    async def create(raw: dict[str, Any]) -> int:
        if raw.get("household"):
            household = await find_household(str(raw["household"]))
            if not await visible(request, household["id"]):  # as if it did not exist
                raise FormErrors({"household": UNKNOWN_HOUSEHOLD})
        return await occ.create_occupancy(actor(request), dwelling_id, raw,
                                          programme_names(request))

    return await _write(request, dwelling_id, "occupancy", create)


@post("/housing/dwellings/{dwelling_id:int}/interventions", guards=[TECHNICAL])
async def intervention_add(request: Request, dwelling_id: FromPath[int]) -> Response:
    """Technicians record the maintenance interventions of a dwelling."""
    return await _write(request, dwelling_id, "intervention",
                        lambda raw: add_intervention(actor(request), dwelling_id, raw))


ROUTES = [
    dwellings, dwelling_search, dwelling_new, dwelling_create, dwelling_edit, dwelling_update,
    dwelling_detail, lease_add, vacancy_add, occupancy_add, intervention_add,
]
