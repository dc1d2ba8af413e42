"""The boarding houses list (issue 16, point 3): sortable columns on an index with keyset
pages, « mes maisons » and the opening period in the URL (hx-push-url), CSV/XLSX export of
every page of the list on screen, audited."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from tests.plugins.boarding_house.helpers import ACTOR, house, resident
from tremplin.models import AuditEntry
from tremplin_boarding_house import houses as svc
from tremplin_boarding_house import routes
from tremplin_boarding_house.tables import House


async def _houses(host, users) -> dict[str, int]:
    ids = {}
    for name, opened in (
        ("Maison du Port", "2015-06-01"),
        ("Maison des Tilleuls", "2010-01-01"),
        ("Abri Sans Date", ""),
        ("Bellevue", "2020-09-01"),
    ):
        ids[name], units = await house(name, opened, units=("T1", "T2"))
        if name == "Maison des Tilleuls":
            await resident(host, "LOPEZ Ana", units[0], "2024-02-01")
            await svc.assign_host(
                ACTOR,
                ids[name],
                {"user": str(users["social_worker"].id), "start_date": "2024-01-01"},
            )
    return ids


def _names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/boarding_house/houses/\d+">([^<]+)</a></td>', html)


async def test_each_sort_pages_in_order_with_a_keyset_cursor(host, users, database):
    await _houses(host, users)
    for sort, expected in (
        ("nom", ["Abri Sans Date", "Bellevue", "Maison des Tilleuls", "Maison du Port"]),
        # By opening date, the house with no date last (the same on both engines).
        ("ouverture", ["Maison des Tilleuls", "Maison du Port", "Bellevue", "Abri Sans Date"]),
    ):
        seen, cursor = [], None
        while True:
            rows, cursor = await svc.house_list(sort, cursor, 1)
            seen.extend(r["name"] for r in rows)
            if cursor is None:
                break
        assert seen == expected, sort
    rows, _ = await svc.house_list("nom", None, 10)
    tilleuls = next(r for r in rows if r["name"] == "Maison des Tilleuls")
    assert (tilleuls["unit_count"], tilleuls["units_label"], tilleuls["residents"]) == (
        2,
        "1 T1, 1 T2",
        1,
    )
    assert tilleuls["hosts"] == ["Test social_worker"]


async def test_list_pages_filters_in_the_url_and_export(social_worker, host, users, monkeypatch):
    await _houses(host, users)
    monkeypatch.setattr(svc, "HOUSE_PAGE", 2)
    first = (await social_worker.get("/boarding_house/houses?tri=ouverture")).text
    assert _names(first) == ["Maison des Tilleuls", "Maison du Port"]
    assert '<option value="ouverture" selected>' in first
    assert 'hx-push-url="true"' in first
    more = re.search(r'hx-get="(/boarding_house/houses\?tri=ouverture&amp;apres=[^"]+)"', first)
    assert more, first
    rest = await social_worker.get(
        more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"}
    )
    assert _names(rest.text) == ["Bellevue", "Abri Sans Date"] and "<html" not in rest.text
    # « Mes maisons »: the houses the user is currently host of.
    mine = (await social_worker.get("/boarding_house/houses?mine=1")).text
    assert _names(mine) == ["Maison des Tilleuls"]
    assert 'href="/boarding_house/houses/export?fmt=csv&amp;mine=1"' in mine
    # The opening period.
    period = (await social_worker.get("/boarding_house/houses?du=2012-01-01&au=2019-12-31")).text
    assert _names(period) == ["Maison du Port"]
    bad = await social_worker.get("/boarding_house/houses?du=2020-01-01&au=2019-01-01")
    assert bad.status_code == 400 and "la fin de la période précède son début" in bad.text
    assert "Erreur : " in bad.text
    # The export carries every page, in the order and with the filters of the URL.
    response = await social_worker.get("/boarding_house/houses/export?fmt=csv&tri=ouverture")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Maison", "Ouverture", "Logements", "Typologies", "Résidents", "Hôtes"]
    assert [r[0] for r in table[1:]] == [
        "Maison des Tilleuls",
        "Maison du Port",
        "Bellevue",
        "Abri Sans Date",
    ]
    assert table[1][1:] == ["01/01/2010", "2", "1 T1, 1 T2", "1", "Test social_worker"]
    xlsx = await social_worker.get("/boarding_house/houses/export?fmt=xlsx&mine=1")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 2 and sheet["A2"].value == "Maison des Tilleuls"
    entries = await AuditEntry.select(AuditEntry.object_type, AuditEntry.object_id).where(
        AuditEntry.action == "export"
    )
    assert [(e["object_type"], e["object_id"]) for e in entries] == [
        ("boarding_house_list", 4),
        ("boarding_house_list", 1),
    ]
    assert (await social_worker.get("/boarding_house/houses/export?fmt=doc")).status_code == 400
    assert (
        await social_worker.get("/boarding_house/houses/export?fmt=csv&du=2099-99-99")
    ).status_code == 400
    assert routes.HOUSE_EXPORT[0].label == "Maison"


async def test_each_house_sort_is_served_by_an_index(host, users, database):
    from piccolo.engine.sqlite import SQLiteEngine

    from tremplin.db import current_engine

    await _houses(host, users)
    sqlite = isinstance(current_engine(), SQLiteEngine)
    for column, index in (
        ("name", "boarding_house_house_name_id"),
        ("opened_on", "boarding_house_house_opened_id"),
    ):
        sql = f"SELECT id FROM boarding_house_house ORDER BY {column}, id LIMIT 51"
        if sqlite:
            plan = " ".join(str(r) for r in await House.raw("EXPLAIN QUERY PLAN " + sql))
            assert index in plan and "TEMP B-TREE" not in plan, plan
        else:
            async with current_engine().transaction():
                await House.raw("SET LOCAL enable_seqscan = off")
                await House.raw("SET LOCAL enable_sort = off")
                plan = " ".join(str(r) for r in await House.raw("EXPLAIN " + sql))
            assert index in plan and "Sort Key" not in plan, plan
