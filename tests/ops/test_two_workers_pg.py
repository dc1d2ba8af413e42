"""The real app with two worker processes on a real PostgreSQL server, driven concurrently:
two people editing one household, a burst of notes, a rent-call run clicked twice at once and
a report — no error, no lost write, any process serving any request."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx

from tests.conftest import TEST_PASSWORD
from tremplin import db
from tremplin.config import Settings

TREMPLIN = str(Path(sys.executable).parent / "tremplin")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _seed(url: str, host, password_hash: str) -> dict:
    from tests.plugins.housing import helpers
    from tremplin.services import households as hh
    from tremplin.services.accounts import create_api_token, create_user

    engine = db.create_engine(Settings(database_url=url))
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    try:
        tokens = []
        for i in (1, 2):
            user = await create_user(
                f"ts{i}@test.fr", f"TS {i}", "social_worker", password_hash=password_hash
            )
            tokens.append(await create_api_token(user.id))
        await create_user(
            "gestion@test.fr", "Gestion", "rental_manager", password_hash=password_hash
        )
        occupancies = [await helpers.housed(start="2024-01-01") for _ in range(4)]
        household = await hh.create_household(hh.Actor(None), {"name": "PARTAGÉ Foyer"})
        return {"tokens": tokens, "household": household, "occupancies": len(occupancies)}
    finally:
        await db.stop(engine)


async def _counts(url: str, host, household_id: int) -> dict:
    from tremplin.models import Household, TimelineEvent
    from tremplin_housing.tables import LedgerEntry

    engine = db.create_engine(Settings(database_url=url))
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    try:
        return {
            "notes": await TimelineEvent.count().where(TimelineEvent.kind == "phone_call"),
            "calls": await LedgerEntry.count().where(
                (LedgerEntry.kind == "call") & (LedgerEntry.month == dt.date(2024, 3, 1))
            ),
            "household": await Household.select(Household.name, Household.version)
            .where(Household.id == household_id)
            .first(),
        }
    finally:
        await db.stop(engine)


async def _rental_session(client: httpx.AsyncClient) -> str:
    page = await client.get("/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    await client.post(
        "/login", data={"_csrf": token, "email": "gestion@test.fr", "password": TEST_PASSWORD}
    )
    home = await client.get("/housing/rent-calls")
    return re.search(r'"X-CSRF-Token": "([^"]+)"', home.text).group(1)


async def _drive(base_url: str, seed: dict) -> dict:
    headers = [{"Authorization": f"Bearer {t}"} for t in seed["tokens"]]
    hid = seed["household"]
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        edits = await asyncio.gather(
            *(
                client.put(
                    f"/api/households/{hid}",
                    headers=headers[i],
                    json={"version": 1, "name": f"MODIFIÉ par {i + 1}"},
                )
                for i in (0, 1)
            )
        )
        notes = await asyncio.gather(
            *(
                client.post(
                    f"/api/households/{hid}/timeline",
                    headers={**headers[i % 2], "Idempotency-Key": f"note-{i}"},
                    json={"kind": "phone_call", "occurred_on": "2024-03-02", "body": f"appel {i}"},
                )
                for i in range(40)
            )
        )
        retried = await client.post(
            f"/api/households/{hid}/timeline",
            headers={**headers[0], "Idempotency-Key": "note-0"},
            json={"kind": "phone_call", "occurred_on": "2024-03-02", "body": "appel 0"},
        )
        rental = httpx.AsyncClient(base_url=base_url, timeout=60)
        csrf = await _rental_session(rental)
        runs = await asyncio.gather(
            *(
                rental.post(
                    "/housing/rent-calls", data={"month": "2024-03"}, headers={"X-CSRF-Token": csrf}
                )
                for _ in range(2)
            )
        )
        await rental.aclose()
        report = await client.get("/reports/iml_sublease/2024/pdf", headers=headers[0])
    return {"edits": edits, "notes": notes, "retried": retried, "runs": runs, "report": report}


def test_two_workers_concurrent_load_on_postgresql(postgres, host, password_hash, tmp_path):
    name = f"workers_{os.getpid()}"
    postgres.create_database(name, template=postgres.template)
    url = postgres.url(name)
    seed = asyncio.run(_seed(url, host, password_hash))
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
    env.update(
        TREMPLIN_DATABASE_URL=url,
        TREMPLIN_DATA_DIR=str(tmp_path / "data"),
        TREMPLIN_CONFIG=str(tmp_path / "absent.toml"),
    )
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(
        [TREMPLIN, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
        result = asyncio.run(_drive(f"http://127.0.0.1:{port}", seed))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        log.close()
    assert sorted(r.status_code for r in result["edits"]) == [200, 409]
    winner = next(r for r in result["edits"] if r.status_code == 200).json()["name"]
    assert all(r.status_code == 201 for r in result["notes"]), [
        r.text for r in result["notes"] if r.status_code != 201
    ]
    assert result["retried"].status_code == 201
    assert result["retried"].json() == result["notes"][0].json()
    assert [r.status_code for r in result["runs"]] == [200, 200]
    assert result["report"].status_code == 200 and result["report"].content.startswith(b"%PDF")
    counts = asyncio.run(_counts(url, host, seed["household"]))
    assert counts["notes"] == 40  # every write kept, the retried one not doubled
    assert counts["calls"] == seed["occupancies"]  # the month called once per occupancy
    assert counts["household"] == {"name": winner, "version": 2}
    lines = [
        json.loads(line)
        for line in (tmp_path / "server.log").read_text().splitlines()
        if line.startswith("{")
    ]
    statuses = [line.get("status") for line in lines if line.get("logger") == "tremplin.access"]
    assert statuses and not any(s and s >= 500 for s in statuses)
