"""Helpers of the housing pages: templates and the prefixes of several forms on one page.

Reading forms, one-time form ids and the answer after a write are the core's
(``tremplin.api.form_dict``, ``new_form_id``, ``redirect_after_write``)."""

from __future__ import annotations

from typing import Any

from litestar.response import Template


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
