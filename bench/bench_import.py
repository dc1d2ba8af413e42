"""Benchmark of the spreadsheet import: N households (about 2.3 people and 1.2 enrolments
each) in one XLSX, imported into an empty, migrated database, then imported again (every
row matched on its id_externe: the second run updates instead of creating).

Prints the time to read and check the file, the time of the first import (writes) and of
the re-import, each as wall time and as the process's CPU time (``time.process_time``: all
threads, the worker thread that parses and checks included; it does not count the time the
machine gives to other processes, so it can be compared between runs on a loaded machine).
Target: 10,000 households in ≤ 10 s (SQLite). ``--profile FILE`` writes the first import's
cProfile statistics.

    .venv/bin/python bench/bench_import.py [--households 10000] [--postgres URL] [--profile F]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from tremplin import db
from tremplin.config import Settings
from tremplin.importer import COLUMNS, run_import
from tremplin.plugins import load_plugins

FIRST = ["Awa", "Paul", "Éléonore", "Moussa", "Inès", "Lucas", "Jade", "Noé", "Linh", "Hélène"]
LAST = ["MARTIN", "DIALLO", "NGUYEN", "PETIT", "ROUX", "DURAND", "KONÉ", "LEFÈVRE", "BERNARD"]


def build(households: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    book = Workbook()
    book.remove(book.active)
    sheets = {name: book.create_sheet(name) for name in COLUMNS}
    for name, sheet in sheets.items():
        sheet.append([c for c, _ in COLUMNS[name]])
    person = enrolment = 0
    for h in range(households):
        last = rng.choice(LAST)
        sheets["menages"].append(
            [f"H{h}", f"{last} {rng.choice(FIRST)}", "Couple avec enfant(s)", "RSA", "CHRS"]
        )
        for k in range(rng.choice([1, 2, 2, 3, 4])):
            person += 1
            relation = "Personne de référence" if k == 0 else "Enfant"
            sheets["personnes"].append(
                [f"P{person}", f"H{h}", rng.choice(FIRST), last, "12/05/1990", "F", "", relation]
            )
        for _ in range(rng.choice([1, 1, 1, 1, 2])):
            enrolment += 1
            year = rng.choice([2022, 2023, 2024])
            sheets["accompagnements"].append(
                [
                    f"E{enrolment}",
                    f"H{h}",
                    "IML sous-location",
                    "",
                    f"10/01/{year}",
                    "SIAO",
                    f"01/03/{year}",
                    f"15/10/{year + 1}" if rng.random() < 0.4 else None,
                    "Logement secteur privé" if rng.random() < 0.4 else None,
                    "",
                ]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def main(args: argparse.Namespace) -> None:
    content = build(args.households)
    print(f"{args.households} ménages, fichier de {len(content) / 1e6:.1f} Mo")
    host = load_plugins(None)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.postgres or f"sqlite:///{Path(tmp) / 'import.sqlite3'}"
        settings = Settings(database_url=url, data_dir=Path(tmp) / "data")
        engine = db.create_engine(settings)
        db.configure(engine, host.piccolo_apps)
        await db.start(engine)
        try:
            await db.migrate()
            start, cpu = time.perf_counter(), time.process_time()
            checked = await run_import(host, content, "bench.xlsx", dry_run=True)
            dry, dry_cpu = time.perf_counter() - start, time.process_time() - cpu
            assert checked.ok, checked.problems[:5]
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            start, cpu = time.perf_counter(), time.process_time()
            first = await run_import(host, content, "bench.xlsx")
            created, created_cpu = time.perf_counter() - start, time.process_time() - cpu
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(args.profile)
            start, cpu = time.perf_counter(), time.process_time()
            again = await run_import(host, content, "bench.xlsx")
            updated, updated_cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            await db.stop(engine)
    engine_name = "PostgreSQL" if args.postgres else "SQLite"
    print(f"moteur : {engine_name}")
    print("                                           mur      CPU")
    print(f"vérification seule (lecture + contrôles) : {dry:6.2f} s {dry_cpu:6.2f} s")
    print(
        f"premier import (création)                : {created:6.2f} s {created_cpu:6.2f} s"
        f"  {first.summary()}"
    )
    print(
        f"ré-import (rien ne change)               : {updated:6.2f} s {updated_cpu:6.2f} s"
        f"  {again.summary()}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--postgres", default=None, help="URL of an empty PostgreSQL database")
    parser.add_argument("--profile", default=None, help="cProfile output of the first import")
    asyncio.run(main(parser.parse_args()))
