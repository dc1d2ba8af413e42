"""Long work off the event loop, kept in the database.

A *job* (report build, import) is a row of :class:`~tremplin.models.Job`: any app process
reads its state, progress and result, whichever process runs it. The process that starts
a job runs it as an asyncio task; the CPU-bound parts go to :func:`in_process` (a pool of
worker processes: the event loop and its GIL stay free) or to a worker thread. The result
is a blob under ``<data_dir>/jobs/``, handed only to the job's owner (the route checks the
access policy again), audited when read, and deleted when it expires (:func:`expire`, run
by the retention job).

A job survives its process in the database, and never stays « en cours » forever: the
process that runs jobs writes a heartbeat (:data:`HEARTBEAT_SECONDS`) on their rows, with
its identity (``runner``, ``host:pid:token``). A queued or running job is *lost* when its
heartbeat is older than :data:`STALE`, when its runner was a process of this host that no
longer exists, or an earlier process of this very process id (a restarted container). A lost
job is marked failed with a French message when it is read (:func:`get`) and by the sweep
run at start-up (:func:`recover`); its owner can start it again.
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import logging
import multiprocessing
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

from tremplin.i18n import N_, get_language, set_language
from tremplin.models import Job
from tremplin.services import audit
from tremplin.services.clock import now

log = logging.getLogger(__name__)

#: How long a result is kept for its owner to download it.
RESULT_DAYS = 7
#: How often the process running jobs writes their heartbeat.
HEARTBEAT_SECONDS = 10
#: A queued or running job whose heartbeat is older than this lost its process (restart,
#: crash, kill): a dozen missed heartbeats, so that a loaded server is not taken for dead.
STALE = dt.timedelta(minutes=2)
#: What the owner of a lost job reads.
LOST = "le serveur a redémarré ou s'est arrêté pendant le travail : relancez-le"
LIVE = ("queued", "running")
STATE_LABELS = {
    "queued": N_("En attente"),
    "running": N_("En cours"),
    "done": N_("Terminé"),
    "failed": N_("Échec"),
    "expired": N_("Expiré"),
}
KIND_LABELS = {"report": N_("Rapport d'activité"), "import": N_("Import de fichier")}
#: Where the owner of a failed job starts it again.
RETRY_URLS = {"report": "/reports", "import": "/import"}

#: This process's running jobs, by id.
_tasks: dict[int, asyncio.Task] = {}
_beat: asyncio.Task | None = None
_pool: ProcessPoolExecutor | None = None
_runner: tuple[int, str] | None = None


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


#: How much lower the worker processes' CPU priority is (``nice``): on a busy machine the
#: app's requests, and the database answering them, go before a long import check.
WORKER_NICENESS = 10


def _lower_priority() -> None:
    try:
        os.nice(WORKER_NICENESS)
    except OSError:  # not allowed here: the worker runs at the server's priority
        pass


def _process_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # spawn: a fresh interpreter, nothing of the server's threads, loop or connections.
        _pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_lower_priority,
        )
    return _pool


async def in_process(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a CPU-bound, picklable top-level function in the worker process pool: the event
    loop keeps answering (a thread would hold the GIL)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_process_pool(), fn, *args)


async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """Run blocking work that releases the GIL (file I/O, Typst) in a worker thread."""
    return await anyio.to_thread.run_sync(fn, *args)


def _host() -> str:
    """This machine as process ids are valid on it: its name and its process-id namespace
    (two containers may share a name, never a namespace)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid").removeprefix("pid:")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()[:60]}{namespace}".replace(":", "-")


def runner() -> str:
    """This process, as recorded on the jobs it runs: ``host:pid:token`` (the token tells
    this process from an earlier one that had the same id, as in a restarted container)."""
    global _runner
    pid = os.getpid()
    if _runner is None or _runner[0] != pid:
        _runner = (pid, f"{_host()}:{pid}:{secrets.token_hex(6)}")
    return _runner[1]


def shutdown() -> None:
    """Stop the worker processes and this process's running jobs (application shutdown:
    their rows are marked failed when read, or by the next start-up's :func:`recover`)."""
    global _pool
    for task in list(_tasks.values()):
        task.cancel()
    if _beat is not None and not _beat.get_loop().is_closed():
        _beat.cancel()
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
            runner=runner(),
            heartbeat_at=at,
        )
    ).returning(Job.id)
    job_id = rows[0]["id"]
    await audit.record("job_start", "job", job_id, user_id=owner_id, fields=[kind], address=address)
    # A fresh context: the task must not run its queries in the transaction of the request
    # that started it (Piccolo keeps the current transaction in a context variable). It
    # keeps the request's language only: its summary and messages are told in it.
    context = contextvars.Context()
    context.run(set_language, get_language())
    task = asyncio.create_task(_run(job_id, work, data_dir), context=context)
    _tasks[job_id] = task
    task.add_done_callback(lambda _: _finished(job_id))
    _start_heartbeat()
    return job_id


def _finished(job_id: int) -> None:
    _tasks.pop(job_id, None)
    if not _tasks and _beat is not None and not _beat.get_loop().is_closed():
        _beat.cancel()


def _start_heartbeat() -> None:
    global _beat
    loop = asyncio.get_running_loop()
    if _beat is None or _beat.done() or _beat.get_loop() is not loop:
        _beat = loop.create_task(_heartbeat(), context=contextvars.Context())


async def _heartbeat() -> None:
    """While this process runs jobs: tell the database, every :data:`HEARTBEAT_SECONDS`."""
    while _tasks:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        try:
            await Job.update({Job.heartbeat_at: now()}).where(
                Job.id.is_in(list(_tasks)) & Job.state.is_in(list(LIVE))
            )
        except Exception:  # a busy database: the next beat comes well before STALE
            log.warning("job heartbeat not written", exc_info=True)


def progress_of(job_id: int) -> Progress:
    async def report(percent: int, step: str) -> None:
        at = now()
        await Job.update(
            {
                Job.progress: max(0, min(100, int(percent))),
                Job.step: step[:200],
                Job.updated_at: at,
                Job.heartbeat_at: at,
            }
        ).where(Job.id == job_id)

    return report


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def lost(row: dict[str, Any], at: dt.datetime | None = None) -> bool:
    """Whether a queued or running job lost the process that ran it."""
    if row["state"] not in LIVE:
        return False
    beat = row.get("heartbeat_at") or row["updated_at"]
    if beat < (at or now()) - STALE:
        return True
    owner = row.get("runner") or ""
    if owner == runner():
        return row["id"] not in _tasks  # this process knows what it runs
    host, _, rest = owner.partition(":")
    pid_text, _, _token = rest.partition(":")
    if host != _host() or not pid_text.isdigit():
        return False  # another host's process: only its heartbeat tells
    pid = int(pid_text)
    # This host: a process that no longer exists, or an earlier process with our id.
    return pid == os.getpid() or not _pid_alive(pid)


async def _mark_lost(job_ids: list[int]) -> None:
    at = now()
    await Job.update(
        {
            Job.state: "failed",
            Job.error: LOST,
            Job.updated_at: at,
            Job.finished_at: at,
            Job.expires_at: at + dt.timedelta(days=RESULT_DAYS),
        }
    ).where(Job.id.is_in(job_ids) & Job.state.is_in(list(LIVE)))


async def recover() -> int:
    """Mark failed every queued or running job that lost its process (run at start-up);
    returns how many."""
    rows = await Job.select(Job.id, Job.state, Job.runner, Job.heartbeat_at, Job.updated_at).where(
        Job.state.is_in(list(LIVE))
    )
    at = now()
    ids = [row["id"] for row in rows if lost(row, at)]
    if ids:
        await _mark_lost(ids)
        log.warning("%d job(s) lost by a stopped process marked failed", len(ids))
    return len(ids)


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
        {
            Job.state: "running",
            Job.started_at: at,
            Job.updated_at: at,
            Job.heartbeat_at: at,
            Job.step: "Démarrage",
        }
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
    """The job as its pages show it; a job that lost its process (:func:`lost`) is marked
    failed here, whichever process reads it."""
    row = await Job.select().where(Job.id == job_id).output(load_json=True).first()
    if row is None:
        return None
    if lost(row):
        try:
            await _mark_lost([job_id])
        except Exception:  # a busy database: shown failed now, written by the next read
            log.warning("lost job %s not marked failed", job_id, exc_info=True)
        row["state"], row["error"] = "failed", LOST
    row["state_label"] = STATE_LABELS.get(row["state"], row["state"])
    row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
    row["finished"] = row["state"] not in LIVE
    row["retry_url"] = RETRY_URLS.get(row["kind"], "") if row["state"] == "failed" else ""
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
