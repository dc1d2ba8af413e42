"""Documents and visits in headless Chromium (issue 16, points 7 and 2): a PNG and a PDF
open in a preview (inline, same CSP), a document is deleted with a reason (refused without
one, the input kept); the house mistress records her visit on a household of her programme
from « Passages et visites » without seeing the social notes."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import MISTRESS_EMAIL, Server, log_in
from tremplin.services.clock import today

pytestmark = pytest.mark.browser

HOUSEHOLD_URL = re.compile(r"/households/(\d+)$")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
SOCIAL_NOTE = "Point budget : dette CAF en cours de négociation"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x00\x80\xff" * 4 for _ in range(3))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _new_household(page: Page, server: Server, name: str) -> str:
    page.goto(server.url("/households/new"))
    page.locator("input[name=name]").fill(name)
    page.locator("input[name=person_first_name]").fill(name.split()[-1])
    page.locator("input[name=person_last_name]").fill(name.split()[0])
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(HOUSEHOLD_URL)
    return page.url


def _upload(page: Page, name: str, mime: str, content: bytes) -> None:
    page.locator("#doc-file").set_input_files({"name": name, "mimeType": mime, "buffer": content})
    page.get_by_role("button", name="Téléverser").click()
    page.wait_for_url(re.compile(r"#documents$"))


def test_preview_and_delete_a_document_with_a_reason(page: Page, server: Server) -> None:
    _new_household(page, server, "APERCU Lina")
    _upload(page, "photo.png", "image/png", _png())
    _upload(page, "releve.pdf", "application/pdf", PDF)

    # The image opens in a new tab, shown by the browser itself.
    with page.expect_popup() as popup_info:
        page.get_by_role("link", name="Aperçu de photo.png").click()
    popup = popup_info.value
    popup.wait_for_load_state()
    width = popup.locator("img").evaluate("img => img.naturalWidth")
    assert width == 4
    # The PDF is served inline under the page CSP (Chromium's viewer or a download, both
    # are headless-dependent: the answer itself is checked).
    pdf_href = page.get_by_role("link", name="Aperçu de releve.pdf").get_attribute("href")
    answer = page.request.get(server.url(pdf_href))
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith("inline;")
    assert "default-src 'self'" in answer.headers["content-security-policy"]

    # Deletion: a blank reason is refused, what was typed comes back; then deleted.
    row = page.locator("#document-list li", has_text="releve.pdf")
    row.locator("summary", has_text="Supprimer").click()
    row.locator("input[name=reason]").fill("   ")
    row.get_by_role("button", name="Supprimer le document").click()
    row = page.locator("#document-list li", has_text="releve.pdf")
    expect(row.locator(".error")).to_have_text("indiquez le motif de la suppression")
    row.locator("input[name=reason]").fill("Relevé d'un autre ménage")
    row.get_by_role("button", name="Supprimer le document").click()
    page.wait_for_url(re.compile(r"#documents$"))
    expect(page.locator("#document-list")).not_to_contain_text("releve.pdf")
    expect(page.locator("#document-list")).to_contain_text("photo.png")
    expect(page.locator("#timeline")).to_contain_text("motif : Relevé d'un autre ménage")
    assert not page.page_errors


def test_house_mistress_records_her_visit_without_the_social_notes(
    page: Page, browser, server: Server
) -> None:
    # The social worker orients the household to the IML and writes a social note.
    household_url = _new_household(page, server, "VISITE Noor")
    household_id = HOUSEHOLD_URL.search(household_url).group(1)
    page.goto(server.url(f"/households/{household_id}/enrolments/new?programme=iml_sublease"))
    page.locator("select[name=prescriber]").select_option("siao")
    page.get_by_role("button", name=re.compile("Enregistrer|Orienter")).first.click()
    page.wait_for_url(re.compile(rf"/households/{household_id}"))
    form = page.locator("form.add-event")
    form.locator("select[name=kind]").select_option("note")
    form.locator("input[name=occurred_on]").fill(today().isoformat())
    form.locator("textarea[name=body]").fill(SOCIAL_NOTE)
    form.get_by_role("button", name="Ajouter au fil").click()
    expect(page.locator("#timeline")).to_contain_text(SOCIAL_NOTE)

    context = browser.new_context(locale="fr-FR")
    try:
        mistress = context.new_page()
        log_in(mistress, server, MISTRESS_EMAIL)
        # Her only « Accompagnement » entry: shown as a plain link of the menu.
        mistress.locator("nav").get_by_role("link", name="Passages et visites").click()
        mistress.get_by_role("link", name="VISITE Noor").click()
        expect(mistress.locator("h1")).to_contain_text("VISITE Noor")
        assert SOCIAL_NOTE not in mistress.content()
        options = mistress.locator("select[name=kind] option").all_inner_texts()
        assert "Passage de la maîtresse de maison" in options and "Note" not in options
        mistress.locator("input[name=occurred_on]").fill(today().isoformat())
        mistress.locator("textarea[name=body]").fill("Logement bien tenu.")
        mistress.get_by_role("button", name="Enregistrer").click()
        expect(mistress.locator("#visits")).to_contain_text("Logement bien tenu.")
        expect(mistress.locator("#visits")).to_contain_text("Passage de la maîtresse de maison")
        assert SOCIAL_NOTE not in mistress.content()
        # The household file itself stays closed to her.
        response = mistress.goto(household_url)
        assert response is not None and response.status == 403
    finally:
        context.close()
    # The social worker sees the visit in the household's timeline.
    page.goto(household_url)
    expect(page.locator("#timeline")).to_contain_text("Logement bien tenu.")
