"""Social-residence pages: units form (CSRF, failed form keeping the input, French errors,
role guard), the stay panel and its derogation form through htmx, audit."""

from tests.core.test_access import _client
from tests.plugins.social_residence.helpers import ACTOR, resident, unit
from tremplin.api import add_months
from tremplin.models import AuditEntry, Enrolment
from tremplin.services.clock import today
from tremplin_housing.tables import AgreementRenewal
from tremplin_social_residence import units
from tremplin_social_residence.tables import ResidenceUnit


async def test_managers_add_units_and_everyone_social_sees_them(client, users, app, host):
    head, csrf = await _client(app, "head_of_service@test.fr")
    bad = await head.post(
        "/social_residence/units",
        data={"_csrf": csrf, "label": "", "typology": "T1", "dwelling_id": "12"},
    )
    assert bad.status_code == 422
    assert "ce champ est obligatoire" in bad.text and 'value="12"' in bad.text
    ok = await head.post(
        "/social_residence/units", data={"_csrf": csrf, "label": "Raspail 1", "typology": "T1"}
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/social_residence/units"
    again = await head.post(
        "/social_residence/units", data={"_csrf": csrf, "label": "Raspail 1", "typology": "T1"}
    )
    assert again.status_code == 422
    assert "un logement de la résidence porte déjà ce nom" in again.text
    unknown = await head.post(
        "/social_residence/units",
        data={"_csrf": csrf, "label": "Raspail 2", "typology": "T1", "dwelling_id": "999"},
    )
    assert unknown.status_code == 422
    assert "choix inconnu" in unknown.text and 'value="Raspail 2"' in unknown.text
    assert "999 (choix non proposé)" in unknown.text
    assert await ResidenceUnit.count() == 1
    assert await AuditEntry.count().where(AuditEntry.object_type == "social_residence_unit") == 1
    # A social worker sees the units but does not add any.
    worker, worker_csrf = await _client(app, "social_worker@test.fr")
    page = await worker.get("/social_residence/units")
    assert page.status_code == 200 and "Raspail 1" in page.text
    assert "Ajouter un logement" not in page.text
    denied = await worker.post(
        "/social_residence/units",
        data={"_csrf": worker_csrf, "label": "Raspail 2", "typology": "T1"},
    )
    assert denied.status_code == 403
    technician, _ = await _client(app, "technician@test.fr")
    assert (await technician.get("/social_residence/units")).status_code == 403
    for c in (head, worker, technician):
        await c.aclose()


async def test_derogation_through_the_stay_panel(social_worker, host):
    r1 = await unit("R1")
    entry = add_months(today(), -22)
    enrolment_id = await resident(host, "PANEL Hugo", r1, entry.isoformat())
    household_id = (
        await Enrolment.select(Enrolment.household).where(Enrolment.id == enrolment_id).first()
    )["household"]
    file = await social_worker.get(f"/households/{household_id}")
    end = add_months(entry, 24).strftime("%d/%m/%Y")
    assert f"20 mois atteints : fin des 24 mois le {end}" in file.text
    assert "Dérogation au-delà de 24 mois" in file.text
    units_page = await social_worker.get("/social_residence/units")
    assert "PANEL Hugo" in units_page.text and "20 mois atteints" in units_page.text
    assert (
        await AuditEntry.count().where(
            (AuditEntry.action == "read")
            & (AuditEntry.object_id == household_id)
            & (AuditEntry.object_type == "household")
        )
        >= 1
    )

    until = add_months(entry, 30).isoformat()
    url = f"/social_residence/enrolments/{enrolment_id}/derogations"
    bad = await social_worker.post(
        url,
        {"decided_on": today().isoformat(), "until": until, "reason": ""},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "<html" not in bad.text
    assert "ce champ est obligatoire" in bad.text and f'value="{until}"' in bad.text
    full = await social_worker.post(
        url, {"decided_on": today().isoformat(), "until": until, "reason": ""}
    )
    assert full.status_code == 422 and "<html" in full.text
    assert await AgreementRenewal.count() == 0
    ok = await social_worker.post(
        url,
        {"decided_on": today().isoformat(), "until": until, "reason": "Attente d'une attribution"},
        headers={"HX-Request": "true"},
    )
    assert ok.status_code == 200 and ok.headers["HX-Redirect"].startswith(
        f"/households/{household_id}"
    )
    file = await social_worker.get(f"/households/{household_id}")
    shown = add_months(entry, 30).strftime("%d/%m/%Y")
    # The template's own apostrophe is literal, the stored reason is escaped.
    assert f"jusqu'au {shown} — Attente d&#39;une attribution" in file.text
    assert (
        await social_worker.post("/social_residence/enrolments/999/derogations", {"reason": "x"})
    ).status_code == 404


async def test_units_page_links_to_the_housing_rent_account(client, users, app, host):
    from tremplin_housing import stock

    programmes = {"social_residence": "Résidence sociale"}
    owner = await stock.create_owner(ACTOR, {"kind": "company", "name": "Néma Lové"})
    dwelling_id = await stock.create_dwelling(
        ACTOR,
        {
            "owner": str(owner),
            "address": "3 rue Raspail",
            "postcode": "42000",
            "city": "Saint-Étienne",
            "typology": "T1",
            "stock": "private",
            "status": "available",
            "programme": "social_residence",
            "dpe_class": "C",
            "dpe_date": "2022-05-01",
        },
        programmes,
    )
    r1 = await units.add_unit(
        ACTOR, {"label": "R1", "typology": "T1", "dwelling_id": str(dwelling_id)}
    )
    enrolment_id = await resident(host, "LOYER Basile", r1, "2024-01-01")
    household_id = (
        await Enrolment.select(Enrolment.household).where(Enrolment.id == enrolment_id).first()
    )["household"]
    # The entry opened the resident's occupancy and rent account in the unit's dwelling.
    from tremplin_housing.tables import Occupancy

    occupancy = await Occupancy.select().where(Occupancy.household == household_id).first()
    assert (occupancy["dwelling"], occupancy["kind"]) == (dwelling_id, "residence")
    occupancy_id = occupancy["id"]
    head, _ = await _client(app, "head_of_service@test.fr")
    page = await head.get("/social_residence/units")
    assert "LOYER Basile" in page.text
    assert f'href="/housing/occupancies/{occupancy_id}"' in page.text
    await head.aclose()
