"""Tests of the ``hostel`` plugin, written with Tremplin's testing kit (``tremplin.testing``)
and its public API (``tremplin.api``) only.

Install the plugin first (``pip install -e .``), then run ``pytest`` from its folder: the
kit loads the installed plugins (``pyproject.toml`` enables this one alone), and each
database test runs on SQLite and on PostgreSQL (``--tremplin-engines sqlite`` for SQLite
alone; ``--tremplin-postgres postgresql://…`` to use a server you already run).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import tremplin_hostel as plugin
from packaging.specifiers import SpecifierSet
from tremplin_hostel.workflow import KEY, WORKFLOW, require_main_need, review_due

from tremplin.api import API_VERSION, EnrolmentView, GuardContext, Period, ReportContext


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
    assert API_VERSION in SpecifierSet(manifest.api)


def test_the_programme_and_its_workflow_are_enabled(tremplin_host):
    host = tremplin_host
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


async def test_report_section_on_an_empty_migrated_database(tremplin_host, tremplin_database):
    (section,) = tremplin_host.specs[KEY].report_sections
    ctx = ReportContext(
        programme=KEY,
        programme_name=tremplin_host.programmes[KEY].name_fr,
        period=Period.year(2025),
    )
    tables = await section.compute(ctx)
    overview = {row.key: row.count for row in tables[0].rows}
    assert overview == {"referrals": 0, "reviews": 0}
    assert [t.key for t in tables] == ["hostel_overview", "hostel_needs", "hostel_statuses"]
