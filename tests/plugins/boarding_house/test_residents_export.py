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
