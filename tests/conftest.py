"""Fixtures: a fresh real database per test (SQLite file and PostgreSQL server), the app,
an HTTP client and logged-in users of each role.

Every test that asks for ``db_url`` (directly or through ``database``, ``app``, ``client``)
runs once per engine. PostgreSQL is started for the session from the machine's binaries; if it is
missing the tests fail — they never skip.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from tests.pg import PostgresServer
from tremplin import db
from tremplin.config import Settings
from tremplin.plugins import PluginHost, load_plugins

TEST_PASSWORD = "correct-horse-battery-staple"
ROLES = [
    "admin",
    "head_of_service",
    "social_worker",
    "rental_manager",
    "technician",
    "partner",
    "dpo",
]


def _engines() -> list[str]:
    wanted = os.environ.get("TREMPLIN_TEST_ENGINES", "sqlite,postgres")
    if os.environ.get("CI") == "true":
        wanted = "sqlite,postgres"  # CI always runs both; a missing server fails the run
    return [e.strip() for e in wanted.split(",") if e.strip()]


@pytest.fixture(scope="session")
def host() -> PluginHost:
    return load_plugins(None)


async def _migrate(settings: Settings, host: PluginHost) -> None:
    engine = db.create_engine(settings)
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    try:
        await db.migrate()
    finally:
        await db.stop(engine)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory, host) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_migrate(Settings(database_url=f"sqlite:///{path}"), host))
    return path


@pytest.fixture(scope="session")
def postgres(host) -> PostgresServer:
    server = PostgresServer()
    server.start()
    server.create_database("tremplin_template")
    asyncio.run(_migrate(Settings(database_url=server.url("tremplin_template")), host))
    yield server
    server.stop()


_counter = {"n": 0}


@pytest.fixture(params=_engines())
def db_url(request, tmp_path) -> str:
    """A fresh, migrated database for one test."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "tremplin.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    server = request.getfixturevalue("postgres")
    _counter["n"] += 1
    name = f"test_{os.getpid()}_{_counter['n']}"
    server.create_database(name, template="tremplin_template")
    request.addfinalizer(lambda: server.drop_database(name))
    return server.url(name)


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    return Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        secret_key="x" * 40,
        max_upload_bytes=200_000,
    )


@pytest.fixture
async def database(settings, host) -> AsyncIterator[Settings]:
    """The tables bound to this test's database, for service-level tests."""
    engine = db.create_engine(settings)
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    yield settings
    await db.stop(engine)


@pytest.fixture
def app(settings, host):
    from tremplin.web.app import create_app

    return create_app(settings, host)


@pytest.fixture
async def client(app, database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in the test's event loop.

    Litestar's own test client runs the app's lifespan in another thread and event loop,
    where a database pool cannot be shared with the test; the ``database`` fixture opens
    the pool here instead, exactly as the app's start-up hook does.
    """
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver.local", follow_redirects=False
    ) as c:
        yield c


@pytest.fixture(scope="session")
def password_hash() -> str:
    from tremplin.services.accounts import hash_password

    return hash_password(TEST_PASSWORD)


@pytest.fixture
async def users(client, password_hash) -> dict:
    """One account per role (the partner belongs to a Mission Locale)."""
    from tremplin.models import PartnerOrganisation, User
    from tremplin.services.accounts import create_user
    from tremplin.services.clock import now

    partner = await PartnerOrganisation.insert(
        PartnerOrganisation(name="Mission Locale test", kind="mission_locale", created_at=now())
    ).returning(PartnerOrganisation.id)
    out = {}
    for role in ROLES:
        out[role] = await create_user(
            f"{role}@test.fr",
            f"Test {role}",
            role,
            password_hash=password_hash,
            partner_id=partner[0]["id"] if role == "partner" else None,
        )
    # Administrators must use a second factor.
    await User.update({User.totp_secret: TOTP_SECRET}).where(User.role == "admin")
    out["admin"].totp_secret = TOTP_SECRET
    return out


_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


async def login(client: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD) -> str:
    """Log in through the real form; returns the session's CSRF token."""
    page = await client.get("/login")
    token = _CSRF.search(page.text).group(1)
    response = await client.post(
        "/login", data={"_csrf": token, "email": email, "password": password}
    )
    assert response.status_code in (200, 303), response.text
    if response.headers.get("location") == "/login/totp":
        await second_factor(client, email)
    home = await client.get("/households")
    match = _CSRF.search(home.text)
    assert match, "not logged in"
    return match.group(1)


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


async def second_factor(client: httpx.AsyncClient, email: str) -> httpx.Response:
    """Answer the one-time-code page the way an authenticator app would."""
    from tremplin.models import User
    from tremplin.services import totp

    user = (
        await User.select(User.totp_secret, User.totp_last_step).where(User.email == email).first()
    )
    page = await client.get("/login/totp")
    token = _CSRF.search(page.text).group(1)
    step = max(int(time.time() // totp.STEP), user["totp_last_step"] + 1)
    return await client.post(
        "/login/totp", data={"_csrf": token, "code": totp.code_at(user["totp_secret"], step)}
    )


class Session:
    """A logged-in client: ``post`` adds the CSRF token like the browser does."""

    def __init__(self, client: httpx.AsyncClient, csrf: str, user) -> None:
        self.client = client
        self.csrf = csrf
        self.user = user

    async def get(self, url: str, **kw):
        return await self.client.get(url, **kw)

    async def post(self, url: str, data: dict | None = None, **kw):
        return await self.client.post(url, data={"_csrf": self.csrf, **(data or {})}, **kw)


@pytest.fixture
async def social_worker(client, users) -> Session:
    csrf = await login(client, "social_worker@test.fr")
    return Session(client, csrf, users["social_worker"])


def with_programmes(settings: Settings, programmes: tuple[str, ...]) -> Settings:
    return replace(settings, programmes=programmes)
