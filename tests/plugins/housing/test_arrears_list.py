"""The arrears review as a list (issue 16, point 3): sorts kept in the URL, CSV/XLSX export
of the review on screen, audited."""

from __future__ import annotations

import csv
import io

import httpx
from openpyxl import load_workbook

from tests.conftest import login
from tests.plugins.housing.helpers import ACTOR, d, dwelling, occupancy
from tremplin.models import AuditEntry
from tremplin.services import households as hh
from tremplin.testing import Session
from tremplin_housing.ledger import run_rent_calls


async def _debts() -> None:
    for name, rent in (("BERNARD Zoé", "300"), ("ADAM Yves", "700"), ("CLAUDE Xan", "500")):
        household_id = await hh.create_household(ACTOR, {"name": name})
        await occupancy(await dwelling(), household_id, "2024-01-01", rent=rent)
    await run_rent_calls(ACTOR, d("2024-01-01"))


async def test_arrears_sorted_and_exported_as_on_screen(app, users, database):
    await _debts()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 7)),
        base_url="http://testserver.local",
    ) as client:
        manager = Session(
            client, await login(client, "rental_manager@test.fr"), users["rental_manager"]
        )
        page = (await manager.get("/housing/arrears")).text
        # Largest debt first by default.
        assert page.index("ADAM Yves") < page.index("CLAUDE Xan") < page.index("BERNARD Zoé")
        by_name = (await manager.get("/housing/arrears?tri=nom")).text
        assert (
            by_name.index("ADAM Yves") < by_name.index("BERNARD Zoé") < by_name.index("CLAUDE Xan")
        )
        assert '<option value="nom" selected>' in by_name
        assert 'href="/housing/arrears/export?fmt=csv&amp;tri=nom"' in by_name
        response = await manager.get("/housing/arrears/export?fmt=csv&tri=nom")
        assert response.status_code == 200
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:3] == ["Référence", "Ménage", "Solde dû (€)"]
        assert [r[1] for r in rows[1:]] == ["ADAM Yves", "BERNARD Zoé", "CLAUDE Xan"]
        assert [r[2] for r in rows[1:]] == ["750,00", "350,00", "550,00"]  # rent and charges
        entry = await AuditEntry.select().where(AuditEntry.action == "export").first()
        assert (entry["object_type"], entry["object_id"]) == ("arrears_list", 3)
        xlsx = await manager.get("/housing/arrears/export?fmt=xlsx")
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert [sheet.cell(row=i, column=2).value for i in (2, 3, 4)] == [
            "ADAM Yves",
            "CLAUDE Xan",
            "BERNARD Zoé",
        ]
        assert (await manager.get("/housing/arrears/export?month=2024-13")).status_code == 400
        # A technician may not read the arrears.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 8)),
        base_url="http://testserver.local",
    ) as other:
        await login(other, "technician@test.fr")
        assert (await other.get("/housing/arrears/export?fmt=csv")).status_code == 403
