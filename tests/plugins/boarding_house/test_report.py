"""The boarding-house report table (ASL 2024, seed 003) on a fixture computed by hand,
in the tables, the JSON and the PDF's text."""

import datetime as dt
import io
import json

import pypdf

from tests.plugins.boarding_house.helpers import KEY, enrolled, house, household, resident
from tremplin.api import Period, ReportContext
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_json, to_pdf
from tremplin.services.clock import now
from tremplin_boarding_house.report import boarding_house_tables
from tremplin_boarding_house.tables import Activity


async def fixture(host) -> None:
    """Houses: Malescourt (3 units), Montbrison (2, opened 2023), Pélussin (1, opens 2027).

    | household | who                        | unit | entry      | exit                  |
    |-----------|----------------------------|------|------------|-----------------------|
    | UN        | man born 1970-06-01        | M1   | 2022-03-10 | —                     |
    | DEUX      | mother 1985-02-01 + child 2015-05-05 | M3 | 2024-02-01 | —          |
    | TROIS     | woman born 1960-12-31      | B1   | 2023-01-20 | 2024-06-19 public     |
    | QUATRE    | man born 1990-01-01        | B2   | 2024-03-01 | 2024-09-30 care home  |
    | CINQ      | man born 1980-01-01        | M2   | 2021-01-01 | 2023-12-31 (before)   |
    | SEPT      | man born 1975-07-01        | M2   | 2024-10-01 | —                     |
    | SIX       | referral only              |      |            |                       |
    """
    m, (m1, m2, m3) = await house("Malescourt", "2010-01-01", ("T1", "T1", "T2"))
    b, (b1, b2) = await house("Montbrison", "2023-01-15", ("T1", "T1"))
    await house("Pélussin", "2027-07-01")
    un = await resident(host, "UN Alain", m1, "2022-03-10", born="1970-06-01")
    deux = await resident(
        host,
        "DEUX Béa",
        m3,
        "2024-02-01",
        born="1985-02-01",
        composition="single_mother",
        children=("2015-05-05",),
    )
    await resident(
        host,
        "TROIS Claire",
        b1,
        "2023-01-20",
        "2024-06-19",
        "public_housing",
        born="1960-12-31",
        composition="isolated_woman",
    )
    quatre = await resident(
        host, "QUATRE Driss", b2, "2024-03-01", "2024-09-30", "care_home", born="1990-01-01"
    )
    await resident(host, "CINQ Émile", m2, "2021-01-01", "2023-12-31", "family", born="1980-01-01")
    await resident(host, "SEPT Gaston", m2, "2024-10-01", born="1975-07-01")
    await enrolled(host, await household("SIX Fanny"))
    # Collective life, inserted as recorded at the time (the form ticks current residents).
    for house_id, day, kind, count, present in [
        (m, dt.date(2024, 3, 10), "meal", 10, [un, deux]),
        (m, dt.date(2024, 5, 1), "house_meeting", 6, [un]),
        (b, dt.date(2024, 7, 14), "event", 20, [quatre]),
        (m, dt.date(2023, 12, 1), "outing", 8, [un]),  # before 2024
    ]:
        await Activity.insert(
            Activity(
                house=house_id,
                held_on=day,
                kind=kind,
                title=kind,
                participants=count,
                households=present,
                created_at=now(),
            )
        )


async def test_the_seed_table_on_a_hand_computed_fixture(database, host):
    await fixture(host)
    ctx = ReportContext(
        programme=KEY, programme_name="Pensions de famille", period=Period.year(2024)
    )
    tables = {t.key: t for t in await boarding_house_tables(ctx)}
    units = {r.label: r.count for r in tables["bh_units"].rows}
    assert units == {"Malescourt": 3, "Montbrison": 2}  # Pélussin is not open in 2024
    assert tables["bh_units"].total == 5
    people = {r.key: r.count for r in tables["bh_people"].rows}
    # Housed in 2024: UN, DEUX, TROIS, QUATRE, SEPT (CINQ left in 2023, SIX never entered).
    # Ages of the adults on the last day housed in 2024: UN 54, DEUX 39, TROIS 63 (on
    # 19/06, birthday on 31/12), QUATRE 34 (on 30/09), SEPT 49 → 239 / 5 = 47.8.
    # Stays of the exits: TROIS 20/01/2023 → 19/06/2024 = 17 months, QUATRE 01/03 → 30/09 = 7.
    assert people == {
        "units": 5,
        "households": 5,
        "isolated": 4,
        "single_parents": 1,
        "people": 6,
        "children": 1,
        "entries": 3,
        "exits": 2,
        "average_age": 47.8,
        "average_stay": 12.0,
    }
    destinations = {r.key: r.count for r in tables["bh_destinations"].rows}
    assert destinations == {"public_housing": 1, "care_home": 1}
    assert tables["bh_destinations"].total == 2
    # By house (unit of each household housed in 2024): Malescourt UN, DEUX, SEPT;
    # Montbrison TROIS, QUATRE.
    assert {r.label: r.count for r in tables["bh_houses"].rows} == {
        "Malescourt": 3,
        "Montbrison": 2,
    }
    # Collective life of 2024: a meal (10), a house meeting (6), a party (20); the
    # outing of December 2023 is outside. Residents ticked: UN, DEUX, QUATRE.
    collective = {r.key: r.count for r in tables["bh_collective"].rows}
    assert collective == {
        "meal": 1,
        "event": 1,
        "house_meeting": 1,
        "participants": 36,
        "residents": 3,
    }
    assert tables["bh_collective"].total == 3

    # An empty year gives zeros, not errors.
    empty = ReportContext(
        programme=KEY, programme_name="Pensions de famille", period=Period.year(2015)
    )
    zero = {t.key: t for t in await boarding_house_tables(empty)}
    assert {r.key: r.count for r in zero["bh_people"].rows}["people"] == 0
    assert {r.label: r.count for r in zero["bh_units"].rows} == {"Malescourt": 3}


async def test_the_section_in_the_json_and_the_pdf(database, host):
    await fixture(host)
    report = await build_report(host, [KEY], Period.year(2024), "ASL")
    data = json.loads(to_json(report))
    sections = {
        s["key"]: {t["key"]: t for t in s["tables"]} for s in data["programmes"][0]["sections"]
    }
    rows = {r["key"]: r["count"] for r in sections["boarding_house"]["bh_people"]["rows"]}
    assert (rows["people"], rows["children"], rows["exits"]) == (6, 1, 2)
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages
    )
    for line in [
        "Logements par pension de famille",
        "Malescourt 3",
        "Montbrison 2",
        "Personnes logées 6",
        "dont enfants (moins de 18 ans) 1",
        "dont foyers monoparentaux 1",
        "Sorties 2",
        "Logement du parc public 1",
    ]:
        assert line in text, line
