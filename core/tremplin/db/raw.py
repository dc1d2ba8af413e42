"""Hand-written statements for the hot paths, compiled once per engine.

Building a query with Piccolo costs more CPU than SQLite answering it: a page of ten small
selects spent about half its handler time in ``querystrings`` / ``compile_string`` and in
``ForeignKey.__getattribute__``. The pages read on every request (the household page, the
list, the session, the access policy, the audit write) use these helpers instead:

- the SQL is written once, portable (double-quoted identifiers, ``{}`` for each argument as
  in ``Table.raw``), and translated once per engine (``?`` for SQLite, ``$1``… for
  PostgreSQL), then cached by its text;
- it runs on the connection of the current transaction if there is one (so a read inside
  :func:`tremplin.db.transaction` sees its writes), else on a pooled connection;
- rows come back as dicts with the same Python types as Piccolo's ``select`` (the SQLite
  converters are the driver's, by declared column type; JSON columns named in ``json`` are
  decoded as ``.output(load_json=True)`` does).

Only statements with a fixed shape belong here: a list of values (``IN``) is written with
:func:`placeholders`, which gives one cached text per length.
"""

from __future__ import annotations

import json as _json
from collections.abc import Iterable, Sequence
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

__all__ = ["columns", "execute", "fetch", "fetch_one", "placeholders"]

_COMPILED: dict[tuple[str, bool], str] = {}
_COLUMNS: dict[tuple[type[Table], str, tuple[str, ...]], str] = {}


def _compile(sql: str, postgres: bool) -> str:
    key = (sql, postgres)
    text = _COMPILED.get(key)
    if text is None:
        parts = sql.split("{}")
        if postgres:
            text = parts[0] + "".join(f"${i}{p}" for i, p in enumerate(parts[1:], 1))
        else:
            text = "?".join(parts)
        if len(_COMPILED) < 4096:  # texts are written in the code: the cache stays small
            _COMPILED[key] = text
    return text


def placeholders(count: int) -> str:
    """``{}, {}, …`` for an ``IN (…)`` list of ``count`` values (at least one: pass a value
    that matches nothing, like ``""``, for an empty list)."""
    return ", ".join(["{}"] * max(count, 1))


def columns(table: type[Table], alias: str = "", *, exclude: Sequence[str] = ()) -> str:
    """Every column of ``table`` as ``"alias"."col" AS "col"`` (what ``Table.select()``
    returns), computed once."""
    key = (table, alias, tuple(exclude))
    text = _COLUMNS.get(key)
    if text is None:
        prefix = f'"{alias or table._meta.tablename}".'
        text = _COLUMNS[key] = ", ".join(
            f'{prefix}"{c._meta.db_column_name}" AS "{c._meta.name}"'
            for c in table._meta.columns
            if c._meta.name not in exclude
        )
    return text


def _engine() -> Engine:
    from tremplin.db import current_engine

    return current_engine()


async def _run(engine: Engine, sql: str, args: Sequence[Any]) -> list:
    postgres = isinstance(engine, PostgresEngine)
    query = _compile(sql, postgres)
    transaction = engine.current_transaction.get()
    if isinstance(engine, PostgresEngine):
        if transaction is not None:
            records = await transaction.connection.fetch(query, *args)
        elif engine.pool is not None:
            async with engine.pool.acquire() as connection:
                records = await connection.fetch(query, *args)
        else:
            records = await engine._run_in_new_connection(query, list(args))
        return [dict(r) for r in records]
    if transaction is not None:
        return await engine._run_in_existing_connection(  # type: ignore[attr-defined]
            transaction.connection, query, list(args)
        )
    return await engine._run_in_new_connection(query, list(args))  # type: ignore[attr-defined]


async def fetch(sql: str, *args: Any, json: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The rows of ``sql`` (``{}`` for each of ``args``), as dicts; the columns named in
    ``json`` are decoded."""
    rows = await _run(_engine(), sql, args)
    names = tuple(json)
    if names and rows:
        for row in rows:
            for name in names:
                value = row.get(name)
                if isinstance(value, str):
                    row[name] = _json.loads(value)
    return rows


async def fetch_one(sql: str, *args: Any, json: Iterable[str] = ()) -> dict[str, Any] | None:
    """The first row of ``sql``, or ``None``."""
    rows = await fetch(sql, *args, json=json)
    return rows[0] if rows else None


async def execute(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run a write (``INSERT``/``UPDATE``, with ``RETURNING`` if rows are wanted)."""
    return await _run(_engine(), sql, args)
