"""Dwelling pages: the filtered list and search, creation, edition, the dwelling file with
its head leases, vacancy periods and occupants over time."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from tremplin.api import (
    N_,
    ConflictError,
    ExportColumn,
    FormErrors,
    actor,
    app_context,
    collect_pages,
    conflict_rows,
    current_user,
    export_response,
    form_dict,
    period_filter,
    programme_names,
    redirect_after_write,
    today,
)
from tremplin_housing import claims, stock
from tremplin_housing import occupancy as occ
from tremplin_housing.access import (
    RENTAL,
    TECHNICAL,
    address_masked,
    must_be_confidential,
    visible,
)
from tremplin_housing.common import UNKNOWN_HOUSEHOLD, find_household, require
from tremplin_housing.fields import (
    CLAIM_FIELDS,
    CLAIM_UPDATE_FIELDS,
    DPE_CLASSES,
    HEAD_LEASE_FIELDS,
    INTERVENTION_FIELDS,
    INTERVENTION_UPDATE_FIELDS,
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
from tremplin_housing.journey import houses_through_workflow
from tremplin_housing.list_sorts import DWELLING_SORTS
from tremplin_housing.maintenance import add_intervention, update_intervention
from tremplin_housing.routes.common import page, prefixed, unprefix
from tremplin_housing.tables import Intervention
from tremplin_housing.views import (
    FILTERS,
    OTHER_FILTERS,
    dwelling_list,
    dwelling_page,
    get_dwelling,
    owners,
)

LABELS: dict[str, Any] = {
    "statuses": labels(STATUSES),
    "typologies": labels(TYPOLOGIES),
    "dpe_classes": labels(DPE_CLASSES),
    "lease_kinds": labels(LEASE_KINDS),
    "vacancy_causes": labels(VACANCY_CAUSES),
    "occupancy_kinds": labels(OCCUPANCY_KINDS),
    "return_reasons": labels(RETURN_REASONS),
    "means": labels(MEANS),
    "claim_update_fields": CLAIM_UPDATE_FIELDS,
    "intervention_update_fields": INTERVENTION_UPDATE_FIELDS,
}


def _checked(filters: dict[str, str]) -> dict[str, str]:
    """French errors of the filters that are not a choice: « mes logements », the capture
    period (the values stay shown; the list is not read while one is wrong)."""
    errors: dict[str, str] = {}
    period_filter(filters.get("du") or "", filters.get("au") or "", errors)
    if filters.get("mine") not in (None, "", "1"):
        errors["mine"] = N_("choix inconnu")
    return errors


async def _list_context(
    request: Request, filters: dict[str, str], q: str, after: int | str | None, sort: str
) -> dict[str, Any]:
    sort = sort if sort in DWELLING_SORTS else "reference"
    errors = _checked(filters)
    rows: list[dict[str, Any]] = []
    next_cursor = None
    if not errors:
        rows, next_cursor = await dwelling_list(
            filters,
            q,
            after,
            current_user(request),
            client=actor(request).address,
            connection=request,
            sort=sort,
        )
    return {
        "errors": errors,
        "rows": rows,
        "next_cursor": next_cursor,
        "q": q,
        "filters": filters,
        "sort": sort,
        "sorts": {k: s.label for k, s in DWELLING_SORTS.items()},
        "query": _query(filters, sort),
        "query_for": lambda key: _query(filters, key),
        "after": after,
        "programmes": programme_names(request),
        **LABELS,
    }


def _query(filters: dict[str, str], sort: str, **changes: str) -> str:
    """The list's state as a URL query (filters and sort; never the search text)."""
    values = {**filters, "tri": "" if sort == "reference" else sort, **changes}
    return urlencode({k: v for k, v in values.items() if v})


def _rows_or_page(request: HTMXRequest, context: dict[str, Any]) -> Template:
    if request.htmx:
        # The filters and the sort go into the address bar (Back and a shared link restore
        # them); the search text is posted and stays out of it.
        query = context["query"]
        return Template(
            "housing/_dwelling_rows.html",
            context=context,
            headers={"HX-Push-Url": "/housing/dwellings" + (f"?{query}" if query else "")},
        )
    return page("housing/dwellings.html", context, 400 if context["errors"] else 200)


def _cursor(raw: str) -> int | str | None:
    raw = raw[:120]
    if not raw:
        return None
    return int(raw) if raw.isdigit() and len(raw) < 12 else raw


@get("/housing/dwellings", guards=[TECHNICAL])
async def dwellings(
    request: HTMXRequest,
    status: FromQuery[str] = "",
    typology: FromQuery[str] = "",
    programme: FromQuery[str] = "",
    dpe_class: FromQuery[str] = "",
    tri: FromQuery[str] = "",
    after: FromQuery[str] = "",
    mine: FromQuery[str] = "",
    du: FromQuery[str] = "",
    au: FromQuery[str] = "",
) -> Template:
    filters = {
        "status": status[:30],
        "typology": typology[:30],
        "programme": programme[:50],
        "dpe_class": dpe_class[:30],
        "mine": mine[:1],
        "du": du[:10],
        "au": au[:10],
    }
    return _rows_or_page(
        request, await _list_context(request, filters, "", _cursor(after), tri or "reference")
    )


@post("/housing/dwellings/search", guards=[TECHNICAL])
async def dwelling_search(request: HTMXRequest) -> Template:
    """Search by POST, so that an address typed never lands in a URL or an access log."""
    form = await form_dict(request)
    filters = {name: str(form.get(name) or "")[:30] for name in (*FILTERS, *OTHER_FILTERS)}
    context = await _list_context(
        request,
        filters,
        str(form.get("q") or "")[:100],
        _cursor(str(form.get("after") or "")),
        str(form.get("tri") or "reference"),
    )
    return _rows_or_page(request, context)


#: Columns of the dwellings export (the list on screen, confidential addresses masked).
DWELLING_EXPORT = (
    ExportColumn("reference", N_("Référence"), 14),
    ExportColumn("shown_address", N_("Adresse"), 40),
    ExportColumn("typology_label", N_("Typologie"), 12),
    ExportColumn("surface_m2", N_("Surface (m²)"), 12),
    ExportColumn("status_label", N_("Statut"), 16),
    ExportColumn("programme_label", N_("Programme"), 28),
    ExportColumn("dpe_class", N_("DPE"), 8),
)


@get("/housing/dwellings/export", guards=[TECHNICAL])
async def dwellings_export(
    request: Request,
    fmt: FromQuery[str] = "csv",
    status: FromQuery[str] = "",
    typology: FromQuery[str] = "",
    programme: FromQuery[str] = "",
    dpe_class: FromQuery[str] = "",
    tri: FromQuery[str] = "",
    mine: FromQuery[str] = "",
    du: FromQuery[str] = "",
    au: FromQuery[str] = "",
) -> Response:
    """The list as filtered and sorted in the URL, every page, as CSV or XLSX (audited):
    the dwellings of the user's programmes, addresses masked as on screen."""
    filters = {"status": status, "typology": typology, "programme": programme}
    filters.update({"dpe_class": dpe_class, "mine": mine, "du": du, "au": au})
    filters = {k: v[:50] for k, v in filters.items()}
    errors = _checked(filters)
    if errors:
        return Response(
            "Filtres invalides : " + " ; ".join(errors.values()),
            status_code=400,
            media_type="text/plain",
        )
    sort = tri if tri in DWELLING_SORTS else "reference"
    names = programme_names(request)
    user = current_user(request)

    async def fetch(cursor: Any, size: int) -> tuple[list[dict[str, Any]], Any]:
        return await dwelling_list(
            filters,
            "",
            cursor,
            user,
            limit=size,
            client=actor(request).address,
            connection=request,
            sort=sort,
        )

    rows = await collect_pages(fetch) if fmt in ("csv", "xlsx") else []
    for r in rows:
        r["typology_label"] = LABELS["typologies"].get(r["typology"], r["typology"])
        r["status_label"] = LABELS["statuses"].get(r["status"], r["status"])
        r["programme_label"] = names.get(r["programme"], r["programme"] or "")
    return await export_response(
        fmt,
        DWELLING_EXPORT,
        rows,
        actor=actor(request),
        object_type="dwelling_list",
        filename="logements",
        title="Logements",
    )


async def _form(
    request: Request,
    dwelling: dict[str, Any] | None,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    conflict: list[dict[str, Any]] | None = None,
) -> Template:
    return page(
        "housing/dwelling_form.html",
        {
            "conflict": conflict,
            "dwelling": dwelling,
            "fields": dwelling_fields(programme_names(request)),
            "owners": await owners(),
            "values": values,
            "errors": errors,
        },
        status,
    )


@get("/housing/dwellings/new", guards=[TECHNICAL])
async def dwelling_new(request: Request) -> Template:
    return await _form(
        request,
        None,
        {"status": "prospect", "stock": "private", "captured_on": today().isoformat()},
        {},
    )


@post("/housing/dwellings/new", guards=[TECHNICAL])
async def dwelling_create(request: Request) -> Response:
    raw = _confidential_if_needed(request, await form_dict(request))
    try:
        dwelling_id = await stock.create_dwelling(actor(request), raw, programme_names(request))
    except FormErrors as exc:
        return await _form(request, None, raw, exc.errors, 422)
    return redirect_after_write(request, f"/housing/dwellings/{dwelling_id}")


def _confidential_if_needed(request: Request, raw: dict[str, Any]) -> dict[str, Any]:
    """A dwelling of a programme with confidential contacts is always confidential."""
    if must_be_confidential(request, str(raw.get("programme") or "")):
        return {**raw, "confidential": "on"}
    return raw


def _values(dwelling: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in dwelling.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        out[key] = "" if value is None else value
    return out


async def _editable(request: Request, dwelling_id: int) -> dict[str, Any]:
    context = await dwelling_page(request, dwelling_id)
    dwelling = context["dwelling"]
    if address_masked(dwelling, current_user(request)):
        raise PermissionDeniedException(
            N_("Seule l'équipe du programme qui l'utilise modifie un logement confidentiel.")
        )
    return context["dwelling"]


@get("/housing/dwellings/{dwelling_id:int}/edit", guards=[TECHNICAL])
async def dwelling_edit(request: Request, dwelling_id: FromPath[int]) -> Template:
    dwelling = await _editable(request, dwelling_id)
    return await _form(request, dwelling, _values(dwelling), {})


@post("/housing/dwellings/{dwelling_id:int}/edit", guards=[TECHNICAL])
async def dwelling_update(request: Request, dwelling_id: FromPath[int]) -> Response:
    dwelling = await _editable(request, dwelling_id)
    raw = _confidential_if_needed(request, await form_dict(request))
    try:
        await stock.update_dwelling(
            actor(request),
            dwelling_id,
            raw,
            programme_names(request),
            version=int(raw["version"]) if str(raw.get("version", "")).isdigit() else 0,
        )
    except FormErrors as exc:
        return await _form(request, dwelling, raw, exc.errors, 422)
    except ConflictError as exc:
        fields = dwelling_fields(programme_names(request))
        return await _form(
            request,
            {**dwelling, "version": exc.current["version"]},
            raw,
            {},
            409,
            conflict=conflict_rows(fields, _values(exc.current), raw),
        )
    return redirect_after_write(request, f"/housing/dwellings/{dwelling_id}")


CONFLICT_MESSAGE = (
    "Ce suivi a été modifié par quelqu'un d'autre pendant que vous le modifiiez : la version "
    "enregistrée est dans le tableau, votre saisie est conservée dans le formulaire. "
    "Enregistrez à nouveau pour remplacer la version enregistrée."
)

#: The occupancy form is the page's main one; the others' inputs are prefixed.
PREFIXES = {
    "occupancy": "",
    "lease": "lease_",
    "vacancy": "vacancy_",
    "intervention": "intervention_",
    "claim": "claim_",
}
ANCHORS = {
    "occupancy": "occupancies",
    "lease": "leases",
    "vacancy": "vacancies",
    "intervention": "interventions",
    "claim": "claims",
}


def _forms(request: Request) -> dict[str, dict[str, Any]]:
    return {
        "occupancy": {
            "fields": occupancy_fields(programme_names(request)),
            "prefix": "",
            "values": {"start_date": today().isoformat(), "kind": "agreement"},
            "errors": {},
        },
        "lease": {
            "fields": HEAD_LEASE_FIELDS,
            "prefix": "lease_",
            "values": {"lease_notice_months": 3},
            "errors": {},
        },
        "vacancy": {
            "fields": stock.VACANCY_FIELDS,
            "prefix": "vacancy_",
            "values": {},
            "errors": {},
        },
        "intervention": {
            "fields": INTERVENTION_FIELDS,
            "prefix": "intervention_",
            "values": {
                "intervention_requested_on": today().isoformat(),
                "intervention_status": "requested",
            },
            "errors": {},
        },
        "claim": {
            "fields": CLAIM_FIELDS,
            "prefix": "claim_",
            "values": {"claim_occurred_on": today().isoformat(), "claim_status": "declared"},
            "errors": {},
        },
    }


async def _detail(
    request: Request,
    dwelling_id: int,
    form: str = "",
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    context = await dwelling_page(request, dwelling_id)
    forms = _forms(request)
    if form:
        forms[form].update(values=values or {}, errors=prefixed(errors or {}, PREFIXES[form]))
    return page(
        "housing/dwelling.html",
        {
            **context,
            "forms": forms,
            "programmes": programme_names(request),
            **LABELS,
        },
        status,
    )


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
    return redirect_after_write(request, f"/housing/dwellings/{dwelling_id}#{ANCHORS[form]}")


@post("/housing/dwellings/{dwelling_id:int}/leases", guards=[RENTAL])
async def lease_add(request: Request, dwelling_id: FromPath[int]) -> Response:
    return await _write(
        request,
        dwelling_id,
        "lease",
        lambda raw: stock.add_head_lease(actor(request), dwelling_id, raw),
    )


@post("/housing/dwellings/{dwelling_id:int}/vacancies", guards=[RENTAL])
async def vacancy_add(request: Request, dwelling_id: FromPath[int]) -> Response:
    return await _write(
        request,
        dwelling_id,
        "vacancy",
        lambda raw: stock.add_vacancy(actor(request), dwelling_id, raw),
    )


@post("/housing/dwellings/{dwelling_id:int}/occupancies", guards=[RENTAL])
async def occupancy_add(request: Request, dwelling_id: FromPath[int]) -> Response:
    async def create(raw: dict[str, Any]) -> int:
        if raw.get("household"):
            household = await find_household(str(raw["household"]))
            if not await visible(request, household["id"]):  # as if it did not exist
                raise FormErrors({"household": UNKNOWN_HOUSEHOLD})
        host = app_context(request).host
        housed_by_workflow = {
            key
            for key, workflow in host.workflows.items()
            if houses_through_workflow(workflow.transitions)
        }
        occupancy_id = await occ.create_occupancy(
            actor(request), dwelling_id, raw, programme_names(request), housed_by_workflow
        )
        programme = str(raw.get("programme") or "")
        if must_be_confidential(request, programme):
            await stock.mark_confidential(actor(request), dwelling_id, programme)
        return occupancy_id

    return await _write(request, dwelling_id, "occupancy", create)


@post("/housing/dwellings/{dwelling_id:int}/interventions", guards=[TECHNICAL])
async def intervention_add(request: Request, dwelling_id: FromPath[int]) -> Response:
    """Technicians record the maintenance interventions of a dwelling."""
    return await _write(
        request,
        dwelling_id,
        "intervention",
        lambda raw: add_intervention(actor(request), dwelling_id, raw),
    )


@post("/housing/dwellings/{dwelling_id:int}/claims", guards=[TECHNICAL])
async def claim_add(request: Request, dwelling_id: FromPath[int]) -> Response:
    """A damage and its insurance claim (sinistre)."""
    return await _write(
        request,
        dwelling_id,
        "claim",
        lambda raw: claims.add_claim(actor(request), dwelling_id, raw),
    )


async def _follow_up(
    request: Request, dwelling_id: int, key: str, item_id: int, action
) -> Response:
    raw = await form_dict(request)
    prefix = f"{key}{item_id}_"  # one form per item on the page: unique input ids
    try:
        await action(unprefix(raw, prefix))
    except FormErrors as exc:
        response = await _detail(request, dwelling_id, status=422)
        response.context[f"{key}_errors"] = {item_id: prefixed(exc.errors, prefix)}
        response.context[f"{key}_values"] = {item_id: raw}
        return response
    except ConflictError:
        # The table above the form shows the saved version; the form keeps what was typed,
        # with the new version so that saving again replaces it.
        response = await _detail(request, dwelling_id, status=409)
        response.context[f"{key}_errors"] = {item_id: {"_conflict": CONFLICT_MESSAGE}}
        response.context[f"{key}_values"] = {
            item_id: {k: v for k, v in raw.items() if k != f"{prefix}version"}
        }
        return response
    return redirect_after_write(request, f"/housing/dwellings/{dwelling_id}#{key}-{item_id}")


@post("/housing/claims/{claim_id:int}/edit", guards=[TECHNICAL])
async def claim_update(request: Request, claim_id: FromPath[int]) -> Response:
    """Follow-up of a claim: state, reference, amounts claimed and received."""
    claim = await claims.get_claim(claim_id)
    return await _follow_up(
        request,
        claim["dwelling"],
        "claim",
        claim_id,
        lambda raw: claims.update_claim(actor(request), claim_id, raw),
    )


@post("/housing/interventions/{intervention_id:int}/edit", guards=[TECHNICAL])
async def intervention_update(request: Request, intervention_id: FromPath[int]) -> Response:
    """Follow-up of an intervention: state, cost, the day it was done."""
    row = require(
        await Intervention.select(Intervention.dwelling)
        .where(Intervention.id == intervention_id)
        .first(),
        intervention_id,
    )
    return await _follow_up(
        request,
        row["dwelling"],
        "intervention",
        intervention_id,
        lambda raw: update_intervention(actor(request), intervention_id, raw),
    )


ROUTES = [
    dwellings,
    dwelling_search,
    dwellings_export,
    dwelling_new,
    dwelling_create,
    dwelling_edit,
    dwelling_update,
    dwelling_detail,
    lease_add,
    vacancy_add,
    occupancy_add,
    intervention_add,
    claim_add,
    claim_update,
    intervention_update,
]
