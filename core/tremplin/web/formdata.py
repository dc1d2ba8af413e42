"""Helpers to read submitted forms."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request

PRIVATE = {"_csrf"}


async def form_dict(request: Request) -> dict[str, Any]:
    """The submitted fields; a field sent several times (checkboxes) becomes a list."""
    form = await request.form()
    out: dict[str, Any] = {}
    for key in form.keys():
        if key in PRIVATE:
            continue
        values = form.getall(key)
        out[key] = values if len(values) > 1 else values[0]
    return out


def new_form_id() -> str:
    """A one-time id put in each creation form, to recognise a double submission."""
    return secrets.token_hex(16)


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
