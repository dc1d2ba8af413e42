"""The pytest plugin of :mod:`tremplin.testing`, loaded by pytest through the ``pytest11``
entry point of the ``tremplin`` distribution (nothing to declare in a plugin's tests).

Fixtures (all prefixed ``tremplin_`` so they never clash with another plugin's):

- ``tremplin_host``: the plugin host, every installed plugin enabled (or the ones listed in
  ``--tremplin-programmes`` / ``TREMPLIN_TEST_PROGRAMMES``);
- ``tremplin_db_url``: a fresh, migrated database for one test, **once per engine**: SQLite
  (a file copied from a template migrated once) and PostgreSQL (a database created from a
  migrated template on a throw-away server started from the machine's binaries, or on the
  server of ``--tremplin-postgres URL`` / ``TREMPLIN_TEST_POSTGRES_URL``). Choose the engines
  with ``--tremplin-engines sqlite,postgres`` or ``TREMPLIN_TEST_ENGINES``; an engine that
  is asked for and missing fails the tests, it never skips them;
- ``tremplin_settings``: :class:`~tremplin.config.Settings` for that database;
- ``tremplin_database``: the tables bound to that database, for service-level tests;
- ``tremplin_app``: the Litestar application;
- ``tremplin_client``: an ``httpx.AsyncClient`` on the app that ran its start-up (and runs
  its shutdown at the end), in the test's event loop.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tremplin import db
from tremplin.config import Settings
from tremplin.plugins import PluginHost, load_plugins
from tremplin.testing.postgres import ExistingPostgres, PostgresServer

ENGINES = ("sqlite", "postgres")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tremplin", "Tremplin (tremplin.testing)")
    group.addoption(
        "--tremplin-engines",
        default=None,
        help="engines each database test runs on: sqlite,postgres (TREMPLIN_TEST_ENGINES)",
    )
    group.addoption(
        "--tremplin-postgres",
        default=None,
        help="URL of an existing PostgreSQL server to create test databases on "
        "(TREMPLIN_TEST_POSTGRES_URL); without it a throw-away server is started",
    )
    group.addoption(
        "--tremplin-programmes",
        default=None,
        help="plugins or programmes to enable, comma-separated (TREMPLIN_TEST_PROGRAMMES); "
        "default: every installed plugin",
    )


def _option(config: pytest.Config, name: str, env: str) -> str | None:
    return config.getoption(name) or os.environ.get(env) or None


def engines(config: pytest.Config) -> list[str]:
    """The engines asked for; CI (``CI=true``) always runs both."""
    if os.environ.get("CI") == "true":
        return list(ENGINES)
    wanted = _option(config, "--tremplin-engines", "TREMPLIN_TEST_ENGINES") or ",".join(ENGINES)
    chosen = [e.strip() for e in wanted.split(",") if e.strip()]
    unknown = sorted(set(chosen) - set(ENGINES))
    if unknown:
        # i18n: developer (the testing kit, for plugin authors)
        raise pytest.UsageError(f"moteur inconnu : {', '.join(unknown)} (sqlite, postgres)")
    return chosen


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the worker thread of every SQLite connection a test left open.

    aiosqlite runs each connection in a thread that is not a daemon: one connection left
    open (a pool created by a test that never ran the app's shutdown) keeps the interpreter
    from exiting after the last test, and the run never ends. The app closes its pool at
    shutdown; this only covers tests that bypass it.
    """
    import gc

    import aiosqlite

    for obj in gc.get_objects():
        if isinstance(obj, aiosqlite.Connection) and getattr(obj, "_running", False):
            obj.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "tremplin_db_url" in metafunc.fixturenames:
        metafunc.parametrize("tremplin_db_url", engines(metafunc.config), indirect=True)


@pytest.fixture(scope="session")
def tremplin_host(pytestconfig: pytest.Config) -> PluginHost:
    wanted = _option(pytestconfig, "--tremplin-programmes", "TREMPLIN_TEST_PROGRAMMES")
    return load_plugins(None if wanted is None else [p.strip() for p in wanted.split(",")])


async def migrate(settings: Settings, host: PluginHost) -> None:
    """Apply every migration of the core and the enabled plugins to ``settings``' database."""
    engine = db.create_engine(settings)
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    try:
        await db.migrate()
    finally:
        await db.stop(engine)


@pytest.fixture(scope="session")
def tremplin_sqlite_template(tmp_path_factory: pytest.TempPathFactory, tremplin_host) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("tremplin-template") / "template.sqlite3"
    asyncio.run(migrate(Settings(database_url=f"sqlite:///{path}"), tremplin_host))
    return path


@pytest.fixture(scope="session")
def tremplin_postgres(pytestconfig: pytest.Config, tremplin_host) -> Iterator[Any]:
    """The PostgreSQL server, with a migrated template database ``tremplin_template_<pid>``."""
    url = _option(pytestconfig, "--tremplin-postgres", "TREMPLIN_TEST_POSTGRES_URL")
    server: Any = ExistingPostgres(url) if url else PostgresServer()
    server.start()
    template = f"tremplin_template_{os.getpid()}"
    server.drop_database(template)
    server.create_database(template)
    asyncio.run(migrate(Settings(database_url=server.url(template)), tremplin_host))
    server.template = template
    yield server
    server.drop_database(template)
    server.stop()


_counter = {"n": 0}


@pytest.fixture
def tremplin_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database for one test (parametrised over the engines)."""
    engine = getattr(request, "param", "sqlite")
    if engine == "sqlite":
        template = request.getfixturevalue("tremplin_sqlite_template")
        path = tmp_path / "tremplin.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    server = request.getfixturevalue("tremplin_postgres")
    _counter["n"] += 1
    name = f"test_{os.getpid()}_{_counter['n']}"
    server.create_database(name, template=server.template)
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


@pytest.fixture
def tremplin_settings(tremplin_db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=tremplin_db_url,
        data_dir=tmp_path / "data",
        secret_key="x" * 40,
        max_upload_bytes=200_000,
    )


@pytest.fixture
async def tremplin_database(tremplin_settings: Settings, tremplin_host) -> AsyncIterator[Settings]:
    """The tables bound to this test's database, for service-level tests."""
    engine = db.create_engine(tremplin_settings)
    db.configure(engine, tremplin_host.piccolo_apps)
    await db.start(engine)
    yield tremplin_settings
    await db.stop(engine)


@pytest.fixture
def tremplin_app(tremplin_settings: Settings, tremplin_host):
    from tremplin.web.app import create_app

    return create_app(tremplin_settings, tremplin_host)


class Lifespan:
    """Runs an ASGI app's start-up on enter and its shutdown on exit, in the caller's event
    loop (``httpx.ASGITransport`` alone does neither, and a test would hang or lack its
    database pool)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def _expect(self, kind: str) -> None:
        message = await asyncio.wait_for(self.outbox.get(), timeout=60)
        if message["type"] != f"lifespan.{kind}.complete":
            # i18n: developer (the testing kit, for plugin authors)
            raise RuntimeError(f"l'application a échoué au {kind} : {message.get('message', '')}")

    async def __aenter__(self) -> Lifespan:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self.task = asyncio.create_task(self.app(scope, self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "lifespan.startup"})
        await self._expect("startup")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.inbox.put({"type": "lifespan.shutdown"})
        await self._expect("shutdown")
        await self.task


@pytest.fixture
async def tremplin_client(tremplin_app) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the started app; the app is shut down after the test."""
    async with Lifespan(tremplin_app):
        transport = httpx.ASGITransport(app=tremplin_app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local", follow_redirects=False
        ) as client:
            yield client
