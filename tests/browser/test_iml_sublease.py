"""IML sub-lease in headless Chromium against the real ``tremplin serve``: a social worker
takes a referral through admission, the entry checklist, the entry into a dwelling chosen
from the free ones (which opens the occupancy and its rent account), a renewal, the review,
to an exit with a sliding lease (*bail glissant*), checking the page at each step and the
timeline's dates (each step dated by its decision, entry or exit date, one line each); the
rental manager then finds the dwelling vacant again and the rent account closed, and the
year's report counts the entry and the exit, listing the household under each."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

HOUSEHOLD_URL = re.compile(r"/households/(\d+)(#.*)?$")


def _no_js_errors(page: Page) -> None:
    assert page.page_errors == [], f"erreurs JavaScript : {page.page_errors}"


def _transition(page: Page, enrolment, label: str):
    """Open a workflow action under the enrolment (htmx swaps its form in place)."""
    actions = enrolment.locator(".actions")
    actions.get_by_role("link", name=label, exact=True).click()
    form = enrolment.locator("form.transition-form")
    expect(form.locator("h4")).to_have_text(label)
    return form


def _confirm_and_reload(page: Page, form) -> None:
    """Confirm a transition; on success htmx follows HX-Redirect to the household page."""
    with page.expect_navigation():
        form.get_by_role("button", name="Confirmer").click()
    page.wait_for_url(HOUSEHOLD_URL)


def _free_dwelling(rental_page: Page, server: Server) -> tuple[str, str]:
    """The rental manager captures a dwelling for the sub-lease: (its id, its reference)."""
    rental_page.goto(server.url("/housing/owners/new"))
    rental_page.locator("select#f-kind").select_option("company")
    rental_page.locator("#f-name").fill("SCI Les Tilleuls")
    rental_page.get_by_role("button", name="Enregistrer").click()
    rental_page.goto(server.url("/housing/dwellings/new"))
    rental_page.locator("select#f-owner").select_option(label="SCI Les Tilleuls")
    rental_page.locator("#f-address").fill("3 rue des Lilas")
    rental_page.locator("#f-city").fill("Alès")
    rental_page.locator("select#f-typology").select_option("T2")
    rental_page.locator("select#f-stock").select_option("private")
    rental_page.locator("select#f-status").select_option("available")
    rental_page.locator("select#f-programme").select_option("iml_sublease")
    rental_page.get_by_role("button", name="Enregistrer").click()
    rental_page.wait_for_url(re.compile(r"/housing/dwellings/\d+$"))
    dwelling_id = rental_page.url.rsplit("/", 1)[1]
    reference = rental_page.locator("h1").inner_text().split()[0]
    expect(rental_page.locator("h1 .state")).to_have_text("Capté, disponible")
    return dwelling_id, reference


def test_referral_to_exit_with_a_sliding_lease(
    page: Page, server: Server, rental_page: Page
) -> None:
    dwelling_id, reference = _free_dwelling(rental_page, server)

    # A household, oriented to the sub-lease by the SIAO.
    page.goto(server.url("/households/new"))
    page.locator("input[name=name]").fill("MARTIN Sofia")
    page.locator("input[name=person_first_name]").fill("Sofia")
    page.locator("input[name=person_last_name]").fill("MARTIN")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(HOUSEHOLD_URL)
    household_url = page.url.split("#")[0]

    page.locator("#enrolments summary", has_text="Orienter vers un programme").click()
    page.locator("select#programme").select_option("iml_sublease")
    page.get_by_role("button", name="Continuer").click()
    expect(page.locator("h1")).to_contain_text("IML sous-location")
    page.locator("#f-referral_date").fill("2025-01-06")
    page.locator("select#f-prescriber").select_option("siao")
    page.get_by_role("button", name="Enregistrer l'orientation").click()
    page.wait_for_url(HOUSEHOLD_URL)

    enrolment = page.locator("article.enrolment", has_text="IML sous-location")
    expect(enrolment.locator("h3 .state")).to_have_text("Orientation reçue")
    enrolment_id = enrolment.get_attribute("id").removeprefix("enrolment-")

    # Admission is refused in French until the SIAO has validated the orientation.
    form = _transition(page, enrolment, "Admettre")
    form.locator("#f-decision_date").fill("2025-01-10")
    form.get_by_role("button", name="Confirmer").click()
    expect(form.get_by_role("alert")).to_contain_text("validée par le SIAO")
    expect(form.locator("#f-decision_date")).to_have_value("2025-01-10")  # input kept

    form.get_by_role("link", name="Annuler").click()
    page.wait_for_url(HOUSEHOLD_URL)
    enrolment.get_by_role("link", name="Compléter / corriger").click()
    page.locator("#f-siao_validation_date").fill("2025-01-08")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(HOUSEHOLD_URL)
    expect(enrolment).to_contain_text("Date de validation SIAO")

    form = _transition(page, enrolment, "Admettre")
    form.locator("#f-decision_date").fill("2025-01-10")
    _confirm_and_reload(page, form)
    expect(enrolment.locator("h3 .state")).to_have_text("Admis, en attente d'entrée")
    expect(enrolment).to_contain_text("10/01/2025")

    # No entry while the entry checklist is incomplete.
    checklist = page.locator(f"#iml-entry_checklist-{enrolment_id}")
    expect(checklist).to_contain_text("(0/9)")
    form = _transition(page, enrolment, "Entrée dans le logement")
    form.locator("#f-entry_date").fill("2025-02-01")
    form.locator("select#f-dwelling").select_option(dwelling_id)
    form.locator("#f-rent").fill("420,00")
    form.get_by_role("button", name="Confirmer").click()
    expect(form.get_by_role("alert")).to_contain_text("Étapes d'entrée non terminées")
    expect(form.get_by_role("alert")).to_contain_text("Attestation d'assurance habitation")
    expect(form.locator("#f-entry_date")).to_have_value("2025-02-01")
    expect(form.locator("select#f-dwelling")).to_have_value(dwelling_id)  # input kept
    form.get_by_role("link", name="Annuler").click()
    page.wait_for_url(HOUSEHOLD_URL)

    # Ticking part of it is saved in place (htmx), then the rest.
    boxes = checklist.locator("input[type=checkbox]")
    expect(boxes).to_have_count(9)
    boxes.nth(0).check()
    checklist.get_by_role("button", name="Enregistrer").click()
    expect(checklist).to_contain_text("(1/9)")
    expect(checklist).to_contain_text("enregistré")
    for i in range(1, 9):
        boxes.nth(i).check()
    checklist.get_by_role("button", name="Enregistrer").click()
    expect(checklist).to_contain_text("(complet)")

    # The entry asks for the dwelling among the free ones, and the rent.
    form = _transition(page, enrolment, "Entrée dans le logement")
    form.locator("#f-entry_date").fill("2025-02-01")
    dwelling = form.locator("select#f-dwelling")
    expect(dwelling.locator(f'option[value="{dwelling_id}"]')).to_contain_text(reference)
    dwelling.select_option(dwelling_id)
    form.locator("#f-rent").fill("420,00")
    form.locator("#f-charges").fill("35,00")
    _confirm_and_reload(page, form)
    expect(enrolment.locator("h3 .state")).to_have_text("Dans le logement")
    renewals = page.locator(f"#iml-renewals-{enrolment_id}")
    expect(renewals).to_contain_text("jusqu'au 01/05/2025")
    expect(renewals).to_contain_text("maximum sans dérogation : 01/08/2026")
    # Once in, the checklist is kept for the record only.
    expect(page.locator(f"#iml-entry_checklist-{enrolment_id} input[type=checkbox]")).to_have_count(
        0
    )

    # A renewal of 3 months: the workflow's action (housing's agreement keeps it).
    form = _transition(page, enrolment, "Renouveler la convention (3 mois)")
    form.locator("#f-decided_on").fill("2025-04-22")
    _confirm_and_reload(page, form)
    expect(enrolment.locator("h3 .state")).to_have_text("Dans le logement")
    renewals = page.locator(f"#iml-renewals-{enrolment_id}")
    expect(renewals).to_contain_text("Renouvelée le 22/04/2025 jusqu'au 01/08/2025")
    expect(renewals).to_contain_text("Convention d'occupation jusqu'au 01/08/2025")
    expect(page.locator("#timeline")).to_contain_text("Renouvellement de la convention")

    # The 6-month review decides the sliding lease; the stock must be given (input kept).
    reviews = page.locator(f"#iml-reviews-{enrolment_id}")
    expect(reviews).to_contain_text("prochain bilan (6 mois) : 01/08/2025")
    reviews.locator("summary", has_text="Enregistrer un bilan").click()
    reviews.locator("#f-review_date").fill("2025-08-01")
    reviews.get_by_label("Bailleur présent").check()
    reviews.get_by_label("Ménage présent").check()
    reviews.locator("select#f-outcome").select_option("sliding")
    reviews.locator("#f-notes").fill("Loyer payé régulièrement, bailleur d'accord.")
    with page.expect_response(lambda r: r.url.endswith("/reviews")) as refused:
        reviews.get_by_role("button", name="Enregistrer le bilan").click()
    assert refused.value.status == 422
    reviews = page.locator(f"#iml-reviews-{enrolment_id}")
    expect(reviews.locator("p.error")).to_contain_text("Indiquez le parc du logement")
    expect(reviews.locator("#f-review_date")).to_have_value("2025-08-01")
    expect(reviews.locator("select#f-outcome")).to_have_value("sliding")
    expect(reviews.locator("#f-notes")).to_have_value(
        "Loyer payé régulièrement, bailleur d'accord."
    )
    reviews.locator("select#f-sliding_destination").select_option("private_sliding")
    with page.expect_navigation():
        reviews.get_by_role("button", name="Enregistrer le bilan").click()
    reviews = page.locator(f"#iml-reviews-{enrolment_id}")
    expect(reviews).to_contain_text("Bilan du 01/08/2025 (6 mois) — Glissement du bail au ménage")
    expect(reviews).to_contain_text("bailleur présent, ménage présent")
    expect(reviews.get_by_role("link", name="fiche bilan (PDF)")).to_have_count(1)
    expect(reviews).to_contain_text("Glissement du bail décidé")
    expect(page.locator("#timeline")).to_contain_text("Bilan de la sous-location")

    # The sliding lease closes the file on the review's date, with the review's destination.
    form = _transition(page, enrolment, "Glissement du bail")
    form.locator("#f-exit_date").fill("2025-08-02")
    form.locator("select#f-exit_destination").select_option("private_sliding")
    form.get_by_role("button", name="Confirmer").click()
    expect(form.get_by_role("alert")).to_contain_text("La date de sortie doit être celle du bilan")
    expect(form.locator("select#f-exit_destination")).to_have_value("private_sliding")
    form.locator("#f-exit_date").fill("2025-08-01")
    _confirm_and_reload(page, form)
    assert page.url.split("#")[0] == household_url

    expect(enrolment.locator("h3 .state")).to_have_text("Sorti")
    expect(enrolment).to_contain_text("01/08/2025 — Logement secteur privé (bail glissant)")
    expect(enrolment.locator(".actions a", has_text="Glissement du bail")).to_have_count(0)
    expect(enrolment.locator(".actions a", has_text="Sortie du dispositif")).to_have_count(0)
    expect(page.locator(f"#iml-reviews-{enrolment_id} summary")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("Glissement du bail → Sorti")
    expect(page.locator("#timeline")).to_contain_text("Entrée dans le logement → Dans le logement")
    # The timeline's dates are the business dates (not the click's), one line per fact.
    timeline = page.locator("#timeline")
    for title, day in (
        ("Admettre → Admis, en attente d'entrée", "10/01/2025"),
        ("Entrée dans le logement → Dans le logement", "01/02/2025"),
        ("Renouvellement de la convention", "22/04/2025"),
        ("Glissement du bail → Sorti", "01/08/2025"),
    ):
        line = timeline.locator("li.event", has_text=title)
        expect(line).to_have_count(1)
        expect(line.locator(".event-head .muted")).to_contain_text(day)
    expect(timeline.locator("li.event", has_text="Renouveler la convention")).to_have_count(0)
    _no_js_errors(page)

    # The year's report reads the same entry and exit: one each, this household under both.
    page.goto(server.url("/reports?programme=iml_sublease&year=2025"))
    figures = page.locator("table.key-figures")
    for label in ("Entrées", "Sorties"):
        row = figures.locator("tr").filter(has=page.get_by_role("cell", name=label, exact=True))
        expect(row.locator("td").nth(1)).to_have_text("1")
    destination = page.locator(
        'a[href="/reports/iml_sublease/2025/detail/exit_destinations/private_sliding"]'
    )
    expect(destination).to_have_text("1")
    for row in ("entries", "exits"):
        page.goto(server.url(f"/reports/iml_sublease/2025/detail/overview/{row}"))
        expect(page.locator("ul.rows li")).to_have_count(1)
        expect(page.locator("ul.rows")).to_contain_text("MARTIN Sofia")
    _no_js_errors(page)

    # One fact, one record: the dwelling is vacant again from the day after the exit…
    rental_page.goto(server.url(f"/housing/dwellings/{dwelling_id}"))
    expect(rental_page.locator("h1 .state")).to_have_text("Capté, disponible")
    expect(rental_page.locator("#vacancies")).to_contain_text("du 02/08/2025 à ce jour")
    expect(rental_page.locator("body")).to_contain_text("du 01/02/2025 au 01/08/2025")
    # …and the rent account opened by the entry is closed on the exit date.
    rental_page.locator('a[href^="/housing/occupancies/"]').first.click()
    rental_page.wait_for_url(re.compile(r"/housing/occupancies/\d+$"))
    expect(rental_page.locator("body")).to_contain_text("MARTIN Sofia")
    expect(rental_page.locator("body")).to_contain_text(
        "du 01/02/2025 au 01/08/2025 (Glissement du bail au ménage)"
    )
    expect(rental_page.get_by_role("heading", name="Sortie ou transfert")).to_have_count(0)
    expect(rental_page.locator("#ledger")).to_contain_text(
        "Occupation close et compte soldé : aucun paiement ne peut plus y être enregistré."
    )
    expect(rental_page.get_by_role("heading", name="Enregistrer un paiement")).to_have_count(0)
    expect(rental_page.locator("#terms")).to_contain_text("01/02/2025")  # the entry's terms
    expect(rental_page.locator("#terms")).to_contain_text("420,00")
    _no_js_errors(rental_page)
