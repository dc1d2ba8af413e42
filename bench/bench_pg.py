"""Growth on PostgreSQL: pages and the yearly report from 10,000 to 1,000,000 households.

Not a test: it prints figures for the admin guide's scaling section. Run from the repository
root (PostgreSQL's binaries must be installed; a throw-away server is started the way the test
suite does, ``tremplin.testing.postgres.PostgresServer``)::

    .venv/bin/python bench/bench_pg.py                       # 10,000 and 100,000 households
    .venv/bin/python bench/bench_pg.py --sizes 10000,100000,1000000
    .venv/bin/python bench/bench_pg.py --quick               # 2,000 and 10,000, few requests

For each size:

1. a fresh database, the real migrations, then bulk loading with ``COPY`` (asyncpg
   ``copy_records_to_table``) of the same rows as ``bench/bench_pages.py`` generates
   (households, people, memberships, one ``iml_sublease`` enrolment and renewals, 10 timeline
   events each); secondary indexes are dropped during the load and rebuilt from their exact
   definitions, then ``ANALYZE``;
2. ``EXPLAIN`` of every page query: ``auto_explain`` logs the plan of every statement the app
   runs for a few requests of each page; the plans are printed, and a sequential scan on a big
   table is flagged;
3. in-process p50/p95 of list, search, household page and dashboard (full-access and restricted
   user), through ``bench_pages.in_process``;
4. the yearly report's indicators for the whole association (``build_report(host, "all", …)``).

It ends with one growth table (the one in docs/admin.md), with the load average of each figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages as pages  # noqa: E402

BIG_TABLES = (*pages.FILL_TABLES, "audit_entry")
COLUMNS = {
    key: [c.strip() for c in re.search(r"\((.*?)\) VALUES", sql, re.S).group(1).split(",")]
    for key, sql in pages.SQL.items()
}
TABLE_OF = {"renewal": "housing_agreement_renewal"}
log = pages.log


def pg_settings(url: str, data_dir: Path):
    from tremplin.config import Settings

    # As deployed (see bench_pages.settings_for): templates not checked for changes.
    return Settings(
        database_url=url,
        data_dir=data_dir,
        secret_key=pages.SECRET,
        production=True,
        secure_cookies=False,
    )


def _converter(data_type: str):
    if data_type.startswith("timestamp"):
        return lambda v: None if v is None else dt.datetime.fromisoformat(v)
    if data_type == "date":
        return lambda v: None if v is None else dt.date.fromisoformat(v)
    if data_type == "boolean":
        return lambda v: None if v is None else bool(v)
    return lambda v: v


async def copy_fill(url: str, households: int, seed: int, batch: int = 10_000) -> float:
    """Bulk-load ``households`` households through COPY; returns the seconds it took."""
    import asyncpg

    from tremplin.plugins import load_plugins
    from tremplin.services.clock import today

    host = load_plugins(None)
    enrol_fields = host.fields(pages.PROGRAMME)
    rng = random.Random(seed)
    on = today()
    t0 = time.perf_counter()
    con = await asyncpg.connect(url)
    try:
        types = {
            (r["table_name"], r["column_name"]): r["data_type"]
            for r in await con.fetch(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'public'"
            )
        }
        indexes = await con.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
            "AND i.tablename = ANY($1::text[]) AND i.indexname NOT IN "
            "(SELECT conname FROM pg_constraint)",
            list(pages.FILL_TABLES),
        )
        for row in indexes:
            await con.execute(f'DROP INDEX "{row["indexname"]}"')
        await con.execute("SET session_replication_role = replica")  # no FK triggers in COPY
        authors = []
        for email, full_name in pages.AUTHORS:
            authors.append(
                await con.fetchval(
                    'INSERT INTO "tremplin_user" (email, full_name, role, programmes, '
                    "password_hash, active, failed_logins, must_change_password, created_at) "
                    "VALUES ($1, $2, 'social_worker', '[]', '', true, 0, false, now()) "
                    "RETURNING id",
                    email,
                    full_name,
                )
            )
        converters = {
            key: [_converter(types.get((TABLE_OF.get(key, key), col), "")) for col in COLUMNS[key]]
            for key in pages.SQL
        }
        person_id = 0
        for start in range(1, households + 1, batch):
            rows: dict[str, list[tuple]] = {k: [] for k in pages.SQL}
            for hid in range(start, min(start + batch, households + 1)):
                h = pages._household_rows(rng, hid, households, authors, on, host, enrol_fields)
                rows["household"] += h["household"]
                for person, relation in zip(h["persons"], h["relations"], strict=True):
                    person_id += 1
                    rows["person"].append((person_id, *person))
                    rows["membership"].append((hid, person_id, relation, h["since"].isoformat()))
                rows["enrolment"] += h["enrolment"]
                rows["renewal"] += h["renewal"]
                rows["timeline_event"] += h["events"]
            async with con.transaction():
                for key, records in rows.items():
                    conv = converters[key]
                    if key == "membership":
                        records = [(*r, None) for r in records]
                        columns = [*COLUMNS[key][:4], "end_date"]
                        conv = [*conv[:4], lambda v: v]
                    else:
                        columns = COLUMNS[key]
                    await con.copy_records_to_table(
                        TABLE_OF.get(key, key),
                        records=[
                            tuple(f(v) for f, v in zip(conv, r, strict=True)) for r in records
                        ],
                        columns=columns,
                    )
            done = min(start + batch - 1, households)
            if done % 100_000 == 0 or done == households:
                log(f"    {done:>8} households copied ({time.perf_counter() - t0:.0f} s)")
        await con.execute("SET session_replication_role = origin")
        t1 = time.perf_counter()
        for row in indexes:
            await con.execute(row["indexdef"])
        for table in ("household", "person", "enrolment"):
            await con.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT max(id) FROM "{table}"))'
            )
        await con.execute("ANALYZE")
        log(f"    {len(indexes)} indexes rebuilt and ANALYZE in {time.perf_counter() - t1:.0f} s")
    finally:
        await con.close()
    return time.perf_counter() - t0


async def migrate(url: str, data_dir: Path) -> None:
    from tremplin import db
    from tremplin.plugins import load_plugins

    host = load_plugins(None)
    engine = db.create_engine(pg_settings(url, data_dir))
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    try:
        await db.migrate()
        await pages.backfill_due_dates(host)  # after a fill: the enrolments' due dates
    finally:
        await db.stop(engine)


async def finish_fill(url: str, data_dir: Path, households: int) -> None:
    """After :func:`copy_fill`: compute the loaded enrolments' due dates (as ``tremplin
    migrate`` does on an upgrade; the dashboard and « Échéances » read them), give the audit
    trail one read per household (a running association's trail is never empty: the planner
    must face a real table), then ``ANALYZE`` them."""
    import asyncpg

    await migrate(url, data_dir)
    con = await asyncpg.connect(url)
    try:
        await con.execute(
            "INSERT INTO audit_entry (at, user_id, action, object_type, object_id, fields, "
            "address, prev_hash, hash) SELECT now(), 1, 'read', 'household', g, '[]', '', '', "
            "md5(g::text) FROM generate_series(1, $1) AS g",
            households,
        )
        await con.execute("ANALYZE due_date")
        await con.execute("ANALYZE audit_entry")
    finally:
        await con.close()


async def indicators(url: str, data_dir: Path, runs: int) -> tuple[float, float]:
    from tremplin import db
    from tremplin.plugins import load_plugins
    from tremplin.reports.engine import build_report
    from tremplin.types import Period

    host = load_plugins(None)
    engine = db.create_engine(pg_settings(url, data_dir))
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    try:
        year = dt.date.today().year - 1
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            await build_report(host, "all", Period.year(year), "Bench")
            times.append((time.perf_counter() - t0) * 1000)
        return statistics.median(times), max(times)
    finally:
        await db.stop(engine)


PLAN_START = re.compile(r"^\S+ \S+ \S+ \[\d+\] LOG:  duration: ([\d.]+) ms  plan:\s*$", re.M)
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def read_plans(log_path: Path, offset: int) -> list[tuple[str, str, float]]:
    """(query text, plan, duration in ms) of every statement auto_explain logged after
    ``offset``."""
    text = log_path.read_text(errors="replace")[offset:]
    starts = [m.end() for m in PLAN_START.finditer(text)]
    durations = [float(m.group(1)) for m in PLAN_START.finditer(text)]
    ends = [m.start() for m in PLAN_START.finditer(text)][1:] + [len(text)]
    plans = []
    for s, e, duration in zip(starts, ends, durations, strict=True):
        block = text[s:e]
        # the next non-plan log line ends the block
        block = re.split(r"^\S+ \S+ \S+ \[\d+\] ", block, maxsplit=1, flags=re.M)[0]
        m = re.search(r"Query Text:(.*?)\n(\s+\S.*)", block, re.S)
        if not m:
            continue
        query = " ".join(m.group(1).split())
        plan = m.group(2)
        # the plan starts at the first line that is not part of the query text
        lines = block.splitlines()
        qi = next(i for i, line in enumerate(lines) if "Query Text:" in line)
        body = [
            line
            for line in lines[qi + 1 :]
            if re.match(
                r"^\s+(\S.*)?(->|Scan|Limit|Sort|Aggregate|Hash|Nested|Merge|Result|Unique|Gather|Group|Subquery|CTE|Append|Index|Bitmap|Materialize|WindowAgg|Incremental|Memoize|Insert|Update|Delete|LockRows|ModifyTable|InitPlan|SubPlan|Filter|Sort Key|Hash Cond|Join Filter|Recheck|Group Key|Cache|Output)",
                line,
            )
        ]
        plan = "\n".join(body) if body else plan
        plans.append((query, plan, duration))
    return plans


async def explain_pages(server, url: str, data_dir: Path, households: int, seed: int) -> list:
    """Plans of every statement run by a few requests of each page (auto_explain)."""
    name = url.rsplit("/", 1)[1]
    # for the new connections of this database only (the app's pool opens them below)
    server.sql(f"ALTER DATABASE \"{name}\" SET session_preload_libraries = 'auto_explain'")
    server.sql(f'ALTER DATABASE "{name}" SET auto_explain.log_min_duration = 0')
    log_path = server.base / "log.txt"
    offset = len(log_path.read_text(errors="replace"))
    try:
        await pages.in_process(Path("unused"), data_dir, households, 2, seed, budget_s=120)
    finally:
        server.sql(f'ALTER DATABASE "{name}" RESET ALL')
    return read_plans(log_path, offset)


def print_plans(plans: list[tuple[str, str, float]], households: int, show: bool) -> list[str]:
    """Print each distinct page query with its plan; returns the flagged sequential scans.
    Also prints the slowest statements (the server's own duration, under the machine's load)."""
    seen: dict[str, str] = {}
    slowest: dict[str, float] = {}
    for query, plan, duration in plans:
        key = re.sub(r"\$\d+|\b\d+\b|'[^']*'", "?", query)
        seen.setdefault(key, plan)
        slowest[key] = max(slowest.get(key, 0.0), duration)
    flagged = []
    log(f"\n  EXPLAIN of the page queries at {households} households ({len(seen)} distinct)")
    for n, (query, plan) in enumerate(seen.items(), 1):
        scans = [t for t in SEQ_SCAN.findall(plan) if t in BIG_TABLES]
        mark = f"   !! SEQUENTIAL SCAN on {', '.join(sorted(set(scans)))}" if scans else ""
        if scans:
            flagged.append(f"{', '.join(sorted(set(scans)))}: {query[:160]}")
        if show or scans:
            log(f"  [{n}] {query[:300]}{mark}")
            for line in plan.splitlines():
                log(f"      {line.rstrip()}")
    log("  slowest page statements (server duration, ms, worst of the sample):")
    for key, ms in sorted(slowest.items(), key=lambda kv: -kv[1])[:8]:
        log(f"    {ms:8.2f}  {key[:150]}")
    log(
        f"  {len(flagged)} of {len(seen)} page queries scan a big table sequentially "
        f"({', '.join(BIG_TABLES)})"
    )
    return flagged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=None, help="comma-separated household counts")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--requests", type=int, default=None, help="per page (latency)")
    parser.add_argument("--report-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--show-plans", action="store_true", help="print every plan")
    parser.add_argument("--keep", action="store_true", help="keep each database (disk!)")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    default = "2000,10000" if args.quick else "10000,100000"
    sizes = [int(s) for s in (args.sizes or default).split(",")]
    requests = args.requests or (30 if args.quick else 200)

    from tremplin.testing.postgres import PostgresServer

    out_dir = pages.BENCH_DIR / "out"
    data_dir = out_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    server = PostgresServer()
    server.start()
    log(f"Tremplin growth on PostgreSQL — {dt.datetime.now().isoformat('T', 'seconds')}")
    log(f"  throw-away server on 127.0.0.1:{server.port}, {pages.load_line()}")
    rows = []
    try:
        for n in sizes:
            name = f"bench_{n}"
            url = server.url(name)
            server.create_database(name)
            log(f"\n{n} households")
            asyncio.run(migrate(url, data_dir))
            fill_s = asyncio.run(copy_fill(url, n, args.seed))
            t0 = time.perf_counter()
            asyncio.run(finish_fill(url, data_dir, n))
            fill_s += time.perf_counter() - t0
            fill_load = os.getloadavg()[0]
            pages.settings_for = lambda _p, d, url=url: pg_settings(url, d)
            plans = asyncio.run(explain_pages(server, url, data_dir, n, args.seed))
            flagged = print_plans(plans, n, args.show_plans)
            lat_load = os.getloadavg()[0]
            results, _, _ = asyncio.run(
                pages.in_process(Path("unused"), data_dir, n, requests, args.seed, budget_s=600)
            )
            pages.print_latency(results, {"user_id": "-", "restricted_id": "-", "common_rows": "-"})
            rep_load = os.getloadavg()[0]
            med, worst = asyncio.run(indicators(url, data_dir, args.report_runs))
            log(f"  yearly indicators (whole association): median {med:.0f} ms, max {worst:.0f} ms")
            rows.append(
                {
                    "n": n,
                    "fill": fill_s,
                    "fill_load": fill_load,
                    "results": results,
                    "lat_load": lat_load,
                    "indicators": med,
                    "rep_load": rep_load,
                    "seq": len(flagged),
                }
            )
            if not args.keep:
                server.drop_database(name)
    finally:
        server.stop()

    log("\n" + "=" * 100)
    log(
        "Growth on PostgreSQL: p95 in ms (CPU ms per request in brackets, less sensitive to "
        "other jobs), in-process, audit write included"
    )
    log("=" * 100)
    labels = [r["label"][:40] for r in rows[0]["results"]] if rows else []
    head = f"{'page':<42}" + "".join(f"{r['n']:>14}" for r in rows)
    log(head)
    log("-" * len(head))
    for i, label in enumerate(labels):
        log(
            f"{label:<42}"
            + "".join(
                f"{r['results'][i]['p95']:>7.1f} ({r['results'][i]['cpu']:>4.1f})" for r in rows
            )
        )
    log(
        f"{'yearly indicators, whole association (ms)':<42}"
        + "".join(f"{r['indicators']:>14.0f}" for r in rows)
    )
    log(f"{'bulk load (s)':<42}" + "".join(f"{r['fill']:>14.0f}" for r in rows))
    log(
        f"{'page queries with a seq scan on a big table':<42}"
        + "".join(f"{r['seq']:>14}" for r in rows)
    )
    log(
        f"{'load average (latency / indicators)':<42}"
        + "".join(f"{r['lat_load']:>8.1f}/{r['rep_load']:<5.1f}" for r in rows)
    )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = max(
            b["p95"] / a["p95"] for a, b in zip(first["results"], last["results"], strict=True)
        )
        log(f"worst p95 growth {first['n']} -> {last['n']}: {growth:.2f}× (target ≤ 2×)")
    log(f"{os.cpu_count()} CPUs, {pages.load_line()}")
    out = pages.BENCH_DIR / "out" / "bench_pg.json"
    out.write_text(json.dumps(rows, indent=1, default=str))
    log(f"figures saved to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
