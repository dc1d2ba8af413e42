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
