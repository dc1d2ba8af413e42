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
