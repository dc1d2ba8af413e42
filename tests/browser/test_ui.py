"""End-to-end tests in headless Chromium against the real ``tremplin serve``.

They cover what only a browser proves: the forms as rendered, htmx swaps without page
reloads, a multipart upload and a download.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import EMAIL, FULL_NAME, PASSWORD, Server

pytestmark = pytest.mark.browser

HOUSEHOLD_URL = re.compile(r"/households/(\d+)$")


def _no_js_errors(page: Page) -> None:
    assert page.page_errors == [], f"erreurs JavaScript : {page.page_errors}"


def _set_marker(page: Page) -> None:
    """A value that only survives as long as the document does (a reload would drop it)."""
    page.evaluate("window.__marker = 42")


def _marker(page: Page):
    return page.evaluate("window.__marker")


def _create_household(page: Page, server: Server, name: str, first: str, last: str) -> str:
    """Create a household through "Nouveau ménage"; return the household page URL."""
    page.goto(server.url("/households/new"))
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=person_first_name]").fill(first)
    page.locator("input[name=person_last_name]").fill(last)
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(HOUSEHOLD_URL)
    expect(page.locator("h1")).to_contain_text(name)
    return page.url


def test_login_and_create_household(anonymous_page: Page, server: Server) -> None:
    page = anonymous_page
    # Any page asks for the login first.
    page.goto(server.url("/households"))
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()

    page.goto(server.url("/login"))
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=password]").fill("not-the-right-password")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Adresse ou mot de passe incorrect")
    expect(page.locator("input[name=email]")).to_have_value(EMAIL)

    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(server.url("/"))
    expect(page.locator("header .who")).to_have_text(FULL_NAME)

    page.goto(server.url("/households"))
    page.get_by_role("link", name="Nouveau ménage").click()
    page.wait_for_url(server.url("/households/new"))

    # First without the household's name: refused in French, the rest of the input kept.
    form = page.locator("form", has=page.locator("input[name=name]"))
    page.locator("input[name=person_first_name]").fill("Aïcha")
    page.locator("input[name=person_last_name]").fill("BENALI")
    birth = page.locator("input[name=person_birth_date]")
    expect(birth).to_have_attribute("type", "date")
    birth.fill("1987-03-14")
    page.locator("select[name=person_sex]").select_option("F")
    form.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()

    assert page.url == server.url("/households/new")
    name_input = page.locator("input[name=name]")
    expect(name_input).to_have_attribute("aria-invalid", "true")
    name_field = page.locator(".field", has=name_input)
    expect(name_field.locator("p.error")).to_have_text("ce champ est obligatoire")
    expect(page.get_by_role("alert").first).to_contain_text("n'a pas été enregistré")
    expect(page.locator("input[name=person_first_name]")).to_have_value("Aïcha")
    expect(page.locator("input[name=person_last_name]")).to_have_value("BENALI")
    expect(page.locator("input[name=person_birth_date]")).to_have_value("1987-03-14")
    expect(page.locator("select[name=person_sex]")).to_have_value("F")

    # Then with the name: saved, and the household page shows it and its reference person.
    name_input.fill("BENALI Aïcha")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(HOUSEHOLD_URL)
    expect(page.locator("h1")).to_contain_text("BENALI Aïcha")
    members = page.locator("#members")
    expect(members).to_contain_text("Aïcha BENALI")
    _no_js_errors(page)


def test_timeline_note_added_without_reload(page: Page, server: Server) -> None:
    url = _create_household(page, server, "LEROY Marc", "Marc", "LEROY")

    card = page.locator("#timeline-card")
    expect(card.locator("h2")).to_have_text("Fil du suivi")
    expect(card.locator("select[name=kind]")).to_have_value("note")
    expect(card.locator("input[name=occurred_on]")).to_have_attribute("type", "date")

    _set_marker(page)
    timeline = page.locator("#timeline")
    events_before = timeline.locator("li.event").count()

    # An empty note is refused in place, in French, without a reload.
    with page.expect_response(lambda r: r.url.endswith("/timeline")) as refused:
        card.get_by_role("button", name="Ajouter au fil").click()
    assert refused.value.status == 422
    body_field = card.locator(".field", has=page.locator("textarea[name=body]"))
    expect(body_field.locator("p.error")).to_have_text("ce champ est obligatoire")
    expect(card.get_by_role("alert")).to_contain_text("La note n'a pas été ajoutée")
    expect(timeline.locator("li.event")).to_have_count(events_before)
    assert _marker(page) == 42

    note = "Visite à domicile : dossier FSL à compléter avant le 15."
    card.locator("textarea[name=body]").fill(note)
    with page.expect_response(
        lambda r: r.url.endswith("/timeline") and r.request.method == "POST"
    ) as posted:
        card.get_by_role("button", name="Ajouter au fil").click()
    response = posted.value
    assert response.status == 200
    assert response.request.headers.get("hx-request") == "true"

    expect(timeline.locator("li.event", has_text=note)).to_have_count(1)
    expect(timeline.locator("li.event")).to_have_count(events_before + 1)
    expect(timeline.locator("li.event").first).to_contain_text(note)
    expect(timeline.locator("li.event").first).to_contain_text(FULL_NAME)
    # Same document (no reload, no navigation), and a fresh empty form ready for the next note.
    assert _marker(page) == 42
    assert page.url == url
    expect(page.locator("#timeline")).to_have_count(1)
    expect(card.locator("textarea[name=body]")).to_have_value("")
    expect(card.get_by_role("alert")).to_have_count(0)
    expect(card.locator("select[name=kind]")).to_have_value("note")
    _no_js_errors(page)

    # The note was saved: a real reload still shows it.
    page.reload()
    expect(page.locator("#timeline li.event", has_text=note)).to_have_count(1)


def test_document_upload_and_download(page: Page, server: Server, tmp_path) -> None:
    url = _create_household(page, server, "NGUYEN Linh", "Linh", "NGUYEN")

    pdf = (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    original = tmp_path / "attestation-assurance.pdf"
    original.write_bytes(pdf)

    card = page.locator("#documents")
    expect(card.locator("#document-list")).to_contain_text("Aucun document")
    card.locator("select[name=kind]").select_option("insurance")
    card.locator("input[type=file][name=file]").set_input_files(str(original))
    card.get_by_role("button", name="Téléverser").click()
    page.wait_for_url(url + "#documents")

    item = page.locator("#document-list li").filter(
        has=page.locator("a", has_text="attestation-assurance.pdf")
    )
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Attestation d'assurance")
    # exact: the « Aperçu de attestation-assurance.pdf » link is next to it.
    link = item.get_by_role("link", name="attestation-assurance.pdf", exact=True)

    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == "attestation-assurance.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == hashlib.sha256(pdf).hexdigest()
    _no_js_errors(page)
    page.screenshot(path="/tmp/household.png", full_page=True)


def test_live_search_ignores_accents_and_case(page: Page, server: Server) -> None:
    _create_household(page, server, "Éléonore DURAND", "Éléonore", "DURAND")
    _create_household(page, server, "ZYGMUNT Otto", "Otto", "ZYGMUNT")

    page.goto(server.url("/households"))
    rows = page.locator("#household-rows")
    expect(rows).to_contain_text("ZYGMUNT Otto")
    url = page.url
    _set_marker(page)

    with page.expect_response(lambda r: r.url.endswith("/households/search")) as searched:
        page.locator("#q").press_sequentially("eleonore")
    assert searched.value.request.headers.get("hx-request") == "true"

    expect(rows.get_by_role("link", name="Éléonore DURAND")).to_be_visible()
    expect(rows).not_to_contain_text("ZYGMUNT Otto")
    assert _marker(page) == 42
    assert page.url == url

    # Upper case and a word of the reference person's name narrow it the same way.
    page.locator("#q").fill("DURAND eleo")
    expect(rows.get_by_role("link", name="Éléonore DURAND")).to_be_visible()
    page.locator("#q").fill("eleonore zygmunt")
    expect(rows).to_contain_text("Aucun ménage ne correspond")
    assert _marker(page) == 42

    # Clicking the result opens the household.
    page.locator("#q").fill("éléonore")
    rows.get_by_role("link", name="Éléonore DURAND").click()
    page.wait_for_url(HOUSEHOLD_URL)
    expect(page.locator("h1")).to_contain_text("Éléonore DURAND")
    _no_js_errors(page)
