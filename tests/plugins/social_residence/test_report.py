"""The Raspail residence table (ASL 2024, seed 003) on a fixture computed by hand, in the
tables and the PDF's text."""

import io

import pypdf
from openpyxl import load_workbook

from tests.plugins.social_residence.helpers import KEY, enrolled, resident, unit
from tremplin.api import Period, ReportContext
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_pdf, to_xlsx
from tremplin_social_residence.report import social_residence_tables


async def fixture(host) -> None:
    """Six units R1…R6.

    | who | born       | unit | entry      | exit       | destination      | note |
    |-----|------------|------|------------|------------|------------------|------|
    | A ♂ | 1983-05-10 | R1   | 2023-02-01 | 2024-04-30 | IML              |      |
    | B ♂ | 1990-08-20 | R2   | 2022-12-01 | 2024-11-30 | boarding house   |      |
    | C ♂ | 1970-01-15 | R3   | 2024-01-10 | —          |                  |      |
    | D ♀ | 2000-06-30 | R4   | 2024-06-01 | 2024-09-30 | IML              |      |
    | E ♂ | 1975-03-01 | R5   | 2022-01-10 | 2024-06-30 | public housing   | derogation to 30/06/2024 |
    | F ♂ | 1980-01-01 | R6   | 2022-05-01 | 2023-10-31 | family           | left before 2024 |
    | G   | referral only                                                            |
    """
    r = [await unit(f"R{i}") for i in range(1, 7)]
    await resident(
        host, "A Adam", r[0], "2023-02-01", "2024-04-30", "iml_support", born="1983-05-10"
    )
    await resident(
        host, "B Bruno", r[1], "2022-12-01", "2024-11-30", "boarding_house", born="1990-08-20"
    )
    await resident(host, "C Camille", r[2], "2024-01-10", born="1970-01-15")
    await resident(
        host,
        "D Diane",
        r[3],
        "2024-06-01",
        "2024-09-30",
        "iml_support",
        born="2000-06-30",
        composition="isolated_woman",
    )
    await resident(
        host,
        "E Éric",
        r[4],
        "2022-01-10",
        "2024-06-30",
        "public_housing",
        derogation="2024-06-30",
        born="1975-03-01",
    )
    await resident(host, "F Félix", r[5], "2022-05-01", "2023-10-31", "family", born="1980-01-01")
    await enrolled(host, "G Gilles")


async def test_the_raspail_table_on_a_hand_computed_fixture(database, host):
    await fixture(host)
    ctx = ReportContext(programme=KEY, programme_name="Résidence sociale", period=Period.year(2024))
    tables = {t.key: t for t in await social_residence_tables(ctx)}
    overview = {r.key: r.count for r in tables["sr_overview"].rows}
    # Housed in 2024: A, B, C, D, E. Ages on the last day housed in 2024: A 40 (30/04),
    # B 34 (30/11), C 54 (31/12), D 24 (30/09), E 49 (30/06) → 201 / 5 = 40.2.
    # Stays of the exits (whole months, entry to exit inclusive): A 15, B 24, D 4, E 29
    # → 72 / 4 = 18.0.
    assert overview == {
        "units": 6,
        "people": 5,
        "isolated_men": 4,
        "isolated_women": 1,
        "entries": 2,
        "exits": 4,
        "average_age": 40.2,
        "average_stay": 18.0,
        "derogations": 1,
    }
    destinations = {r.key: r.count for r in tables["sr_destinations"].rows}
    assert destinations == {"iml_support": 2, "boarding_house": 1, "public_housing": 1}
    assert tables["sr_destinations"].total == 4
    # 2023: A, B, E and F housed; F left (family); no entry of 2023 but A's.
    ctx23 = ReportContext(
        programme=KEY, programme_name="Résidence sociale", period=Period.year(2023)
    )
    t23 = {t.key: t for t in await social_residence_tables(ctx23)}
    o23 = {r.key: r.count for r in t23["sr_overview"].rows}
    assert (o23["people"], o23["entries"], o23["exits"]) == (4, 1, 1)
    assert {r.key: r.count for r in t23["sr_destinations"].rows} == {"family": 1}


async def test_the_section_in_the_spreadsheet_and_the_pdf(database, host):
    await fixture(host)
    report = await build_report(host, [KEY], Period.year(2024), "ASL")
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    # One sheet per programme, its tables stacked under their titles.
    assert book.sheetnames == ["Synthèse", "Résidence sociale"]
    cells = {k: v[0] for k, v in sheet_table(book, "La résidence sociale").items()}
    assert (
        cells["Nombre de personnes logées"] == 5 and cells["Âge moyen des locataires (ans)"] == 40.2
    )
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages
    )
    for line in [
        "La résidence sociale",
        "Nombre de logements 6",
        "Nombre de personnes logées 5",
        "dont hommes isolés 4",
        "Personnes ayant quitté la résidence 4",
        "Logement en pension de famille 1",
    ]:
        assert line in text, line


def sheet_table(book, title_start: str) -> dict:
    """The rows (label → values) of the table whose title starts with ``title_start``,
    stacked in a programme's sheet of the report workbook."""
    for sheet in book.worksheets[1:]:
        rows = list(sheet.iter_rows(values_only=True))
        for i, row in enumerate(rows):
            if isinstance(row[0], str) and row[0].startswith(title_start):
                out = {}
                for r in rows[i + 1 :]:
                    if not r or r[0] is None:
                        return out
                    out[r[0]] = r[1:]
                return out
    raise KeyError(title_start)
