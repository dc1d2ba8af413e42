"""Helpers of the CLLAJ pages: access checks."""

from __future__ import annotations

from litestar import Request

from tremplin.api import NotFound, user_programmes
from tremplin_cllaj.rules import BAIL, GLISSANT, JAPPART


def require_cllaj(request: Request, programme: str | None = None) -> None:
    """Staff assigned to other programmes only do not see the CLLAJ's pages (404)."""
    mine = set(user_programmes(request))
    wanted = {programme} if programme else {BAIL, JAPPART, GLISSANT}
    if not mine & wanted:
        raise NotFound(programme or "cllaj")
