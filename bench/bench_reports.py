"""Benchmark of the activity report: 10,000 households over 5 years of enrolments and timeline.

Prints the time to compute the indicators of one year for every enabled programme (with the
key figures of that year and the year before), and the time to render the PDF with its
charts (Typst compile), the DOCX (python-docx, charts compiled to PNG by Typst) and the
XLSX. Targets (issue 15): indicators ≤ 300 ms, PDF ≤ 2 s, DOCX ≤ 2 s. The indicators
include the previous year of every section (N-1). ``docx`` draws every chart (cache
cleared); ``docx_again`` is the same report made again with only its key-figures charts
changed (the other chart images come from the cache). Also prints the CPU
time of this process, which the other processes of a shared machine do not inflate.

    .venv/bin/python bench/bench_reports.py [--households 10000] [--db bench/out/reports.sqlite3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sqlite3
import statistics
import time
from pathlib import Path

from tremplin import db
from tremplin.config import Settings
from tremplin.plugins import load_plugins
from tremplin.reports.docx import clear_chart_cache, to_docx
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_pdf, to_xlsx
from tremplin.text import normalise
from tremplin.types import Period

COMPOSITIONS = [
    "isolated_man",
    "isolated_woman",
    "single_mother",
    "single_father",
    "couple",
    "couple_children",
]
RESOURCES = ["rsa", "salary", "unemployment", "aah", "cej", "training", "none"]
SITUATIONS = ["emergency_shelter", "chrs", "asylum", "third_party", "family", "street"]
DESTINATIONS = [
    "private_housing",
    "private_sliding",
    "public_housing",
    "public_sliding",
    "family",
    "third_party",
    "abandonment",
    "chrs",
]


def fill(path: Path, households: int, programmes: list[str], first_year: int) -> None:
    """Bulk-insert realistic rows with plain sqlite3 (the schema comes from the migrations)."""
    rng = random.Random(7)
    con = sqlite3.connect(path)
    now = dt.datetime.now(dt.UTC).isoformat()
    h_rows, p_rows, m_rows, e_rows, t_rows = [], [], [], [], []
    person_id = 0
    event_id = 0
    for hid in range(1, households + 1):
        last = f"Nom{hid}"
        h_rows.append(
            (
                hid,
                f"M-{hid:06d}",
                f"{last.upper()} Prénom",
                normalise(last, f"M-{hid:06d}"),
                rng.choice(COMPOSITIONS),
                json.dumps(rng.sample(RESOURCES, rng.randint(1, 2))),
                rng.choice(SITUATIONS),
                now,
                now,
            )
        )
        entry = dt.date(first_year, 1, 1) + dt.timedelta(days=rng.randint(0, 5 * 365))
        for k in range(rng.randint(1, 4)):
            person_id += 1
            age = rng.randint(19, 70) if k == 0 else rng.randint(0, 60)
            p_rows.append(
                (
                    person_id,
                    "Prénom",
                    last,
                    (entry - dt.timedelta(days=365 * age)).isoformat(),
                    rng.choice("FM"),
                    now,
                )
            )
            m_rows.append((hid, person_id, "reference" if k == 0 else "child", entry.isoformat()))
        exit_ = entry + dt.timedelta(days=rng.randint(60, 700))
        exited = exit_ < dt.date(first_year + 5, 1, 1) and rng.random() < 0.7
        programme = programmes[hid % len(programmes)]
        e_rows.append(
            (
                hid,
                hid,
                programme,
                "exited" if exited else "housed",
                (entry - dt.timedelta(days=30)).isoformat(),
                rng.choice(["siao", "chrs", "ccas"]),
                entry.isoformat(),
                exit_.isoformat() if exited else None,
                rng.choice(DESTINATIONS) if exited else "",
                "{}",
                now,
                now,
            )
        )
        for _ in range(10):
            event_id += 1
            day = entry + dt.timedelta(days=rng.randint(0, 600))
            t_rows.append(
                (
                    event_id,
                    hid,
                    rng.choice(["note", "home_visit", "office_appointment"]),
                    # As the app stores an instant on SQLite (Piccolo's adapter: UTC, a space).
                    str(dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)),
                    programme,
                    "staff",
                    "Suivi",
                    "texte",
                    "{}",
                    now,
                )
            )
    with con:
        con.executemany(
            "INSERT INTO household (id, reference, name, search_text, composition, resources, "
            "situation_before_entry, address, phone, email, version, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '', '', '', 1, ?, ?)",
            h_rows,
        )
        con.executemany(
            "INSERT INTO person (id, first_name, last_name, birth_date, sex, nationality, version, "
            "created_at) VALUES (?, ?, ?, ?, ?, '', 1, ?)",
            p_rows,
        )
        con.executemany(
            "INSERT INTO membership (household, person, relation, start_date) VALUES (?, ?, ?, ?)",
            m_rows,
        )
        con.executemany(
            "INSERT INTO enrolment (id, household, programme, state, referral_date, prescriber, "
            "entry_date, exit_date, exit_destination, data, version, created_at, updated_at, "
            "exit_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, '')",
            e_rows,
        )
        con.executemany(
            "INSERT INTO timeline_event (id, household, kind, occurred_at, programme, visibility, "
            "title, body, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            t_rows,
        )
    con.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--db", default="bench/out/reports.sqlite3")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    path = Path(args.db)
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    settings = Settings(database_url=f"sqlite:///{path}")
    host = load_plugins(None)
    engine = db.create_engine(settings)
    db.configure(engine, host.piccolo_apps)
    await db.start(engine)
    await db.migrate()
    first_year = dt.date.today().year - 5
    started = time.perf_counter()
    fill(path, args.households, host.programme_keys, first_year)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(
        f"filled {args.households} households, 5 years, in {time.perf_counter() - started:.1f} s "
        f"(programmes: {', '.join(host.programme_keys)})"
    )
    year = first_year + 3
    timings: dict[str, list[float]] = {
        "indicators": [],
        "pdf": [],
        "docx": [],
        "docx_again": [],
        "xlsx": [],
    }
    cpu: dict[str, list[float]] = {k: [] for k in timings}
    for _ in range(args.runs):
        c0, t0 = time.process_time(), time.perf_counter()
        report = await build_report(host, "all", Period.year(year), "Bench")
        c1, t1 = time.process_time(), time.perf_counter()
        # Vary the data each run: the Typst compiler caches identical input.
        report["association"] = f"Bench {t1}"
        for chapter in report["programmes"]:
            if chapter.get("compare_chart"):
                chapter["compare_chart"]["title"] = f"{t1}"
        to_pdf(report)
        c2, t2 = time.process_time(), time.perf_counter()
        clear_chart_cache()  # every chart drawn: the first DOCX of a report
        to_docx(report)
        c3, t3 = time.process_time(), time.perf_counter()
        to_xlsx(report)
        c4, t4 = time.process_time(), time.perf_counter()
        # The same report made again with its key-figures charts changed: only those are
        # drawn again, the others come from the chart cache.
        for chapter in report["programmes"]:
            if chapter.get("compare_chart"):
                chapter["compare_chart"]["title"] = f"{t4}"
        to_docx(report)
        c5, t5 = time.process_time(), time.perf_counter()
        for name, wall, used in (
            ("indicators", t1 - t0, c1 - c0),
            ("pdf", t2 - t1, c2 - c1),
            ("docx", t3 - t2, c3 - c2),
            ("docx_again", t5 - t4, c5 - c4),
            ("xlsx", t4 - t3, c4 - c3),
        ):
            timings[name].append(wall)
            cpu[name].append(used)
    overview = report["programmes"][0]["sections"][0]["tables"][0]["rows"]
    print(
        f"year {year}: {overview[1]['count']} households accompanied in "
        f"{report['programmes'][0]['name']}"
    )
    for name, values in timings.items():
        print(
            f"{name:<11} median {statistics.median(values) * 1000:7.0f} ms   "
            f"max {max(values) * 1000:7.0f} ms   "
            f"cpu median {statistics.median(cpu[name]) * 1000:7.0f} ms"
        )
    print("targets: indicators ≤ 300 ms, PDF ≤ 2000 ms, DOCX ≤ 2000 ms (docx: every chart drawn)")
    await db.stop(engine)


if __name__ == "__main__":
    asyncio.run(main())
