"""Fixtures of the housing tests."""

import httpx
import pytest

from tests.conftest import Session, login


@pytest.fixture
async def login_as(app, users):
    """``await login_as(role)``: a Session with its own client, logged in as that role."""
    clients = []

    async def make(role: str) -> Session:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 7)),
            base_url="http://testserver.local",
        )
        clients.append(client)
        return Session(client, await login(client, f"{role}@test.fr"), users[role])

    yield make
    for client in clients:
        await client.aclose()
