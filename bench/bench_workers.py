"""Several processes on PostgreSQL: 64 logged-in clients mixing reads and writes.

Not a test: it prints figures for the issue note. Run from the repository root::

    .venv/bin/python bench/bench_workers.py                 # 4 workers, 64 clients, 60 s
    .venv/bin/python bench/bench_workers.py --quick         # 15 s
    .venv/bin/python bench/bench_workers.py --workers 4 --clients 64 --duration 60

1. A throw-away PostgreSQL server (``tremplin.testing.postgres.PostgresServer``), a database
   with the real migrations, bulk-loaded with ``--households`` households (``bench_pg.copy_fill``).
2. ``tremplin serve --workers N`` on 127.0.0.1 (uvicorn worker processes sharing one socket:
   each request may land on any process).
3. ``--clients`` concurrent clients, each logged in through the real form with its own session
   (sessions live in the database, so every process recognises them), each looping for
   ``--duration`` seconds over a mix: household page 50 %, list 20 %, search 15 %, add a note
   to the timeline 15 % (a write: CSRF, validation, insert, audit, one transaction).
4. Reports requests, errors (any status other than the expected one, any transport error),
   p50/p95/p99 per kind and overall, and checks that every note acknowledged was written
   exactly once (timeline rows added = notes acknowledged) and that each process served
   requests (distinct ``server`` pids from the log are not visible, so the session check is
   that no client was ever sent back to the login page).

Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages as pages  # noqa: E402
import bench_pg  # noqa: E402

log = pages.log
MIX = (("page", 50), ("list", 20), ("search", 15), ("note", 15))


async def create_users(url: str, data_dir: Path, count: int) -> list[str]:
    from tremplin import db
    from tremplin.plugins import load_plugins

    host = load_plugins(None)
    engine = db.create_engine(bench_pg.pg_settings(url, data_dir))
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    emails = []
    try:
        for i in range(count):
            email = f"bench-worker-{i}@bench.tremplin.fr"
            await pages.ensure_user(email, f"Bench Travailleur {i}")
            emails.append(email)
    finally:
        await db.stop(engine)
    return emails


async def run_clients(base: str, emails: list[str], clients: int, duration: float, households: int):
    import httpx

    stats: dict[str, list[float]] = {k: [] for k, _ in MIX}
    errors: dict[str, int] = {k: 0 for k, _ in MIX}
    samples: list[str] = []
    notes_ok = 0
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]
    today = dt.date.today().isoformat()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)

    async def one_client(i: int, start: asyncio.Event, end_at: list[float]) -> None:
        nonlocal notes_ok
        rng = random.Random(i)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            try:
                csrf = await pages.login(client, emails[i % len(emails)])
            except BaseException:
                all_ready.set()  # unblock the start; gather() below raises the failure
                raise
            ready[0] += 1
            if ready[0] == clients:
                all_ready.set()
            await start.wait()
            while time.monotonic() < end_at[0]:
                kind = rng.choices(kinds, weights)[0]
                hid = rng.randint(1, households)
                t0 = time.perf_counter()
                try:
                    if kind == "page":
                        r = await client.get(f"/households/{hid}")
                        ok = r.status_code == 200
                    elif kind == "list":
                        r = await client.get("/households")
                        ok = r.status_code == 200 and "household-rows" in r.text
                    elif kind == "search":
                        r = await client.post(
                            "/households/search",
                            data={"q": rng.choice(["martin", "M-00012", "dupont"]), "_csrf": csrf},
                            headers={"HX-Request": "true", "HX-Target": "household-rows"},
                        )
                        ok = r.status_code == 200
                    else:
                        r = await client.post(
                            f"/households/{hid}/timeline",
                            data={
                                "_csrf": csrf,
                                "_form_id": uuid.uuid4().hex,
                                "kind": "note",
                                "occurred_on": today,
                                "programme": "",
                                "visibility": "staff",
                                "body": f"Note de charge {i}",
                            },
                        )
                        ok = r.status_code == 303
                        notes_ok += ok
                    if not ok and len(samples) < 5:
                        samples.append(f"{kind} -> {r.status_code} {r.headers.get('location', '')}")
                except httpx.HTTPError as exc:
                    ok = False
                    if len(samples) < 5:
                        samples.append(f"{kind} -> {type(exc).__name__}")
                stats[kind].append((time.perf_counter() - t0) * 1000)
                errors[kind] += not ok

    start = asyncio.Event()
    end_at = [0.0]
    ready = [0]
    all_ready = asyncio.Event()
    tasks = [asyncio.create_task(one_client(i, start, end_at)) for i in range(clients)]
    # log in every client first (password hashing is deliberately slow), then start together
    await all_ready.wait()
    failed = [t for t in tasks if t.done()]
    if failed:
        start.set()
        await asyncio.gather(*tasks)  # raises the login failure
    t0 = time.monotonic()
    end_at[0] = t0 + duration
    start.set()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - t0
    return stats, errors, notes_ok, elapsed, samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--duration", type=float, default=None)
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument(
        "--users", type=int, default=8, help="distinct accounts (sessions: 1/client)"
    )
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    duration = args.duration or (15 if args.quick else 60)

    from tremplin.testing.postgres import PostgresServer

    data_dir = pages.BENCH_DIR / "out" / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    server = PostgresServer()
    server.start()
    proc = None
    log(
        f"Tremplin, several processes on PostgreSQL — {dt.datetime.now().isoformat('T', 'seconds')}"
    )
    try:
        server.create_database("bench_workers")
        url = server.url("bench_workers")
        asyncio.run(bench_pg.migrate(url, data_dir))
        fill_s = asyncio.run(bench_pg.copy_fill(url, args.households, args.seed))
        asyncio.run(bench_pg.finish_fill(url, data_dir, args.households))
        log(f"  {args.households} households loaded in {fill_s:.0f} s")
        emails = asyncio.run(create_users(url, data_dir, args.users))
        port = pages.free_port()
        env = {
            **os.environ,
            "TREMPLIN_DATABASE_URL": url,
            "TREMPLIN_DATA_DIR": str(data_dir),
            "TREMPLIN_SECRET_KEY": pages.SECRET,
            "TREMPLIN_CONFIG": str(data_dir / "no-such-tremplin.toml"),
        }
        tremplin_bin = Path(sys.executable).with_name("tremplin")
        proc = pages.start_server(
            [str(tremplin_bin), "serve", "--host", "127.0.0.1", "--port", str(port)]
            + ["--workers", str(args.workers)],
            env,
            pages.BENCH_DIR / "out" / "workers-serve.log",
        )
        base = f"http://127.0.0.1:{port}"
        pages.wait_ready(f"{base}/healthz", proc)
        time.sleep(2)  # let every worker process boot
        events_before = _count(url, "timeline_event")
        log(
            f"  {args.workers} worker processes, {args.clients} clients logging in, then "
            f"{duration:.0f} s of mixed traffic; {pages.load_line()}"
        )
        load0 = os.getloadavg()[0]
        cpu0 = pages.group_cpu(proc.pid)
        stats, errors, notes_ok, elapsed, samples = asyncio.run(
            run_clients(base, emails, args.clients, duration, args.households)
        )
        cpu = pages.group_cpu(proc.pid) - cpu0
        load1 = os.getloadavg()[0]
        events_after = _count(url, "timeline_event")
    finally:
        if proc is not None:
            pages.stop_server(proc)
        server.stop()

    everything = [t for v in stats.values() for t in v]
    total_errors = sum(errors.values())
    log("\n" + "=" * 84)
    log(
        f"{args.workers} processes on PostgreSQL, {args.clients} logged-in clients, "
        f"{elapsed:.0f} s, load average {load0:.1f} -> {load1:.1f} on {os.cpu_count()} CPUs"
    )
    log("=" * 84)
    log(f"{'kind':<28} {'requests':>9} {'errors':>7} {'p50':>9} {'p95':>9} {'p99':>9}")
    log("-" * 84)
    for kind, _ in MIX:
        v = stats[kind]
        if v:
            log(
                f"{kind:<28} {len(v):>9} {errors[kind]:>7} {pages.pct(v, 50):>7.1f}ms "
                f"{pages.pct(v, 95):>7.1f}ms {pages.pct(v, 99):>7.1f}ms"
            )
    if everything:
        log(
            f"{'all':<28} {len(everything):>9} {total_errors:>7} "
            f"{pages.pct(everything, 50):>7.1f}ms {pages.pct(everything, 95):>7.1f}ms "
            f"{pages.pct(everything, 99):>7.1f}ms"
        )
    log("-" * 84)
    log(f"throughput {len(everything) / elapsed:.0f} req/s, server CPU {cpu / elapsed:.2f} cores")
    log(
        f"notes acknowledged {notes_ok}, timeline rows added {events_after - events_before} "
        f"({'OK' if notes_ok == events_after - events_before else 'MISMATCH'})"
    )
    p99 = pages.pct(everything, 99) if everything else 0
    log(
        f"targets: 0 errors ({'OK' if total_errors == 0 else 'MISSED'}), "
        f"p99 < 300 ms ({'OK' if p99 < 300 else 'MISSED'})"
    )
    for s in samples:
        log(f"  error sample: {s}")
    return 0


def _count(url: str, table: str) -> int:
    import asyncpg

    async def run() -> int:
        con = await asyncpg.connect(url)
        try:
            return await con.fetchval(f'SELECT count(*) FROM "{table}"')
        finally:
            await con.close()

    return asyncio.run(run())


if __name__ == "__main__":
    sys.exit(main())
