"""``tremplin migrate-db --to postgresql://…``: move an SQLite installation to PostgreSQL.

1. the target must be empty (no row in any of Tremplin's tables);
2. the migrations of the core and of every enabled plugin run on the target (rows they insert,
   such as a plugin's default lists, are replaced by the source's);
3. every table of every configured Piccolo app is copied, parents before children (foreign
   keys), in batches, ids kept, in one PostgreSQL transaction, from one SQLite read
   snapshot;
4. the sequences restart after the highest id;
5. row counts and a checksum per table (rows sorted by id, values normalised: JSON parsed,
   timestamps in UTC ISO, dates ISO) are compared between both databases.

Documents stay where they are: the data directory does not depend on the engine.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from piccolo.table import Table

from tremplin import db
from tremplin.config import Settings, check_url
from tremplin.i18n import N_, gettext

__all__ = [
    "MigrateError",
    "TableReport",
    "copy_tables",
    "migrate_db",
    "ordered_tables",
    "table_checksums",
]

BATCH = 1000


class MigrateError(Exception):
    """A migration that must stop; the message (French) is shown as is."""


@dataclass
class TableReport:
    table: str
    source_rows: int
    target_rows: int
    source_sha256: str
    target_sha256: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_sha256 == self.target_sha256


def ordered_tables(tables: Iterable[type[Table]]) -> list[type[Table]]:
    """Tables sorted so that every table comes after the tables its foreign keys reference
    (the registry's order, adjusted where needed); Piccolo's ``migration`` table is left out.
    ``tables`` are real tables, each once (what :func:`tremplin.db.configure` returns); a
    database table named twice is refused, it would be copied twice."""
    pending = [t for t in tables if t._meta.tablename != "migration"]
    counts = Counter(t._meta.tablename for t in pending)
    twice = sorted(name for name, n in counts.items() if n > 1)
    if twice:
        raise MigrateError("table nommée deux fois : " + ", ".join(twice))
    names = set(counts)
    done: list[type[Table]] = []
    placed: set[str] = set()
    for _ in range(len(pending) + 1):
        if not pending:
            break
        rest = []
        for table in pending:
            refs = {
                fk._foreign_key_meta.resolved_references._meta.tablename
                for fk in table._meta.foreign_key_columns
            }
            refs = {r for r in refs if r in names and r != table._meta.tablename}
            if refs <= placed:
                done.append(table)
                placed.add(table._meta.tablename)
            else:
                rest.append(table)
        pending = rest
    if pending:
        raise MigrateError(
            "dépendances circulaires entre tables : "
            + ", ".join(t._meta.tablename for t in pending)
        )
    return done


# --------------------------------------------------------------- normalisation


def _utc_iso(value: Any) -> Any:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    return value


def _normaliser(pg_type: str) -> Callable[[Any], Any]:
    """How a value of a PostgreSQL column type is compared (whichever side it comes from)."""

    def norm(value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = _without_nul(pg_type, value)
        if pg_type in ("json", "jsonb"):
            return json.loads(value) if isinstance(value, (str, bytes)) else value
        if pg_type.startswith("timestamp"):
            return _utc_iso(value)
        if pg_type == "date":
            return value.isoformat() if isinstance(value, dt.date) else str(value)
        if pg_type == "boolean":
            return bool(value)
        if pg_type in ("integer", "bigint", "smallint"):
            return int(value)
        if pg_type in ("numeric", "real", "double precision"):
            return str(decimal.Decimal(str(value)).normalize())
        if isinstance(value, bytes):
            return value.hex()
        return str(value)

    return norm


_TEXT = ("text", "character varying", "character", "json", "jsonb")


def _without_nul(pg_type: str, value: str) -> str:
    """PostgreSQL stores no NUL character in text (nor ``\\u0000`` in JSON), which SQLite
    accepted from older versions: it is dropped, on both sides of the comparison."""
    if pg_type not in _TEXT:
        return value
    value = value.replace("\x00", "")
    return value.replace("\\u0000", "") if pg_type in ("json", "jsonb") else value


def _has_nul(value: Any) -> bool:
    return isinstance(value, str) and ("\x00" in value or "\\u0000" in value)


def _to_pg(pg_type: str, value: Any) -> Any:
    """An SQLite value in the Python type asyncpg expects for ``pg_type``."""
    if value is None:
        return None
    if isinstance(value, str):
        value = _without_nul(pg_type, value)
    if pg_type in ("json", "jsonb"):
        return value if isinstance(value, str) else json.dumps(value)
    if pg_type == "timestamp with time zone":
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if pg_type == "timestamp without time zone":
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if pg_type == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if pg_type == "boolean":
        return bool(value)
    if pg_type in ("integer", "bigint", "smallint"):
        return int(value)
    if pg_type == "numeric":
        return decimal.Decimal(str(value))
    if pg_type in ("real", "double precision"):
        return float(value)
    if pg_type in ("text", "character varying", "character") and not isinstance(value, str):
        return str(value)
    return value


def _digest(rows: Iterable[Iterable[Any]]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update(
            json.dumps(list(row), ensure_ascii=False, sort_keys=True, default=str).encode()
        )
        digest.update(b"\n")
    return digest.hexdigest()


# ---------------------------------------------------------------------- helpers


def _sqlite_connect(path) -> sqlite3.Connection:
    import piccolo.engine.sqlite  # noqa: F401  (registers the converters of Piccolo's types)

    conn = sqlite3.connect(
        path, detect_types=sqlite3.PARSE_DECLTYPES, timeout=15, isolation_level=None
    )
    conn.execute("PRAGMA busy_timeout = 15000")
    return conn


def _sqlite_batches(conn: sqlite3.Connection, table: str, columns: list[str]):
    cols = ", ".join(f'"{c}"' for c in columns)
    last = None
    for _ in range(10**9):  # bounded by the table's size; stops at the first short batch
        if last is None:
            rows = conn.execute(
                f'SELECT {cols} FROM "{table}" ORDER BY id LIMIT ?', (BATCH,)
            ).fetchall()
        else:
            rows = conn.execute(
                f'SELECT {cols} FROM "{table}" WHERE id > ? ORDER BY id LIMIT ?', (last, BATCH)
            ).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][columns.index("id")]
        if len(rows) < BATCH:
            return


async def _pg_columns(conn: Any, table: str) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return {r["column_name"]: r["data_type"] for r in rows}


async def _pg_non_empty(conn: Any, tables: list[str]) -> list[str]:
    found = []
    for table in tables:
        if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f'public."{table}"'):
            if await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")'):
                found.append(table)
    return found


def _sqlite_checksum(
    conn: sqlite3.Connection, table: str, columns: list[str], types: dict[str, str]
):
    norms = [_normaliser(types[c]) for c in columns]
    count = 0

    def rows():
        nonlocal count
        for batch in _sqlite_batches(conn, table, columns):
            for row in batch:
                count += 1
                yield [n(v) for n, v in zip(norms, row)]

    digest = _digest(rows())
    return count, digest


async def _pg_checksum(conn: Any, table: str, columns: list[str], types: dict[str, str]):
    norms = [_normaliser(types[c]) for c in columns]
    cols = ", ".join(f'"{c}"' for c in columns)
    digest = hashlib.sha256()
    count = 0
    last = None
    for _ in range(10**9):
        if last is None:
            rows = await conn.fetch(f'SELECT {cols} FROM "{table}" ORDER BY id LIMIT $1', BATCH)
        else:
            rows = await conn.fetch(
                f'SELECT {cols} FROM "{table}" WHERE id > $1 ORDER BY id LIMIT $2', last, BATCH
            )
        if not rows:
            break
        for row in rows:
            count += 1
            digest.update(
                json.dumps(
                    [n(v) for n, v in zip(norms, row)],
                    ensure_ascii=False,
                    sort_keys=True,
                    default=str,
                ).encode()
            )
            digest.update(b"\n")
        last = rows[-1]["id"]
        if len(rows) < BATCH:
            break
    return count, digest.hexdigest()


async def table_checksums(sqlite_path, pg_url: str, tables: list[type[Table]]) -> list[TableReport]:
    """Row count and checksum of each table on both sides (for the verification and tests)."""
    import asyncpg

    src = _sqlite_connect(sqlite_path)
    conn = await asyncpg.connect(pg_url)
    try:
        src.execute("BEGIN")
        reports = []
        for table in tables:
            name = table._meta.tablename
            types = await _pg_columns(conn, name)
            columns = [c for c in types]
            s_count, s_sum = _sqlite_checksum(src, name, columns, types)
            t_count, t_sum = await _pg_checksum(conn, name, columns, types)
            reports.append(TableReport(name, s_count, t_count, s_sum, t_sum))
        src.execute("COMMIT")
        return reports
    finally:
        src.close()
        await conn.close()


# ------------------------------------------------------------------------ main


async def copy_tables(
    sqlite_path,
    pg_url: str,
    tables: list[type[Table]],
    progress: Callable[[str], None] = lambda _m: None,
) -> list[TableReport]:
    """Copy ``tables`` (just created on the target) then verify them.

    Rows the migrations themselves inserted on the target (reference data such as a plugin's
    default list) are removed first: the source ran the same migrations and holds those rows,
    possibly edited since, with the same ids.
    """
    import asyncpg

    src = _sqlite_connect(sqlite_path)
    conn = await asyncpg.connect(pg_url)
    try:
        src.execute("BEGIN")  # one read snapshot for the copy and the verification
        async with conn.transaction():
            for table in reversed(tables):  # children before parents
                await conn.execute(f'DELETE FROM "{table._meta.tablename}"')
            for table in tables:
                name = table._meta.tablename
                types = await _pg_columns(conn, name)
                if not types:
                    raise MigrateError(
                        gettext("table « {name} » absente de la base cible après migration").format(
                            name=name
                        )
                    )
                src_cols = [r[1] for r in src.execute(f'PRAGMA table_info("{name}")')]
                missing = [c for c in src_cols if c not in types]
                if missing:
                    raise MigrateError(
                        gettext(
                            "colonnes de « {name} » absentes de la base cible : {columns}"
                        ).format(name=name, columns=", ".join(missing))
                    )
                columns = [c for c in types if c in src_cols]
                converters = [types[c] for c in columns]
                copied = cleaned = 0
                for batch in _sqlite_batches(src, name, columns):
                    cleaned += sum(_has_nul(v) for row in batch for v in row)
                    records = [
                        tuple(_to_pg(t, v) for t, v in zip(converters, row)) for row in batch
                    ]
                    await conn.copy_records_to_table(name, records=records, columns=columns)
                    copied += len(records)
                if "id" in types:
                    await conn.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                        f'COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM "{name}"'
                    )
                progress(f"  {name:<32} {copied:>9} lignes copiées")
                if cleaned:
                    progress(f"  {'':<32} {cleaned:>9} valeur(s) : caractère NUL retiré")
        reports = []
        for table in tables:
            name = table._meta.tablename
            types = await _pg_columns(conn, name)
            columns = [
                c for c in types if c in {r[1] for r in src.execute(f'PRAGMA table_info("{name}")')}
            ]
            s_count, s_sum = _sqlite_checksum(src, name, columns, types)
            t_count, t_sum = await _pg_checksum(conn, name, columns, types)
            reports.append(TableReport(name, s_count, t_count, s_sum, t_sum))
        src.execute("COMMIT")
        return reports
    finally:
        src.close()
        await conn.close()


async def migrate_db(
    settings: Settings, host: Any, target_url: str, progress: Callable[[str], None] = print
) -> list[TableReport]:
    """Copy this SQLite installation into the empty PostgreSQL database ``target_url``."""
    import asyncpg

    if not settings.is_sqlite:
        raise MigrateError(
            N_("la base actuelle n'est pas SQLite : migrate-db copie une installation SQLite")
        )
    if not target_url.startswith(("postgresql://", "postgres://")):
        raise MigrateError(N_("--to attend une URL postgresql://utilisateur@hôte:port/base"))
    try:
        check_url(target_url)
    except Exception as exc:
        raise MigrateError(str(exc)) from None
    if not settings.sqlite_path.exists():
        raise MigrateError(
            gettext("base SQLite introuvable : {path}").format(path=settings.sqlite_path)
        )

    # The source must be up to date, so that both schemas are the same.
    source_engine = db.create_engine(settings)
    tables = db.configure(source_engine, host.piccolo_apps)
    await db.start(source_engine)
    try:
        pending = await db.pending_migrations()
    finally:
        await db.stop(source_engine)
    if pending:
        raise MigrateError(
            N_("migrations en attente sur la base SQLite : lancez d'abord « tremplin migrate »")
        )
    ordered = ordered_tables(tables)
    names = [t._meta.tablename for t in ordered]

    try:
        conn = await asyncpg.connect(target_url)
    except Exception as exc:
        raise MigrateError(
            gettext("base PostgreSQL cible injoignable ({error})").format(error=type(exc).__name__)
        ) from None
    try:
        non_empty = await _pg_non_empty(conn, names)
    finally:
        await conn.close()
    if non_empty:
        raise MigrateError(
            "la base cible n'est pas vide ("
            + ", ".join(non_empty[:5])
            + (" …" if len(non_empty) > 5 else "")
            + ") : migrate-db n'écrit que dans une base vide"
        )

    progress("Migrations sur la base cible…")
    target_engine = db.create_engine(replace(settings, database_url=target_url))
    db.configure(target_engine, host.piccolo_apps)
    await db.start(target_engine)
    try:
        await db.migrate()
    finally:
        await db.stop(target_engine)
        db.configure(source_engine, host.piccolo_apps)

    src = _sqlite_connect(settings.sqlite_path)
    try:
        known = {
            r[0]
            for r in src.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'household_fts%'"
            )
        }  # SQLite's search index, not data
    finally:
        src.close()
    for extra in sorted(known - set(names) - {"migration"}):
        progress(f"  {extra:<32} non copiée (plugin non activé)")
    progress("Copie des tables…")
    reports = await copy_tables(settings.sqlite_path, target_url, ordered, progress)
    return reports


def format_reports(reports: list[TableReport]) -> str:
    lines = [f"{'table':<32} {'SQLite':>9} {'PostgreSQL':>10}  {'sha256':<16}  état"]
    for r in reports:
        state = "ok" if r.ok else "DIFFÉRENT"
        lines.append(
            f"{r.table:<32} {r.source_rows:>9} {r.target_rows:>10}  {r.target_sha256[:16]}  {state}"
        )
    return "\n".join(lines)
