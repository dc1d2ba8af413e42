"""Helpers of the CLLAJ pages: reading forms, answering htmx or a browser, access checks."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.response import Redirect

from tremplin.api import NotFound, user_programmes

from tremplin_plugins.cllaj.rules import BAIL, GLISSANT, JAPPART


async def form_dict(request: Request) -> dict[str, Any]:
    """The submitted fields (a field sent several times becomes a list), without the token."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        if key == "_csrf":
            continue
        values = form.getall(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


def is_htmx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def done(request: Request, target: str) -> Response:
    """After a successful write: htmx follows ``HX-Redirect``, a browser a 303."""
    if is_htmx(request):
        return Response(content="", status_code=200, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def require_cllaj(request: Request, programme: str | None = None) -> None:
    """Staff assigned to other programmes only do not see the CLLAJ's pages (404)."""
    mine = set(user_programmes(request))
    wanted = {programme} if programme else {BAIL, JAPPART, GLISSANT}
    if not mine & wanted:
        raise NotFound(programme or "cllaj")
