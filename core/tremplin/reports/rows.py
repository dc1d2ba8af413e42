"""The report's bulk reads (thousands of stays and people), without the per-value costs of
Piccolo's SQLite adapter.

On SQLite, Piccolo's connections convert every value of a typed column in Python: an
``INTEGER`` through ``Decimal``, a ``DATE`` through ``date.fromisoformat``, and build each
row's dict in Python too. For the tens of thousands of values a report reads that was most
of its loading time. :func:`fetch` reads the same rows as plain tuples: an integer column
comes back as SQLite's own integer (the unary ``+`` gives the column no declared type), and
a date column goes through a converter that looks the text up in a table of the days
already seen (a few thousand distinct days, each parsed once). The values are the same as
Piccolo's (``int``, ``datetime.date``, ``str``, ``None``).

On PostgreSQL the same query runs through Piccolo (asyncpg already decodes in C).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from piccolo.querystring import QueryString

from tremplin.db.sqlite import PooledSQLiteEngine
from tremplin.models import Enrolment

__all__ = ["DAY", "INT", "TEXT", "fetch"]

INT, DAY, TEXT = "int", "day", "text"
_CONVERTER = "tremplin_report_day"


class _Days(dict):
    """ISO text (bytes, as SQLite gives it) → ``datetime.date``, each text parsed once."""

    def __missing__(self, key: bytes) -> dt.date:
        if len(self) > 200_000:  # dates of two centuries: never in practice
            self.clear()
        day = self[key] = dt.date.fromisoformat(key.decode())
        return day


_DAYS = _Days()
sqlite3.register_converter(_CONVERTER, _DAYS.__getitem__)


def _column(engine_type: str, expr: str, alias: str, kind: str) -> str:
    if engine_type != "sqlite":
        return f'{expr} AS "{alias}"'
    if kind == INT:
        return f'+{expr} AS "{alias}"'
    if kind == DAY:
        # PARSE_COLNAMES: the converter named in brackets, the name before them.
        return f'{expr} AS "{alias} [{_CONVERTER}]"'
    return f'{expr} AS "{alias}"'


async def fetch(columns: list[tuple[str, str, str]], rest: str, *args: Any) -> list[dict[str, Any]]:
    """``SELECT`` the ``(expression, alias, kind)`` columns (kind :data:`INT`, :data:`DAY` or
    :data:`TEXT`) then ``rest`` (``FROM … WHERE …`` with ``{}`` placeholders for ``args``):
    one dict per row, keyed by alias."""
    engine = Enrolment._meta.db
    engine_type = engine.engine_type
    select = ", ".join(_column(engine_type, e, a, k) for e, a, k in columns)
    template = f"SELECT {select} {rest}"
    if not isinstance(engine, PooledSQLiteEngine):
        return await Enrolment.raw(template, *args)
    sql, values = QueryString(template, *args).compile_string(engine_type="sqlite")
    transaction = engine.current_transaction.get()
    conn = transaction.connection if transaction else await engine.acquire()
    try:
        async with conn.execute(sql, values) as cursor:
            cursor.row_factory = None
            rows = await cursor.fetchall()
            names = [d[0] for d in cursor.description]
    finally:
        if not transaction:
            await engine.release(conn)
    return [dict(zip(names, row)) for row in rows]
