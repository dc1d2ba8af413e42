"""Two people editing the same dwelling: the second gets the saved version next to theirs."""

from __future__ import annotations

import asyncio

from tests.plugins.housing.helpers import dwelling
from tremplin.models import AuditEntry
from tremplin_housing.tables import Dwelling

BASE = {
    "address": "3 rue des Lilas",
    "postcode": "30100",
    "typology": "T2",
    "stock": "private",
    "status": "available",
    "programme": "iml_sublease",
    "dpe_class": "D",
    "dpe_date": "2022-05-01",
}


async def test_two_simultaneous_dwelling_edits(login_as):
    dwelling_id = await dwelling()
    owner = (await Dwelling.select(Dwelling.owner).first())["owner"]
    one, two = await login_as("rental_manager"), await login_as("technician")
    url = f"/housing/dwellings/{dwelling_id}/edit"
    form = {**BASE, "owner": str(owner), "version": "1"}
    first, second = await asyncio.gather(
        one.post(url, {**form, "city": "Nîmes"}), two.post(url, {**form, "city": "Uzès"})
    )
    codes = sorted([first.status_code, second.status_code])
    assert codes in ([303, 409], [200, 409]), codes
    loser = first if first.status_code == 409 else second
    assert "Version enregistrée" in loser.text and "Votre saisie" in loser.text
    row = await Dwelling.select(Dwelling.city, Dwelling.version).first()
    assert row["version"] == 2 and row["city"] in ("Nîmes", "Uzès")
    updates = await AuditEntry.count().where(
        (AuditEntry.action == "update") & (AuditEntry.object_type == "housing_dwelling")
    )
    assert updates == 1
    stale = await one.post(url, {**form, "city": "Alès"})
    assert stale.status_code == 409


async def test_stale_claim_intervention_and_settings_saves_get_a_conflict(login_as):
    from tests.plugins.housing.helpers import housed
    from tests.plugins.housing.test_claims import CLAIM
    from tremplin_housing.tables import Claim, HousingSettings, Intervention

    technician = await login_as("technician")
    dwelling_id, _, _ = await housed("2024-01-01")
    base = f"/housing/dwellings/{dwelling_id}"
    await technician.post(f"{base}/claims", {f"claim_{k}": v for k, v in CLAIM.items()})
    c = (await Claim.select(Claim.id).first())["id"]
    page = (await technician.get(base)).text
    assert f'name="claim{c}_version" value="1"' in page
    follow = {
        f"claim{c}_status": "expertise",
        f"claim{c}_claimed": "1200",
        f"claim{c}_version": "1",
    }
    assert (await technician.post(f"/housing/claims/{c}/edit", follow)).status_code == 303
    stale = await technician.post(
        f"/housing/claims/{c}/edit", {**follow, f"claim{c}_claimed": "1300"}
    )
    assert stale.status_code == 409 and "modifié par quelqu&#39;un d&#39;autre" in stale.text
    assert 'value="1300"' in stale.text  # the typed amount is kept
    assert f'name="claim{c}_version" value="2"' in stale.text
    assert (await Claim.select(Claim.claimed_cents, Claim.version).first()) == {
        "claimed_cents": 120000,
        "version": 2,
    }

    await technician.post(
        f"{base}/interventions",
        {
            "intervention_requested_on": "2024-02-01",
            "intervention_description": "Volet",
            "intervention_liable": "owner",
            "intervention_done_by": "team",
            "intervention_status": "requested",
        },
    )
    i = (await Intervention.select(Intervention.id).first())["id"]
    done = {f"intervention{i}_status": "planned", f"intervention{i}_version": "1"}
    assert (await technician.post(f"/housing/interventions/{i}/edit", done)).status_code == 303
    stale = await technician.post(f"/housing/interventions/{i}/edit", done)
    assert stale.status_code == 409
    assert (await Intervention.select(Intervention.version).first())["version"] == 2

    head = await login_as("head_of_service")
    form = (await head.get("/housing/settings")).text
    assert 'name="version" value="1"' in form
    assert (
        await head.post("/housing/settings", {"arrears_threshold": "45,00", "version": "1"})
    ).status_code in (200, 303)
    assert (
        await head.post("/housing/settings", {"arrears_threshold": "50,00", "version": "1"})
    ).status_code in (200, 303)  # the first save creates the row: no version to race yet
    stale = await head.post("/housing/settings", {"arrears_threshold": "60,00", "version": "1"})
    assert stale.status_code == 409 and "Version enregistrée" in stale.text
    assert "50,00\u00a0€" in stale.text and 'value="60,00"' in stale.text
    row = await HousingSettings.select(HousingSettings.arrears_threshold_cents).first()
    assert row["arrears_threshold_cents"] == 5000
