"""The boarding houses' residents exported (issue 16, point 3): every house or one, CSV and
XLSX, audited, closed to those who do not work in the programme."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.conftest import login
from tests.plugins.boarding_house.helpers import house, resident
from tremplin import testing
from tremplin.models import AuditEntry


async def test_residents_export(client, users, host):
    first, units_a = await house("Maison des Tilleuls", units=("T1", "T1"))
    _, units_b = await house("Maison du Port", units=("T1",))
    await resident(host, "LOPEZ Ana", units_a[1], "2024-02-01")
    await resident(host, "MOREL Théo", units_b[0], "2024-03-01")
    await resident(host, "PARTI Jo", units_a[0], "2024-01-01", exit="2024-06-01")
    await login(client, "social_worker@test.fr")
    page = await client.get("/boarding_house/houses")
    assert 'href="/boarding_house/residents/export?fmt=csv"' in page.text
    response = await client.get("/boarding_house/residents/export?fmt=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Maison", "Logement", "Typologie", "Ménage", "Entrée le"]
    assert [(r[0], r[3], r[4]) for r in rows[1:]] == [
        ("Maison des Tilleuls", "LOPEZ Ana", "01/02/2024"),
        ("Maison du Port", "MOREL Théo", "01/03/2024"),
    ]
    one = await client.get(f"/boarding_house/residents/export?fmt=xlsx&maison={first}")
    sheet = load_workbook(io.BytesIO(one.content)).active
    assert sheet.max_row == 2 and sheet["D2"].value == "LOPEZ Ana"
    entry = await AuditEntry.select().where(AuditEntry.action == "export").first()
    assert (entry["object_type"], entry["object_id"]) == ("boarding_house_resident_list", 2)
    assert (await client.get("/boarding_house/residents/export?maison=999")).status_code == 404


async def test_residents_export_needs_the_programme(client, host):
    other = await testing.make_user("social_worker", programmes=["iml_sublease"])
    session = await testing.login(client, other)
    assert (await session.get("/boarding_house/residents/export?fmt=csv")).status_code == 404


async def _export_names(session, query: str = "") -> list[str]:
    response = await session.get(f"/boarding_house/residents/export?fmt=csv{query}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return [r[3] for r in rows[1:]]


async def test_residents_export_keeps_to_the_access_policy(client, users, host):
    from tremplin.models import Household
    from tremplin.services.clock import now

    house_id, units = await house("Maison des Tilleuls", units=("T1", "T1"))
    await resident(host, "LOPEZ Ana", units[0], "2024-02-01")
    hidden = await resident(host, "MOREL Théo", units[1], "2024-03-01")
    worker = await testing.make_user("social_worker", programmes=["boarding_house"])
    session = await testing.login(client, worker)
    assert await _export_names(session) == ["LOPEZ Ana", "MOREL Théo"]
    # A household the policy hides from lists (archived by the retention job's own update)
    # is left out of the export as from the house page.
    await Household.update({Household.archived_at: now()}).where(Household.id == hidden)
    assert await _export_names(session) == ["LOPEZ Ana"]
    house_page = await session.get(f"/boarding_house/houses/{house_id}")
    assert "MOREL Théo" not in house_page.text and "LOPEZ Ana" in house_page.text


async def test_residents_export_queries_do_not_grow_with_the_houses(client, users, host):
    """No query per house: exporting three houses costs what exporting one does."""
    from tremplin.models import Enrolment

    engine_class = type(Enrolment._meta.db)
    run = engine_class.run_querystring
    count = [0]

    async def counting(self, *args, **kwargs):
        count[0] += 1
        return await run(self, *args, **kwargs)

    _, units = await house("Maison A", units=("T1",))
    await resident(host, "ALPHA Un", units[0], "2024-01-01")
    await login(client, "social_worker@test.fr")

    async def cost() -> int:
        count[0] = 0
        engine_class.run_querystring = counting
        try:
            await client.get("/boarding_house/residents/export?fmt=csv")
        finally:
            engine_class.run_querystring = run
        return count[0]

    one = await cost()
    for name in ("Maison B", "Maison C"):
        _, more = await house(name, units=("T1", "T2"))
        await resident(host, f"{name.upper()} Deux", more[1], "2024-01-01")
    assert await _export_names(client) == ["ALPHA Un", "MAISON B Deux", "MAISON C Deux"]
    assert one > 0 and await cost() == one
