"""Long work kept in the database (issue 14, point 6): a report build runs as a job off the
event loop, its progress polled by htmx, its result handed to its owner only, audited,
and deleted by the retention job when it expires."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
import re
import sys

import httpx
import pypdf

from tests.conftest import login
from tremplin.models import AuditEntry, Job, User
from tremplin.services import jobs
from tremplin.services.clock import now
from tremplin.testing.plugin import Lifespan

FORM_ID = re.compile(r'name="_form_id" value="([0-9a-f]{32})"')
YEAR = dt.date.today().year - 1


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 11)),
        base_url="http://t.local",
    )


async def test_a_report_is_built_as_a_job_for_its_owner_only(app, users, host):
    data_dir = app.state.tremplin.settings.data_dir
    async with _client(app) as owner, _client(app) as other:
        csrf = await login(owner, "head_of_service@test.fr")
        page = (await owner.get(f"/reports?programme=all&year={YEAR}")).text
        assert f'hx-post="/reports/all/{YEAR}/pdf/job"' in page
        form_id = FORM_ID.search(page).group(1)
        url = f"/reports/all/{YEAR}/pdf/job"
        body = {"_csrf": csrf, "_form_id": form_id}
        first = await owner.post(url, data=body, headers={"HX-Request": "true"})
        second = await owner.post(url, data=body, headers={"HX-Request": "true"})
        # A double click starts one job; htmx follows the redirect to the job's block.
        assert await Job.count().where(Job.owner == users["head_of_service"].id) == 1
        job_id = (await Job.select(Job.id).first())["id"]
        assert first.status_code == 303 and first.headers["location"] == f"/jobs/{job_id}"
        assert second.headers.get("hx-redirect") == f"/jobs/{job_id}"
        row = await jobs.wait(job_id, 120)
        assert row["state"] == "done", row["error"]
        block = (await owner.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})).text
        assert "hx-trigger" not in block and f'href="/jobs/{job_id}/result"' in block
        result = await owner.get(f"/jobs/{job_id}/result")
        assert result.status_code == 200
        assert result.headers["content-type"] == "application/pdf"
        assert result.headers["content-disposition"].startswith("attachment")
        text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(result.content)).pages)
        assert str(YEAR) in text
        # Only its owner reads it (another administrator gets 404, as for a missing job).
        await login(other, "admin@test.fr")
        assert (await other.get(f"/jobs/{job_id}")).status_code == 404
        assert (await other.get(f"/jobs/{job_id}/result")).status_code == 404
        # The access policy applies again: restricted since, the owner no longer reads a
        # report of the whole association.
        await User.update({User.programmes: ["alter_logement"]}).where(
            User.id == users["head_of_service"].id
        )
        assert (await owner.get(f"/jobs/{job_id}/result")).status_code == 404
        await User.update({User.programmes: []}).where(User.id == users["head_of_service"].id)
        # Audited: started, built (export of the report), read (export of the job).
        for action, object_type in (("job_start", "job"), ("export", "report"), ("export", "job")):
            assert await AuditEntry.exists().where(
                (AuditEntry.action == action)
                & (AuditEntry.object_type == object_type)
                & (AuditEntry.user_id == users["head_of_service"].id)
            ), action
        # The result expires: the retention job deletes the file, the page says so.
        path = data_dir / row["result_path"]
        assert path.is_file()
        await Job.update({Job.expires_at: now() - dt.timedelta(minutes=1)}).where(Job.id == job_id)
        assert await jobs.expire(data_dir) == 1
        assert not path.exists()
        assert (await owner.get(f"/jobs/{job_id}/result")).status_code == 404
        assert "Expiré" in (await owner.get(f"/jobs/{job_id}")).text


async def test_progress_is_polled_and_kept_in_the_database(app, users, host):
    data_dir = app.state.tremplin.settings.data_dir
    release = asyncio.Event()

    async def work(progress) -> jobs.JobResult:
        await progress(40, "Vérification des lignes")
        await release.wait()
        raise jobs.JobError("ligne 3 : date invalide")

    job_id = await jobs.start(
        "import", users["admin"].id, {}, work, data_dir=data_dir, address="127.0.0.1"
    )
    async with _client(app) as c:
        await login(c, "admin@test.fr")
        for _ in range(100):
            block = (await c.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})).text
            if "Vérification des lignes" in block:
                break
            await asyncio.sleep(0.05)
        # While running: the block asks again every second, with the step and the bar.
        assert f'hx-get="/jobs/{job_id}"' in block and 'hx-trigger="every 1s"' in block
        assert 'value="40"' in block
        release.set()
        row = await jobs.wait(job_id, 30)
        assert row["state"] == "failed" and row["error"] == "ligne 3 : date invalide"
        page = (await c.get(f"/jobs/{job_id}")).text
        assert "ligne 3 : date invalide" in page and "hx-trigger" not in page
    # A job whose process stopped writing its heartbeat is failed, not running forever.
    stale = await Job.insert(
        Job(
            kind="report",
            owner=users["admin"].id,
            state="running",
            created_at=now() - dt.timedelta(hours=1),
            updated_at=now() - dt.timedelta(hours=1),
        )
    ).returning(Job.id)
    assert (await jobs.get(stale[0]["id"]))["state"] == "failed"


async def test_the_import_page_runs_the_import_as_a_job(app, users, host):
    from tests.core.test_import import GOOD
    from tremplin.models import Household

    async with _client(app) as c:
        csrf = await login(c, "head_of_service@test.fr")
        page = (await c.get("/import")).text
        assert 'hx-post="/import"' in page and 'id="import-job"' in page
        response = await c.post(
            "/import",
            data={"_csrf": csrf},
            files={"file": ("annee.xlsx", GOOD)},
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 303
        job_id = int(response.headers["location"].rsplit("/", 1)[1])
        row = await jobs.wait(job_id, 120)
        assert row["state"] == "done" and row["summary"]["ok"], row
        assert await Household.count() == 2
        block = (await c.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})).text
        for household in await Household.select(Household.id, Household.reference):
            assert f'href="/households/{household["id"]}"' in block
            assert household["reference"] in block
        assert await AuditEntry.exists().where(
            (AuditEntry.action == "import") & (AuditEntry.user_id == users["head_of_service"].id)
        )


async def test_a_plain_form_post_starts_a_job_whose_page_refreshes_itself(app, users, host):
    """Without JavaScript, the import form posts normally: the check is a job too, the
    answer a redirect to its page, which reloads itself until the job is finished."""
    from tests.core.test_import import GOOD

    async with _client(app) as c:
        csrf = await login(c, "head_of_service@test.fr")
        form_id = FORM_ID.search((await c.get("/import")).text).group(1)
        body = {"_csrf": csrf, "_form_id": form_id, "dry_run": "1"}
        response = await c.post("/import", data=body, files={"file": ("annee.xlsx", GOOD)})
        assert response.status_code == 303
        location = response.headers["location"]
        job_id = int(location.rsplit("/", 1)[1])
        # The same form sent twice: one job (the one-time form id), the same page.
        again = await c.post("/import", data=body, files={"file": ("annee.xlsx", GOOD)})
        assert again.status_code == 303 and again.headers["location"] == location
        assert await Job.count() == 1
        row = await jobs.wait(job_id, 120)
        assert row["state"] == "done" and row["summary"]["ok"], row
        page = (await c.get(location)).text
        assert "simulation" in page and "2 ménages créés" in page
        assert 'http-equiv="refresh"' not in page and "hx-trigger" not in page
        # A file the check refuses: the job is done, and its page lists every problem.
        bad = await c.post(
            "/import",
            data={"_csrf": csrf, "dry_run": "1"},
            files={"file": ("annee.csv", b"id_externe;colonne_inconnue\nE1;x\n")},
        )
        assert bad.status_code == 303
        row = await jobs.wait(int(bad.headers["location"].rsplit("/", 1)[1]), 120)
        assert not row["summary"]["ok"]
        assert "colonne_inconnue" in (await c.get(bad.headers["location"])).text
        # No file at all: the form again, with the reason (no job).
        empty = await c.post("/import", data={"_csrf": csrf})
        assert empty.status_code == 422 and "Choisissez un fichier" in empty.text
        # While a job runs, its page reloads itself without JavaScript and offers a link.
        release = asyncio.Event()

        async def work(progress) -> jobs.JobResult:
            await progress(50, "Vérification en base")
            await release.wait()
            return jobs.JobResult(summary={"ok": True, "text": "Vérifié"})

        data_dir = app.state.tremplin.settings.data_dir
        running = await jobs.start(
            "import", users["head_of_service"].id, {}, work, data_dir=data_dir
        )
        for _ in range(200):
            page = (await c.get(f"/jobs/{running}")).text
            if "Vérification en base" in page:
                break
            await asyncio.sleep(0.05)
        assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page
        assert f'<a href="/jobs/{running}">Actualiser</a>' in page
        release.set()
        await jobs.wait(running, 30)
        page = (await c.get(f"/jobs/{running}")).text
        assert "Vérifié" in page and "http-equiv" not in page and "Actualiser" not in page


#: A second app process: starts a job whose work never ends, says its id, and waits to be
#: killed (as a server restarted in the middle of an import).
RUNNER = """
import asyncio, json, sys
from pathlib import Path

from tremplin import db
from tremplin.config import Settings
from tremplin.services import jobs


async def main():
    url, data_dir, owner, apps = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    settings = Settings(database_url=url, data_dir=Path(data_dir), secret_key="x" * 40)
    engine = db.create_engine(settings)
    db.configure(engine, json.loads(apps))
    await db.start(engine)

    async def work(progress):
        await progress(30, "Lecture du fichier")
        await asyncio.Event().wait()

    job_id = await jobs.start("import", owner, {}, work, data_dir=settings.data_dir)
    print(job_id, flush=True)
    await asyncio.Event().wait()


asyncio.run(main())
"""


async def test_a_job_whose_process_was_killed_is_failed_and_can_be_started_again(
    app, users, host, settings
):
    """Two app processes on one database: the job another process runs is reported by this
    one; once that process is killed, this one marks the job failed (French message, kept
    in the database) and its owner starts the import again."""
    from tests.core.test_import import GOOD

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        RUNNER,
        settings.database_url,
        str(settings.data_dir),
        str(users["head_of_service"].id),
        json.dumps(list(host.piccolo_apps)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        line = await asyncio.wait_for(process.stdout.readline(), 120)
        if not line.strip().isdigit():
            await process.wait()
            raise AssertionError((await process.stderr.read()).decode()[-2000:])
        job_id = int(line)
        for _ in range(400):
            row = await jobs.get(job_id)
            if row["step"] == "Lecture du fichier":
                break
            await asyncio.sleep(0.05)
        # The other process is alive: its job is running, whoever reads it.
        assert row["state"] == "running" and not row["finished"], row
        assert row["runner"].split(":")[1] == str(process.pid)
        async with _client(app) as c:
            await login(c, "head_of_service@test.fr")
            assert "Lecture du fichier" in (await c.get(f"/jobs/{job_id}")).text
            process.kill()
            await process.wait()
            # Killed: the job is failed, in the database too, with a way to start again.
            page = (await c.get(f"/jobs/{job_id}")).text
            assert "Échec" in page and "relancez-le" in page and 'href="/import"' in page
            stored = await Job.select(Job.state, Job.error).where(Job.id == job_id).first()
            assert stored == {"state": "failed", "error": jobs.LOST}
            assert "hx-trigger" not in page
            # The owner starts it again: a new job, run by this process, done.
            csrf = await login(c, "head_of_service@test.fr")
            again = await c.post(
                "/import", data={"_csrf": csrf, "dry_run": "1"}, files={"file": ("a.xlsx", GOOD)}
            )
            new_id = int(again.headers["location"].rsplit("/", 1)[1])
            assert new_id != job_id
            assert (await jobs.wait(new_id, 120))["state"] == "done"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_lost_jobs_are_failed_at_start_up_and_live_ones_kept(app, users, host):
    """The start-up sweep (and any read) fails the jobs that lost their process: a stale
    heartbeat, or a process of this host that is gone; another host's job with a fresh
    heartbeat stays running. The heartbeat of this process's jobs is written."""
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    here = jobs.runner().split(":")[0]  # this host (and process-id namespace)
    owner = users["admin"].id
    at = now()

    async def job(runner: str, heartbeat: dt.datetime) -> int:
        rows = await Job.insert(
            Job(
                kind="import",
                owner=owner,
                state="running",
                created_at=heartbeat,
                updated_at=heartbeat,
                runner=runner,
                heartbeat_at=heartbeat,
            )
        ).returning(Job.id)
        return rows[0]["id"]

    stale = await job("autre-serveur:4242:0a1b2c", at - jobs.STALE - dt.timedelta(seconds=5))
    alive_elsewhere = await job("autre-serveur:4243:0a1b2c", at)
    dead_here = await job(f"{here}:{gone.pid}:0a1b2c", at)
    restarted = await job(f"{here}:{os.getpid()}:ancien", at)
    async with Lifespan(app):
        states = {r["id"]: r["state"] for r in await Job.select(Job.id, Job.state).order_by(Job.id)}
        assert states == {
            stale: "failed",
            alive_elsewhere: "running",
            dead_here: "failed",
            restarted: "failed",
        }
        assert await Job.count().where(Job.error == jobs.LOST) == 3
        # The other host stops its heartbeat: the next read fails the job.
        await Job.update({Job.heartbeat_at: at - jobs.STALE - dt.timedelta(seconds=1)}).where(
            Job.id == alive_elsewhere
        )
        assert (await jobs.get(alive_elsewhere))["state"] == "failed"
        assert (await Job.select(Job.state).where(Job.id == alive_elsewhere).first()) == {
            "state": "failed"
        }
        # This process's running job: its runner, and a heartbeat newer than its start.
        release = asyncio.Event()

        async def work(progress) -> jobs.JobResult:
            await release.wait()
            return jobs.JobResult(summary={"ok": True})

        data_dir = app.state.tremplin.settings.data_dir
        old = jobs.HEARTBEAT_SECONDS
        jobs.HEARTBEAT_SECONDS = 0.05  # a beat every 50 ms instead of 10 s
        try:
            mine = await jobs.start("import", owner, {}, work, data_dir=data_dir)
            for _ in range(200):
                row = await jobs.get(mine)
                if row["state"] == "running":
                    break
                await asyncio.sleep(0.05)
            assert row["runner"] == jobs.runner() and not row["finished"]
            # Nothing but the heartbeat writes the row of this silent job now.
            started = row["heartbeat_at"]
            for _ in range(200):
                await asyncio.sleep(0.05)
                beat = await Job.select(Job.heartbeat_at, Job.updated_at).where(Job.id == mine)
                if beat[0]["heartbeat_at"] > started:
                    break
            assert beat[0]["heartbeat_at"] > started
            assert beat[0]["updated_at"] <= started
        finally:
            release.set()
            await jobs.wait(mine, 30)
            jobs.HEARTBEAT_SECONDS = old
