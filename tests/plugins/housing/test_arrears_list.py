"""The arrears review as a list (issue 16, point 3): sorts kept in the URL, CSV/XLSX export
of the review on screen, audited."""

from __future__ import annotations

import csv
import io
import re

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


async def _enrol(household_id: int, programme: str, referent: int | None) -> None:
    import datetime as dt

    from tremplin.models import Enrolment
    from tremplin.services.clock import now

    await Enrolment.insert(
        Enrolment(
            household=household_id,
            programme=programme,
            state="housed",
            referent=referent,
            referral_date=dt.date(2023, 11, 10),
            entry_date=dt.date(2024, 1, 1),
            created_at=now(),
            updated_at=now(),
        )
    )


def _names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/households/\d+">([^<]+)</a>', html)


async def test_arrears_filters_pages_and_export_of_every_page(app, users, database, monkeypatch):
    from tremplin.models import Household
    from tremplin_housing.routes import arrears as arrears_routes

    await _debts()
    ids = {r["name"]: r["id"] for r in await Household.select(Household.id, Household.name)}
    manager_id = users["rental_manager"].id
    await _enrol(ids["ADAM Yves"], "iml_sublease", manager_id)
    await _enrol(ids["CLAUDE Xan"], "iml_sublease", users["social_worker"].id)
    monkeypatch.setattr(arrears_routes, "ARREARS_PAGE", 2)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 9)),
        base_url="http://testserver.local",
    ) as client:
        manager = Session(
            client, await login(client, "rental_manager@test.fr"), users["rental_manager"]
        )
        # Keyset pages: two rows, then « Afficher plus » names the last row shown.
        first = (await manager.get("/housing/arrears?tri=nom")).text
        assert _names(first) == ["ADAM Yves", "BERNARD Zoé"]
        assert "3 ménages" in first
        more = re.search(r'hx-get="(/housing/arrears\?tri=nom&amp;apres=[^"]+)"', first)
        assert more, first
        rest = await manager.get(
            more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"}
        )
        assert _names(rest.text) == ["CLAUDE Xan"] and "<html" not in rest.text
        assert "Afficher plus" not in rest.text
        # Sortable column heads keep the filters and push the URL.
        assert 'hx-push-url="true"' in first
        assert 'href="/housing/arrears?tri=paiement"' in first
        # « Mes ménages »: the open enrolments the user follows.
        mine = (await manager.get("/housing/arrears?mine=1")).text
        assert _names(mine) == ["ADAM Yves"]
        assert 'name="mine" value="1" checked' in mine
        assert 'href="/housing/arrears/export?fmt=csv&amp;mine=1"' in mine
        by_referent = await manager.get(f"/housing/arrears?referent={users['social_worker'].id}")
        assert _names(by_referent.text) == ["CLAUDE Xan"]
        by_programme = await manager.get("/housing/arrears?programme=iml_sublease&tri=nom")
        assert _names(by_programme.text) == ["ADAM Yves", "CLAUDE Xan"]
        # The export carries every page (not only the first two rows), with the filters.
        response = await manager.get("/housing/arrears/export?fmt=csv&tri=nom")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert [r[1] for r in rows[1:]] == ["ADAM Yves", "BERNARD Zoé", "CLAUDE Xan"]
        mine_csv = await manager.get("/housing/arrears/export?fmt=csv&mine=1")
        rows = list(csv.reader(io.StringIO(mine_csv.content.decode("utf-8-sig")), delimiter=";"))
        assert [r[1] for r in rows[1:]] == ["ADAM Yves"]
