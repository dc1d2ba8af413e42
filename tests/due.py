"""Helpers for tests reading the due dates the core computed (``due_date``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.services.deadlines import DueFilter, list_due


async def watched(programme: str, on: dt.date, key: str | None = None) -> list[dict[str, Any]]:
    """The due dates of ``programme`` whose warning period has begun on ``on``, earliest
    first (what the « Échéances » block shows that day), of deadline ``key`` if given."""
    rows, _ = await list_due(DueFilter(programmes=(programme,), watch_on=on), limit=1000)
    return [r for r in rows if key is None or r["key"] == key]
