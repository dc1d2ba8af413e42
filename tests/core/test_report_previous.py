"""N-1 under every table, the combined chapter of a group and the native Excel charts,
read back from the JSON, the PDF's text, the DOCX and the XLSX."""

import datetime as dt
import io
import zipfile

import pypdf
from docx import Document
from openpyxl import load_workbook

from tremplin.models import Enrolment, Household, Membership, Person
from tremplin.reports.docx import to_docx
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_pdf, to_xlsx
from tremplin.services.clock import now
from tremplin.types import Period

GROUPS = (("IML", ("iml_sublease", "iml_youth")),)


async def _household(name: str, composition: str) -> int:
    row = await Household.insert(
        Household(
            reference=f"M-{name}",
            name=name,
            composition=composition,
            resources=["rsa"],
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Household.id)
    person = await Person.insert(
        Person(
            first_name="P",
            last_name=name,
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


async def _stay(name, composition, entry, exit_=None, destination="", programme="iml_sublease"):
    household = await _household(name, composition)
    await Enrolment.insert(
        Enrolment(
            household=household,
            programme=programme,
            state="exited" if exit_ else "housed",
            referral_date=dt.date(2022, 6, 1),
            prescriber="siao",
            entry_date=dt.date.fromisoformat(entry),
            exit_date=dt.date.fromisoformat(exit_) if exit_ else None,
            exit_destination=destination,
            data={},
            created_at=now(),
            updated_at=now(),
        )
    )


async def _two_years() -> None:
    """2023: A, B (isolated men), C (couple, left 2023-06-30 to family).
    2024: A, B go on (B leaves 2024-03-31 to private housing), D and E (isolated women)
    enter; F (couple) enters IML jeunes."""
    await _stay("A", "isolated_man", "2023-02-01")
    await _stay("B", "isolated_man", "2023-03-01", "2024-03-31", "private_housing")
    await _stay("C", "couple", "2023-01-15", "2023-06-30", "family")
    await _stay("D", "isolated_woman", "2024-02-01")
    await _stay("E", "isolated_woman", "2024-05-01")
    await _stay("F", "couple", "2024-04-01", programme="iml_youth")


def _table(chapter, key):
    return next(t for s in chapter["sections"] for t in s["tables"] if t["key"] == key)


def _rows(table):
    return {r["key"]: (r["count"], r["previous"], r["change"]) for r in table["rows"]}


async def test_every_table_carries_the_previous_year_in_every_format(database, host):
    await _two_years()
    report = await build_report(host, ["iml_sublease"], Period.year(2024), "Asso")
    chapter = report["programmes"][0]
    composition = _table(chapter, "composition")
    assert composition["has_previous"] and composition["previous_label"] == "2023"
    rows = _rows(composition)
    assert rows["isolated_man"] == (2, 2, 0)
    assert rows["isolated_woman"] == (2, 0, 2)
    assert rows["couple"] == (0, 1, -1)
    assert (composition["total"], composition["previous_total"]) == (4, 3)
    # A row only last year had (a destination nobody took this year) is printed at zero.
    destinations = _rows(_table(chapter, "exit_destinations"))
    assert destinations["family"] == (0, 1, -1)
    assert destinations["private_housing"] == (1, 0, 1)
    # Every table of the chapter has it, not only the key figures.
    assert all(t["has_previous"] for s in chapter["sections"] for t in s["tables"])

    document = Document(io.BytesIO(to_docx(report)))
    table = next(
        t
        for t in document.tables
        if [c.text for c in t.rows[0].cells][:2] == ["Libellé", "Nombre 2024"]
        and any(r.cells[0].text == "Homme isolé" for r in t.rows)
    )
    assert [c.text for c in table.rows[0].cells] == [
        "Libellé",
        "Nombre 2024",
        "2023",
        "Évolution",
        "%",
    ]
    woman = next(r for r in table.rows if r.cells[0].text == "Femme isolée")
    assert [c.text for c in woman.cells][1:4] == ["2", "0", "+2"]

    book = load_workbook(io.BytesIO(to_xlsx(report)))
    sheet = book.worksheets[1]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    heading = next(r for r in cells if r[0] == "Composition familiale")
    assert heading[1:4] == ["Nombre 2024", "2023", "Évolution"]
    couple = cells[cells.index(heading) + 1 :]
    couple = next(r for r in couple if r[0] == "Couple sans enfant")
    assert couple[1:4] == [0, 1, -1]

    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages)
    assert "Nombre 2024" in text and "Évolution" in text


async def test_no_previous_column_without_a_previous_year(database, host):
    await _stay("D", "isolated_woman", "2024-02-01")
    report = await build_report(host, ["iml_sublease"], Period.year(2024), "Asso")
    tables = [t for s in report["programmes"][0]["sections"] for t in s["tables"]]
    assert tables and not any(t.get("has_previous") for t in tables)
    document = Document(io.BytesIO(to_docx(report)))
    assert not any("Évolution" in t.rows[0].cells[-1].text for t in document.tables[3:])


async def test_a_group_has_one_chapter_with_its_members_as_sub_parts(database, host):
    await _two_years()
    report = await build_report(host, "all", Period.year(2024), "Asso", GROUPS)
    keys = [c["key"] for c in report["programmes"]]
    group = next(c for c in report["programmes"] if c["kind"] == "group")
    at = keys.index(group["key"])
    assert keys[at + 1 : at + 3] == ["iml_sublease", "iml_youth"]
    assert group["name"] == "IML" and group["members"] == ["iml_sublease", "iml_youth"]
    members = report["programmes"][at + 1 : at + 3]
    assert [m["parent"] for m in members] == [group["key"]] * 2
    # Combined key figures: the households of both programmes.
    figures = {f["key"]: (f["value"], f["previous"]) for f in group["key_figures"]}
    assert figures["households"] == (5, 3)
    assert figures["entries"] == (3, 3)
    # Combined tables: the members' counts added up, with N-1, shares on the new total.
    composition = _rows(_table(group, "composition"))
    assert composition["couple"] == (1, 1, 0)
    assert composition["isolated_woman"] == (2, 0, 2)
    rows = {r["key"]: r for r in _table(group, "composition")["rows"]}
    assert rows["isolated_woman"]["percent"] == 40.0
    # The members keep their key figures and own tables, not the tables added up above.
    for member in members:
        assert member["key_figures"]
        assert "composition" not in [t["key"] for s in member["sections"] for t in s["tables"]]
    # Averages do not add up: the overview keeps only its counts.
    overview = {r["key"] for r in _table(group, "overview")["rows"]}
    assert "households" in overview and not any(k.startswith("stay") for k in overview)

    document = Document(io.BytesIO(to_docx(report)))
    levels = {
        p.text: p.style.name for p in document.paragraphs if p.style.name.startswith("Heading")
    }
    assert levels["IML"] == "Heading 1"
    assert levels[members[0]["name"]] == "Heading 2"
    outline = pypdf.PdfReader(io.BytesIO(to_pdf(report))).outline
    top = [o.title for o in outline if not isinstance(o, list)]
    assert "1 IML" in top or any(t.endswith("IML") for t in top)
    assert members[0]["name"] not in [t.split(" ", 1)[-1] for t in top]


async def test_xlsx_has_native_charts_for_the_tables_that_have_a_chart(database, host):
    await _two_years()
    report = await build_report(host, ["iml_sublease"], Period.year(2024), "Asso")
    data = to_xlsx(report)
    charted = [
        t["title"]
        for s in report["programmes"][0]["sections"]
        for t in s["tables"]
        if t["chart_spec"]
    ]
    assert charted
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        charts = [n for n in book.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == len(charted)
        xml = "".join(book.read(n).decode() for n in charts)
    assert "<c:barChart>" in xml or "barChart" in xml
    assert "Composition familiale" in xml
    sheet = load_workbook(io.BytesIO(data)).worksheets[1]
    assert len(sheet._charts) == len(charted)
