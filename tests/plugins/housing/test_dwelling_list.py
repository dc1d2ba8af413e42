"""The dwellings list (issue 16, point 3): sortable columns served by an index with keyset
pagination, filters and sort in the URL (hx-push-url), CSV/XLSX export of the list on
screen, audited, confidential addresses masked as on screen."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.conftest import login
from tests.plugins.housing.helpers import dwelling
from tremplin.models import AuditEntry
from tremplin.testing import Session
from tremplin_housing.tables import Dwelling
from tremplin_housing.views import dwelling_list


async def _stock() -> dict[str, int]:
    ids = {}
    for ref, typology, status in (
        ("a", "T3", "available"),
        ("b", "T1", "occupied"),
        ("c", "T2", "available"),
        ("d", "T1", "works"),
        ("e", "T3", "occupied"),
    ):
        ids[ref] = await dwelling(typology=typology, status=status, address=f"{ref} rue Haute")
    return ids


async def test_each_sort_pages_in_order_with_a_keyset_cursor(database, users):
    await _stock()
    admin = users["admin"]
    for sort, key in (("typologie", "typology"), ("statut", "status"), ("reference", "id")):
        seen, cursor = [], None
        while True:
            rows, cursor = await dwelling_list({}, "", cursor, admin, limit=2, sort=sort)
            seen.extend(rows)
            if cursor is None:
                break
        assert len(seen) == 5 and len({r["id"] for r in seen}) == 5
        order = [(r[key], r["id"]) for r in seen]
        assert order == sorted(order), (sort, order)


async def test_each_sort_is_served_by_an_index(database):
    """The sorted page reads an index in the sort's order (no sort of the whole table)."""
    from piccolo.engine.sqlite import SQLiteEngine

    from tremplin.db import current_engine

    await _stock()
    sqlite = isinstance(current_engine(), SQLiteEngine)
    # SQLite may read the one-column index (its entries end with the rowid, the id);
    # PostgreSQL needs the (column, id) index of the migrations.
    for column, index in (
        ("status", "housing_dwelling_status" if sqlite else "housing_dwelling_status_id"),
        ("typology", "housing_dwelling_typology" if sqlite else "housing_dwelling_typology_id"),
    ):
        sql = f"SELECT id FROM housing_dwelling ORDER BY {column}, id LIMIT 51"
        if sqlite:
            plan = " ".join(str(r) for r in await Dwelling.raw("EXPLAIN QUERY PLAN " + sql))
            assert index in plan and "TEMP B-TREE" not in plan, plan
        else:
            async with current_engine().transaction():
                # A handful of rows: make the planner show what it would do on a large
                # table (without an index in the sort's order it still has to sort).
                await Dwelling.raw("SET LOCAL enable_seqscan = off")
                await Dwelling.raw("SET LOCAL enable_sort = off")
                plan = " ".join(str(r) for r in await Dwelling.raw("EXPLAIN " + sql))
            assert index in plan and "Sort Key" not in plan, plan


async def test_sort_and_filters_stay_in_the_url(client, users):
    await _stock()
    session = Session(client, await login(client, "technician@test.fr"), users["technician"])
    page = await session.get("/housing/dwellings?typology=T1&tri=statut")
    assert page.status_code == 200
    assert '<option value="statut" selected>' in page.text
    assert "b rue Haute" in page.text and "a rue Haute" not in page.text
    assert page.text.index("b rue Haute") < page.text.index("d rue Haute")  # occupied < works
    assert 'href="/housing/dwellings/export?fmt=csv&amp;typology=T1&amp;tri=statut"' in page.text
    # The htmx search answers the rows and pushes the filters (never the search text).
    rows = await session.post(
        "/housing/dwellings/search",
        {"q": "rue haute", "typology": "T3", "tri": "typologie"},
        headers={"HX-Request": "true"},
    )
    assert rows.status_code == 200
    assert rows.headers["hx-push-url"] == "/housing/dwellings?typology=T3&tri=typologie"
    assert "haute" not in rows.headers["hx-push-url"]


async def test_export_is_the_list_on_screen_and_audited(client, users):
    await _stock()
    secret = await dwelling(typology="T1", status="occupied", address="9 impasse Secrète")
    await Dwelling.update({Dwelling.confidential: True}).where(Dwelling.id == secret)
    session = Session(client, await login(client, "technician@test.fr"), users["technician"])
    response = await session.get("/housing/dwellings/export?fmt=csv&typology=T1&tri=statut")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][:3] == ["Référence", "Adresse", "Typologie"]
    body = table[1:]
    assert len(body) == 3 and {r[2] for r in body} == {"T1"}
    assert [r[4] for r in body] == ["Occupé", "Occupé", "En travaux"]  # by status, then id
    assert "Secrète" not in text  # masked as on screen for a technician
    # An address the technician sees on screen is in the export too (not masked wholesale).
    assert {r[1] for r in body} >= {"b rue Haute, 30100 Alès", "d rue Haute, 30100 Alès"}
    entry = await AuditEntry.select().where(AuditEntry.action == "export").first()
    assert (entry["object_type"], entry["object_id"]) == ("dwelling_list", 3)
    xlsx = await session.get("/housing/dwellings/export?fmt=xlsx&typology=T3")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet["A1"].value == "Référence" and sheet.max_row == 3
    assert (await session.get("/housing/dwellings/export?fmt=pdf")).status_code == 400


async def test_mine_and_capture_period_filters_in_the_url_and_the_export(client, users):
    import datetime as dt

    ids = await _stock()
    me = users["technician"].id
    await Dwelling.update({Dwelling.created_by: me}).where(Dwelling.id.is_in([ids["a"], ids["c"]]))
    for ref, day in (("a", "2024-01-15"), ("b", "2024-03-10"), ("c", "2024-06-01")):
        await Dwelling.update({Dwelling.captured_on: dt.date.fromisoformat(day)}).where(
            Dwelling.id == ids[ref]
        )
    session = Session(client, await login(client, "technician@test.fr"), users["technician"])
    mine = await session.get("/housing/dwellings?mine=1")
    assert "a rue Haute" in mine.text and "c rue Haute" in mine.text
    assert "b rue Haute" not in mine.text and "e rue Haute" not in mine.text
    assert 'name="mine" value="1" checked' in mine.text
    period = await session.get("/housing/dwellings?du=2024-02-01&au=2024-12-31")
    assert "b rue Haute" in period.text and "c rue Haute" in period.text
    assert "a rue Haute" not in period.text
    assert 'href="/housing/dwellings/export?fmt=csv&amp;du=2024-02-01&amp;au=2024-12-31"' in (
        period.text
    )
    both = await session.get("/housing/dwellings/export?fmt=csv&mine=1&du=2024-02-01")
    table = list(csv.reader(io.StringIO(both.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in table[1:]] == ["c rue Haute, 30100 Alès"]
    # The htmx search keeps them (pushed to the URL) and pages with them.
    rows = await session.post(
        "/housing/dwellings/search",
        {"mine": "1", "du": "2024-02-01"},
        headers={"HX-Request": "true"},
    )
    assert rows.headers["hx-push-url"] == "/housing/dwellings?mine=1&du=2024-02-01"
    assert "c rue Haute" in rows.text and "a rue Haute" not in rows.text
    bad = await session.get("/housing/dwellings?du=2024-06-01&au=2024-01-01")
    assert bad.status_code == 400 and "la fin de la période précède son début" in bad.text
    assert "Erreur : " in bad.text and 'value="2024-06-01"' in bad.text
    export = await session.get("/housing/dwellings/export?fmt=csv&du=2024-99-01")
    assert export.status_code == 400
