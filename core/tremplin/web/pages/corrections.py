"""« Corriger une étape »: the head of service corrects a recorded admission, entry or exit."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from tremplin.forms import FormErrors
from tremplin.services import corrections as corr
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin.web.access import check_household
from tremplin.web.auth import roles
from tremplin.web.conflicts import conflict_rows
from tremplin.web.formdata import form_dict, int_or_none
from tremplin.web.state import actor, app_context, user_programmes

__all__ = ["ROUTES"]

CORRECTORS = roles(*corr.CORRECTING_ROLES)


def _stored(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else v)
        for k, v in row.items()
        if k in enr.ENROLMENT_COLUMNS
    }


async def _context(request: Request, enrolment_id: int, step: str) -> dict[str, Any]:
    host = app_context(request).host
    try:
        row = await enr.get_enrolment(enrolment_id, user_programmes(request))
    except hh.NotFound:
        raise NotFoundException() from None
    await check_household(request, row["household"])
    if step not in corr.correctable_steps(row):
        raise NotFoundException()
    household = await hh.get_household(row["household"])
    return {
        "enrolment": row,
        "step": step,
        "step_label": corr.STEPS[step][0],
        "programme": host.programmes[row["programme"]],
        "household": household,
        "fields": corr.correction_fields(host, row["programme"], step),
    }


@get("/enrolments/{enrolment_id:int}/corrections/{step:str}", guards=[CORRECTORS])
async def correction_form(
    request: Request, enrolment_id: FromPath[int], step: FromPath[str]
) -> Template:
    context = await _context(request, enrolment_id, step)
    values = _stored(context["enrolment"])
    return Template("enrolments/correct.html", context={**context, "values": values, "errors": {}})


@post("/enrolments/{enrolment_id:int}/corrections/{step:str}", guards=[CORRECTORS])
async def correction_apply(
    request: Request, enrolment_id: FromPath[int], step: FromPath[str]
) -> Response:
    context = await _context(request, enrolment_id, step)
    raw = await form_dict(request)
    try:
        await corr.correct_step(
            app_context(request).host,
            actor(request),
            enrolment_id,
            step,
            raw,
            int_or_none(raw.get("version")) or 0,
        )
    except FormErrors as exc:
        return Template(
            "enrolments/correct.html",
            status_code=422,
            context={**context, "values": raw, "errors": exc.errors},
        )
    except hh.ConflictError as exc:
        return Template(
            "enrolments/correct.html",
            status_code=409,
            context={
                **context,
                "enrolment": exc.current,
                "values": raw,
                "errors": {},
                "conflict": conflict_rows(context["fields"][:-1], _stored(exc.current), raw),
            },
        )
    household_id = context["household"]["id"]
    return Redirect(f"/households/{household_id}#enrolment-{enrolment_id}", status_code=303)


ROUTES = [correction_form, correction_apply]
