"""Fidelity: files rebuilt from La Clède's 2024 IML tables (seed 000) give back exactly
the published figures, in JSON, XLSX and the PDF's text."""

import datetime as dt
import io
import json
import re
from collections import Counter

import pypdf
from openpyxl import load_workbook

from tremplin.models import Enrolment, Household, Membership, Person
from tremplin.reports.capacity import set_capacity
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_json, to_pdf, to_xlsx
from tremplin.services.clock import now
from tremplin.types import Period

# Exits of 2024 as published: private sector 3 (of which 2 sliding leases), public 2 (of which
# 1 sliding), back to family 2, abandonment 1, hosted by a third party 1, CHRS 1.
EXITS = [
    "private_housing",
    "private_sliding",
    "private_sliding",
    "public_housing",
    "public_sliding",
    "family",
    "family",
    "abandonment",
    "third_party",
    "chrs",
]
# Households leaving asylum accommodation: composition and income tables.
REINFORCED_COMPOSITION = (
    ["isolated_woman"]
    + ["isolated_man"] * 5
    + ["single_mother", "single_father", "couple"]
    + ["couple_children"] * 2
)
REINFORCED_RESOURCES = [
    ["rsa"],
    ["rsa"],
    ["rsa"],
    ["rsa", "salary"],
    ["unemployment"],
    ["unemployment"],
    ["training"],
    ["training"],
    ["salary"],
    ["salary"],
    ["salary"],
]


async def _household(i: int, composition: str, resources: list[str]) -> int:
    row = await Household.insert(
        Household(
            reference=f"M-{i:06d}",
            name=f"FOYER {i}",
            composition=composition,
            resources=resources,
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Household.id)
    person = await Person.insert(
        Person(
            first_name="P",
            last_name=str(i),
            birth_date=dt.date(1990, 1, 1),
            sex="F",
            created_at=now(),
        )
    ).returning(Person.id)
    await Membership.insert(
        Membership(
            household=row[0]["id"],
            person=person[0]["id"],
            relation="reference",
            start_date=dt.date(2020, 1, 1),
        )
    )
    return row[0]["id"]


async def _enrol(
    household: int,
    entry,
    exit_=None,
    destination="",
    reinforced=False,
    state=None,
    programme="iml_sublease",
):
    await Enrolment.insert(
        Enrolment(
            household=household,
            programme=programme,
            state=state or ("exited" if exit_ else "housed"),
            referral_date=dt.date(2022, 6, 1),
            prescriber="asylum" if reinforced else "siao",
            entry_date=entry,
            exit_date=exit_,
            exit_destination=destination,
            data={"reinforced_support": reinforced},
            created_at=now(),
            updated_at=now(),
        )
    )


async def la_clede_2024() -> None:
    # Places are data the administrator sets per year: 33 IML places in 2023 and 2024.
    await set_capacity("iml_sublease", 2023, {"places": "33"}, None)
    await set_capacity(
        "iml_youth", 2024, {"places": "9", "sub_places": "6", "sub_label": "jeunes"}, None
    )
    i = 0
    for n in range(39):
        i += 1
        reinforced = n < 11
        composition = REINFORCED_COMPOSITION[n] if reinforced else "isolated_man"
        resources = REINFORCED_RESOURCES[n] if reinforced else ["rsa"]
        household = await _household(i, composition, resources)
        entry = dt.date(2024, 1 + n % 12, 5) if n >= 27 else dt.date(2023, 1 + n % 12, 10)
        exit_index = n - 17  # households 17…26 leave in 2024
        if 0 <= exit_index < 10:
            await _enrol(household, entry, dt.date(2024, 11, 20), EXITS[exit_index], reinforced)
        else:
            await _enrol(household, entry, reinforced=reinforced)
    # Outside the period: left in 2023, enters in 2025, never entered.
    for entry, exit_, state in [
        (dt.date(2022, 3, 1), dt.date(2023, 12, 31), None),
        (dt.date(2025, 1, 2), None, None),
        (None, None, "referral"),
    ]:
        i += 1
        await _enrol(
            await _household(i, "couple", ["salary"]),
            entry,
            exit_,
            "family" if exit_ else "",
            state=state,
        )


def _rows(table: dict) -> dict[str, float]:
    return {row["label"]: row["count"] for row in table["rows"]}


async def test_la_clede_2024_figures_in_json_xlsx_and_pdf(database, host):
    await la_clede_2024()
    report = await build_report(host, ["iml_sublease"], Period.year(2024), "La Clède")
    data = json.loads(to_json(report))
    sections = {
        s["key"]: {t["key"]: t for t in s["tables"]} for s in data["programmes"][0]["sections"]
    }
    overview = {row["key"]: row["count"] for row in sections["indicators"]["overview"]["rows"]}
    assert (
        overview["places"],
        overview["households"],
        overview["ongoing"],
        overview["entries"],
        overview["exits"],
    ) == (33, 39, 29, 12, 10)
    destinations = _rows(sections["indicators"]["exit_destinations"])
    assert destinations == {
        "Logement secteur privé": 1,
        "Logement secteur privé (bail glissant)": 2,
        "Logement secteur public": 1,
        "Logement secteur public (bail glissant)": 1,
        "Retour dans la famille": 2,
        "Hébergé chez un tiers": 1,
        "Abandon du logement": 1,
        "CHRS ou autre structure": 1,
        "Autre": 0,
    }
    assert sections["indicators"]["exit_destinations"]["total"] == 10
    composition = _rows(sections["reinforced"]["reinforced_composition"])
    assert composition == {
        "Homme isolé": 5,
        "Femme isolée": 1,
        "Homme isolé avec enfant(s)": 1,
        "Femme isolée avec enfant(s)": 1,
        "Couple sans enfant": 1,
        "Couple avec enfant(s)": 2,
        "Autre (groupe, cohabitation…)": 0,
    }
    assert _rows(sections["reinforced"]["reinforced_resources"]) == {
        "RSA": 4,
        "Salaire": 4,
        "Allocation chômage (ARE)": 2,
        "Formation / stage rémunéré": 2,
    }
    assert _rows(sections["reinforced"]["reinforced_overview"]) == {"Ménages accompagnés": 11}
    percents = {
        r["label"]: r["percent"] for r in sections["reinforced"]["reinforced_composition"]["rows"]
    }
    assert percents["Homme isolé"] == 45.5  # 5 / 11

    book = load_workbook(io.BytesIO(to_xlsx(report)))
    assert book.sheetnames == ["Synthèse", "IML sous-location"]
    sheet = book["IML sous-location"]
    cells: dict = {}
    for row in sheet.iter_rows(values_only=True):
        if row and row[0]:
            cells.setdefault(row[0], row[1:])  # the key figures come first, then the tables
    assert cells["Ménages accompagnés"][0] == 39
    assert isinstance(cells["Ménages accompagnés"][0], int)
    assert cells["Ménages en cours en fin de période"][0] == 29
    # Shares are fractions formatted as percentages; counts as whole numbers.
    sliding = next(
        row for row in sheet.iter_rows() if row[0].value == "Logement secteur privé (bail glissant)"
    )
    # Value, then N-1 (previous value, change), then the share.
    assert (sliding[1].value, sliding[4].value) == (2, 0.2)
    assert sliding[1].number_format == "#,##0" and sliding[4].number_format == "0.0 %"

    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages
    ).replace("\xa0", " ")  # the PDF keeps a figure and its unit together
    text = " ".join(text.split())  # a long label may wrap in its column (N-1 columns beside)
    for line in [
        "Ménages accompagnés 39",
        "Ménages en cours en fin de période 29",
        "Entrées 12",
        "Sorties 10",
        "Rapport d’activité",
    ]:
        assert line in text, line
    # Value, N-1 (previous value and change), share.
    for pattern in [
        r"Logement secteur privé \(bail glissant\) 2 \d+ (=|[+−]\d+) 20 %",
        r"Retour dans la famille 2 \d+ (=|[+−]\d+) 20 %",
        r"Homme isolé 5 \d+ (=|[+−]\d+) 45,5 %",
    ]:
        assert re.search(pattern, text), pattern


async def test_empty_period_says_no_data(database, host):
    report = await build_report(host, ["iml_sublease"], Period.year(2001), "Asso")
    assert report["programmes"][0]["empty"] is True
    assert report["empty"] is True
    pages = pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages
    text = "\n".join(p.extract_text() for p in pages)
    # A short report that says so, not pages of zeros.
    assert "Aucun ménage n’a été accompagné sur cette période" in text
    assert len(pages) <= 2 and "Vue d'ensemble" not in text


async def test_length_of_stay_rules(database, host):
    household = await _household(1, "couple", [])
    await _enrol(household, dt.date(2024, 1, 1), dt.date(2024, 7, 1), "family")  # 182 days
    other = await _household(2, "couple", [])
    await _enrol(other, dt.date(2024, 7, 1))  # open: counted to 31/12 in the second rule
    report = await build_report(host, ["iml_sublease"], Period.year(2024), "Asso")
    rows = {
        r["key"]: r["count"] for r in report["programmes"][0]["sections"][0]["tables"][0]["rows"]
    }
    assert rows["stay_exits_mean"] == round(182 / 30.4375, 1)
    assert rows["stay_all_mean"] == round((182 / 30.4375 + 183 / 30.4375) / 2, 1)
    counts = Counter(r["key"] for r in report["programmes"][0]["sections"][0]["tables"][0]["rows"])
    assert counts["stay_exits_median"] == 1


async def _youth(first: int, count: int, entry: dt.date, exit_=None) -> None:
    for i in range(first, first + count):
        household = await _household(i, "isolated_man", ["cej"])
        await _enrol(household, entry, exit_, "family" if exit_ else "", programme="iml_youth")


async def test_key_figures_and_previous_year_as_la_clede_compares_them(database, host):
    """« Une augmentation d'accompagnement en IML Classique est constatée avec 71 % contre
    56 % pour l'année 2023 »: the classic IML's share of the IML households (group « IML »,
    classic + youth) in 2024 and 2023, from the key figures and their N-1 values."""
    await la_clede_2024()
    # Youth IML: 22 households in 2023 (6 left at the end of 2023), 16 in 2024.
    await _youth(500, 16, dt.date(2023, 3, 1))
    await _youth(600, 6, dt.date(2023, 2, 1), dt.date(2023, 12, 15))
    groups = (("IML", ("iml_sublease", "iml_youth")),)
    report = await build_report(
        host, ["iml_youth", "iml_sublease"], Period.year(2024), "La Clède", groups
    )
    # The group's chapter, then its members (sub-parts) in the group's order.
    keys = [c["key"] for c in report["programmes"]]
    assert keys == ["groupe-iml_sublease-iml_youth", "iml_sublease", "iml_youth"]
    group = {f["key"]: f for f in report["programmes"][0]["key_figures"]}
    assert (group["households"]["value"], group["households"]["previous"]) == (55, 50)
    assert (group["places"]["value"], group["places"]["previous"]) == (42, 33)
    figures = {f["key"]: f for f in report["programmes"][1]["key_figures"]}
    assert (figures["places"]["value"], figures["places"]["previous"]) == (33, 33)
    assert (figures["households"]["value"], figures["households"]["previous"]) == (39, 28)
    assert (figures["entries"]["value"], figures["entries"]["previous"]) == (12, 27)
    assert (figures["exits"]["value"], figures["exits"]["previous"]) == (10, 1)
    assert (figures["ongoing"]["value"], figures["ongoing"]["previous"]) == (29, 27)
    assert figures["households"]["change"] == 11
    # Exits to housing: private 3 (2 sliding), public 2 (1 sliding) of 10.
    assert (figures["exits_to_housing"]["value"], figures["exits_to_housing_rate"]["value"]) == (
        5,
        50.0,
    )
    stays = [
        (dt.date(2024, 11, 20) - dt.date(2023, 1 + n % 12, 10)).days / 30.4375
        for n in range(17, 27)
    ]
    assert figures["stay_exits_mean"]["value"] == round(sum(stays) / len(stays), 1)
    # Occupancy: occupied days over 33 places × 366 days.
    assert 0 < figures["occupancy_rate"]["value"] < 100
    youth = {f["key"]: f for f in report["programmes"][2]["key_figures"]}
    assert youth["places"]["label"] == "Places (dont 6 jeunes)"
    assert youth["places"]["previous"] is None  # no places set for 2023: « — »
    assert youth["stay_exits_mean"]["value"] is None  # nobody left in 2024: « — »
    summary = {g["name"]: g for g in report["summary"]["groups"]}
    assert list(summary) == ["IML"]
    iml = summary["IML"]
    assert (iml["figures"]["households"], iml["previous"]["households"]) == (55, 50)
    share = round(39 * 100 / iml["figures"]["households"])
    share_2023 = round(28 * 100 / iml["previous"]["households"])
    assert (share, share_2023) == (71, 56)
    assert iml["figures"]["places"] == 42  # 33 + 9

    text = "\n".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages
    ).replace("\xa0", " ")
    for line in [
        "Chiffres clés",
        "Indicateur 2024 2023 Évolution",
        "Ménages accompagnés 39 28 +11",
        "Places (dont 6 jeunes) 9 — —",
        "IML 42 (33) 55 (50)",
        "Annexe : règles de calcul",
    ]:
        assert line in text, line


async def test_a_group_naming_a_disabled_programme_is_refused_at_start_up(host):
    import pytest

    from tremplin.config import ConfigError
    from tremplin.plugins import load_plugins
    from tremplin.reports.engine import check_groups

    only = load_plugins(["housing", "iml_sublease"])
    with pytest.raises(ConfigError, match="« IML » nomme le programme « iml_youth »"):
        check_groups((("IML", ("iml_sublease", "iml_youth")),), only)
    check_groups((("IML", ("iml_sublease", "iml_youth")),), host)
