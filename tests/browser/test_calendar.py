"""The calendar in headless Chromium: plan a rendez-vous from the household page, find it
in the week and month views, mark it done into the timeline, subscribe to the ICS feed."""

from __future__ import annotations

import datetime as dt
import re
import urllib.request

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server
from tremplin.services.clock import today

pytestmark = pytest.mark.browser

HOUSEHOLD_URL = re.compile(r"/households/(\d+)$")


def test_plan_see_in_calendar_mark_done_and_subscribe(page: Page, server: Server) -> None:
    page.goto(server.url("/households/new"))
    page.locator("input[name=name]").fill("Foyer Calendrier")
    page.locator("input[name=person_first_name]").fill("Inès")
    page.locator("input[name=person_last_name]").fill("Calendrier")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(HOUSEHOLD_URL)
    household_url = page.url

    # Plan: a wrong time is refused with the input kept, then corrected.
    page.get_by_role("link", name="Planifier un rendez-vous").click()
    page.locator("select[name=kind]").select_option("home_visit")
    page.locator("input[name=day]").fill(today().isoformat())
    page.locator("input[name=place]").fill("Au domicile")
    page.locator("input[name=attendees]").fill("Le ménage et le bailleur")
    page.locator("input[name=duration]").fill("0")
    page.locator("input[name=time]").fill("00:15")
    page.get_by_role("button", name="Planifier").click()
    expect(page.locator("#error-summary")).to_contain_text("Durée (minutes)")
    expect(page.locator("input[name=place]")).to_have_value("Au domicile")
    page.locator("input[name=duration]").fill("60")
    page.get_by_role("button", name="Planifier").click()
    page.wait_for_url(re.compile(r"/households/\d+#appointments$"))
    expect(page.locator("#appointments")).to_contain_text("Visite à domicile")
    expect(page.locator("#appointments")).to_contain_text("Le ménage et le bailleur")

    # The week view (default) and the month view show it on today's cell.
    # The menu's « Accompagnement » group opens on a click and holds « Calendrier ».
    page.locator("nav summary", has_text="Accompagnement").click()
    page.get_by_role("link", name="Calendrier").first.click()
    day = page.locator(f'[data-day="{today().isoformat()}"]')
    expect(day).to_contain_text("Foyer Calendrier")
    expect(day).to_contain_text("00:15")
    page.locator("select[name=vue]").select_option("mois")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("table.calendar-month")).to_be_visible()
    expect(page.locator(f'td[data-day="{today().isoformat()}"]')).to_contain_text(
        "Foyer Calendrier"
    )
    page.get_by_role("link", name="Suivant →").click()
    expect(page.locator("#calendar")).not_to_contain_text("Foyer Calendrier")

    # Marked done from the household page: the timeline entry, nothing retyped.
    page.goto(household_url)
    page.locator("#appointments textarea[name=report]").fill("Compteurs relevés.")
    page.get_by_role("button", name="Marquer comme réalisé").click()
    page.wait_for_url(re.compile(r"#timeline$"))
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Visite à domicile")
    expect(timeline).to_contain_text("Compteurs relevés.")
    expect(timeline).to_contain_text("Le ménage et le bailleur")
    expect(page.locator("#appointments")).to_contain_text("Aucun rendez-vous prévu.")

    # Subscribe: the address works without a session and carries no name by default.
    page.goto(server.url("/calendrier"))
    page.get_by_role("link", name="Abonnement (ICS)").click()
    page.get_by_role("button", name="Créer mon adresse d'abonnement").click()
    url = page.locator("#feed-url input").input_value()
    assert url.startswith(server.base_url + "/agenda/") and url.endswith(".ics")
    with urllib.request.urlopen(url, timeout=10) as response:
        calendar = Calendar.from_ical(response.read())
    events = list(calendar.walk("VEVENT"))
    assert [str(e["summary"]) for e in events] == ["Visite à domicile"]
    start = events[0].decoded("dtstart")
    assert start.astimezone(dt.UTC).date() in (today(), today() - dt.timedelta(days=1))
    page.get_by_role("button", name="Révoquer l'adresse").click()
    expect(page.locator("#feed-status")).to_contain_text("Aucun abonnement actif")
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(url, timeout=10)
    assert page.page_errors == []
