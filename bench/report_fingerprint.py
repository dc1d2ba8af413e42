"""Dump full reports of the 10,000-household bench database as JSON, and time their build.

Made to check that a speed-up of the report changes no figure: run it before and after a
change and compare the dumps byte for byte (``cmp``). The dump holds the report of every
programme for three years, a report with a group (IML classique + jeunes), a partial period,
the report of two programmes, and the drill-down sets of the common indicators.

    .venv/bin/python bench/report_fingerprint.py --out /tmp/before.json
    .venv/bin/python bench/report_fingerprint.py --out /tmp/after.json --profile
    cmp /tmp/before.json /tmp/after.json

The database (``bench/out/fingerprint.sqlite3``) is filled once by ``bench_reports.fill`` and
kept; ``--fresh`` fills it again. Prints the CPU time (``time.process_time``) of the build of
the whole association's report, the median of ``--runs``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime as dt
import json
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_reports import fill  # noqa: E402

from tremplin import db  # noqa: E402
from tremplin.config import Settings  # noqa: E402
from tremplin.plugins import load_plugins  # noqa: E402
from tremplin.reports.engine import _context, build_report  # noqa: E402
from tremplin.reports.indicators import common_indicators  # noqa: E402
from tremplin.types import Period  # noqa: E402

FIRST_YEAR = 2021


def _plain(report: dict) -> dict:
    report = dict(report)
    report.pop("generated_at", None)
    return report


async def _sql_costs(host, year: int) -> None:
    """The CPU time each statement takes in the database's thread (SQLite runs there)."""
    import aiosqlite

    costs: dict[str, list[float]] = {}
    original = aiosqlite.Connection._execute_fetchall

    def timed(self, sql, parameters):
        c0 = time.thread_time()
        rows = original(self, sql, parameters)
        entry = costs.setdefault(" ".join(sql.split())[:160], [0, 0.0, 0])
        entry[0] += 1
        entry[1] += time.thread_time() - c0
        entry[2] += len(rows)
        return rows

    import dataclasses

    from tremplin.reports import engine as report_engine

    sections: dict[str, list[float]] = {}
    sections_for = report_engine._sections_for

    def timed_sections(host, key):
        out = []
        for plugin, section in sections_for(host, key):

            async def compute(ctx, compute=section.compute, name=f"{key}/{section.key}"):
                c0 = time.process_time()
                tables = await compute(ctx)
                entry = sections.setdefault(name, [0, 0.0])
                entry[0] += 1
                entry[1] += time.process_time() - c0
                return tables

            out.append((plugin, dataclasses.replace(section, compute=compute)))
        return out

    aiosqlite.Connection._execute_fetchall = timed
    report_engine._sections_for = timed_sections
    c0, t0 = time.process_time(), time.thread_time()
    await build_report(host, "all", Period.year(year), "Bench")
    c1, t1 = time.process_time(), time.thread_time()
    aiosqlite.Connection._execute_fetchall = original
    report_engine._sections_for = sections_for
    print(f"sections (CPU of both threads) {sum(c[1] for c in sections.values()) * 1000:.0f} ms")
    for name, (n, cpu) in sorted(sections.items(), key=lambda kv: -kv[1][1]):
        print(f"{cpu * 1000:7.1f} ms {n:3d}x {name}")
    total = sum(c[1] for c in costs.values())
    print(
        f"process {(c1 - c0) * 1000:.0f} ms, main thread {(t1 - t0) * 1000:.0f} ms, "
        f"queries {sum(c[0] for c in costs.values())} in their thread {total * 1000:.0f} ms"
    )
    for sql, (n, cpu, rows) in sorted(costs.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"{cpu * 1000:7.1f} ms {n:4d}x {rows:7d} rows  {sql}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--db", default="bench/out/fingerprint.sqlite3")
    parser.add_argument("--out", default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--sql", action="store_true", help="CPU of each query in its thread")
    args = parser.parse_args()
    path = Path(args.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    new = args.fresh or not path.exists()
    if new:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    settings = Settings(database_url=f"sqlite:///{path}")
    host = load_plugins(None)
    engine = db.create_engine(settings)
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    await db.migrate()
    if new:
        fill(path, args.households, host.programme_keys, FIRST_YEAR)
    year = FIRST_YEAR + 3
    if args.out:
        dump: dict = {}
        groups = (("IML", ("iml_sublease", "iml_youth")),)
        for y in (FIRST_YEAR + 1, year, FIRST_YEAR + 5):
            dump[f"all-{y}"] = _plain(await build_report(host, "all", Period.year(y), "Bench"))
        dump["group"] = _plain(await build_report(host, "all", Period.year(year), "Bench", groups))
        dump["partial"] = _plain(
            await build_report(
                host, "all", Period(dt.date(year, 3, 1), dt.date(year, 8, 31)), "Bench"
            )
        )
        dump["some"] = _plain(
            await build_report(host, host.programme_keys[:2], Period.year(year), "Bench")
        )
        drills = {}
        for key in host.programme_keys[:3]:
            drill: dict = {}
            await common_indicators(_context(host, key, Period.year(year), None), drill)
            drills[key] = {f"{t}|{k}": sorted(v) for (t, k), v in sorted(drill.items())}
        dump["drill"] = drills
        Path(args.out).write_text(json.dumps(dump, sort_keys=True, indent=1, default=str))
        print(f"wrote {args.out}")
    import gc

    gc_time = [0.0, 0, 0.0]

    def on_gc(phase, info):
        if phase == "start":
            gc_time[2] = time.process_time()
        else:
            gc_time[0] += time.process_time() - gc_time[2]
            gc_time[1] += 1

    gc.callbacks.append(on_gc)
    cpu = []
    for _ in range(args.runs):
        c0 = time.process_time()
        await build_report(host, "all", Period.year(year), "Bench")
        cpu.append(time.process_time() - c0)
    gc.callbacks.remove(on_gc)
    print(
        f"garbage collection: {gc_time[1]} passes, {gc_time[0] * 1000 / args.runs:.0f} ms a build"
    )
    print(
        f"indicators cpu: median {statistics.median(cpu) * 1000:.0f} ms, "
        f"min {min(cpu) * 1000:.0f} ms ({', '.join(f'{c * 1000:.0f}' for c in cpu)})"
    )
    if args.sql:
        await _sql_costs(host, year)
    if args.profile:
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        await build_report(host, "all", Period.year(year), "Bench")
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    await db.stop(engine)


if __name__ == "__main__":
    asyncio.run(main())
