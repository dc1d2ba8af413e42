"""``make bench``: one table of Tremplin's speed, measured in one run on this machine.

    .venv/bin/python bench/run.py            # 100,000 households, 10 s of load per server
    .venv/bin/python bench/run.py --quick    # 10,000 households, shorter runs (< 3 minutes)

Reuses ``bench/bench_pages.py`` (fill, in-process latency, servers, load generator) and
``bench/bench_reports.py`` (report timings), and prints ONE table:

- each page's p50/p95 in-process (household list, search, household page, dashboard; full-access
  and restricted user), audit write included;
- the throughput of the logged-in list under N connections, served by ``tremplin serve``, next to
  a bare Litestar hello-world and a bare 50-row Jinja page (``bench/hello_app.py``) served the
  same way in the same run, with the ratios;
- the yearly report's timings (indicators, PDF, XLSX).

The machine's load average is printed with each figure: when the hello-world is far below its
usual figure (``HELLO_USUAL_RPS``), the run says so, because every figure of that run is then
depressed by other jobs, and only the ratios measured in the same run compare.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_pages as pages  # noqa: E402

HELLO_USUAL_RPS = 11_900  # bare hello-world, 2 uvicorn workers, on an idle 2-core machine


def serve_and_load(args, db_path: Path, data_dir: Path, cookie_value: str) -> dict:
    """Tremplin's list, the hello-world and the 50-row Jinja page, same server settings."""
    import httpx

    tremplin_bin = Path(sys.executable).with_name("tremplin")
    env = {
        **os.environ,
        "TREMPLIN_DATABASE_URL": f"sqlite:///{db_path}",
        "TREMPLIN_DATA_DIR": str(data_dir),
        "TREMPLIN_SECRET_KEY": pages.SECRET,
        "TREMPLIN_CONFIG": str(db_path.parent / "no-such-tremplin.toml"),
        "TREMPLIN_PRODUCTION": "true",  # as deployed (the load sends the cookie itself)
    }
    app_port, hello_port = pages.free_port(), pages.free_port()
    procs = []
    cookie = f"tremplin_session={cookie_value}"
    out: dict = {}
    try:
        app = pages.start_server(
            [str(tremplin_bin), "serve", "--host", "127.0.0.1", "--port", str(app_port)]
            + ["--workers", str(args.workers)],
            env,
            db_path.parent / "run-serve-tremplin.log",
        )
        procs.append(app)
        hello = pages.start_server(
            [sys.executable, "-m", "uvicorn", "hello_app:app", "--app-dir", str(pages.BENCH_DIR)]
            + ["--host", "127.0.0.1", "--port", str(hello_port), "--workers", str(args.workers)],
            env,
            db_path.parent / "run-serve-hello.log",
        )
        procs.append(hello)
        base, hello_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{hello_port}"
        pages.wait_ready(f"{base}/healthz", app)
        pages.wait_ready(f"{hello_base}/", hello)
        probe = httpx.get(f"{base}/households", headers={"Cookie": cookie}, timeout=10)
        if probe.status_code != 200 or "household-rows" not in probe.text:
            raise RuntimeError(f"the session cookie does not open the list ({probe.status_code})")
        rows = httpx.get(f"{hello_base}/rows", timeout=10).text.count("<tr>")
        if rows != 51:  # header + 50
            raise RuntimeError(f"the Jinja baseline page has {rows} rows")
        for key, url, ck, pgid in (
            ("list", f"{base}/households", cookie, app.pid),
            ("hello", f"{hello_base}/", None, hello.pid),
            ("jinja", f"{hello_base}/rows", None, hello.pid),
        ):
            load_before = os.getloadavg()[0]
            result = pages.load(url, args.connections, args.duration, ck, pgid)
            result["load"] = (load_before, os.getloadavg()[0])
            out[key] = result
    finally:
        for proc in procs:
            pages.stop_server(proc)
    return out


def report_timings(args) -> tuple[dict[str, tuple[float, float]], str]:
    """Run bench/bench_reports.py and read its median/max lines."""
    db = Path(args.db).resolve().parent / "run-reports.sqlite3"
    cmd = [sys.executable, str(pages.BENCH_DIR / "bench_reports.py"), "--db", str(db)]
    cmd += ["--households", str(args.report_households), "--runs", str(args.report_runs)]
    proc = subprocess.run(cmd, cwd=pages.ROOT, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"bench_reports.py failed: {proc.stderr[-2000:]}")
    found = {
        m.group(1): (float(m.group(2)), float(m.group(3)))
        for m in re.finditer(
            r"^(\w+)\s+median\s+([\d.]+) ms\s+max\s+([\d.]+) ms", proc.stdout, re.M
        )
    }
    return found, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small data, short runs (< 3 min)")
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--households", type=int, default=None)
    parser.add_argument("--requests", type=int, default=None, help="per page (latency)")
    parser.add_argument("--duration", type=float, default=None, help="seconds of load")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--report-households", type=int, default=None)
    parser.add_argument("--report-runs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-reports", action="store_true")
    args = parser.parse_args()
    quick = args.quick
    args.households = args.households or (10_000 if quick else 100_000)
    args.requests = args.requests or (40 if quick else 200)
    args.duration = args.duration or (4 if quick else 10)
    args.report_households = args.report_households or (2_000 if quick else 10_000)
    args.report_runs = args.report_runs or (1 if quick else 5)
    if args.db is None:
        name = "bench-quick.sqlite3" if quick else "bench.sqlite3"
        args.db = pages.BENCH_DIR / "out" / name
    logging.getLogger("httpx").setLevel(logging.WARNING)

    started = time.perf_counter()
    db_path = args.db.resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    data_dir = db_path.parent / "data"
    data_dir.mkdir(exist_ok=True)
    log = pages.log
    log(
        f"Tremplin bench{' (quick)' if quick else ''} — {dt.datetime.now().isoformat('T', 'seconds')}"
    )
    log(f"  python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, {pages.load_line()}")

    counts = pages.existing_counts(db_path)
    if not pages.is_filled(db_path, counts, args.households, args.seed):
        log(f"  filling {db_path.name} with {args.households} households")
        pages.fill(db_path, data_dir, args.households, args.seed)
    else:
        asyncio.run(pages.run_migrations(db_path, data_dir))
    con = sqlite3.connect(db_path)
    con.execute('DELETE FROM "user_session"')
    con.execute(
        'UPDATE "tremplin_user" SET failed_logins = 0, locked_until = NULL WHERE email IN (?, ?)',
        (pages.BENCH_EMAIL, pages.RESTRICTED_EMAIL),
    )
    con.commit()
    con.close()

    log(f"  latency: {args.requests} requests per page in-process …")
    load_lat = os.getloadavg()[0]
    results, cookie_value, _ = asyncio.run(
        pages.in_process(db_path, data_dir, args.households, args.requests, args.seed, budget_s=300)
    )
    loads = {}
    if not args.skip_load:
        log(f"  throughput: {args.connections} connections, {args.duration:.0f} s per target …")
        loads = serve_and_load(args, db_path, data_dir, cookie_value)
    reports: dict[str, tuple[float, float]] = {}
    if not args.skip_reports:
        log(f"  reports: {args.report_households} households, {args.report_runs} run(s) …")
        reports, _ = report_timings(args)

    # ---------------------------------------------------------------- the one table
    width = 78
    log("\n" + "=" * width)
    log(
        f"Tremplin bench — {args.households} households on SQLite, "
        f"{os.cpu_count()} CPUs, {'quick' if quick else 'full'} run"
    )
    log("=" * width)
    log(f"{'measure':<52} {'p50':>8} {'p95':>8} {'load':>7}")
    log("-" * width)
    for r in results:
        err = f" !{r['errors']} non-200" if r["errors"] else ""
        log(f"{r['label'][:52]:<52} {r['p50']:>6.1f}ms {r['p95']:>6.1f}ms {load_lat:>7.2f}{err}")
    if loads:
        log("-" * width)
        log(
            f"{'throughput (' + str(args.workers) + ' workers, ' + str(args.connections) + ' conn.)':<52} {'req/s':>8} {'cpu/req':>8} {'load':>7}"
        )
        labels = {
            "list": "GET /households, logged in (Tremplin)",
            "hello": "bare Litestar hello-world",
            "jinja": "bare 50-row Jinja page",
        }
        for key, label in labels.items():
            r = loads[key]
            bad = f" !{r['non2xx']} errors" if r["non2xx"] else ""
            log(f"{label:<52} {r['rps']:>8.0f} {r['cpu_ms']:>6.2f}ms {r['load'][1]:>7.2f}{bad}")
        hello_rps, jinja_rps, list_rps = (loads[k]["rps"] for k in ("hello", "jinja", "list"))
        log(f"{'ratio list / hello-world':<52} {list_rps / hello_rps if hello_rps else 0:>8.1%}")
        log(
            f"{'ratio list / 50-row Jinja page':<52} {list_rps / jinja_rps if jinja_rps else 0:>8.1%}"
        )
        cpu_floor = loads["hello"]["cpu_ms"]
        log(
            f"{'server CPU per request, list / hello-world':<52} "
            f"{loads['list']['cpu_ms'] / cpu_floor if cpu_floor else 0:>7.1f}×"
        )
    if reports:
        log("-" * width)
        log(
            f"{'yearly report (' + str(args.report_households) + ' households)':<52} {'median':>8} {'max':>8}"
        )
        for key in ("indicators", "pdf", "xlsx"):
            if key in reports:
                med, mx = reports[key]
                log(f"{key:<52} {med:>6.0f}ms {mx:>6.0f}ms")
    log("=" * width)
    log(f"finished in {time.perf_counter() - started:.0f} s, {pages.load_line()}")
    if loads:
        hello_rps = loads["hello"]["rps"]
        if hello_rps < HELLO_USUAL_RPS / 3:
            log(
                f"NOTE: the hello-world gave {hello_rps:.0f} req/s, far below its usual "
                f"~{HELLO_USUAL_RPS} req/s on an idle 2-core machine: the machine was busy "
                f"(load average {loads['hello']['load'][0]:.1f} -> {loads['hello']['load'][1]:.1f} "
                f"on {os.cpu_count()} CPUs), so absolute figures of this run are depressed; "
                "compare the ratios, measured in the same run."
            )
        if loads["hello"]["cpu_share"] < 0.8 * min(args.workers, os.cpu_count() or 1):
            log(
                f"NOTE: the hello-world servers used only {loads['hello']['cpu_share']:.2f} "
                "cores: the load generator or other jobs, not the server, set its req/s, so the "
                "req/s ratios understate the gap; the server-CPU-per-request ratio above is the "
                "trustworthy comparison in this run."
            )
        if loads["list"]["tool"] != "wrk":
            log(
                "NOTE: wrk is not installed; the load generator is Python (httpx) and shares the "
                "CPUs with the servers, which lowers every req/s figure (apt-get install wrk)."
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
