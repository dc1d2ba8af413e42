"""Helpers to read submitted forms."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request

from tremplin.forms import FormErrors
from tremplin.values import CONTROL_CHARACTERS, has_control_characters

PRIVATE = {"_csrf"}


async def form_dict(request: Request) -> dict[str, Any]:
    """The submitted fields; a field sent several times (checkboxes) becomes a list.

    A NUL or control character in any field (declared or not) is refused here, with every
    offending field named at once, before any handler can store it.
    """
    form = await request.form()
    out: dict[str, Any] = {}
    bad: dict[str, str] = {}
    for key in form.keys():
        if key in PRIVATE:
            continue
        values = form.getall(key)
        if has_control_characters(key) or any(
            isinstance(v, str) and has_control_characters(v) for v in values
        ):
            bad[key if not has_control_characters(key) else "champ"] = CONTROL_CHARACTERS
        out[key] = values if len(values) > 1 else values[0]
    if bad:
        raise FormErrors(bad)
    return out


def new_form_id() -> str:
    """A one-time id put in each creation form, to recognise a double submission."""
    return secrets.token_hex(16)


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
