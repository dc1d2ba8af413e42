"""The partner area in a real browser: a social worker orients a household, shares it with
the Mission Locale with the household's consent; the partner sees only what was shared; when
the share ends, access ends on the next request."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PARTNER_EMAIL, PARTNER_ORG, Server, log_in
from tests.browser.test_ui import _create_household

pytestmark = pytest.mark.browser


def test_partner_sees_only_what_is_shared(page: Page, anonymous_page: Page, server: Server) -> None:
    household_url = _create_household(page, server, "PARTAGE Yanis", "Yanis", "Partage")
    page.locator("#enrolments summary", has_text="Orienter vers un programme").click()
    page.locator("#programme").select_option("iml_sublease")
    page.get_by_role("button", name="Continuer").click()
    page.locator("select[name=prescriber]").select_option("mission_locale")
    page.get_by_role("button", name="Enregistrer l'orientation").click()
    page.wait_for_url(re.compile(r"/households/\d+"))
    expect(page.locator("#enrolments")).to_contain_text("Orientation reçue")

    page.locator("#shares summary", has_text="Partager avec un partenaire").click()
    page.locator("#share-partner").select_option(label=PARTNER_ORG)
    page.locator("#shares input[name=groups][value=identity]").check()
    page.get_by_role("button", name="Partager").click()
    expect(page.locator("#shares")).to_contain_text(PARTNER_ORG)

    partner = anonymous_page
    log_in(partner, server, email=PARTNER_EMAIL, landing="/partner")
    expect(partner.locator("main")).to_contain_text("PARTAGE Yanis")
    partner.get_by_role("link", name=re.compile(r"M-\d+")).first.click()
    expect(partner.locator("main")).to_contain_text("Yanis")
    expect(partner.locator("main")).not_to_contain_text("Coordonnées")
    expect(partner.locator("main")).not_to_contain_text("Orientation reçue")  # not shared
    shared_url = partner.url
    # Staff pages stay closed whatever the partner types in the address bar.
    response = partner.goto(household_url)
    assert response is not None and response.status == 403

    page.goto(household_url)
    page.get_by_role("button", name="Mettre fin au partage").click()
    expect(page.locator("#shares")).to_contain_text("terminé le")
    response = partner.goto(shared_url)
    assert response is not None and response.status == 404
    assert partner.page_errors == [] and page.page_errors == []
