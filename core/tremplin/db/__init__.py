"""Database engines, transactions and migrations (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterable

from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from tremplin.config import Settings
from tremplin.db.sqlite import PooledSQLiteEngine, TransactionType
from tremplin.i18n import N_

__all__ = [
    "configure",
    "create_engine",
    "current_engine",
    "migrate",
    "pending_migrations",
    "start",
    "stop",
    "transaction",
]

os.environ.setdefault("PICCOLO_CONF", "tremplin.piccolo_conf")


def create_engine(settings: Settings) -> Engine:
    """Build the engine a database URL names (the file's folder is created for SQLite)."""
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        return PooledSQLiteEngine(path=str(path))
    return PostgresEngine(config={"dsn": settings.database_url}, log_queries=False)


def _conf():
    from tremplin import piccolo_conf

    return piccolo_conf


def configure(engine: Engine, app_modules: Iterable[str]) -> list[type[Table]]:
    """Make ``engine`` the database of every table of the given Piccolo apps.

    ``app_modules`` are dotted paths of ``piccolo_app`` modules: the core's and the enabled
    plugins'. The read views of :mod:`tremplin.models.views` (what plugins query through
    ``tremplin.api``) are bound too, being classes over the core's tables.

    Returns the real tables, each database table once: Piccolo's ``migration`` table and
    every app's tables, in the registry's order; the read views, which share their core
    table's name, are not in it.
    """
    conf = _conf()
    conf.DB = engine
    conf.APP_REGISTRY = AppRegistry(apps=list(app_modules))
    tables: list[type[Table]] = [Migration]
    for app_config in conf.APP_REGISTRY.app_configs.values():
        tables.extend(t for t in app_config.table_classes if t not in tables)
    from tremplin.models.views import VIEWS

    views: list[type[Table]] = list(VIEWS.values())
    for table in (*tables, *views):
        table._meta.db = engine
    return tables


def current_engine() -> Engine:
    engine = _conf().DB
    if engine is None:
        raise RuntimeError(N_("database not configured: call tremplin.db.configure() first"))
    return engine


def transaction():
    """A write transaction: ``IMMEDIATE`` on SQLite so concurrent writers wait their turn."""
    engine = current_engine()
    if isinstance(engine, PooledSQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def _release_as_is(connection) -> None:
    """What the pool does to a connection it takes back, besides rolling back a transaction
    left open (asyncpg always does that): nothing. asyncpg's default reset sends
    ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` after every
    statement run outside a transaction, a second round trip each time; Tremplin takes only
    transaction-scoped advisory locks and never changes session settings, cursors or
    listeners, so there is nothing to reset."""


async def start(engine: Engine) -> None:
    """Open the PostgreSQL connection pool (SQLite's pool opens lazily)."""
    if isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=1, max_size=10, reset=_release_as_is)


async def stop(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.close_pool()


async def pending_migrations() -> dict[str, list[str]]:
    """Migration ids not yet applied, per app (empty dict when up to date)."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    manager = BaseMigrationManager()
    await manager.create_migration_table()
    pending: dict[str, list[str]] = {}
    for app_name in manager.get_sorted_app_names():
        app_config = manager.get_app_config(app_name)
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        ran = set(await Migration.get_migrations_which_ran(app_name=app_name))
        todo = sorted(set(modules) - ran)
        if todo:
            pending[app_name] = todo
    return pending


async def migrate(verbose: bool = False) -> None:
    """Apply every pending migration of the configured apps, in dependency order."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = await run_forwards("all")
    if verbose:
        print(out.getvalue())
    if not result.success:
        # i18n: developer (an internal error)
        raise RuntimeError(f"migration failed: {result.message}")
