"""The desk's demands list exported as on screen (issue 16, point 3): the status filter of
the URL, CSV and XLSX, audited."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.plugins.rental_agency.helpers import demand, household, received
from tremplin.models import AuditEntry


async def test_demands_export_follows_the_status_filter(social_worker):
    await demand(await household("ALPHA Inès"))
    await received(await household("BETA Omar"))
    page = await social_worker.get("/rental_agency/demands?status=received")
    assert 'href="/rental_agency/demands/export?fmt=csv&amp;status=received"' in page.text
    response = await social_worker.get("/rental_agency/demands/export?fmt=csv&status=received")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Référence", "Ménage", "Enregistrée le", "Statut"]
    assert [r[1] for r in rows[1:]] == ["BETA Omar"]
    everything = await social_worker.get("/rental_agency/demands/export?fmt=xlsx")
    sheet = load_workbook(io.BytesIO(everything.content)).active
    assert {sheet.cell(row=i, column=2).value for i in (2, 3)} == {"ALPHA Inès", "BETA Omar"}
    entries = await AuditEntry.select().where(AuditEntry.action == "export")
    assert [(e["object_type"], e["object_id"]) for e in entries] == [
        ("rental_agency_demand_list", 1),
        ("rental_agency_demand_list", 2),
    ]
    assert (await social_worker.get("/rental_agency/demands/export?fmt=doc")).status_code == 400


async def test_demands_sorted_newest_first_with_keyset_pages(social_worker):
    from tremplin_rental_agency.routes import _demand_list

    ids = []
    for i, day in enumerate(("2024-01-05", "2024-03-01", "2024-02-10", "2024-03-01")):
        ids.append(await demand(await household(f"TRI{i} Léa"), registered_on=day))
    seen, after = [], None
    while True:
        page = await _demand_list("", "inscription", after, limit=2)
        seen.extend(page[:2])
        if len(page) <= 2:
            break
        after = (page[1]["registered_on"], page[1]["id"])
    order = [(r["registered_on"], r["id"]) for r in seen]
    assert order == sorted(order, reverse=True) and len(order) == 4
    page = await social_worker.get("/rental_agency/demands?tri=statut")
    assert page.status_code == 200
    assert 'href="/rental_agency/demands/export?fmt=csv&amp;tri=statut"' in page.text


async def test_each_desk_sort_is_served_by_an_index(database):
    from piccolo.engine.sqlite import SQLiteEngine

    from tremplin.db import current_engine
    from tremplin_rental_agency.tables import Demand

    await demand(await household("PLAN Zoé"))
    sqlite = isinstance(current_engine(), SQLiteEngine)
    for column, index in (
        ("registered_on", "rental_agency_demand_registered"),
        ("status_on", "rental_agency_demand_status_on"),
    ):
        sql = f"SELECT id FROM rental_agency_demand ORDER BY {column} DESC, id DESC LIMIT 101"
        if sqlite:
            plan = " ".join(str(r) for r in await Demand.raw("EXPLAIN QUERY PLAN " + sql))
            assert index in plan and "TEMP B-TREE" not in plan, plan
        else:
            async with current_engine().transaction():
                await Demand.raw("SET LOCAL enable_seqscan = off")
                await Demand.raw("SET LOCAL enable_sort = off")
                plan = " ".join(str(r) for r in await Demand.raw("EXPLAIN " + sql))
            assert f"{index}_id" in plan and "Sort Key" not in plan, plan


async def test_desk_filters_mine_and_period_in_the_url_and_the_export(social_worker):
    from tremplin_rental_agency.tables import Demand

    await demand(await household("JANV Léo"), registered_on="2024-01-05")
    mine = await demand(await household("MARS Ève"), registered_on="2024-03-01")
    await demand(await household("MAI Noé"), registered_on="2024-05-20")
    await Demand.update({Demand.created_by: social_worker.user.id}).where(Demand.id == mine)
    period = await social_worker.get("/rental_agency/demands?du=2024-02-01&au=2024-05-31")
    assert "MARS Ève" in period.text and "MAI Noé" in period.text
    assert "JANV Léo" not in period.text
    # Sorting and the status tabs keep the period.
    assert 'href="/rental_agency/demands?tri=statut&amp;du=2024-02-01&amp;au=2024-05-31"' in (
        period.text
    )
    assert 'href="/rental_agency/demands/export?fmt=csv&amp;du=2024-02-01&amp;au=2024-05-31"' in (
        period.text
    )
    response = await social_worker.get(
        "/rental_agency/demands/export?fmt=csv&du=2024-02-01&au=2024-05-31"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["MAI Noé", "MARS Ève"]  # newest first
    own = await social_worker.get("/rental_agency/demands?mine=1")
    assert "MARS Ève" in own.text and "MAI Noé" not in own.text
    assert 'name="mine" value="1" checked' in own.text
    own_csv = await social_worker.get("/rental_agency/demands/export?fmt=csv&mine=1")
    rows = list(csv.reader(io.StringIO(own_csv.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["MARS Ève"]
    bad = await social_worker.get("/rental_agency/demands?du=2024-06-01&au=2024-01-01")
    assert bad.status_code == 400 and "la fin de la période précède son début" in bad.text
    assert "Erreur : " in bad.text
    assert (
        await social_worker.get("/rental_agency/demands/export?fmt=csv&du=2024-13-01")
    ).status_code == 400


async def _enrol(household_id: int, referent: int, exit_date=None) -> None:
    import datetime as dt

    from tremplin.models import Enrolment
    from tremplin.services.clock import now

    await Enrolment.insert(
        Enrolment(
            household=household_id,
            programme="rental_agency",
            state="registered",
            referent=referent,
            referral_date=dt.date(2024, 1, 2),
            exit_date=exit_date,
            created_at=now(),
            updated_at=now(),
        )
    )


async def test_desk_referent_filter_follows_the_households_open_enrolment(social_worker, users):
    """A demand has no worker of its own: « Référent du ménage » keeps the demands whose
    household's open enrolment that worker follows, in the URL and the export."""
    import datetime as dt

    head = users["head_of_service"].id
    followed = await household("SUIVI Ana")
    await demand(followed, registered_on="2024-02-01")
    closed = await household("CLOS Bob")
    await demand(closed, registered_on="2024-02-02")
    other = await household("AUTRE Cid")
    await demand(other, registered_on="2024-02-03")
    await _enrol(followed, head)
    await _enrol(closed, head, exit_date=dt.date(2024, 3, 1))
    await _enrol(other, social_worker.user.id)
    page = await social_worker.get(f"/rental_agency/demands?referent={head}")
    assert page.status_code == 200
    assert "SUIVI Ana" in page.text
    assert "CLOS Bob" not in page.text and "AUTRE Cid" not in page.text
    assert f'<option value="{head}" selected>' in page.text
    assert f'href="/rental_agency/demands?tri=statut&amp;referent={head}"' in page.text
    assert f'href="/rental_agency/demands/export?fmt=csv&amp;referent={head}"' in page.text
    response = await social_worker.get(f"/rental_agency/demands/export?fmt=csv&referent={head}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["SUIVI Ana"]
    everyone = await social_worker.get("/rental_agency/demands")
    assert all(n in everyone.text for n in ("SUIVI Ana", "CLOS Bob", "AUTRE Cid"))
    bad = await social_worker.get("/rental_agency/demands?referent=x")
    assert bad.status_code == 400 and "référent inconnu" in bad.text
