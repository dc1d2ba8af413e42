"""Where the household page's time goes: cProfile over N requests, in-process.

    .venv/bin/python bench/profile_household.py --page / --explain  # the dashboard's plans

    .venv/bin/python bench/profile_household.py                  # bench/out/bench.sqlite3
    .venv/bin/python bench/profile_household.py --requests 300 --restricted --top 30

Uses the database ``bench/bench_pages.py`` (or ``bench/run.py``) filled: the real app through
``httpx.ASGITransport``, logged in through the real form, then ``GET /households/<random id>``
``--requests`` times under ``cProfile`` (audit write included). Prints the top functions by
cumulative and by own time, and the wall time per request with and without the profiler.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import logging
import pstats
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages as pages  # noqa: E402


async def count_queries(client, path: str) -> list[tuple[str, list]]:
    """The SQL statements (with their arguments) one ``GET path`` runs (SQLite engine)."""
    from tremplin.db.sqlite import PooledSQLiteEngine

    seen: list[str] = []
    new, existing = (
        PooledSQLiteEngine._run_in_new_connection,
        PooledSQLiteEngine._run_in_existing_connection,
    )

    async def run_new(self, query, args=None, *a, **k):
        seen.append((query, list(args or [])))
        return await new(self, query, args, *a, **k)

    async def run_existing(self, connection, query, args=None, *a, **k):
        seen.append((query, list(args or [])))
        return await existing(self, connection, query, args, *a, **k)

    PooledSQLiteEngine._run_in_new_connection = run_new  # type: ignore[method-assign]
    PooledSQLiteEngine._run_in_existing_connection = run_existing  # type: ignore[method-assign]
    try:
        assert (await client.get(path)).status_code == 200
    finally:
        PooledSQLiteEngine._run_in_new_connection = new  # type: ignore[method-assign]
        PooledSQLiteEngine._run_in_existing_connection = existing  # type: ignore[method-assign]
    return seen


async def profile(
    db_path: Path,
    requests: int,
    restricted: bool,
    top: int,
    seed: int,
    dump: Path | None = None,
    page: str = "/households/{id}",
    explain: bool = False,
    cpu_only: bool = False,
) -> None:
    import httpx

    from tremplin import db
    from tremplin.web.app import create_app

    data_dir = db_path.parent / "data"
    app = create_app(pages.settings_for(db_path, data_dir))
    engine = db.current_engine()
    await db.start(engine)
    try:
        await pages.ensure_user(pages.BENCH_EMAIL, "Bench Travailleur social")
        await pages.ensure_user(pages.RESTRICTED_EMAIL, "Bench TS IML", [pages.PROGRAMME])
        households = pages.existing_counts(db_path)["household"]
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
            await pages.login(c, pages.RESTRICTED_EMAIL if restricted else pages.BENCH_EMAIL)
            rng = random.Random(seed)
            for _ in range(20):  # warm-up: templates compiled, caches filled
                await c.get(page.format(id=rng.randint(1, households)))
            ids = [rng.randint(1, households) for _ in range(requests)]
            t0, c0 = time.perf_counter(), time.process_time()
            for hid in ids:
                assert (await c.get(page.format(id=hid))).status_code == 200
            plain = (time.perf_counter() - t0) * 1000 / requests
            cpu = (time.process_time() - c0) * 1000 / requests
            if cpu_only:
                pages.log(f"cpu {cpu:.3f} ms/request, wall {plain:.2f} ms/request")
                return
            queries = await count_queries(c, page.format(id=ids[0]))
            profiler = cProfile.Profile(time.process_time)  # CPU time: waits do not count
            t0 = time.perf_counter()
            profiler.enable()
            for hid in ids:
                await c.get(page.format(id=hid))
            profiler.disable()
            if dump:
                profiler.dump_stats(dump)
            profiled = (time.perf_counter() - t0) * 1000 / requests
    finally:
        await db.stop(engine)
    who = "restricted user" if restricted else "full-access user"
    pages.log(
        f"GET {page}, {who}, {households} households, {requests} requests: "
        f"{plain:.1f} ms/request without the profiler ({cpu:.2f} ms CPU, client included), "
        f"{profiled:.1f} ms with it; "
        f"{pages.load_line()}"
    )
    pages.log(
        f"\n--- {len(queries)} SQL statements for one page (CPU of each SELECT alone in sqlite3) ---"
    )
    con = sqlite3.connect(db_path)
    for sql, args in queries:
        cost = ""
        if sql.lstrip().upper().startswith("SELECT"):
            c0 = time.process_time()
            for _ in range(50):
                con.execute(sql, args).fetchall()
            cost = f"{(time.process_time() - c0) * 1000 / 50:6.2f} ms  "
        pages.log(f"  {cost or ' ' * 11}" + " ".join(sql.split())[:150])
        if explain:
            for row in con.execute("EXPLAIN QUERY PLAN " + sql, args):
                scan = "  <-- SCAN" if row[3].startswith("SCAN") else ""
                pages.log(f"               {row[3]}{scan}")
    con.close()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
        stats.print_stats(top)
        text = out.getvalue()
        pages.log(f"\n--- top {top} by {order} ---")
        pages.log(text[text.find("ncalls") :].rstrip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=pages.DEFAULT_DB)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--restricted", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dump", type=Path, help="write the raw profile there (pstats)")
    parser.add_argument(
        "--page", default="/households/{id}", help="the page to profile ({id}: a household id)"
    )
    parser.add_argument("--explain", action="store_true", help="print each statement's plan")
    parser.add_argument(
        "--cpu-only", action="store_true", help="only the CPU per request (A/B comparisons)"
    )
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if not args.db.exists():
        pages.log(f"{args.db} does not exist: run bench/bench_pages.py or bench/run.py first")
        return 1
    asyncio.run(
        profile(
            args.db.resolve(),
            args.requests,
            args.restricted,
            args.top,
            args.seed,
            args.dump,
            args.page,
            args.explain,
            args.cpu_only,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
