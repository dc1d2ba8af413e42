"""Who acts, and the two failures every write can meet — in one place.

:class:`Actor` is who is acting (for the audit trail); :class:`NotFound` an object that does
not exist or is not visible (always answered 404); :class:`ConflictError` a record saved by
someone else since the form was read (409). ``tremplin.api`` re-exports the three; the
services and pages import them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Actor", "ConflictError", "NotFound"]


class NotFound(LookupError):
    """The object does not exist (or is not visible): always answered 404."""


class ConflictError(Exception):
    """Someone saved the record since the form was opened."""

    def __init__(self, current: dict[str, Any]) -> None:
        super().__init__("conflit de modification")
        self.current = current


@dataclass(frozen=True)
class Actor:
    """Who is acting, for the audit trail."""

    user_id: int | None
    address: str = ""
