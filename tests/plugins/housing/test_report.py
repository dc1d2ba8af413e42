"""The housing report section (issue item 9), on a small fixture computed by hand."""

import io

import pypdf

from tests.plugins.housing.helpers import ACTOR, d, dwelling, household, occupancy, owner
from tremplin.api import Period
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_pdf
from tremplin_housing import occupancy as occ
from tremplin_housing import stock
from tremplin_housing.arrears import record_step
from tremplin_housing.ledger import record_entry, run_rent_calls

PROGRAMMES = {"iml_sublease": "IML sous-location", "alter_logement": "Alter Logement"}


async def _fixture() -> None:
    """Programme iml_sublease, year 2024.

    Dwellings: A (captured 2023-06-01), B (captured 2024-03-01, sold 2024-09-30),
    C (captured 2023-01-01, returned 2024-05-15 for humidity), D (captured 2024-11-01),
    F and G (captured 2022); E belongs to alter_logement. In use at the start: A, C, F, G
    = 4; captured: B, D = 2; returned: B, C = 2; at the end: A, D, F, G = 4.
    """
    o = await owner()
    a = await dwelling(o, captured_on="2023-06-01")
    b = await dwelling(
        o,
        captured_on="2024-03-01",
        returned_on="2024-09-30",
        status="returned",
        return_reason="sale",
    )
    await dwelling(
        o,
        captured_on="2023-01-01",
        returned_on="2024-05-15",
        status="returned",
        return_reason="humidity",
    )
    await dwelling(o, captured_on="2024-11-01")
    f = await dwelling(o, captured_on="2022-01-01")
    g = await dwelling(o, captured_on="2022-01-01")
    e = await stock.create_dwelling(
        ACTOR,
        {
            "owner": str(o),
            "address": "1 rue Haute",
            "postcode": "30100",
            "city": "Alès",
            "typology": "T1",
            "stock": "private",
            "status": "available",
            "programme": "alter_logement",
            "captured_on": "2023-01-01",
        },
        PROGRAMMES,
    )
    # Head leases: A 300 € + 10 € charges (310 € a month), B 620 €.
    await stock.add_head_lease(
        ACTOR, a, {"kind": "head_lease", "start_date": "2023-06-01", "rent": "300", "charges": "10"}
    )
    await stock.add_head_lease(
        ACTOR, b, {"kind": "head_lease", "start_date": "2024-03-01", "rent": "620"}
    )
    await stock.add_head_lease(
        ACTOR, e, {"kind": "head_lease", "start_date": "2023-01-01", "rent": "500"}
    )
    # Vacancy: A 01-10/01 between occupants (10 days × 310/31 = 100 €), A from 22/12 still
    # open (10 days × 310/31 = 100 €, works), B all March (31 days, 620 €, works), A in
    # December 2023 (outside), E in 2024 (other programme).
    for dw, start, end, cause in (
        (a, "2024-01-01", "2024-01-10", "between_occupants"),
        (a, "2023-12-20", "2023-12-31", "works"),
        (a, "2024-12-22", "", "works"),
        (b, "2024-03-01", "2024-03-31", "works"),
        (e, "2024-02-01", "2024-02-29", "no_match"),
    ):
        await stock.add_vacancy(ACTOR, dw, {"start_date": start, "end_date": end, "cause": cause})
    # Households: H1 in F owes 450 €, H2 in G owes 10 € (under the threshold), H3 in E
    # (alter_logement) owes 500 €.
    h1, h2, h3 = (
        await household("UN Ménage"),
        await household("DEUX Ménage"),
        await household("TROIS Ménage"),
    )
    await occupancy(f, h1)
    o2 = await occupancy(g, h2)
    await occ.create_occupancy(
        ACTOR,
        e,
        {
            "household": str(h3),
            "kind": "agreement",
            "programme": "alter_logement",
            "start_date": "2024-01-01",
            "rent": "500",
            "charges": "0",
            "benefit": "0",
        },
        PROGRAMMES,
    )
    await run_rent_calls(ACTOR, d("2024-01-01"))
    await record_entry(
        ACTOR, o2, {"kind": "payment", "entry_date": "2024-01-05", "amount": "440", "means": "cash"}
    )
    # Steps in 2024: first reminder ×2, second reminder, formal notice (H1's 2023 step
    # is outside, H3's is another programme's).
    for h, step, day in (
        (h1, "first_reminder", "2024-02-05"),
        (h1, "second_reminder", "2024-03-05"),
        (h1, "formal_notice", "2024-04-05"),
        (h2, "first_reminder", "2024-02-10"),
        (h3, "first_reminder", "2024-02-01"),
    ):
        await record_step(ACTOR, h, {"step": step, "done_on": day})


def _tables(report, programme="iml_sublease"):
    chapter = next(c for c in report["programmes"] if c["key"] == programme)
    assert "housing" in [s["key"] for s in chapter["sections"]], [
        (s["key"], s["error"]) for s in chapter["sections"]
    ]
    section = next(s for s in chapter["sections"] if s["key"] == "housing")
    assert section["error"] is None
    return {t["key"]: t for t in section["tables"]}


def _rows(table):
    return {r["key"]: r["count"] for r in table["rows"]}


async def test_housing_section_figures_in_json_and_pdf(database, host):
    await _fixture()
    report = await build_report(host, ["iml_sublease", "iml_youth"], Period.year(2024), "Asso")
    tables = _tables(report)
    assert _rows(tables["housing_stock"]) == {
        "stock_start": 4,
        "captured": 2,
        "returned": 2,
        "stock_end": 4,
    }
    assert tables["housing_stock"]["unit"] == "logements"
    assert _rows(tables["housing_returns"]) == {"sale": 1, "humidity": 1}
    assert tables["housing_returns"]["total"] == 2
    days = tables["housing_vacancy_days"]
    assert _rows(days) == {"works": 41, "between_occupants": 10}
    assert days["total"] == 51 and days["unit"] == "jours"
    cost = tables["housing_vacancy_cost"]
    assert _rows(cost) == {"works": 720.0, "between_occupants": 100.0}
    assert cost["total"] == 820.0 and cost["unit"] == "euros"
    assert _rows(tables["housing_arrears_households"]) == {"households": 1}
    assert _rows(tables["housing_arrears_debt"]) == {"debt": 450.0}
    assert tables["housing_arrears_debt"]["unit"] == "euros"
    steps = tables["housing_arrears_steps"]
    assert _rows(steps) == {
        "first_reminder": 2,
        "second_reminder": 1,
        "formal_notice": 1,
        "order_to_pay": 0,
        "summons": 0,
        "eviction": 0,
    }
    assert steps["total"] == 4
    assert [r["label"] for r in steps["rows"]] == [
        "Première relance",
        "Deuxième relance",
        "Mise en demeure",
        "Commandement de payer (huissier)",
        "Assignation au tribunal",
        "Expulsion",
    ]
    # A programme with no dwelling and no occupancy: the section has no table.
    assert _tables(report, "iml_youth") == {}
    # Alter Logement sees only its own dwelling, vacancy, debt and step.
    other = _tables(
        await build_report(host, ["alter_logement"], Period.year(2024), "Asso"), "alter_logement"
    )
    assert _rows(other["housing_stock"])["stock_end"] == 1
    assert _rows(other["housing_vacancy_cost"]) == {"no_match": 500.0}
    assert _rows(other["housing_arrears_debt"]) == {"debt": 500.0}
    assert _rows(other["housing_arrears_steps"])["first_reminder"] == 1
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages)
    text = " ".join(text.split())  # a long label may wrap in its column (N-1 columns beside)
    for expected in (
        "Logement et gestion locative",
        "Parc de logements en gestion",
        "Motifs de retour au propriétaire",
        "Vacance : coût pour l'association",
        "Dette totale des ménages concernés",
        "Procédure d'impayés",
        "Mise en demeure",
        "820",
        "450",
    ):
        assert expected in text, expected


async def test_cents_become_euros_with_two_decimals(database, host):
    o = await owner()
    a = await dwelling(o, captured_on="2023-06-01")
    await stock.add_head_lease(
        ACTOR, a, {"kind": "head_lease", "start_date": "2023-06-01", "rent": "100"}
    )
    # 1 day of February 2024 at 100 €/month: 10 000 / 29 = 344.83 cents → 3.45 €.
    await stock.add_vacancy(
        ACTOR, a, {"start_date": "2024-02-10", "end_date": "2024-02-10", "cause": "works"}
    )
    tables = _tables(await build_report(host, ["iml_sublease"], Period.year(2024), "Asso"))
    assert _rows(tables["housing_vacancy_cost"]) == {"works": 3.45}
    assert tables["housing_vacancy_cost"]["total"] == 3.45


async def test_the_whole_stock_chapter_counts_a_dwelling_of_no_programme_once(database, host):
    await _fixture()
    # X: a dwelling of no programme, captured in February 2024.
    await dwelling(await owner("M. Sans Programme"), programme="", captured_on="2024-02-01")
    report = await build_report(host, "all", Period.year(2024), "Asso")
    chapter = next(c for c in report["programmes"] if c["kind"] == "association")
    assert chapter["key"] == "housing_stock"
    assert chapter["name"] == "Parc de logements de l'association"
    (section,) = chapter["sections"]
    tables = {t["key"]: t for t in section["tables"]}
    # Every dwelling: A, D, F, G (IML), E (Alter Logement) and X at the end of 2024; the
    # end of 2023 had A, C, F, G and E.
    stock = {r["key"]: r for r in tables["housing_stock"]["rows"]}
    assert stock["stock_end"]["count"] == 6
    assert (stock["stock_end"]["previous"], stock["stock_end"]["change"]) == (5, 1)
    assert stock["captured"]["count"] == 3 and stock["captured"]["previous"] == 3
    assert _rows(tables["housing_arrears_debt"]) == {"debt": 950.0}
    # The programme chapters keep only their own dwellings: X is in no programme's table,
    # so over all chapters it is counted once, in the whole-stock chapter.
    programme_ends = [
        _rows(t)["stock_end"]
        for c in report["programmes"]
        if c["kind"] == "programme"
        for s in c["sections"]
        if s["key"] == "housing"
        for t in s["tables"]
        if t["key"] == "housing_stock"
    ]
    assert sorted(programme_ends) == [1, 4]
    # A report of some programmes has no whole-stock chapter.
    some = await build_report(host, ["iml_sublease"], Period.year(2024), "Asso")
    assert [c["kind"] for c in some["programmes"]] == ["programme"]
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages)
    assert "Parc de logements de l'association" in text
