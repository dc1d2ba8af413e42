"""Helpers of the housing pages: reading forms, choosing full page or fragment."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request, Response
from litestar.response import Redirect, Template

PRIVATE = {"_csrf"}


async def form_dict(request: Request) -> dict[str, Any]:
    """The submitted fields (a field sent several times becomes a list), without the token."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form:
        if key in PRIVATE:
            continue
        values = form.getall(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


def new_form_id() -> str:
    """A one-time id put in forms that must not be recorded twice."""
    return secrets.token_hex(16)


def is_htmx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def done(request: Request, target: str) -> Response:
    """After a successful write: htmx follows ``HX-Redirect``, a browser a 303."""
    if is_htmx(request):
        return Response(content="", status_code=200, headers={"HX-Redirect": target})
    return Redirect(target, status_code=303)


def page(template: str, context: dict[str, Any], status: int = 200) -> Template:
    return Template(template, context=context, status_code=status)


def unprefix(raw: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The fields of one form among several on a page (``lease_rent`` → ``rent``): the
    prefix keeps every input's id unique on the page."""
    if not prefix:
        return raw
    return {k.removeprefix(prefix): v for k, v in raw.items() if k.startswith(prefix)}


def prefixed(values: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The reverse, for values and errors shown again (``_``-keys stay form-wide)."""
    return {k if k.startswith("_") else prefix + k: v for k, v in values.items()}
