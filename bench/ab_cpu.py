"""CPU per request of this tree against another revision, in the same run (A/B).

    .venv/bin/python bench/ab_cpu.py --base main                 # household page and list
    .venv/bin/python bench/ab_cpu.py --base b647d21 --rounds 5 --requests 300

On a loaded machine wall-clock figures mean little; the CPU time a request costs the process
(``time.process_time``, client included) is steadier, and alternating the two trees round
after round cancels most of the drift of the load. The other revision is extracted with
``git archive`` under ``bench/out/ab-<rev>/`` and imported first (``PYTHONPATH``), so both run
in the same virtualenv on the same database (``bench/out/bench.sqlite3``, filled by
``bench/bench_pages.py`` or ``bench/run.py``) with this tree's bench scripts. Prints the
median CPU ms per request of each page for both, and the ratio.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PAGES = (
    ("household page", "/households/{id}", False),
    ("household page, restricted user", "/households/{id}", True),
    ("household list", "/households", False),
    ("household list, restricted user", "/households", True),
)
CPU = re.compile(r"^cpu ([\d.]+) ms/request", re.M)


def extract(rev: str) -> Path:
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    target = OUT / f"ab-{sha}"
    if not target.exists():
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def python_path(tree: Path) -> str:
    parts = [tree / "core", tree / "themes" / "default"]
    parts += sorted(p for p in (tree / "plugins").iterdir() if p.is_dir())
    return os.pathsep.join(str(p) for p in parts)


def run(tree: Path | None, page: str, restricted: bool, requests: int, seed: int) -> float:
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = python_path(tree)
    cmd = [sys.executable, str(ROOT / "bench" / "profile_household.py"), "--cpu-only"]
    cmd += ["--page", page, "--requests", str(requests), "--seed", str(seed)]
    if restricted:
        cmd.append("--restricted")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, check=False)
    found = CPU.search(out.stdout)
    if not found:
        raise RuntimeError(f"no CPU figure from {cmd}:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return float(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="main", help="the revision to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", default="", help="pages whose label holds this text")
    args = parser.parse_args()
    base = extract(args.base)
    print(
        f"A/B CPU per request: {args.base} ({base.name}) against this tree; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    rows = []
    for label, page, restricted in PAGES:
        if args.only and args.only not in label:
            continue
        a: list[float] = []
        b: list[float] = []
        for r in range(args.rounds):
            a.append(run(base, page, restricted, args.requests, 7 + r))
            b.append(run(None, page, restricted, args.requests, 7 + r))
        ma, mb = statistics.median(a), statistics.median(b)
        rows.append((label, ma, mb))
        print(
            f"  {label:<34} {args.base} {ma:6.2f} ms  this tree {mb:6.2f} ms  "
            f"({mb / ma:.2f}×)  rounds {a} / {b}",
            flush=True,
        )
    print(f"\n{'page (CPU ms per request, client included)':<44}{args.base:>10}{'this tree':>11}")
    for label, ma, mb in rows:
        print(f"{label:<44}{ma:>10.2f}{mb:>11.2f}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
