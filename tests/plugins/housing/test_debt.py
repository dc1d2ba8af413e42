"""The arrears threshold setting, repayment plans (kept or broken, computed from the
account), applications for help (FSL, VISALE…) with the aid credited to the account, and
their report figures — all computed by hand."""

import io

import pypdf
import pytest

from tests.plugins.housing.helpers import ACTOR, d, housed
from tremplin.api import FormErrors, Period, add_months, today
from tremplin.models import AuditEntry, TimelineEvent
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_pdf
from tremplin_housing import aid, api, plans
from tremplin_housing.arrears import review_list
from tremplin_housing.calc import plan_instalments, plan_progress
from tremplin_housing.ledger import record_entry, run_rent_calls
from tremplin_housing.settings import arrears_threshold, save_settings
from tremplin_housing.tables import (
    AidApplication,
    LedgerEntry,
    PlanInstalment,
    RepaymentPlan,
)


def pay(amount: str, day: str, form_id: str = "") -> dict:
    return {
        "kind": "payment",
        "entry_date": day,
        "amount": amount,
        "means": "transfer",
        "_form_id": form_id or f"{day}-{amount}",
    }


def test_instalments_split_the_debt_the_last_one_smaller():
    # 1 000 € at 150 € a month: 6 × 150 € + 100 €, monthly from 5 February.
    assert plan_instalments(100_000, 15_000, d("2024-02-05")) == [
        (d("2024-02-05"), 15_000),
        (d("2024-03-05"), 15_000),
        (d("2024-04-05"), 15_000),
        (d("2024-05-05"), 15_000),
        (d("2024-06-05"), 15_000),
        (d("2024-07-05"), 15_000),
        (d("2024-08-05"), 10_000),
    ]
    assert plan_instalments(30_000, 10_000, d("2024-01-31")) == [
        (d("2024-01-31"), 10_000),
        (d("2024-02-29"), 10_000),
        (d("2024-03-31"), 10_000),
    ]
    assert plan_instalments(0, 100, d("2024-01-01")) == []


def test_an_instalment_is_kept_when_the_debt_went_down_by_the_instalments_due():
    start = d("2024-02-15")
    instalments = [(d("2024-03-10"), 300), (d("2024-04-10"), 300), (d("2024-05-10"), 300)]
    entries = [
        (d("2024-02-01"), "call", 450),  # before the plan: not counted
        (d("2024-03-01"), "call", 450),
        (d("2024-03-05"), "payment", 750),
        (d("2024-04-01"), "call", 450),
        (d("2024-04-08"), "payment", 700),
        (d("2024-04-09"), "aid", 50),  # an aid paid in counts like a payment
        (d("2024-05-01"), "call", 450),
        (d("2024-05-10"), "payment", 700),
    ]
    assert plan_progress(start, instalments, entries, d("2024-03-09")) == (
        [None, None, None],
        "ongoing",
    )
    assert plan_progress(start, instalments, entries, d("2024-04-30")) == (
        [True, True, None],
        "ongoing",
    )
    # By 10 May the debt went down by 300 + 300 + 250 = 850 < 900: broken.
    assert plan_progress(start, instalments, entries, d("2024-06-30")) == (
        [True, True, False],
        "broken",
    )
    paid_up = entries + [(d("2024-05-10"), "payment", 50)]
    assert plan_progress(start, instalments, paid_up, d("2024-06-30")) == (
        [True, True, True],
        "kept",
    )
    late = [(day, kind, amount) for day, kind, amount in entries if day != d("2024-03-05")]
    late.append((d("2024-03-11"), "payment", 750))  # one day late
    assert plan_progress(start, instalments, late, d("2024-04-30"))[1] == "broken"


async def test_threshold_is_a_setting_used_by_in_arrears_and_the_review(database):
    _, household_id, occupancy_id = await housed("2024-01-01", rent="400", charges="50")
    await run_rent_calls(ACTOR, d("2024-01-01"))
    await record_entry(ACTOR, occupancy_id, pay("410", "2024-01-05"))  # 40 € owed
    assert await arrears_threshold() == 3000
    assert await api.in_arrears(household_id)
    assert [r["household_id"] for r in await review_list(d("2024-01-31"))] == [household_id]
    await save_settings(ACTOR, {"arrears_threshold": "50"})
    assert await arrears_threshold() == 5000
    assert not await api.in_arrears(household_id)
    assert await review_list(d("2024-01-31")) == []
    await save_settings(ACTOR, {"arrears_threshold": "39,99"})
    assert await api.in_arrears(household_id)
    for bad, message in (
        ("-1", "le montant ne peut pas être négatif"),
        ("abc", "montant invalide (exemple : 350,00)"),
        ("", "ce champ est obligatoire"),
        ("2000", "montant trop élevé"),
    ):
        with pytest.raises(FormErrors) as caught:
            await save_settings(ACTOR, {"arrears_threshold": bad})
        assert caught.value.errors == {"arrears_threshold": message}
    assert await arrears_threshold() == 3999


async def test_threshold_page_for_admin_and_head_of_service_only(login_as):
    head = await login_as("head_of_service")
    page = await head.get("/housing/settings")
    assert page.status_code == 200 and 'value="30,00"' in page.text
    assert 'href="/housing/settings"' in page.text.split("</nav>")[0]
    bad = await head.post("/housing/settings", {"arrears_threshold": "12x"})
    assert bad.status_code == 422 and "montant invalide" in bad.text and 'value="12x"' in bad.text
    ok = await head.post("/housing/settings", {"arrears_threshold": "45"})
    assert ok.status_code == 303 and await arrears_threshold() == 4500
    assert "Réglages enregistrés" in (await head.get("/housing/settings?saved=1")).text
    assert "45,00\u00a0€" in (await head.get("/housing/arrears")).text
    assert await AuditEntry.count().where(AuditEntry.action == "housing_settings") == 1
    for role in ("rental_manager", "social_worker", "technician"):
        user = await login_as(role)
        assert (await user.get("/housing/settings")).status_code == 403
        assert (await user.post("/housing/settings", {"arrears_threshold": "0"})).status_code == 403
    assert await arrears_threshold() == 4500


async def _in_debt(start="2024-01-01") -> tuple[int, int]:
    """A household owing January and February (900 €), then paying its rent."""
    _, household_id, occupancy_id = await housed(start, rent="400", charges="50")
    for month in ("2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01", "2024-05-01"):
        await run_rent_calls(ACTOR, d(month))
    return household_id, occupancy_id


PLAN = {
    "start_date": "2024-02-15",
    "debt": "900",
    "monthly": "300",
    "first_due_on": "2024-03-10",
    "note": "signé en commission",
}


async def test_repayment_plan_instalments_kept_then_broken(database):
    household_id, occupancy_id = await _in_debt()
    plan_id = await plans.create_plan(ACTOR, household_id, PLAN)
    assert await plans.create_plan(ACTOR, household_id, PLAN) == plan_id  # double submit
    assert await RepaymentPlan.count() == 1 and await PlanInstalment.count() == 3
    await record_entry(ACTOR, occupancy_id, pay("750", "2024-03-05"))
    await record_entry(ACTOR, occupancy_id, pay("750", "2024-04-08"))
    await record_entry(ACTOR, occupancy_id, pay("700", "2024-05-10"))
    views = await api.repayment_plans(household_id, d("2024-04-30"))
    assert [(i.due_on, i.amount_cents, i.kept) for i in views[0].instalments] == [
        (d("2024-03-10"), 30000, True),
        (d("2024-04-10"), 30000, True),
        (d("2024-05-10"), 30000, None),
    ]
    assert views[0].status == "ongoing" and views[0].kept is None
    assert views[0].debt_cents == 90000 and views[0].occupancy_id == occupancy_id
    [broken] = await api.repayment_plans(household_id)
    assert [i.kept for i in broken.instalments] == [True, True, False]
    assert broken.status == "broken" and broken.kept is False
    events = await TimelineEvent.select(TimelineEvent.title, TimelineEvent.body).where(
        TimelineEvent.household == household_id
    )
    assert {
        "title": "Plan d'apurement signé",
        "body": "900,00\u00a0€ en 3 échéance(s) de 300,00\u00a0€",
    } in events


async def test_repayment_plan_bad_input_writes_nothing(database):
    household_id, _ = await _in_debt()
    cases = [
        (
            {**PLAN, "debt": "901"},
            {"debt": "la dette indiquée dépasse le solde du ménage au 15/02/2024 (900,00\u00a0€)"},
        ),
        ({**PLAN, "debt": "0"}, {"debt": "la dette à apurer doit être supérieure à zéro"}),
        (
            {**PLAN, "monthly": "10"},
            {"monthly": "plus de 60 échéances : augmentez le montant mensuel"},
        ),
        ({**PLAN, "monthly": "-3"}, {"monthly": "le montant ne peut pas être négatif"}),
        (
            {**PLAN, "first_due_on": "2024-02-01"},
            {"first_due_on": "la première échéance précède la signature du plan"},
        ),
        (
            {**PLAN, "start_date": "2099-01-01", "first_due_on": "2099-02-01"},
            {"start_date": "la date est dans le futur"},
        ),
    ]
    for raw, errors in cases:
        with pytest.raises(FormErrors) as caught:
            await plans.create_plan(ACTOR, household_id, raw)
        assert caught.value.errors == errors
    assert await RepaymentPlan.count() == 0 and await PlanInstalment.count() == 0
    # A plan signed today with its instalments to come is under way: no second one.
    on = today()
    ongoing = {
        "start_date": on.isoformat(),
        "debt": "300",
        "monthly": "100",
        "first_due_on": add_months(on, 1).isoformat(),
    }
    await plans.create_plan(ACTOR, household_id, ongoing)
    with pytest.raises(FormErrors) as caught:
        await plans.create_plan(ACTOR, household_id, {**PLAN, "start_date": "2024-03-01"})
    assert caught.value.errors == {
        "_plan": f"Un plan d'apurement est déjà en cours (signé le "
        f"{on:%d/%m/%Y}) : il doit être respecté ou rompu avant "
        "d'en signer un autre."
    }
    assert await RepaymentPlan.count() == 1


async def test_aid_granted_and_paid_is_one_credit_of_the_account(database):
    household_id, occupancy_id = await _in_debt()
    before = await api.household_balance(household_id, d("2024-03-31"))
    assert before == 3 * 45000
    fsl = await aid.add_application(
        ACTOR, household_id, {"kind": "fsl", "applied_on": "2024-03-01", "requested": "500"}
    )
    assert (
        await aid.add_application(
            ACTOR, household_id, {"kind": "fsl", "applied_on": "2024-03-01", "requested": "500"}
        )
        == fsl
    )
    visale = await aid.add_application(
        ACTOR, household_id, {"kind": "visale", "applied_on": "2024-03-02", "requested": "900"}
    )
    bad = [
        (
            {"outcome": "granted", "decided_on": "2024-03-20"},
            {"granted": "indiquez le montant accordé"},
        ),
        (
            {"outcome": "refused", "decided_on": "2024-03-20", "granted": "10"},
            {"granted": "un montant accordé suppose une aide accordée"},
        ),
        ({"outcome": "refused"}, {"decided_on": "indiquez la date de la décision"}),
        (
            {"outcome": "granted", "decided_on": "2024-02-01", "granted": "400"},
            {"decided_on": "la décision précède la demande (01/03/2024)"},
        ),
    ]
    for raw, errors in bad:
        with pytest.raises(FormErrors) as caught:
            await aid.decide(ACTOR, fsl, raw)
        assert caught.value.errors == errors
    with pytest.raises(FormErrors) as caught:
        await aid.record_paid(ACTOR, fsl, {"paid_on": "2024-03-25"})
    assert caught.value.errors == {"_aid": "Seule une aide accordée peut être versée au compte."}
    await aid.decide(
        ACTOR, fsl, {"outcome": "granted", "decided_on": "2024-03-20", "granted": "400"}
    )
    await aid.decide(ACTOR, visale, {"outcome": "refused", "decided_on": "2024-03-21"})
    with pytest.raises(FormErrors) as caught:
        await aid.record_paid(ACTOR, fsl, {"paid_on": "2024-03-19"})
    assert caught.value.errors == {"paid_on": "le versement précède la décision (20/03/2024)"}
    entry = await aid.record_paid(ACTOR, fsl, {"paid_on": "2024-03-25"})
    assert await aid.record_paid(ACTOR, fsl, {"paid_on": "2024-03-26"}) == entry
    credits = await LedgerEntry.select().where(LedgerEntry.kind == "aid")
    assert len(credits) == 1 and credits[0]["amount_cents"] == 40000
    assert credits[0]["occupancy"] == occupancy_id and credits[0]["entry_date"] == d("2024-03-25")
    assert await api.household_balance(household_id, d("2024-03-31")) == before - 40000
    assert await api.household_balance(household_id, d("2024-03-24")) == before
    with pytest.raises(FormErrors) as caught:
        await aid.decide(ACTOR, fsl, {"outcome": "refused", "decided_on": "2024-03-27"})
    assert "déjà été versée" in caught.value.errors["_aid"]
    views = await api.aid_applications(household_id)
    assert [(v.kind, v.outcome, v.granted_cents, v.paid) for v in views] == [
        ("fsl", "granted", 40000, True),
        ("visale", "refused", 0, False),
    ]
    with pytest.raises(FormErrors) as caught:
        await aid.add_application(
            ACTOR, household_id, {"kind": "fsl", "applied_on": "2024-03-01", "requested": "0"}
        )
    assert caught.value.errors == {"requested": "le montant demandé doit être supérieur à zéro"}
    assert await AidApplication.count() == 2


async def test_plan_and_aid_pages(login_as):
    manager = await login_as("rental_manager")
    household_id, occupancy_id = await _in_debt()
    base = f"/housing/occupancies/{occupancy_id}"
    page = await manager.get(base)
    assert page.status_code == 200 and "Plans d'apurement" in page.text
    bad = await manager.post(
        f"{base}/plans",
        {
            "plan_start_date": "2024-02-15",
            "plan_debt": "5000",
            "plan_monthly": "300",
            "plan_first_due_on": "2024-03-10",
            "plan_note": "tapé à la main",
        },
    )
    assert bad.status_code == 422 and "dépasse le solde du ménage" in bad.text
    assert "tapé à la main" in bad.text and 'value="5000"' in bad.text
    ok = await manager.post(
        f"{base}/plans",
        {
            "plan_start_date": "2024-02-15",
            "plan_debt": "900",
            "plan_monthly": "300",
            "plan_first_due_on": "2024-03-10",
        },
    )
    assert ok.status_code == 303 and ok.headers["location"].endswith("#plans")
    page = (await manager.get(base)).text
    assert "Plan signé le 15/02/2024 : 900,00\u00a0€" in page and "Non respecté" in page
    assert "non respectée" in page
    review = (await manager.get("/housing/arrears")).text
    assert 'Non respecté <span class="muted">(signé le 15/02/2024)</span>' in review
    head = await login_as("head_of_service")
    panel = (await head.get(f"/households/{household_id}")).text
    assert "Plan d'apurement</dt><dd>non respecté (signé le 15/02/2024)" in panel
    bad = await manager.post(
        f"{base}/aid",
        {
            "aid_kind": "fsl",
            "aid_applied_on": "2024-03-01",
            "aid_requested": "-2",
            "aid_note": "dossier X",
        },
    )
    assert bad.status_code == 422 and "dossier X" in bad.text
    assert "le montant ne peut pas être négatif" in bad.text
    ok = await manager.post(
        f"{base}/aid", {"aid_kind": "fsl", "aid_applied_on": "2024-03-01", "aid_requested": "500"}
    )
    assert ok.status_code == 303
    [application] = await AidApplication.select(AidApplication.id)
    a = application["id"]
    bad = await manager.post(
        f"/housing/aid/{a}/decision",
        {f"aid{a}_outcome": "granted", f"aid{a}_decided_on": "2024-03-20", f"aid{a}_granted": ""},
    )
    assert bad.status_code == 422 and "indiquez le montant accordé" in bad.text
    assert (
        await manager.post(
            f"/housing/aid/{a}/decision",
            {
                f"aid{a}_outcome": "granted",
                f"aid{a}_decided_on": "2024-03-20",
                f"aid{a}_granted": "400",
            },
        )
    ).status_code == 303
    for _ in range(2):  # a double click credits the account once
        paid = await manager.post(f"/housing/aid/{a}/paid", {f"aid{a}_paid_on": "2024-03-25"})
        assert paid.status_code == 303
    assert await LedgerEntry.count().where(LedgerEntry.kind == "aid") == 1
    page = (await manager.get(base)).text
    assert "Aide versée au compte (FSL)" in page and "versée au compte" in page
    assert "400,00\u00a0€" in page
    worker = await login_as("social_worker")
    assert (
        await worker.post(f"/housing/aid/{a}/paid", {f"aid{a}_paid_on": "2024-03-25"})
    ).status_code == 403
    assert (await manager.post("/housing/aid/999999/decision", {})).status_code == 404


def _section(report, programme="iml_sublease"):
    chapter = next(c for c in report["programmes"] if c["key"] == programme)
    section = next(s for s in chapter["sections"] if s["key"] == "housing")
    assert section["error"] is None
    return {
        t["key"]: {r["key"]: r["count"] for r in t["rows"]} | {"_total": t["total"]}
        for t in section["tables"]
    }


async def test_report_plans_kept_and_broken_and_aid_figures(database, host):
    # Household 1: the broken plan above (its 10 May instalment is short by 50 €).
    h1, o1 = await _in_debt()
    await plans.create_plan(ACTOR, h1, PLAN)
    for amount, day in (("750", "2024-03-05"), ("750", "2024-04-08"), ("700", "2024-05-10")):
        await record_entry(ACTOR, o1, pay(amount, day))
    # Household 2: the same plan, kept (it pays 750 € each time).
    h2, o2 = await _in_debt()
    await plans.create_plan(ACTOR, h2, PLAN)
    for day in ("2024-03-05", "2024-04-08", "2024-05-10"):
        await record_entry(ACTOR, o2, pay("750", day, form_id=f"h2-{day}"))
    # Household 3: a plan whose instalments all fall in 2025 (ongoing at the end of 2024),
    # household 4: a plan ended in 2023 — not counted in 2024.
    h3, _ = await _in_debt()
    await plans.create_plan(
        ACTOR, h3, {**PLAN, "start_date": "2024-12-01", "debt": "300", "first_due_on": "2025-01-10"}
    )
    h4, _ = await _in_debt("2023-01-01")
    await run_rent_calls(ACTOR, d("2023-01-01"))
    await plans.create_plan(
        ACTOR, h4, {**PLAN, "start_date": "2023-01-15", "debt": "300", "first_due_on": "2023-02-10"}
    )
    # Aid: FSL 500 € asked, 400 € granted (h1); VISALE 900 € refused (h2); a fund pending
    # (h3); an FSL of 2023 (h4) outside the period.
    fsl = await aid.add_application(
        ACTOR, h1, {"kind": "fsl", "applied_on": "2024-03-01", "requested": "500"}
    )
    await aid.decide(
        ACTOR, fsl, {"outcome": "granted", "decided_on": "2024-03-20", "granted": "400"}
    )
    visale = await aid.add_application(
        ACTOR, h2, {"kind": "visale", "applied_on": "2024-06-01", "requested": "900"}
    )
    await aid.decide(ACTOR, visale, {"outcome": "refused", "decided_on": "2024-07-01"})
    await aid.add_application(
        ACTOR, h3, {"kind": "fund", "applied_on": "2024-12-02", "requested": "100"}
    )
    await aid.add_application(
        ACTOR, h4, {"kind": "fsl", "applied_on": "2023-03-01", "requested": "100"}
    )
    report = await build_report(host, ["iml_sublease"], Period.year(2024), "Asso")
    tables = _section(report)
    assert tables["housing_repayment_plans"] == {"ongoing": 1, "kept": 1, "broken": 1, "_total": 3}
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages)
    text = " ".join(text.split())  # a long label may wrap in its column (N-1 columns beside)
    for expected in (
        "Plans d'apurement : respectés et non respectés",
        "Respecté",
        "Non respecté",
        "Demandes d'aide : montants accordés",
        "FSL (Fonds de solidarité pour le logement)",
        "400,00",
    ):
        assert expected in text.replace("\u00a0", " "), expected
    assert tables["housing_aid_kinds"] == {
        "fsl": 1,
        "visale": 1,
        "fund": 1,
        "other": 0,
        "_total": 3,
    }
    assert tables["housing_aid_outcomes"] == {"pending": 1, "granted": 1, "refused": 1, "_total": 3}
    assert tables["housing_aid_granted"] == {
        "fsl": 400.0,
        "visale": 0.0,
        "fund": 0.0,
        "other": 0.0,
        "_total": 400.0,
    }
    # 2023: household 4's plan, judged at 31/12/2023: nothing paid, broken.
    tables = _section(await build_report(host, ["iml_sublease"], Period.year(2023), "Asso"))
    assert tables["housing_repayment_plans"] == {"ongoing": 0, "kept": 0, "broken": 1, "_total": 1}
    assert tables["housing_aid_kinds"]["fsl"] == 1


async def test_concurrent_double_submits_write_once(database, settings):
    """Three identical submissions racing (two workers, a double click) write one plan, one
    application, one aid credit and one photo link, on SQLite and PostgreSQL."""
    import asyncio

    from tests.plugins.housing.test_claims import PNG
    from tremplin.services.documents import store_document
    from tremplin_housing import occupancy as occ
    from tremplin_housing.photos import attach_photo
    from tremplin_housing.tables import Inventory, InventoryPhoto

    household_id, occupancy_id = await _in_debt()
    ids = await asyncio.gather(*(plans.create_plan(ACTOR, household_id, PLAN) for _ in range(3)))
    assert len(set(ids)) == 1 and await RepaymentPlan.count() == 1
    assert await PlanInstalment.count() == 3
    raw = {"kind": "visale", "applied_on": "2024-03-01", "requested": "900"}
    ids = await asyncio.gather(*(aid.add_application(ACTOR, household_id, raw) for _ in range(3)))
    assert len(set(ids)) == 1 and await AidApplication.count() == 1
    await aid.decide(
        ACTOR, ids[0], {"outcome": "granted", "decided_on": "2024-03-10", "granted": "900"}
    )
    entries = await asyncio.gather(
        *(aid.record_paid(ACTOR, ids[0], {"paid_on": "2024-03-12"}) for _ in range(3))
    )
    assert (
        len(set(entries)) == 1 and await LedgerEntry.count().where(LedgerEntry.kind == "aid") == 1
    )
    await occ.add_inventory(ACTOR, occupancy_id, {"kind": "exit", "done_on": "2024-05-31"})
    [inventory] = await Inventory.select(Inventory.id)
    document = await store_document(
        ACTOR, settings.data_dir, household_id, "cuisine.png", PNG, "inventory", 100_000
    )
    links = await asyncio.gather(
        *(attach_photo(ACTOR, inventory["id"], {"document": str(document)}) for _ in range(3))
    )
    assert len(set(links)) == 1 and await InventoryPhoto.count() == 1


async def test_the_page_takes_the_debt_of_a_household_that_left(login_as):
    from tremplin_housing import occupancy as occ

    manager = await login_as("rental_manager")
    household_id, occupancy_id = await _in_debt()  # 5 months called: 2 250 €
    await occ.close_occupancy(
        ACTOR, occupancy_id, {"end_date": "2024-05-31", "exit_reason": "departure"}
    )
    base = f"/housing/occupancies/{occupancy_id}"
    page = (await manager.get(base)).text
    assert "Enregistrer un paiement de la dette" in page and "2\u202f250,00\u00a0€" in page
    too_much = await manager.post(
        f"{base}/entries",
        {
            "kind": "payment",
            "entry_date": "2024-07-01",
            "amount": "3000",
            "means": "cheque",
            "_form_id": "late-1",
        },
        headers={"HX-Request": "true"},
    )
    assert too_much.status_code == 422 and "<html" not in too_much.text
    assert "le ménage ne doit plus que 2\u202f250,00\u00a0€ sur ce compte" in too_much.text
    assert 'value="3000"' in too_much.text
    for _ in range(2):  # a double click records one payment
        ok = await manager.post(
            f"{base}/entries",
            {
                "kind": "payment",
                "entry_date": "2024-07-01",
                "amount": "2250",
                "means": "cheque",
                "_form_id": "late-2",
            },
            headers={"HX-Request": "true"},
        )
        assert ok.status_code == 200 and ok.headers["hx-redirect"].endswith("#ledger")
    assert await api.household_balance(household_id) == 0
    page = (await manager.get(base)).text
    assert "Occupation close et compte soldé" in page
    events = await TimelineEvent.select(TimelineEvent.title).where(
        (TimelineEvent.household == household_id) & (TimelineEvent.kind == "housing_payment")
    )
    assert len(events) == 1
