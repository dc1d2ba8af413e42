"""The social rental agency in headless Chromium against the real ``tremplin serve``: a
demand registered for a household, received at the desk, presented to a CEDL and accepted
(score computed), ranked for a free dwelling, allocated, and the lease signed — the housing
occupancy is opened and the demand is « Logée (bail signé) »."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import textwrap

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

HOUSEHOLD_URL = re.compile(r"/households/(\d+)(#.*)?$")
DEMAND_URL = re.compile(r"/rental_agency/demands/(\d+)$")
SESSION_URL = re.compile(r"/rental_agency/sessions/(\d+)$")

#: A captured dwelling of the agency (no programme) with its management mandate, written
#: through the housing plugin's own services against the server's database.
DWELLING_SCRIPT = textwrap.dedent(
    """
    import asyncio
    from tremplin.cli import _run, _setup
    from tremplin.api import Actor
    from tremplin_housing import stock

    _setup()

    async def main():
        a = Actor(None)
        owner = await stock.create_owner(a, {"kind": "private_person", "name": "M. Bailleur"})
        dwelling = await stock.create_dwelling(a, {
            "owner": str(owner), "address": "5 rue Brossard", "postcode": "42000",
            "city": "Saint-Étienne", "typology": "T2", "stock": "private",
            "status": "available", "programme": "", "dpe_class": "D"}, {})
        await stock.add_head_lease(a, dwelling, {
            "kind": "mandate", "start_date": "2024-01-01", "rent": "420", "charges": "40"})
        print(dwelling)

    _run(main)
    """
)


def _dwelling(server: Server) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
    tmp = server.data_dir.parent
    env.update(
        TREMPLIN_DATABASE_URL=f"sqlite:///{tmp / 't.sqlite3'}",
        TREMPLIN_DATA_DIR=str(server.data_dir),
        TREMPLIN_CONFIG=str(tmp / "absent.toml"),
    )
    out = subprocess.run(
        [sys.executable, "-c", DWELLING_SCRIPT], env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip().splitlines()[-1])


def test_demand_to_lease(page: Page, server: Server) -> None:
    dwelling_id = _dwelling(server)
    # A household file.
    page.goto(server.url("/households/new"))
    page.locator("input[name=name]").fill("BERNARD Inès")
    page.locator("input[name=person_first_name]").fill("Inès")
    page.locator("input[name=person_last_name]").fill("BERNARD")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(HOUSEHOLD_URL)
    household_id = HOUSEHOLD_URL.search(page.url).group(1)

    # The demand: a bad date first (French error, input kept), then right.
    page.goto(server.url("/rental_agency/demands"))
    page.locator("#f-household").fill(household_id)
    page.locator("#f-registered_on").fill("")
    page.locator("#f-wanted_sector").fill("Saint-Étienne")
    page.get_by_role("button", name="Enregistrer la demande").click()
    expect(page.locator(".alert.error")).to_contain_text("pas été enregistré")
    expect(page.locator("#f-wanted_sector")).to_have_value("Saint-Étienne")
    page.locator("#f-registered_on").fill("2025-01-06")
    page.locator("select#f-situation").select_option("third_party")
    page.locator("#f-monthly_resources").fill("1100")
    page.locator("select#f-wanted_typology").select_option("T2")
    page.locator("#f-max_rent").fill("600")
    page.get_by_role("button", name="Enregistrer la demande").click()
    page.wait_for_url(DEMAND_URL)
    demand_url = page.url
    demand_id = DEMAND_URL.search(page.url).group(1)
    expect(page.locator("#demand-status")).to_contain_text("Enregistrée")

    # Received at the desk.
    page.get_by_role("button", name="Enregistrer le rendez-vous").click()
    page.wait_for_url(DEMAND_URL)
    expect(page.locator("#demand-status")).to_contain_text("Reçue en permanence")

    # A CEDL session, the file presented and accepted; the score is computed.
    page.goto(server.url("/rental_agency/sessions"))
    page.locator("#f-held_on").fill("2025-02-03")
    page.get_by_role("button", name="Créer la commission").click()
    page.wait_for_url(SESSION_URL)
    page.locator("select#f-demand").select_option(demand_id)
    page.get_by_role("button", name="Inscrire").click()
    page.wait_for_url(SESSION_URL)
    form = page.locator("form.decision")
    form.locator("select[name=decision]").select_option("refused")
    form.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".alert.error")).to_contain_text("motif est obligatoire")
    form = page.locator("form.decision")
    form.locator("select[name=decision]").select_option("accepted")
    form.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_url(SESSION_URL)
    row = page.locator("tr", has_text="BERNARD")
    expect(row).to_contain_text("Acceptée")
    expect(row.locator("td").last).to_have_text("30")  # 20 no stable housing + 10 ≤ SMIC

    # Ranked for the free dwelling, allocated, lease signed.
    page.goto(server.url("/rental_agency/allocation"))
    page.locator(f"a[href='/rental_agency/allocation/{dwelling_id}']").click()
    ranked = page.locator("tr", has_text="BERNARD")
    expect(ranked).to_contain_text("30")
    ranked.get_by_role("button", name="Attribuer").click()
    page.wait_for_url(DEMAND_URL)
    lease = page.locator("#lease-form")
    # Allocated today: a lease dated before is refused, with the input kept.
    lease.locator("#f-signed_on").fill("2025-01-01")
    lease.get_by_role("button", name="Enregistrer la signature du bail").click()
    expect(page.locator("body")).to_contain_text("La signature précède l'attribution.")
    expect(page.locator("#lease-form #f-signed_on")).to_have_value("2025-01-01")
    # The allocation's day (the server's, Europe/Paris) is the earliest the lease may be.
    allocated = re.search(r"attribué le (\d\d/\d\d/\d{4})", page.content()).group(1)
    signed = dt.datetime.strptime(allocated, "%d/%m/%Y").date().isoformat()
    page.locator("#lease-form #f-signed_on").fill(signed)
    page.locator("#lease-form").get_by_role(
        "button", name="Enregistrer la signature du bail"
    ).click()
    page.wait_for_url(DEMAND_URL)
    expect(page.locator("#demand-status")).to_contain_text("Logée (bail signé)")
    day = dt.date.fromisoformat(signed)
    expect(page.locator("body")).to_contain_text(f"bail signé le {day:%d/%m/%Y}")
    assert page.url == demand_url
    assert page.page_errors == [], page.page_errors
