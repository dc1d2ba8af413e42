"""Long work off the event loop, kept in the database.

A *job* (report build, import) is a row of :class:`~tremplin.models.Job`: any app process
reads its state, progress and result, whichever process runs it. The process that starts
a job runs it as an asyncio task; the CPU-bound parts go to :func:`in_process` (a pool of
worker processes: the event loop and its GIL stay free) or to a worker thread. The result
is a blob under ``<data_dir>/jobs/``, handed only to the job's owner (the route checks the
access policy again), audited when read, and deleted when it expires (:func:`expire`, run
by the retention job). A job whose process died is shown as interrupted
(:data:`STALE`), never as running forever.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import multiprocessing
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

from tremplin.i18n import N_
from tremplin.models import Job
from tremplin.services import audit
from tremplin.services.clock import now

log = logging.getLogger(__name__)

#: How long a result is kept for its owner to download it.
RESULT_DAYS = 7
#: A running job not updated for this long lost its process (restart, crash).
STALE = dt.timedelta(minutes=15)
STATE_LABELS = {
    "queued": N_("En attente"),
    "running": N_("En cours"),
    "done": N_("Terminé"),
    "failed": N_("Échec"),
    "interrupted": N_("Interrompu"),
    "expired": N_("Expiré"),
}
KIND_LABELS = {"report": N_("Rapport d'activité"), "import": N_("Import de fichier")}

_tasks: set[asyncio.Task] = set()
_pool: ProcessPoolExecutor | None = None


class JobError(Exception):
    """A failure whose French message is shown to the job's owner."""


@dataclass
class JobResult:
    """What a job's work returns: an optional file and a small JSON summary."""

    content: bytes | None = None
    name: str = ""
    media: str = ""
    summary: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[int, str], Awaitable[None]]
Work = Callable[[Progress], Awaitable[JobResult]]


def _process_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn: a fresh interpreter, nothing of the server's threads, loop or connections.
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _pool


async def in_process(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a CPU-bound, picklable top-level function in the worker process pool: the event
    loop keeps answering (a thread would hold the GIL)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_process_pool(), fn, *args)


async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """Run blocking work that releases the GIL (file I/O, Typst) in a worker thread."""
    return await anyio.to_thread.run_sync(fn, *args)


def shutdown() -> None:
    """Stop the worker processes and this process's running jobs (application shutdown:
    their rows show as interrupted after :data:`STALE`)."""
    global _pool
    for task in list(_tasks):
        task.cancel()
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
        _pool = None


async def start(
    kind: str,
    owner_id: int,
    params: dict[str, Any],
    work: Work,
    *,
    data_dir: Path,
    address: str = "",
) -> int:
    """Record a job and start its work in the background; returns its id (audited)."""
    at = now()
    rows = await Job.insert(
        Job(
            kind=kind,
            owner=owner_id,
            state="queued",
            params=params,
            created_at=at,
            updated_at=at,
        )
    ).returning(Job.id)
    job_id = rows[0]["id"]
    await audit.record("job_start", "job", job_id, user_id=owner_id, fields=[kind], address=address)
    # A fresh context: the task must not run its queries in the transaction of the request
    # that started it (Piccolo keeps the current transaction in a context variable).
    task = asyncio.create_task(_run(job_id, work, data_dir), context=contextvars.Context())
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return job_id


def progress_of(job_id: int) -> Progress:
    async def report(percent: int, step: str) -> None:
        await Job.update(
            {
                Job.progress: max(0, min(100, int(percent))),
                Job.step: step[:200],
                Job.updated_at: now(),
            }
        ).where(Job.id == job_id)

    return report


async def _run(job_id: int, work: Work, data_dir: Path) -> None:
    # The request that recorded the job may not have committed yet (a one-time form's
    # transaction): wait until its row is visible.
    for _ in range(200):
        if await Job.exists().where(Job.id == job_id):
            break
        await asyncio.sleep(0.05)
    else:
        return  # rolled back: nothing to run
    at = now()
    await Job.update(
        {Job.state: "running", Job.started_at: at, Job.updated_at: at, Job.step: "Démarrage"}
    ).where(Job.id == job_id)
    try:
        result = await work(progress_of(job_id))
        changes: dict[Any, Any] = {Job.summary: result.summary}
        if result.content is not None:
            relative = Path("jobs") / f"{job_id}-{secrets.token_hex(8)}"
            path = data_dir / relative
            await in_thread(_write, path, result.content)
            changes.update(
                {
                    Job.result_path: str(relative),
                    Job.result_name: result.name,
                    Job.result_media: result.media,
                }
            )
        done = now()
        changes.update(
            {
                Job.state: "done",
                Job.progress: 100,
                Job.step: "Terminé",
                Job.updated_at: done,
                Job.finished_at: done,
                Job.expires_at: done + dt.timedelta(days=RESULT_DAYS),
            }
        )
        await Job.update(changes).where(Job.id == job_id)
    except Exception as exc:  # the owner sees a French reason, the log the traceback
        message = str(exc) if isinstance(exc, JobError) else "erreur interne : réessayez"
        if not isinstance(exc, JobError):
            log.exception("job %s failed", job_id)
        failed = now()
        await Job.update(
            {
                Job.state: "failed",
                Job.error: message,
                Job.updated_at: failed,
                Job.finished_at: failed,
                Job.expires_at: failed + dt.timedelta(days=RESULT_DAYS),
            }
        ).where(Job.id == job_id)


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(content)
    partial.replace(path)


async def get(job_id: int) -> dict[str, Any] | None:
    """The job as its pages show it (``state`` ``interrupted`` when its process died)."""
    row = await Job.select().where(Job.id == job_id).output(load_json=True).first()
    if row is None:
        return None
    if row["state"] in ("queued", "running") and row["updated_at"] < now() - STALE:
        row["state"] = "interrupted"
        row["error"] = "le serveur a redémarré pendant le travail : relancez-le"
    row["state_label"] = STATE_LABELS.get(row["state"], row["state"])
    row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
    row["finished"] = row["state"] not in ("queued", "running")
    return row


async def wait(job_id: int, seconds: float = 60.0) -> dict[str, Any]:
    """Wait for a job started by this process to finish (command line, tests)."""
    with anyio.fail_after(seconds):
        while True:
            row = await get(job_id)
            if row is None or row["finished"]:
                return row or {}
            await asyncio.sleep(0.05)


def result_bytes(data_dir: Path, row: dict[str, Any]) -> bytes | None:
    """The result blob of a finished job, ``None`` when it has none or it expired."""
    if row["state"] != "done" or not row["result_path"]:
        return None
    path = data_dir / row["result_path"]
    if not path.is_file():
        return None
    return path.read_bytes()


async def expire(data_dir: Path, at: dt.datetime | None = None) -> int:
    """Delete the results of expired jobs (the retention job); returns how many."""
    at = at or now()
    rows = await Job.select(Job.id, Job.result_path).where(
        Job.expires_at.is_not_null() & (Job.expires_at < at) & (Job.state != "expired")
    )
    for row in rows:
        if row["result_path"]:
            (data_dir / row["result_path"]).unlink(missing_ok=True)
    if rows:
        await Job.update(
            {Job.state: "expired", Job.result_path: "", Job.summary: {}, Job.updated_at: at}
        ).where(Job.id.is_in([r["id"] for r in rows]))
    return len(rows)
