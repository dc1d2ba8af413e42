"""Retention: archive after 2 years without contact, anonymise after the archive period,
purge the audit trail — and the figures still add up."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

from tests.conftest import login
from tremplin.models import (
    Appointment,
    AuditEntry,
    Document,
    Enrolment,
    Household,
    Person,
    TimelineEvent,
)
from tremplin.reports.engine import build_report
from tremplin.services import audit
from tremplin.services import households as hh
from tremplin.services.documents import store_document
from tremplin.services.retention import apply_plan, plan_retention
from tremplin.types import Period

ACTOR = hh.Actor(None)


async def _old_file(exit_date: dt.date, name="ANCIEN Paul") -> int:
    household_id = await hh.create_household(
        ACTOR,
        {"name": name, "phone": "0611223344"},
        {"first_name": "Paul", "last_name": "Ancien", "birth_date": "1984-03-09"},
    )
    await Enrolment.insert(
        Enrolment(
            household=household_id,
            programme="iml_sublease",
            state="exited",
            prescriber="siao",
            entry_date=dt.date(2019, 1, 1),
            exit_date=exit_date,
            exit_destination="family",
            exit_reason="texte libre",
            created_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
            updated_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC),
        )
    )
    await Household.update({Household.updated_at: dt.datetime(2021, 1, 1, tzinfo=dt.UTC)}).where(
        Household.id == household_id
    )
    return household_id


async def test_inactive_files_are_archived_then_anonymised(database, host, settings):
    old = await _old_file(dt.date(2021, 6, 30))
    recent = await _old_file(dt.date.today() - dt.timedelta(days=200), name="RÉCENT Luc")
    await store_document(
        ACTOR, settings.data_dir, old, "bail.pdf", b"%PDF-1.4 lease", "lease", 10_000
    )
    await TimelineEvent.update(
        {TimelineEvent.occurred_at: dt.datetime(2021, 5, 1, tzinfo=dt.UTC)}
    ).where(TimelineEvent.household == old)  # the upload happened back then
    await Appointment.insert(
        Appointment(
            household=old,
            kind="home_visit",
            starts_at=dt.datetime(2021, 5, 3, 8, tzinfo=dt.UTC),
            ends_at=dt.datetime(2021, 5, 3, 9, tzinfo=dt.UTC),
            place="12 rue des Lilas",
            attendees="Paul Ancien",
            notes="Point budget",
            status="done",
            created_at=dt.datetime(2021, 5, 1, tzinfo=dt.UTC),
            updated_at=dt.datetime(2021, 5, 1, tzinfo=dt.UTC),
        )
    )
    before = await build_report(host, ["iml_sublease"], Period.year(2021), "Asso")

    plan = await plan_retention(host, settings)
    assert plan.archive == [old] and plan.anonymise == []
    await apply_plan(plan, settings.data_dir)
    assert [r["id"] for r in (await hh.list_households())[0]] == [recent]

    later = dt.date.today() + dt.timedelta(days=366 * settings.archive_years + 2)
    plan = await plan_retention(host, settings, on=later)
    assert plan.anonymise == [old]
    await apply_plan(plan, settings.data_dir)
    household = await Household.select().where(Household.id == old).first()
    assert household["name"].startswith("Ménage anonymisé") and household["phone"] == ""
    person = await Person.select().where(Person.last_name == "—").first()
    assert person["first_name"] == "—" and person["birth_date"] == dt.date(1984, 7, 1)
    assert await Document.count() == 0
    assert not any((settings.data_dir / "documents").rglob("*.pdf")) and not any(
        p.is_file() for p in (settings.data_dir / "documents").rglob("*")
    )
    assert all(
        e["body"] == "" for e in await TimelineEvent.select().where(TimelineEvent.household == old)
    )
    assert (
        await Enrolment.select(Enrolment.exit_reason).where(Enrolment.household == old).first()
    )["exit_reason"] == ""
    assert await Appointment.select(
        Appointment.kind, Appointment.place, Appointment.attendees, Appointment.notes
    ).where(Appointment.household == old) == [
        {"kind": "home_visit", "place": "", "attendees": "", "notes": ""}
    ]
    after = await build_report(host, ["iml_sublease"], Period.year(2021), "Asso")
    assert (
        after["programmes"][0]["sections"][0]["tables"][0]
        == before["programmes"][0]["sections"][0]["tables"][0]
    )


async def test_audit_trail_is_purged_and_the_rest_still_verifies(database, host, settings):
    for i in range(3):
        await audit.record("read", "household", i)
    first = (await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id).first())["id"]
    await AuditEntry.update({AuditEntry.at: dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}).where(
        AuditEntry.id == first
    )
    # Moving a timestamp breaks that entry's hash: it is the one the purge removes.
    plan = await plan_retention(host, settings)
    assert plan.audit_entries == 1
    await apply_plan(plan, settings.data_dir)
    assert await AuditEntry.count() == 2
    assert await audit.verify_chain() is None


async def test_dpo_opens_an_archived_file_with_a_logged_reason(client, users, host, settings):
    old = await _old_file(dt.date(2020, 1, 1))
    await apply_plan(await plan_retention(host, settings), settings.data_dir)
    csrf = await login(client, "social_worker@test.fr")
    assert (await client.get(f"/households/{old}")).status_code == 404
    await client.post("/logout", data={"_csrf": csrf})
    csrf = await login(client, "dpo@test.fr")
    listing = await client.get("/archives")
    assert "M-" in listing.text
    refused = await client.post(f"/archives/{old}", data={"_csrf": csrf, "reason": ""})
    assert refused.status_code == 422
    opened = await client.post(
        f"/archives/{old}", data={"_csrf": csrf, "reason": "demande d'accès RGPD"}
    )
    assert opened.status_code == 200 and "ANCIEN Paul" in opened.text
    entry = (
        await AuditEntry.select()
        .where(AuditEntry.action == "read_archived")
        .output(load_json=True)
        .first()
    )
    assert entry["fields"] == ["motif: demande d'accès RGPD"]


def test_retention_command_lists_then_applies(tmp_path):
    tremplin = str(Path(sys.executable).parent / "tremplin")
    env = {"TREMPLIN_DATABASE_URL": f"sqlite:///{tmp_path}/r.sqlite3", "PATH": "/usr/bin:/bin"}
    subprocess.run([tremplin, "migrate"], env=env, cwd=tmp_path, check=True, capture_output=True)
    out = subprocess.run(
        [tremplin, "retention"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert (
        out.returncode == 0 and "0 dossier(s) à archiver" in out.stdout and "--apply" in out.stdout
    )
    applied = subprocess.run(
        [tremplin, "retention", "--apply"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert applied.returncode == 0 and applied.stdout.startswith("Appliqué")
