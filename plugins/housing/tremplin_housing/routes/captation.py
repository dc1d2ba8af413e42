"""The captation pipeline page (``/housing/captation``): dwellings by stage with counts,
filters by programme and year, a new owner contact, and the moves along the pipeline
(capture with the head lease, return to the owner with reason and notice)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from tremplin.api import (
    N_,
    FormErrors,
    actor,
    current_user,
    form_dict,
    programme_filter,
    programme_names,
    redirect_after_write,
    today,
)
from tremplin_housing import captation
from tremplin_housing.access import (
    MASKED_ADDRESS,
    RENTAL,
    TECHNICAL,
    can_rental,
    must_be_confidential,
)
from tremplin_housing.fields import (
    CAPTATION_STAGES,
    CAPTURE_FIELDS,
    LEASE_KINDS,
    RETURN_FIELDS,
    RETURN_REASONS,
    STATUSES,
    TYPOLOGIES,
    dwelling_fields,
    labels,
)
from tremplin_housing.routes.common import page
from tremplin_housing.tables import Dwelling
from tremplin_housing.views import owners

#: The fields of the "new owner contact" form (a subset of the dwelling form).
CONTACT_NAMES = (
    "owner",
    "contacted_on",
    "address",
    "postcode",
    "city",
    "typology",
    "surface_m2",
    "furnished",
    "stock",
    "programme",
    "confidential",
    "notes",
)
LABELS = {
    "statuses": labels(STATUSES),
    "typologies": labels(TYPOLOGIES),
    "lease_kinds": labels(LEASE_KINDS),
    "return_reasons": labels(RETURN_REASONS),
}


def _contact_fields(programmes: dict[str, str]):
    fields = {f.name: f for f in dwelling_fields(programmes)}
    return tuple(fields[n] for n in CONTACT_NAMES)


def _filters(request: Request, programme: str, year: str) -> tuple[str, int | None]:
    """Known programme and plausible year, else no filter (nothing personal in them)."""
    programme = programme if programme in programme_names(request) else ""
    year_value = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    return programme, year_value


def _query(programme: str, year: int | None) -> str:
    parts = [f"programme={programme}"] if programme else []
    if year is not None:
        parts.append(f"year={year}")
    return "&".join(parts)


async def _page(
    request: Request,
    programme: str,
    year: int | None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    user = current_user(request)
    client = actor(request).address
    stages = []
    counts = await captation.stage_counts(
        programme, year, programme_filter(request, Dwelling.programme)
    )
    for key, label, _statuses in CAPTATION_STAGES:
        rows, next_cursor = await captation.stage_rows(
            key, user, programme, year, client=client, connection=request
        )
        stages.append(
            {
                "key": key,
                "label": label,
                "count": counts[key],
                "rows": rows,
                "next_cursor": next_cursor,
            }
        )
    programmes = programme_names(request)
    return page(
        "housing/captation.html",
        {
            "stages": stages,
            "programme": programme,
            "year": year,
            "query": _query(programme, year),
            "years": list(range(today().year, today().year - 6, -1)),
            "programmes": programmes,
            "rental": can_rental(user),
            "owners": await owners(),
            "contact_fields": _contact_fields(programmes),
            "values": values
            if values is not None
            else {"contacted_on": today().isoformat(), "stock": "private"},
            "errors": errors or {},
            **LABELS,
        },
        status,
    )


@get("/housing/captation", guards=[TECHNICAL])
async def captation_page(
    request: HTMXRequest,
    programme: FromQuery[str] = "",
    year: FromQuery[str] = "",
    stage: FromQuery[str] = "",
    after: FromQuery[int | None] = None,
) -> Template:
    programme, year_value = _filters(request, programme, year)
    if request.htmx and stage in captation.STAGES and after is not None:
        user = current_user(request)
        rows, next_cursor = await captation.stage_rows(
            stage,
            user,
            programme,
            year_value,
            after,
            client=actor(request).address,
            connection=request,
        )
        return page(
            "housing/_captation_rows.html",
            {
                "s": {"key": stage, "rows": rows, "next_cursor": next_cursor},
                "after": after,
                "query": _query(programme, year_value),
                "programmes": programme_names(request),
                "rental": can_rental(user),
                **LABELS,
            },
        )
    return await _page(request, programme, year_value)


@post("/housing/captation/contacts", guards=[TECHNICAL])
async def contact_add(request: Request) -> Response:
    """A new prospect: the owner was contacted about a dwelling."""
    raw = await form_dict(request)
    programmes = programme_names(request)
    form = {k: raw.get(k, "") for k in CONTACT_NAMES}
    if must_be_confidential(request, str(form.get("programme") or "")):
        form["confidential"] = "on"
    try:
        await captation.record_contact(actor(request), form, programmes)
    except FormErrors as exc:
        return await _page(request, "", None, raw, exc.errors, 422)
    return redirect_after_write(request, "/housing/captation#stage-prospect")


MOVES: dict[str, dict[str, Any]] = {
    "capture": {
        "fields": CAPTURE_FIELDS,
        "title": "Captation du logement",
        "button": "Enregistrer la captation",
        "action": captation.capture,
    },
    "return": {
        "fields": RETURN_FIELDS,
        "title": "Retour du logement au propriétaire",
        "button": "Enregistrer le retour",
        "action": captation.return_to_owner,
    },
}


async def _move_dwelling(request: Request, dwelling_id: int) -> dict[str, Any]:
    dwelling = await captation.move_context(dwelling_id, current_user(request), request)
    if dwelling["shown_address"] == MASKED_ADDRESS:
        raise PermissionDeniedException(
            N_("Seule l'équipe du programme qui l'utilise modifie un logement confidentiel.")
        )
    return dwelling


def _defaults(move: str, dwelling: dict[str, Any]) -> dict[str, Any]:
    day = today().isoformat()
    if move == "capture":
        return {"captured_on": day, "start_date": day, "kind": "head_lease", "notice_months": 3}
    lease = dwelling.get("lease") or {}
    return {
        "returned_on": day,
        "notice_given_on": lease["notice_given_on"].isoformat()
        if lease.get("notice_given_on")
        else "",
        "notice_months": lease.get("notice_months", 3),
    }


def _move_page(
    request: Request,
    move: str,
    dwelling: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    spec = MOVES[move]
    return page(
        "housing/captation_move.html",
        {
            "move": move,
            "d": dwelling,
            "fields": spec["fields"],
            "title": spec["title"],
            "button": spec["button"],
            "values": values,
            "errors": errors,
            "programmes": programme_names(request),
            **LABELS,
        },
        status,
    )


async def _move_get(request: Request, dwelling_id: int, move: str) -> Template:
    dwelling = await _move_dwelling(request, dwelling_id)
    return _move_page(request, move, dwelling, _defaults(move, dwelling), {})


async def _move_post(request: Request, dwelling_id: int, move: str) -> Response:
    dwelling = await _move_dwelling(request, dwelling_id)
    raw = await form_dict(request)
    try:
        await MOVES[move]["action"](actor(request), dwelling_id, raw)
    except FormErrors as exc:
        return _move_page(request, move, dwelling, raw, exc.errors, 422)
    stage = "captured" if move == "capture" else "returned"
    return redirect_after_write(request, f"/housing/captation#stage-{stage}")


@get("/housing/captation/{dwelling_id:int}/capture", guards=[RENTAL])
async def capture_form(request: Request, dwelling_id: FromPath[int]) -> Template:
    return await _move_get(request, dwelling_id, "capture")


@post("/housing/captation/{dwelling_id:int}/capture", guards=[RENTAL])
async def capture_save(request: Request, dwelling_id: FromPath[int]) -> Response:
    """Prospect → captured, with the head lease or mandate signed with the owner."""
    return await _move_post(request, dwelling_id, "capture")


@get("/housing/captation/{dwelling_id:int}/return", guards=[RENTAL])
async def return_form(request: Request, dwelling_id: FromPath[int]) -> Template:
    return await _move_get(request, dwelling_id, "return")


@post("/housing/captation/{dwelling_id:int}/return", guards=[RENTAL])
async def return_save(request: Request, dwelling_id: FromPath[int]) -> Response:
    """Captured or in use → returned to the owner, with the reason and the notice."""
    return await _move_post(request, dwelling_id, "return")


ROUTES = [captation_page, contact_add, capture_form, capture_save, return_form, return_save]
