"""Every page query uses an index on a filled PostgreSQL database (structural, not timed).

A database of 20,000 households (the bench's generator, bulk-loaded with ``COPY``: people,
memberships, one enrolment and its renewals, ten timeline events each, one read in the audit
trail per household), then ``ANALYZE``. The real app is driven in-process, by a user who sees
every programme and one restricted to a programme, through the pages a worker opens all day:
the list, a search by name and by reference, a household page (audit write included), the
dashboard and « Échéances ». Every statement they run is recorded, then ``EXPLAIN``-ed with its
own arguments: none may read households, people, memberships, enrolments, timeline events or
the audit trail by a sequential scan. (Fewer households and the planner rightly reads small
tables whole: 20,000 is the smallest size where every page query has a reason to use its
index.)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import asyncpg
import httpx

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_pages as pages  # noqa: E402
import bench_pg  # noqa: E402

HOUSEHOLDS = 20000
# The tables that grow with the association. (``due_date`` holds only the running
# enrolments' next dates: a few thousand rows here, which PostgreSQL rightly reads whole for
# the dashboard's capped list; its count goes through ``due_date_warn``.)
BIG_TABLES = (
    "household",
    "person",
    "membership",
    "enrolment",
    "timeline_event",
    "audit_entry",
)
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


async def _fill(url: str, data_dir: Path) -> None:
    await bench_pg.migrate(url, data_dir)
    await bench_pg.copy_fill(url, HOUSEHOLDS, seed=7)
    await bench_pg.finish_fill(url, data_dir, HOUSEHOLDS)


async def _page_statements(url: str, data_dir: Path) -> list[tuple[str, tuple]]:
    """Every statement the pages run, with its arguments, in order."""
    from tremplin import db
    from tremplin.web.app import create_app

    seen: list[tuple[str, tuple]] = []
    fetch = asyncpg.connection.Connection.fetch

    async def recording(self, query, *args, **kwargs):
        seen.append((query, args))
        return await fetch(self, query, *args, **kwargs)

    app = create_app(bench_pg.pg_settings(url, data_dir))
    await db.start(db.current_engine())
    try:
        await pages.ensure_user(pages.BENCH_EMAIL, "Bench Travailleur social")
        await pages.ensure_user(pages.RESTRICTED_EMAIL, "Bench TS IML", [pages.PROGRAMME])
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        for email in (pages.BENCH_EMAIL, pages.RESTRICTED_EMAIL):
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver.local"
            ) as client:
                csrf = await pages.login(client, email)
                asyncpg.connection.Connection.fetch = recording  # type: ignore[method-assign]
                try:
                    htmx = {"HX-Request": "true", "HX-Target": "household-rows"}
                    for response in [
                        await client.get("/households"),
                        await client.get("/households?sort=name"),
                        await client.post(
                            "/households/search",
                            data={"q": pages.COMMON_QUERY, "_csrf": csrf},
                            headers=htmx,
                        ),
                        await client.post(
                            "/households/search",
                            data={"q": "M-000123", "_csrf": csrf},
                            headers=htmx,
                        ),
                        await client.get("/households/123"),
                        await client.get(f"/households/{HOUSEHOLDS - 5}"),
                        await client.get("/"),
                        await client.get("/echeances"),
                    ]:
                        assert response.status_code == 200, (response.url, response.status_code)
                finally:
                    asyncpg.connection.Connection.fetch = fetch  # type: ignore[method-assign]
    finally:
        await db.stop(db.current_engine())
    return seen


async def test_every_page_query_uses_an_index_on_postgres(postgres, tmp_path):
    name = "explain_pages"
    postgres.create_database(name)
    url = postgres.url(name)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    await _fill(url, data_dir)
    statements = await _page_statements(url, data_dir)
    selects = {
        (q, args)
        for q, args in statements
        if q.lstrip().upper().startswith(("SELECT", "WITH")) and "pg_advisory" not in q
    }
    assert len(selects) > 20, "the pages ran fewer statements than expected: not recorded?"
    scans: list[str] = []
    con = await asyncpg.connect(url)
    try:
        for query, args in sorted(selects, key=lambda s: s[0]):
            plan = "\n".join(r[0] for r in await con.fetch(f"EXPLAIN {query}", *args))
            tables = sorted({t for t in SEQ_SCAN.findall(plan) if t in BIG_TABLES})
            if tables:
                scans.append(f"{', '.join(tables)}: {' '.join(query.split())[:300]}\n{plan}")
    finally:
        await con.close()
    assert not scans, "sequential scans on big tables:\n\n" + "\n\n".join(scans)
