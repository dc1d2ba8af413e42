"""The housing pages: rendering, French errors with typed values kept, double submits,
masking of confidential addresses, navigation, the household panel, access by role."""

import re

import httpx
import pytest

from tests.conftest import Session, login
from tests.plugins.housing.helpers import ACTOR, d, dwelling, housed, household, occupancy, owner
from tremplin.models import AuditEntry, User
from tremplin_housing.ledger import run_rent_calls
from tremplin_housing.tables import Dwelling, LedgerEntry, Occupancy

FORM_ID = re.compile(r'name="_form_id" value="([0-9a-f]+)"')


@pytest.fixture
async def login_as(app, users):
    """``await login_as(role)``: a Session with its own client, logged in as that role."""
    clients = []

    async def make(role: str) -> Session:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 7)),
            base_url="http://testserver.local",
        )
        clients.append(client)
        return Session(client, await login(client, f"{role}@test.fr"), users[role])

    yield make
    for client in clients:
        await client.aclose()


async def test_every_page_renders_for_the_rental_manager(login_as):
    manager = await login_as("rental_manager")
    dwelling_id, _, occupancy_id = await housed("2024-01-01", deposit="400")
    await run_rent_calls(ACTOR, d("2024-01-01"))
    pages = {
        "/housing/dwellings": "Logements",
        "/housing/dwellings/new": "Nouveau logement",
        f"/housing/dwellings/{dwelling_id}": "Occupants successifs",
        f"/housing/dwellings/{dwelling_id}/edit": "Modifier le logement",
        "/housing/owners": "SCI Les Tilleuls",
        "/housing/owners/new": "Nouveau propriétaire",
        f"/housing/occupancies/{occupancy_id}": "Compte locataire",
        "/housing/rent-calls": "Appels de loyers",
        "/housing/arrears": "Revue mensuelle des impayés",
        "/housing/arrears?month=2024-01": "31/01/2024",
    }
    for url, text in pages.items():
        response = await manager.get(url)
        assert response.status_code == 200, url
        assert text in response.text, url
    detail = (await manager.get(f"/housing/dwellings/{dwelling_id}")).text
    assert "MARTIN Éléonore" in detail and "450,00\u00a0€" in detail and "3 rue des Lilas" in detail
    account = (await manager.get(f"/housing/occupancies/{occupancy_id}")).text
    assert (
        "200,00\u00a0€ dû le 01/01/2024" in account and "200,00\u00a0€ dû le 01/02/2024" in account
    )
    assert (
        "Aucune attestation d&#39;assurance" in account
        or "Aucune attestation d'assurance" in account
    )
    arrears = (await manager.get("/housing/arrears")).text
    assert "MARTIN Éléonore" in arrears and "450,00\u00a0€" in arrears
    rows = await manager.get("/housing/dwellings", headers={"HX-Request": "true"})
    assert rows.status_code == 200 and "<html" not in rows.text and "L-" in rows.text


async def test_forms_answer_422_in_french_with_the_typed_values_kept(login_as):
    manager = await login_as("rental_manager")
    owner_id = await owner()
    bad = await manager.post(
        "/housing/dwellings/new",
        {
            "owner": str(owner_id),
            "address": "7 impasse Tapée",
            "city": "",
            "typology": "T2",
            "stock": "private",
            "status": "prospect",
            "surface_m2": "3",
        },
    )
    assert bad.status_code == 422
    assert "ce champ est obligatoire" in bad.text and "la valeur minimale est 5" in bad.text
    assert "7 impasse Tapée" in bad.text and 'value="3"' in bad.text
    assert await Dwelling.count() == 0
    owner_bad = await manager.post(
        "/housing/owners/new", {"kind": "company", "name": "X", "email": "faux"}
    )
    assert owner_bad.status_code == 422 and "adresse électronique invalide" in owner_bad.text
    assert 'value="faux"' in owner_bad.text

    dwelling_id, _, occupancy_id = await housed("2024-01-01")
    other = await household("DURAND Paul")
    overlap = await manager.post(
        f"/housing/dwellings/{dwelling_id}/occupancies",
        {"household": str(other), "kind": "agreement", "start_date": "2024-02-01", "rent": "390"},
    )
    assert overlap.status_code == 422
    assert "Ce logement est déjà occupé par un autre ménage" in overlap.text
    assert 'value="390"' in overlap.text
    unknown = await manager.post(
        f"/housing/dwellings/{dwelling_id}/occupancies",
        {"household": "M-999999", "kind": "agreement", "start_date": "2024-02-01", "rent": "390"},
    )
    assert unknown.status_code == 422 and "aucun ménage ne porte ce numéro" in unknown.text

    exit_bad = await manager.post(
        f"/housing/occupancies/{occupancy_id}/exit",
        {"exit_end_date": "2023-12-01", "exit_exit_reason": "end"},
    )
    assert exit_bad.status_code == 422
    assert "la date de sortie précède la date d" in exit_bad.text and "2023-12-01" in exit_bad.text
    assert (
        'id="f-exit_end_date"' in exit_bad.text
        and 'aria-describedby="e-exit_end_date"' in exit_bad.text
    )
    lease_bad = await manager.post(
        f"/housing/dwellings/{dwelling_id}/leases",
        {"lease_kind": "head_lease", "lease_start_date": "2024-01-01", "lease_rent": "-1"},
    )
    assert lease_bad.status_code == 422 and "le montant ne peut pas être négatif" in lease_bad.text
    assert 'name="lease_rent" type="text" value="-1"' in lease_bad.text
    revised = await manager.post(
        f"/housing/occupancies/{occupancy_id}/revisions",
        {
            "revision_effective_from": "2024-07-01",
            "revision_rent": "410",
            "revision_reason": "yearly",
        },
    )
    assert revised.status_code == 303

    payment = await manager.post(
        f"/housing/occupancies/{occupancy_id}/entries",
        {
            "_form_id": "abc123",
            "kind": "payment",
            "entry_date": "2024-01-05",
            "amount": "-12",
            "means": "cash",
        },
        headers={"HX-Request": "true"},
    )
    assert payment.status_code == 422 and "<html" not in payment.text
    assert "le montant ne peut pas être négatif" in payment.text and 'value="-12"' in payment.text
    assert 'name="_form_id" value="abc123"' in payment.text
    assert await LedgerEntry.count() == 0


async def test_a_payment_submitted_twice_through_the_page_is_recorded_once(login_as):
    manager = await login_as("rental_manager")
    _, _, occupancy_id = await housed("2024-01-01")
    page = await manager.get(f"/housing/occupancies/{occupancy_id}")
    form_id = FORM_ID.search(page.text).group(1)
    data = {
        "_form_id": form_id,
        "kind": "payment",
        "entry_date": "2024-01-05",
        "amount": "200,00",
        "means": "cheque",
    }
    first = await manager.post(f"/housing/occupancies/{occupancy_id}/entries", data)
    second = await manager.post(f"/housing/occupancies/{occupancy_id}/entries", data)
    assert first.status_code == second.status_code == 303
    assert await LedgerEntry.count() == 1
    htmx = await manager.post(
        f"/housing/occupancies/{occupancy_id}/entries", data, headers={"HX-Request": "true"}
    )
    assert htmx.headers["HX-Redirect"] == f"/housing/occupancies/{occupancy_id}#ledger"
    assert await LedgerEntry.count() == 1
    page = await manager.get(f"/housing/occupancies/{occupancy_id}")
    assert "-200,00\u00a0€" in page.text and FORM_ID.search(page.text).group(1) != form_id


async def test_rent_call_page_is_idempotent_and_checks_the_month(login_as):
    manager = await login_as("rental_manager")
    await housed("2024-01-01")
    first = await manager.post("/housing/rent-calls", {"month": "2024-01"})
    assert first.status_code == 200 and "Appel de janvier 2024 : 1 appel(s) créé(s)." in first.text
    again = await manager.post("/housing/rent-calls", {"month": "2024-01"})
    assert "0 appel(s) créé(s), 1 déjà appelé(s) auparavant" in again.text
    assert await LedgerEntry.count().where(LedgerEntry.kind == "call") == 1
    bad = await manager.post("/housing/rent-calls", {"month": "2024-13"})
    assert bad.status_code == 422 and "mois invalide" in bad.text and 'value="2024-13"' in bad.text
    future = await manager.post("/housing/rent-calls", {"month": "2099-01"})
    assert future.status_code == 422 and "plus d&#39;un mois à l&#39;avance" in future.text


async def _confidential(programme: str = "iml_sublease") -> tuple[int, int]:
    owner_id = await owner()
    hidden = await dwelling(
        owner_id, address="12 rue Cachée", city="Nîmes", confidential="on", programme=programme
    )
    public = await dwelling(owner_id, address="5 place Publique", city="Nîmes")
    return hidden, public


async def test_confidential_address_is_masked_in_the_list_search_and_page(login_as):
    hidden, public = await _confidential()
    reference = f"L-{hidden:05d}"
    for role in ("rental_manager", "technician"):
        user = await login_as(role)
        listing = (await user.get("/housing/dwellings")).text
        assert "Cachée" not in listing and "Adresse confidentielle" in listing
        assert "5 place Publique" in listing
        found = await user.post(
            "/housing/dwellings/search", {"q": "cachee"}, headers={"HX-Request": "true"}
        )
        assert reference not in found.text and "Aucun logement" in found.text
        by_city = await user.post(
            "/housing/dwellings/search", {"q": "Nîmes"}, headers={"HX-Request": "true"}
        )
        assert reference not in by_city.text and f"L-{public:05d}" in by_city.text
        by_ref = await user.post(
            "/housing/dwellings/search", {"q": reference.lower()}, headers={"HX-Request": "true"}
        )
        assert reference in by_ref.text and "Cachée" not in by_ref.text
        page = await user.get(f"/housing/dwellings/{hidden}")
        assert page.status_code == 200 and "Cachée" not in page.text
        assert (await user.get(f"/housing/dwellings/{hidden}/edit")).status_code == 403
    # The core's rule for confidential contacts: only staff assigned by name to the
    # programme using the dwelling see it, whatever their role...
    for role in ("admin", "head_of_service"):
        user = await login_as(role)
        assert "Cachée" not in (await user.get("/housing/dwellings")).text
        assert (await user.get(f"/housing/dwellings/{hidden}/edit")).status_code == 403
    await User.update({User.programmes: ["iml_sublease"]}).where(
        User.email.is_in(["head_of_service@test.fr", "rental_manager@test.fr"])
    )
    for role in ("head_of_service", "rental_manager"):
        user = await login_as(role)
        assert "12 rue Cachée" in (await user.get("/housing/dwellings")).text
        found = await user.post(
            "/housing/dwellings/search", {"q": "cachee"}, headers={"HX-Request": "true"}
        )
        assert "12 rue Cachée" in found.text
        assert (await user.get(f"/housing/dwellings/{hidden}/edit")).status_code == 200
    # ...and each view of the address by them is audited (field name, never the value).
    seen = await AuditEntry.select(AuditEntry.fields).where(
        (AuditEntry.action == "read_confidential")
        & (AuditEntry.object_type == "housing_dwelling")
        & (AuditEntry.object_id == hidden)
    )
    assert len(seen) >= 6 and all("Cachée" not in str(r) for r in seen)
    # A confidential dwelling not yet used by a programme: admin and head of service.
    unused, _ = await _confidential(programme="")
    admin = await login_as("admin")
    assert (await admin.get(f"/housing/dwellings/{unused}/edit")).status_code == 200
    technician = await login_as("technician")
    assert "Cachée" not in (await technician.get(f"/housing/dwellings/{unused}")).text


async def test_household_panel_and_navigation(login_as):
    hidden, _ = await _confidential(programme="")
    household_id = await household()
    occupancy_id = await occupancy(
        hidden,
        household_id,
        "2024-01-01",
        rent="300",
        charges="0",
        insurance_expires_on="2024-12-31",
    )
    await run_rent_calls(ACTOR, d("2024-01-01"))
    worker = await login_as("social_worker")
    page = await worker.get(f"/households/{household_id}")
    assert "Logement et loyer" in page.text and f"L-{hidden:05d}" in page.text
    assert "Adresse confidentielle" in page.text and "Cachée" not in page.text
    assert "<strong>oui</strong>" in page.text and "300,00\u00a0€" in page.text
    assert "Assurance habitation expirée le 31/12/2024" in page.text
    assert f"/housing/occupancies/{occupancy_id}" not in page.text  # no rental capability
    assert "/housing/dwellings" not in page.text and "Impayés" not in page.text.split("</nav>")[0]
    head = await login_as("head_of_service")
    page = await head.get(f"/households/{household_id}")
    assert "12 rue Cachée" in page.text and f"/housing/occupancies/{occupancy_id}" in page.text
    nav = page.text.split("</nav>")[0]
    assert 'href="/housing/dwellings"' in nav and 'href="/housing/arrears"' in nav
    technician = await login_as("technician")
    nav = (await technician.get("/housing/dwellings")).text.split("</nav>")[0]
    assert 'href="/housing/dwellings"' in nav and 'href="/housing/arrears"' not in nav
    assert "Impayés au-dessus du seuil" in (await head.get("/")).text
    # No panel for a household that never had a dwelling.
    assert "Logement et loyer" not in (await head.get(f"/households/{await household('X')}")).text


async def test_access_by_role(login_as):
    dwelling_id, _, occupancy_id = await housed("2024-01-01")
    worker = await login_as("social_worker")
    for url in (
        "/housing/dwellings",
        "/housing/arrears",
        f"/housing/occupancies/{occupancy_id}",
        "/housing/rent-calls",
        "/housing/owners",
    ):
        assert (await worker.get(url)).status_code == 403, url
    assert (await worker.post("/housing/rent-calls", {"month": "2024-01"})).status_code == 403
    technician = await login_as("technician")
    assert (await technician.get(f"/housing/dwellings/{dwelling_id}")).status_code == 200
    page = (await technician.get(f"/housing/dwellings/{dwelling_id}")).text
    assert "MARTIN" not in page and "Compte locataire" not in page
    assert (await technician.get(f"/housing/occupancies/{occupancy_id}")).status_code == 403
    manager = await login_as("rental_manager")
    assert (await manager.get("/housing/occupancies/999999")).status_code == 404
    assert await Occupancy.count() == 1


async def test_arrears_steps_through_the_review_page(login_as):
    manager = await login_as("rental_manager")
    _, household_id, _ = await housed("2024-01-01")
    await run_rent_calls(ACTOR, d("2024-01-01"))
    prefix = f"h{household_id}_"
    bad = await manager.post(
        f"/housing/households/{household_id}/arrears-steps",
        {
            prefix + "step": "first_reminder",
            prefix + "done_on": "2099-01-01",
            prefix + "note": "tapé",
        },
    )
    assert bad.status_code == 422 and "la date est dans le futur" in bad.text and "tapé" in bad.text
    assert f'aria-describedby="e-h{household_id}_done_on"' in bad.text
    ok = await manager.post(
        f"/housing/households/{household_id}/arrears-steps",
        {prefix + "step": "first_reminder", prefix + "done_on": "2024-02-03"},
    )
    assert ok.status_code == 303
    page = (await manager.get("/housing/arrears")).text
    assert "Première relance (03/02/2024)" in page
    assert (
        await manager.post(
            "/housing/households/999999/arrears-steps",
            {"step": "first_reminder", "done_on": "2024-02-03"},
        )
    ).status_code == 404
