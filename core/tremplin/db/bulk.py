"""Bulk inserts for the import: one multi-row ``INSERT … RETURNING`` per batch, on the
connection of the current transaction, without building a Piccolo object per row (which
cost most of the time of a 10,000-household import).

Values are passed to the driver as Piccolo would: dates and aware datetimes as they are (the
SQLite adapters Piccolo registers convert them), JSON as text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine

from tremplin.db import current_engine
from tremplin.i18n import N_

__all__ = ["bulk_insert"]

#: Rows per statement: 400 rows × 12 columns stays far under both engines' parameter limits.
BATCH = 400


def _value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


async def bulk_insert(
    table: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    returning: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """Insert ``rows`` (values in the order of ``columns``) into ``table`` inside the
    current transaction; returns the ``returning`` columns of every row, in order."""
    engine = current_engine()
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError(N_("bulk_insert runs inside tremplin.db.transaction()"))
    connection = transaction.connection
    sqlite = isinstance(engine, SQLiteEngine)
    names = ", ".join(f'"{c}"' for c in columns)
    tail = f" RETURNING {', '.join(returning)}" if returning else ""
    out: list[dict[str, Any]] = []
    width = len(columns)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        if sqlite:
            groups = ", ".join("(" + ", ".join("?" * width) + ")" for _ in chunk)
        else:
            groups = ", ".join(
                "(" + ", ".join(f"${i * width + j + 1}" for j in range(width)) + ")"
                for i in range(len(chunk))
            )
        sql = f'INSERT INTO "{table}" ({names}) VALUES {groups}{tail}'
        args = [_value(v) for row in chunk for v in row]
        if sqlite:
            async with connection.execute(sql, args) as cursor:
                fetched = await cursor.fetchall() if returning else []
            # Piccolo's connections return rows as dicts already.
            out.extend(r if isinstance(r, dict) else dict(zip(returning, r)) for r in fetched)
        elif returning:
            out.extend(dict(r) for r in await connection.fetch(sql, *args))
        else:
            await connection.execute(sql, *args)
    return out
