"""Right of access (a person's data as PDF and JSON) and the register of processing."""

import io
import json
import re

import httpx
import pypdf

from tests.conftest import login
from tremplin.models import AuditEntry
from tremplin.services import households as hh
from tremplin.services import timeline


async def test_person_export_json_and_pdf(social_worker, host):
    household_id = await hh.create_household(
        hh.Actor(None),
        {"name": "ACCÈS Nora"},
        {"first_name": "Nora", "last_name": "Accès", "birth_date": "1992-04-05"},
    )
    await timeline.add_event(
        host,
        hh.Actor(None),
        household_id,
        {"kind": "note", "occurred_on": "2024-03-01", "body": "Note #1 $x$"},
        host.programme_keys,
    )
    members = await hh.household_members(household_id)
    person_id = members[0]["person_id"]
    data = await social_worker.get(f"/people/{person_id}/export.json")
    assert data.status_code == 200
    payload = json.loads(data.content)
    assert payload["person"]["last_name"] == "Accès"
    assert payload["timeline"][0]["body"] == "Note #1 $x$"
    # French dates and words, times in the association's time zone (no raw timestamps).
    assert payload["person"]["birth_date"] == "05/04/1992"
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} à \d{2}:\d{2}", payload["timeline"][0]["occurred_at"])
    assert re.fullmatch(r"\d{2}/\d{2}/\d{4} à \d{2}:\d{2}", payload["person"]["created_at"])
    assert payload["households"][0]["relation"] == "Personne de référence"
    pdf = await social_worker.get(f"/people/{person_id}/export.pdf")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Nora Accès" in text and "Note #1 $x$" in text
    assert "05/04/1992" in text and "+00:00" not in text
    assert await AuditEntry.count().where(AuditEntry.action == "export") == 2
    assert (await social_worker.get("/people/99999/export.json")).status_code == 404


async def test_register_and_dpia_follow_the_enabled_programmes(app, users):
    admin = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 2)), base_url="http://t.local"
    )
    await login(admin, "admin@test.fr")
    register = await admin.get("/admin/register/registre.md")
    assert register.status_code == 200
    assert "## IML sous-location" in register.text and "Date de validation SIAO" in register.text
    assert "numéro de sécurité sociale" in register.text
    dpia = await admin.get("/admin/register/aipd.md")
    assert "Analyse d'impact" in dpia.text and "## 4. Risques" in dpia.text
    await admin.aclose()
