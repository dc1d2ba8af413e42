"""``tremplin demo`` fills every built-in plugin's pages through the ``tremplin_demo_data``
hook: dwellings, rent accounts and arrears, houses, residence units, the CLLAJ desk and
committees, the mandate's axes. A plugin that fails is rolled back; the rest still loads."""

from __future__ import annotations

import logging
import time

import pytest

from tests.conftest import Session, login
from tremplin.demo import demo_enrolments, load_demo
from tremplin.models import Enrolment, Household, User
from tremplin_boarding_house.tables import Activity, Host, House, Unit
from tremplin_cllaj import demo as cllaj_demo
from tremplin_cllaj.tables import (
    CommitteeDecision,
    CommitteeMeeting,
    DeskIntake,
    DeskPlace,
    DeskSession,
    Workshop,
)
from tremplin_housing.api import household_balance
from tremplin_housing.demo import KIND_OF
from tremplin_housing.tables import (
    ArrearsStep,
    Dwelling,
    HeadLease,
    LedgerEntry,
    Occupancy,
    Owner,
    RepaymentPlan,
)
from tremplin_iml_mandate.tables import FundedMeasures, StabilisationAxis
from tremplin_social_residence.tables import ResidenceUnit

HOUSEHOLDS = 60


async def _count(table, where=None) -> int:
    query = table.count()
    return await (query.where(where) if where is not None else query)


async def test_every_plugin_demo_loads(database, host, caplog):
    caplog.set_level(logging.ERROR, logger="tremplin.demo")
    started = time.monotonic()
    summary = await load_demo(host, households=HOUSEHOLDS)
    elapsed = time.monotonic() - started
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert "échec" not in summary
    for key in ("housing", "boarding_house", "social_residence", "cllaj", "iml_mandate"):
        assert f"\n  {key} : " in summary, summary
    assert elapsed < 60, f"the demo took {elapsed:.1f} s"
    # One partner account per kind a programme may be shared with (Alter Logement: SOS VC).
    from tremplin.models import PartnerOrganisation

    partners = await User.select(User.email, User.partner.kind.as_alias("kind")).where(
        User.role == "partner"
    )
    assert {p["email"]: p["kind"] for p in partners} == {
        "mission-locale@demo.tremplin.fr": "mission_locale",
        "sos@demo.tremplin.fr": "sos_vc",
    }
    assert await PartnerOrganisation.count() == 2

    enrolments = await demo_enrolments(host)
    housed = [e for e in enrolments if e.programme in KIND_OF and e.phase == "active"]
    assert len(housed) >= 8
    # Housing: every housed demo household has its occupancy, of its programme's kind.
    occupancies = await Occupancy.select().where(Occupancy.end_date.is_null())
    by_household = {o["household"]: o for o in occupancies}
    for e in housed:
        occupancy = by_household[e.household_id]
        assert (occupancy["programme"], occupancy["kind"], occupancy["start_date"]) == (
            e.programme,
            KIND_OF[e.programme],
            e.entry_date,
        )
    assert await _count(Owner) == 6
    statuses = {r["status"] for r in await Dwelling.select(Dwelling.status)}
    assert {"prospect", "available", "occupied", "returned"} <= statuses
    assert await _count(Dwelling) >= 15
    assert (
        await _count(
            Dwelling,
            (Dwelling.confidential == True)  # noqa: E712
            & (Dwelling.programme == "alter_logement"),
        )
        >= 1
    )
    assert await _count(HeadLease) == await _count(Dwelling, Dwelling.status != "prospect")
    assert await _count(LedgerEntry, LedgerEntry.kind == "call") >= len(housed)
    assert await _count(LedgerEntry, LedgerEntry.kind == "payment") >= len(housed)
    assert len({r["household"] for r in await ArrearsStep.select(ArrearsStep.household)}) == 2
    assert await _count(RepaymentPlan) == 1
    # Boarding houses: two houses, hosted, every resident in a unit of a house.
    assert await _count(House) == 2 and await _count(Host) == 2
    assert await _count(Unit) >= 8 and await _count(Activity) == 6
    units = {u["id"] for u in await Unit.select(Unit.id)}
    social_units = {u["id"] for u in await ResidenceUnit.select(ResidenceUnit.id)}
    assert len(social_units) >= 6
    for programme, known in (("boarding_house", units), ("social_residence", social_units)):
        rows = (
            await Enrolment.select(Enrolment.data)
            .where((Enrolment.programme == programme) & (Enrolment.state == "housed"))
            .output(load_json=True)
        )
        assert rows, programme  # the first household of each programme is housed
        assert all(int(r["data"]["unit"]) in known for r in rows)
        assert len({r["data"]["unit"] for r in rows}) == len(rows)  # one resident a unit
    # CLLAJ: sessions at both places with intakes, two workshops, committees with decisions.
    assert await _count(DeskPlace) == 2  # the two the migration creates
    assert len({s["place"] for s in await DeskSession.select(DeskSession.place)}) == 2
    assert await _count(DeskIntake) >= await _count(DeskSession)
    assert await _count(DeskIntake, DeskIntake.status != "open") >= 1
    assert await _count(Workshop) == 2
    assert await _count(CommitteeMeeting) == 2 and await _count(CommitteeDecision) >= 1
    # Management mandate: axes for the supports under way, the year's funded measures.
    under_way = [
        e for e in enrolments if e.programme == "iml_mandate" and e.state in ("pre_entry", "housed")
    ]
    assert await _count(StabilisationAxis) == 3 * len(under_way) > 0
    assert await _count(FundedMeasures) == 2


async def test_demo_ledger_balances_are_consistent(database, host):
    await load_demo(host, households=HOUSEHOLDS)
    rows = await LedgerEntry.select(
        LedgerEntry.household, LedgerEntry.kind, LedgerEntry.amount_cents
    )
    assert {r["kind"] for r in rows} == {"call", "benefit", "payment"}
    by_household: dict[int, int] = {}
    for r in rows:
        sign = 1 if r["kind"] == "call" else -1
        by_household[r["household"]] = (
            by_household.get(r["household"], 0) + sign * r["amount_cents"]
        )
    debtors = {r["household"] for r in await ArrearsStep.select(ArrearsStep.household)}
    assert by_household and len(debtors) == 2
    for household, expected in by_household.items():
        assert await household_balance(household) == expected
        if household not in debtors:
            assert expected == 0  # every month called has been paid
    for household in debtors:
        assert await household_balance(household) > 3_000  # above the 30 € threshold


async def _session(client, email: str) -> Session:
    return Session(client, await login(client, email), None)


async def test_demo_pages_show_demo_content(client, users, host):
    await load_demo(host, households=HOUSEHOLDS)
    debtor = (await ArrearsStep.select(ArrearsStep.household).first())["household"]
    debtor_name = (await Household.select(Household.name).where(Household.id == debtor).first())[
        "name"
    ]
    manager = await _session(client, "rental_manager@test.fr")
    pages = {
        "/housing/dwellings": ["L-00001", "Occupé"],
        "/housing/captation": ["Propriétaire contacté", "Rendu au propriétaire"],
        "/housing/arrears": [debtor_name],
        "/housing/owners": ["SCI Les Tilleuls"],
    }
    occupancy = (
        await Occupancy.select(Occupancy.id, Occupancy.dwelling.reference)
        .where(Occupancy.household == debtor)
        .first()
    )
    pages[f"/housing/occupancies/{occupancy['id']}"] = [occupancy["dwelling.reference"]]
    for url, texts in pages.items():
        page = await manager.get(url)
        assert page.status_code == 200, url
        for text in texts:
            assert text in page.text, (url, text)
    worker = await _session(client, "social_worker@test.fr")
    house = await House.select(House.id).where(House.name == "Maison des Tilleuls").first()
    for url, texts in {
        "/boarding_house/houses": ["Maison des Tilleuls", "Maison du Pré Vert"],
        f"/boarding_house/houses/{house['id']}": ["Logement 1"],
        "/social_residence/units": ["101"],
        "/cllaj/desk": [(await DeskPlace.select(DeskPlace.name).first())["name"]],
        "/cllaj/desk/workshops": ["Combien coûte un logement ?"],
        "/cllaj/committees": [
            "Comité",
        ],
    }.items():
        page = await worker.get(url)
        assert page.status_code == 200, url
        assert "pas pu être affiché" not in page.text
        for text in texts:
            assert text in page.text, (url, text)
    # The household pages of housed demo households: every panel has its data and renders.
    first_housed = {}
    for e in await demo_enrolments(host):
        if e.phase == "active":
            first_housed.setdefault(e.programme, e.household_id)
    assert len(first_housed) == len(host.programmes)
    for url in ["/", *(f"/households/{h}" for h in first_housed.values())]:
        page = await worker.get(url)
        assert page.status_code == 200, url
        assert "pas pu être affiché" not in page.text, url


async def test_a_failing_plugin_demo_is_rolled_back_and_the_rest_loads(
    database, host, monkeypatch, caplog
):
    async def broken(ctx):
        from tremplin_cllaj import desk

        await desk.add_place({"name": "Lieu à moitié créé"}, None, "")
        # A database error (NOT NULL): on PostgreSQL it aborts the whole transaction until
        # the savepoint is rolled back.
        await DeskPlace.raw("INSERT INTO cllaj_desk_place (name) VALUES (NULL)")

    monkeypatch.setattr(cllaj_demo, "load_demo", broken)
    caplog.set_level(logging.ERROR, logger="tremplin.demo")
    summary = await load_demo(host, households=20)
    assert "cllaj : échec" in summary
    assert any("cllaj" in r.getMessage() for r in caplog.records)
    assert await _count(DeskPlace) == 2  # its half-done work is rolled back
    assert await _count(Household) == 20 and await _count(User) > 0
    assert await _count(Dwelling) > 0 and await _count(House) == 2  # the others loaded


@pytest.mark.parametrize("households", [12])
async def test_a_small_demo_still_loads_every_plugin(database, host, households):
    summary = await load_demo(host, households=households)
    assert "échec" not in summary, summary
