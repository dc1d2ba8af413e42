"""Owners (*propriétaires*): list and creation."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Template

from tremplin.api import FormErrors, actor, form_dict, redirect_after_write
from tremplin_housing import stock
from tremplin_housing.access import RENTAL
from tremplin_housing.fields import OWNER_FIELDS, OWNER_KINDS, labels
from tremplin_housing.routes.common import page
from tremplin_housing.views import owners


@get("/housing/owners", guards=[RENTAL])
async def owner_list(request: Request) -> Template:
    return page("housing/owners.html", {"rows": await owners(), "kinds": labels(OWNER_KINDS)})


def _form(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Template:
    return page(
        "housing/owner_form.html",
        {"fields": OWNER_FIELDS, "values": values, "errors": errors},
        status,
    )


@get("/housing/owners/new", guards=[RENTAL])
async def owner_new(request: Request) -> Template:
    return _form({"kind": "private_person"}, {})


@post("/housing/owners/new", guards=[RENTAL])
async def owner_create(request: Request) -> Response:
    raw = await form_dict(request)
    try:
        await stock.create_owner(actor(request), raw)
    except FormErrors as exc:
        return _form(raw, exc.errors, 422)
    return redirect_after_write(request, "/housing/owners")


ROUTES = [owner_list, owner_new, owner_create]
