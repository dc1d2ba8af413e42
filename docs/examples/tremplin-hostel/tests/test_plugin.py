"""Tests of the ``hostel`` plugin: they run right after ``tremplin plugin new``.

They load the plugin the way Tremplin does (``load_plugins``), and compute the report
section on an empty SQLite database migrated with Tremplin's migrations and the plugin's.
Run them with ``pytest`` from the plugin's folder, in the environment where Tremplin is
installed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import tremplin_hostel as plugin
from tremplin_hostel.workflow import KEY, WORKFLOW, require_main_need, review_due

from tremplin import db
from tremplin.api import API_VERSION, EnrolmentView, GuardContext, Period, ReportContext
from tremplin.config import Settings
from tremplin.plugins import load_plugins


@pytest.fixture
def host():
    # ``extra`` registers the module even when the package is not pip-installed yet.
    return load_plugins([KEY], extra=[(KEY, plugin)])


def _enrolment(**overrides) -> EnrolmentView:
    values = dict(
        id=1,
        household_id=1,
        programme=KEY,
        state="referral",
        referral_date=None,
        decision_date=None,
        entry_date=None,
        exit_date=None,
        data={},
    )
    values.update(overrides)
    return EnrolmentView(**values)


def test_manifest_declares_the_slug_and_a_compatible_api():
    manifest = plugin.tremplin_manifest()
    assert manifest.slug == KEY
    from packaging.specifiers import SpecifierSet

    assert API_VERSION in SpecifierSet(manifest.api)


def test_the_programme_and_its_workflow_are_enabled(host):
    assert host.programme_keys == [KEY]
    assert host.workflows[KEY] is WORKFLOW
    assert f"tremplin_{KEY}.piccolo_app" in host.piccolo_apps
    assert {f.name for f in host.fields(KEY)} >= {"main_need", "youth_status", "partner_contact"}
    assert f"{KEY}_review" in host.event_types
    groups = {g.key for g in host.shareable_groups(KEY)}
    assert f"{KEY}_partner" in groups


def test_admission_needs_the_main_need():
    today = dt.date(2025, 3, 1)
    assert require_main_need(GuardContext(_enrolment(), {}, today))
    assert (
        require_main_need(GuardContext(_enrolment(data={"main_need": "housing"}), {}, today))
        is None
    )


def test_review_deadline_six_months_after_entry():
    assert review_due(_enrolment()) is None
    assert review_due(_enrolment(entry_date=dt.date(2025, 8, 31))) == dt.date(2026, 2, 28)


def test_the_panel_template_exists():
    (folder,) = plugin.tremplin_template_dirs()
    assert (Path(folder) / KEY / "_reviews.html").is_file()


def test_report_section_on_an_empty_migrated_database(host, tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'test.sqlite3'}", data_dir=tmp_path / "data"
    )

    async def compute():
        engine = db.create_engine(settings)
        db.configure(engine, host.piccolo_apps)
        await db.start(engine)
        try:
            await db.migrate()
            (section,) = host.specs[KEY].report_sections
            ctx = ReportContext(
                programme=KEY, programme_name=host.programmes[KEY].name_fr, period=Period.year(2025)
            )
            return await section.compute(ctx)
        finally:
            await db.stop(engine)

    tables = asyncio.run(compute())
    overview = {row.key: row.count for row in tables[0].rows}
    assert overview == {"referrals": 0, "reviews": 0}
    assert [t.key for t in tables] == ["hostel_overview", "hostel_needs", "hostel_statuses"]
