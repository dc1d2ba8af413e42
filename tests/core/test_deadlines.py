"""Due dates computed by the core from declared deadlines: kept in step with every enrolment
write, shown in the « Échéances » block, on the enrolment and on ``/echeances``, within the
user's programmes."""

from __future__ import annotations

import datetime as dt
import html
import re
import types

import pytest

from tests.conftest import Session, login
from tremplin.api import (
    Choice,
    Deadline,
    EnrolmentView,
    Field,
    PluginManifest,
    Programme,
    State,
    Transition,
    Workflow,
    hookimpl,
    refresh_due_dates,
)
from tremplin.models import DueDate, Enrolment, User
from tremplin.plugins import load_plugins
from tremplin.services import deadlines
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin.services.clock import now, today
from tremplin.web.app import create_app

ACTOR = hh.Actor(user_id=None)
STAY_DAYS = 40


def _decision_due(e: EnrolmentView) -> dt.date | None:
    return e.referral_date + dt.timedelta(days=15) if e.referral_date else None


def _stay_due(e: EnrolmentView) -> dt.date | None:
    if e.entry_date is None:
        return None
    extra = int(e.data.get("extension_days") or 0)
    return e.entry_date + dt.timedelta(days=STAY_DAYS + extra)


async def _visit_due(e: EnrolmentView) -> dt.date | None:
    # An awaitable due date, as a plugin reading its own table would return.
    return e.entry_date + dt.timedelta(days=7) if e.entry_date else None


def _broken(e: EnrolmentView) -> dt.date | None:
    raise RuntimeError("a faulty declaration")


def _workflow(key: str) -> Workflow:
    return Workflow(
        key,
        (
            State("referral", "Orientation reçue", phase="referral"),
            State("housed", "Hébergé", phase="active"),
            State("exited", "Sorti", phase="closed"),
        ),
        "referral",
        (
            Transition(
                "enter",
                "Entrée",
                ("referral",),
                "housed",
                fields=(Field("entry_date", "Date d'entrée", kind="date", required=True),),
            ),
            Transition(
                "exit",
                "Sortie",
                ("housed",),
                "exited",
                fields=(Field("exit_date", "Date de sortie", kind="date", required=True),),
            ),
        ),
        deadlines=(
            Deadline("decision", "Décision d'admission", ("referral",), _decision_due, 10),
            Deadline("stay_end", "Fin du séjour", ("housed",), _stay_due, warn_days=20),
            Deadline("first_visit", "Première visite", ("housed",), _visit_due, warn_days=7),
            Deadline("broken", "Jamais calculée", ("housed",), _broken),
        ),
    )


def stays_plugin():
    module = types.ModuleType("fake_stays")
    module.__file__ = None  # no package folder (no static files to serve)
    module.tremplin_manifest = hookimpl(
        lambda: PluginManifest(slug="stays", name="Séjours", api=">=1.2,<2")
    )
    module.tremplin_programmes = hookimpl(
        lambda: [
            Programme(
                key=key,
                name_fr=name,
                name_en=key,
                prescribers=(Choice("siao", "SIAO"),),
            )
            for key, name in (("stay", "Séjours courts"), ("other", "Autre programme"))
        ]
    )
    module.tremplin_enrolment_fields = hookimpl(
        lambda programme: [Field("extension_days", "Prolongation (jours)", kind="int")]
    )
    module.tremplin_workflows = hookimpl(lambda: [_workflow("stay"), _workflow("other")])
    return ("stays", module)


@pytest.fixture
def stays_host():
    return load_plugins(["stays"], extra=[stays_plugin()])


@pytest.fixture
def app(settings, stays_host):
    return create_app(settings, stays_host)


async def _version(enrolment_id: int) -> int:
    row = await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    return row["version"]


async def _enrol(host, programme="stay", referral=None, referent=None, name="Foyer Test"):
    household_id = await hh.create_household(ACTOR, {"name": name})
    referral = referral or today() - dt.timedelta(days=30)
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        programme,
        {
            "referral_date": referral.isoformat(),
            "prescriber": "siao",
            "referent": str(referent) if referent else "",
        },
    )
    return household_id, enrolment_id


async def _enter(host, enrolment_id, day: dt.date) -> None:
    await enr.apply_transition(
        host,
        ACTOR,
        enrolment_id,
        "enter",
        {"entry_date": day.isoformat()},
        await _version(enrolment_id),
    )


async def _due(enrolment_id: int) -> dict[str, tuple[dt.date, dt.date]]:
    rows = await DueDate.select().where(DueDate.enrolment == enrolment_id)
    return {r["key"]: (r["due_on"], r["warn_from"]) for r in rows}


async def test_due_dates_follow_every_enrolment_write(database, stays_host, caplog):
    referral = dt.date(2026, 3, 2)
    household_id, enrolment_id = await _enrol(stays_host, referral=referral)
    assert await _due(enrolment_id) == {
        "decision": (dt.date(2026, 3, 17), dt.date(2026, 3, 7)),
    }

    entry = dt.date(2026, 3, 20)
    await _enter(stays_host, enrolment_id, entry)
    # The referral deadline is gone with its state; the faulty one is skipped and logged.
    assert await _due(enrolment_id) == {
        "stay_end": (entry + dt.timedelta(days=40), entry + dt.timedelta(days=20)),
        "first_visit": (entry + dt.timedelta(days=7), entry),
    }
    assert "deadline broken of programme stay failed" in caplog.text

    # Correcting the enrolment (a declared field the deadline reads) moves the date.
    await enr.update_enrolment(
        stays_host,
        ACTOR,
        enrolment_id,
        await _version(enrolment_id),
        {"referral_date": referral.isoformat(), "prescriber": "siao", "extension_days": "30"},
    )
    assert (await _due(enrolment_id))["stay_end"][0] == entry + dt.timedelta(days=70)
    row = await DueDate.select(DueDate.household, DueDate.programme, DueDate.label).first()
    assert row == {"household": household_id, "programme": "stay", "label": "Fin du séjour"}

    await enr.apply_transition(
        stays_host,
        ACTOR,
        enrolment_id,
        "exit",
        {"exit_date": "2026-04-10"},
        await _version(enrolment_id),
    )
    assert await _due(enrolment_id) == {}


async def test_a_refused_write_changes_no_due_date(database, stays_host):
    _, enrolment_id = await _enrol(stays_host, referral=dt.date(2026, 3, 2))
    before = await _due(enrolment_id)
    with pytest.raises(enr.FormErrors):
        # Entry before the referral: refused, nothing written.
        await _enter(stays_host, enrolment_id, dt.date(2026, 2, 1))
    assert await _due(enrolment_id) == before


async def test_backfill_and_plugin_refresh(database, stays_host):
    household_id = await hh.create_household(ACTOR, {"name": "Foyer importé"})
    rows = await Enrolment.insert(
        *[
            Enrolment(
                household=household_id,
                programme="stay",
                state=state,
                referral_date=dt.date(2026, 1, 5),
                entry_date=dt.date(2026, 1, 20) if state != "referral" else None,
                exit_date=dt.date(2026, 2, 1) if state == "exited" else None,
                data={},
                created_at=now(),
                updated_at=now(),
            )
            for state in ("referral", "housed", "exited")
        ]
    ).returning(Enrolment.id)
    referral_id, housed_id, exited_id = (r["id"] for r in rows)
    # Written outside the core's commands (an old database, a bulk import): nothing yet.
    assert await DueDate.count() == 0
    assert await deadlines.refresh_all(stays_host.workflows) == 3
    assert set(await _due(referral_id)) == {"decision"}
    assert set(await _due(housed_id)) == {"stay_end", "first_visit"}
    assert await _due(exited_id) == {}

    # A plugin changing data outside the core's commands refreshes through tremplin.api.
    await Enrolment.update({Enrolment.data: {"extension_days": 10}}).where(
        Enrolment.id == housed_id
    )
    await refresh_due_dates(housed_id, stays_host.workflows)
    assert (await _due(housed_id))["stay_end"][0] == dt.date(2026, 1, 20) + dt.timedelta(days=50)


async def test_keyset_pages_earliest_first(database, stays_host):
    start = today() - dt.timedelta(days=60)
    ids = []
    for i in range(5):
        _, enrolment_id = await _enrol(stays_host, referral=start + dt.timedelta(days=i * 3))
        ids.append(enrolment_id)
    f = deadlines.DueFilter(programmes=("stay",))
    seen, cursor = [], None
    while True:
        rows, cursor = await deadlines.list_due(f, after=cursor, limit=2)
        seen += [r["enrolment"] for r in rows]
        if cursor is None:
            break
    assert seen == ids
    assert await deadlines.count_due(f) == 5
    # The latest first (« tri=lointaine »): the same keyset, read backwards.
    seen, cursor = [], None
    while True:
        rows, cursor = await deadlines.list_due(f, after=cursor, limit=2, descending=True)
        seen += [r["enrolment"] for r in rows]
        if cursor is None:
            break
    assert seen == ids[::-1]


async def _restricted(users, programmes: list[str]) -> None:
    await User.update({User.programmes: programmes}).where(User.id == users["social_worker"].id)


async def test_page_filters_access_and_errors(client, users, stays_host):
    me = users["social_worker"].id
    other = users["head_of_service"].id
    day = today()
    # Overdue, mine, in « stay »; due soon, someone else's, in « stay »; and one in « other ».
    await _enrol(stays_host, referral=day - dt.timedelta(days=20), referent=me, name="Foyer Retard")
    await _enrol(
        stays_host, referral=day - dt.timedelta(days=10), referent=other, name="Foyer Bientôt"
    )
    await _enrol(stays_host, "other", referral=day - dt.timedelta(days=12), name="Foyer Ailleurs")
    # Oriented today (a future orientation is refused): its decision is due in 15 days.
    await _enrol(stays_host, referral=day, name="Foyer Lointain")
    await _restricted(users, ["stay"])
    session = Session(client, await login(client, "social_worker@test.fr"), users["social_worker"])

    page = await session.get("/echeances")
    assert page.status_code == 200
    names = re.findall(r">(Foyer [^<]+)</a>", page.text)
    # The warning period has begun for two; the overdue one first; « other » is not theirs.
    assert names == ["Foyer Retard", "Foyer Bientôt"]
    assert "en retard de 5 j" in page.text
    assert "Foyer Ailleurs" not in page.text

    mine = await session.get("/echeances?referent=me")
    assert re.findall(r">(Foyer [^<]+)</a>", mine.text) == ["Foyer Retard"]
    overdue = await session.get("/echeances?quand=overdue")
    assert re.findall(r">(Foyer [^<]+)</a>", overdue.text) == ["Foyer Retard"]
    later = day + dt.timedelta(days=15)
    period = await session.get(f"/echeances?du={later.isoformat()}&au={later.isoformat()}")
    assert re.findall(r">(Foyer [^<]+)</a>", period.text) == ["Foyer Lointain"]
    # A programme outside theirs is refused, not silently widened.
    refused = await session.get("/echeances?programme=other")
    assert refused.status_code == 400 and "Foyer Ailleurs" not in refused.text

    bad = await session.get("/echeances?du=31/02/2026&au=2026-01-01&referent=abc")
    assert bad.status_code == 400
    assert "Erreur : Échéances" in bad.text
    assert "date invalide" in bad.text and "référent inconnu" in bad.text
    assert 'value="2026-01-01"' in bad.text  # what was typed is kept

    dashboard = await session.get("/")
    block = re.search(r'id="dash-due_dates">(.*?)</section>', dashboard.text, re.S).group(1)
    assert re.findall(r">(Foyer [^<]+)</a>", block) == ["Foyer Retard", "Foyer Bientôt"]
    assert "vous êtes référent" in block

    # A partner never reaches the page.
    await client.post("/logout", data={"_csrf": session.csrf})
    partner = Session(client, await login(client, "partner@test.fr"), users["partner"])
    assert (await partner.get("/echeances")).status_code in (403, 404)


async def test_badge_on_the_enrolment(client, users, stays_host):
    household_id, _ = await _enrol(stays_host, referral=today() - dt.timedelta(days=20))
    session = Session(client, await login(client, "social_worker@test.fr"), users["social_worker"])
    page = await session.get(f"/households/{household_id}")
    assert page.status_code == 200
    badge = re.search(r'<span class="badge due-badge danger"[^>]*>([^<]+)</span>', page.text)
    due = today() - dt.timedelta(days=5)
    assert html.unescape(badge.group(1)) == f"Décision d'admission : {due:%d/%m/%Y} · en retard"


async def test_upgrade_backfills_the_due_dates(database, stays_host, capsys):
    """A database from before ``tremplin_0012_due_dates``: ``tremplin migrate`` creates the
    table, then computes the due dates of the enrolments already there."""
    from piccolo.apps.migrations.tables import Migration

    from tremplin.cli import _migrate_and_refresh

    household_id = await hh.create_household(ACTOR, {"name": "Foyer Ancien"})
    await Enrolment.insert(
        Enrolment(
            household=household_id,
            programme="stay",
            state="housed",
            referral_date=dt.date(2025, 1, 5),
            entry_date=dt.date(2025, 1, 20),
            data={},
            created_at=now(),
            updated_at=now(),
        )
    )
    await DueDate.raw("DROP TABLE due_date")
    await Migration.delete().where(Migration.name == "2026-12-02T01:00:00:000000")  # 0011

    await _migrate_and_refresh(stays_host)
    rows = await DueDate.select(DueDate.key, DueDate.due_on).order_by(DueDate.due_on)
    assert rows == [
        {"key": "first_visit", "due_on": dt.date(2025, 1, 27)},
        {"key": "stay_end", "due_on": dt.date(2025, 3, 1)},
    ]
    assert "Échéances recalculées : 2." in capsys.readouterr().out


async def test_export_is_the_filtered_list_and_audited(client, users, stays_host):
    """CSV/XLSX of the due dates as filtered in the URL (issue 16, point 3), audited."""
    import csv
    import io

    from openpyxl import load_workbook

    from tremplin.models import AuditEntry

    me = users["social_worker"].id
    day = today()
    await _enrol(stays_host, referral=day - dt.timedelta(days=20), referent=me, name="Foyer Retard")
    await _enrol(
        stays_host,
        referral=day - dt.timedelta(days=10),
        referent=users["head_of_service"].id,
        name="Foyer Bientôt",
    )
    await _enrol(stays_host, "other", referral=day - dt.timedelta(days=12), name="Foyer Ailleurs")
    await _restricted(users, ["stay"])
    session = Session(client, await login(client, "social_worker@test.fr"), users["social_worker"])
    page = await session.get("/echeances?referent=me")
    assert 'href="/echeances/export?fmt=csv&amp;referent=me&amp;quand=watch"' in page.text
    response = await session.get("/echeances/export?fmt=csv&referent=me&quand=watch")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Échéance", "Objet", "Référence", "Ménage", "Programme", "Référent"]
    assert [r[3] for r in rows[1:]] == ["Foyer Retard"]
    everything = await session.get("/echeances/export?fmt=xlsx")
    sheet = load_workbook(io.BytesIO(everything.content)).active
    names = [sheet.cell(row=i, column=4).value for i in range(2, sheet.max_row + 1)]
    assert names == ["Foyer Retard", "Foyer Bientôt"]  # earliest first, not « other »
    # Sorted the latest first by the column head: the page, its export and its filter form
    # keep the sort.
    assert 'href="/echeances?referent=me&amp;quand=watch&amp;tri=lointaine"' in page.text
    latest = await session.get("/echeances?quand=watch&tri=lointaine")
    assert latest.text.index("Foyer Bientôt") < latest.text.index("Foyer Retard")
    assert '<input type="hidden" name="tri" value="lointaine">' in latest.text
    assert 'href="/echeances/export?fmt=csv&amp;quand=watch&amp;tri=lointaine"' in latest.text
    backwards = await session.get("/echeances/export?fmt=xlsx&quand=watch&tri=lointaine")
    sheet = load_workbook(io.BytesIO(backwards.content)).active
    names = [sheet.cell(row=i, column=4).value for i in range(2, sheet.max_row + 1)]
    assert names == ["Foyer Bientôt", "Foyer Retard"]
    entry = await AuditEntry.select().where(AuditEntry.action == "export").first()
    assert entry["object_type"] == "due_date_list" and entry["object_id"] == 1
    assert (await session.get("/echeances/export?fmt=csv&programme=other")).status_code == 400
