"""Fixtures: a fresh real database per test (SQLite file and PostgreSQL server), the app,
an HTTP client and logged-in users of each role.

The database fixtures are those of :mod:`tremplin.testing` (the pytest plugin the core ships
for plugin authors), under the short names this suite has always used. Every test that asks
for ``db_url`` (directly or through ``database``, ``app``, ``client``) runs once per engine.
PostgreSQL is started for the session from the machine's binaries; if it is missing the
tests fail — they never skip.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest

from tremplin import testing
from tremplin.config import Settings
from tremplin.plugins import PluginHost
from tremplin.testing import TEST_PASSWORD, Session

ROLES = [
    "admin",
    "head_of_service",
    "social_worker",
    "rental_manager",
    "technician",
    "partner",
    "dpo",
]


@pytest.fixture(scope="session")
def host(tremplin_host) -> PluginHost:
    return tremplin_host


@pytest.fixture(scope="session")
def sqlite_template(tremplin_sqlite_template):
    return tremplin_sqlite_template


@pytest.fixture(scope="session")
def postgres(tremplin_postgres):
    return tremplin_postgres


@pytest.fixture
def db_url(tremplin_db_url) -> str:
    """A fresh, migrated database for one test (once per engine)."""
    return tremplin_db_url


@pytest.fixture
def settings(tremplin_settings) -> Settings:
    return tremplin_settings


@pytest.fixture
async def database(tremplin_database) -> AsyncIterator[Settings]:
    """The tables bound to this test's database, for service-level tests."""
    yield tremplin_database


@pytest.fixture
def app(tremplin_app):
    return tremplin_app


@pytest.fixture
async def client(app, database) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client calling the app in the test's event loop.

    The ``database`` fixture opens the pool here, exactly as the app's start-up hook does
    (``tremplin_client`` runs the real start-up and shutdown instead).
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
async def users(client) -> dict:
    """One account per role, made by :func:`tremplin.testing.make_user` (password
    ``TEST_PASSWORD``, the administrator with the second factor ``TOTP_SECRET``); the partner
    belongs to a Mission Locale."""
    from tremplin.models import PartnerOrganisation, User

    out = {
        role: await testing.make_user(role, email=f"{role}@test.fr", name=f"Test {role}")
        for role in ROLES
    }
    partner = await User.select(User.partner).where(User.id == out["partner"].id).first()
    await PartnerOrganisation.update({PartnerOrganisation.name: "Mission Locale test"}).where(
        PartnerOrganisation.id == partner["partner"]
    )
    return out


async def login(client: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD) -> str:
    """Log in through the real form (tremplin.testing.login); returns the CSRF token."""
    return (await testing.login(client, email, password)).csrf


@pytest.fixture
async def social_worker(client, users) -> Session:
    csrf = await login(client, "social_worker@test.fr")
    return Session(client, csrf, users["social_worker"])


def with_programmes(settings: Settings, programmes: tuple[str, ...]) -> Settings:
    return replace(settings, programmes=programmes)
