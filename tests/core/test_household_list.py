"""The household list: sorts with keyset pagination, filters in the URL, CSV and XLSX exports
(issue 16, point 3)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from openpyxl import load_workbook

from tremplin.models import AuditEntry, Enrolment
from tremplin.services import households as hh
from tremplin.services.clock import now

ACTOR = hh.Actor(user_id=None, address="10.0.0.1")
NAMES = ["MARTIN Zoé", "ÉLOI Bruno", "DURAND Anne", "BERNARD Chloé", "PETIT Yanis"]


async def _households() -> dict[str, int]:
    ids = {}
    for name in NAMES:
        first = name.split()[1]
        ids[name] = await hh.create_household(
            ACTOR, {"name": name}, {"first_name": first, "last_name": name.split()[0]}
        )
    return ids


async def _enrol(household: int, state: str, referent: int | None, exit_date=None) -> None:
    await Enrolment.insert(
        Enrolment(
            household=household,
            programme="iml_sublease",
            state=state,
            referent=referent,
            referral_date=dt.date(2026, 1, 10),
            exit_date=exit_date,
            created_at=now(),
            updated_at=now(),
        )
    )


def _names_in(html: str) -> list[str]:
    found = re.findall(r'<td><a href="/households/\d+">([^<]+)</a></td>', html)
    return [n for n in found if not n.startswith("M-")]


async def test_sort_by_name_walks_every_household_once_with_keyset(database):
    await _households()
    seen, cursor = [], None
    while True:
        rows, cursor = await hh.list_households(before_id=cursor, limit=2, sort="name")
        seen += [r["name"] for r in rows]
        if cursor is None:
            break
    assert seen == sorted(NAMES)
    # Newest first stays the default.
    rows, _ = await hh.list_households(limit=10)
    assert [r["name"] for r in rows] == list(reversed(NAMES))


async def test_list_page_filters_and_sorts_from_the_url(social_worker):
    ids = await _households()
    me = social_worker.user.id
    await _enrol(ids["MARTIN Zoé"], "housed", me)
    await _enrol(ids["DURAND Anne"], "referral", me)
    await _enrol(ids["PETIT Yanis"], "housed", None)

    page = await social_worker.get("/households?tri=name")
    assert page.status_code == 200
    assert _names_in(page.text) == sorted(NAMES)
    assert 'aria-sort="ascending"' in page.text

    page = await social_worker.get("/households?programme=iml_sublease&tri=name")
    assert _names_in(page.text) == ["DURAND Anne", "MARTIN Zoé", "PETIT Yanis"]

    page = await social_worker.get("/households?programme=iml_sublease&stage=housed&tri=name")
    assert _names_in(page.text) == ["MARTIN Zoé", "PETIT Yanis"]

    page = await social_worker.get("/households?mine=1&tri=name")
    assert _names_in(page.text) == ["DURAND Anne", "MARTIN Zoé"]
    assert 'name="mine" value="1" checked' in page.text

    # An htmx filter change answers the list alone, for hx-push-url to keep in history.
    fragment = await social_worker.get(
        "/households?mine=1", headers={"HX-Request": "true", "HX-Target": "household-list"}
    )
    assert fragment.text.lstrip().startswith("{#") is False
    assert 'id="household-list"' in fragment.text and "<html" not in fragment.text

    # Unknown values are dropped and said, not a crash.
    page = await social_worker.get("/households?programme=nope&du=2026-13-01")
    assert page.status_code == 200
    assert "Programme inconnu" in page.text and "date invalide" in page.text


async def test_period_filter_keeps_households_followed_during_it(social_worker):
    ids = await _households()
    await _enrol(ids["MARTIN Zoé"], "closed", None, exit_date=dt.date(2026, 2, 1))
    await _enrol(ids["BERNARD Chloé"], "housed", None)
    page = await social_worker.get("/households?du=2026-03-01&au=2026-03-31&tri=name")
    assert _names_in(page.text) == ["BERNARD Chloé"]
    page = await social_worker.get("/households?du=2026-01-15&au=2026-03-31&tri=name")
    assert _names_in(page.text) == ["BERNARD Chloé", "MARTIN Zoé"]


async def test_csv_and_xlsx_exports_of_the_current_list_are_audited(social_worker):
    ids = await _households()
    await _enrol(ids["MARTIN Zoé"], "housed", social_worker.user.id)
    await _enrol(ids["DURAND Anne"], "housed", social_worker.user.id)

    response = await social_worker.get("/households/export?fmt=csv&mine=1&tri=name")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Référence", "Ménage"]
    assert [r[1] for r in rows[1:]] == ["DURAND Anne", "MARTIN Zoé"]
    assert "Dans le logement" in rows[1][3]
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", rows[1][4])

    response = await social_worker.get("/households/export?fmt=xlsx&tri=name")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:2] == ["Référence", "Ménage"]
    assert [sheet.cell(row=i, column=2).value for i in range(2, sheet.max_row + 1)] == sorted(NAMES)

    exports = await AuditEntry.select().where(AuditEntry.action == "export")
    assert [(e["object_type"], e["object_id"]) for e in exports] == [
        ("household_list", 2),
        ("household_list", 5),
    ]
    assert all(e["user_id"] == social_worker.user.id for e in exports)


async def test_export_refuses_bad_input_with_a_reason(social_worker):
    response = await social_worker.get("/households/export?fmt=pdf")
    assert response.status_code == 400 and "csv ou xlsx" in response.text
    response = await social_worker.get("/households/export?fmt=csv&du=2026-05-01&au=2026-04-01")
    assert response.status_code == 400 and "précède" in response.text
    assert await AuditEntry.count().where(AuditEntry.action == "export") == 0


async def test_export_is_limited_to_what_the_user_may_see(client, users):
    from tests.conftest import TEST_PASSWORD

    csrf = re.compile(r'name="_csrf" value="([^"]+)"')

    ids = await _households()
    await _enrol(ids["MARTIN Zoé"], "housed", None)
    token = csrf.search((await client.get("/login")).text).group(1)
    await client.post(
        "/login",
        data={"_csrf": token, "email": "rental_manager@test.fr", "password": TEST_PASSWORD},
    )
    assert (await client.get("/")).status_code == 200
    response = await client.get("/households/export?fmt=csv")
    assert response.status_code == 403


async def test_each_sort_is_served_by_an_index(database):
    """The sorted page reads an index in the sort's order (no sort of the whole table)."""
    from piccolo.engine.sqlite import SQLiteEngine

    from tremplin.db import current_engine
    from tremplin.models import Household

    await _households()
    sqlite = isinstance(current_engine(), SQLiteEngine)
    for column, index in (
        ("name", "household_name"),
        ("reference", "household_reference"),
        ("updated_at", "household_updated_at"),
    ):
        sql = f"SELECT id FROM household ORDER BY {column}, id LIMIT 51"
        if sqlite:
            plan = " ".join(str(r) for r in await Household.raw("EXPLAIN QUERY PLAN " + sql))
            assert index in plan and "TEMP B-TREE" not in plan, plan
        else:
            # Five rows: make the planner show the index it would use on a large table.
            async with current_engine().transaction():
                await Household.raw("SET LOCAL enable_seqscan = off")
                plan = " ".join(str(r) for r in await Household.raw("EXPLAIN " + sql))
            assert index in plan and "Sort Key" not in plan, plan
