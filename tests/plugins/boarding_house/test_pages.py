"""Boarding-house pages: forms posted with the CSRF token, failed forms keeping the input with
French errors, role guards, the htmx activity form, audit of the residents shown."""

import datetime as dt
import re

import pytest

from tests.core.test_access import _client
from tests.plugins.boarding_house.helpers import house, resident
from tremplin.api import FormErrors
from tremplin.models import AuditEntry, TimelineEvent
from tremplin_boarding_house.tables import Activity, Host, House, Unit


async def test_managers_open_a_house_with_units_and_a_host(client, users, app):
    head, csrf = await _client(app, "head_of_service@test.fr")
    page = await head.get("/boarding_house/houses/new")
    assert page.status_code == 200 and 'name="opened_on"' in page.text
    bad = await head.post(
        "/boarding_house/houses/new",
        data={"_csrf": csrf, "name": "", "address": "12 rue Malescourt", "opened_on": "2010-09-01"},
    )
    assert bad.status_code == 422
    assert "ce champ est obligatoire" in bad.text and "12 rue Malescourt" in bad.text
    assert (
        "Le formulaire n&#39;a pas été enregistré" in bad.text
        or "Le formulaire n'a pas été enregistré" in bad.text
    )
    assert await House.count() == 0
    ok = await head.post(
        "/boarding_house/houses/new",
        data={
            "_csrf": csrf,
            "name": "Malescourt",
            "address": "12 rue Malescourt",
            "opened_on": "2010-09-01",
        },
    )
    assert ok.status_code == 303
    house_id = int(re.search(r"/boarding_house/houses/(\d+)$", ok.headers["location"]).group(1))

    bad = await head.post(
        f"/boarding_house/houses/{house_id}/units",
        data={"_csrf": csrf, "label": "A12", "typology": "T9"},
    )
    assert bad.status_code == 422 and "choix inconnu" in bad.text and 'value="A12"' in bad.text
    ok = await head.post(
        f"/boarding_house/houses/{house_id}/units",
        data={"_csrf": csrf, "label": "A12", "typology": "T2"},
    )
    assert ok.status_code == 303
    again = await head.post(
        f"/boarding_house/houses/{house_id}/units",
        data={"_csrf": csrf, "label": "A12", "typology": "T1"},
    )
    assert (
        again.status_code == 422 and "un logement de cette maison porte déjà ce nom" in again.text
    )
    assert await Unit.count() == 1

    host_id = users["social_worker"].id
    ok = await head.post(
        f"/boarding_house/houses/{house_id}/hosts",
        data={"_csrf": csrf, "user": str(host_id), "start_date": "2024-01-01"},
    )
    assert ok.status_code == 303
    assert await Host.count().where(Host.user == host_id) == 1
    page = await head.get(f"/boarding_house/houses/{house_id}")
    assert "Test social_worker" in page.text and "A12" in page.text
    listing = await head.get("/boarding_house/houses")
    assert "Malescourt" in listing.text and "1 T2" in listing.text
    actions = {
        (a["action"], a["object_type"])
        for a in await AuditEntry.select(AuditEntry.action, AuditEntry.object_type)
    }
    assert {
        ("create", "boarding_house_house"),
        ("create", "boarding_house_unit"),
        ("create", "boarding_house_host"),
    } <= actions
    await head.aclose()


async def test_social_worker_records_an_activity_through_htmx(social_worker, host):
    # A social worker does not open houses.
    denied = await social_worker.post("/boarding_house/houses/new", {"name": "X"})
    assert denied.status_code == 403
    house_id, (unit,) = await house("Montbrison", "2023-01-15")
    household_id = await resident(host, "RÉSIDENT Paul", unit, "2023-03-01")

    page = await social_worker.get(f"/boarding_house/houses/{house_id}")
    assert page.status_code == 200 and "RÉSIDENT Paul" in page.text
    assert (
        await AuditEntry.count().where(
            (AuditEntry.action == "list")
            & (AuditEntry.object_type == "household")
            & (AuditEntry.object_id == household_id)
        )
        == 1
    )

    fragment = await social_worker.get(
        f"/boarding_house/houses/{house_id}/activities/new", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert f'value="{household_id}"' in fragment.text
    assert (
        await AuditEntry.count().where(
            (AuditEntry.action == "list")
            & (AuditEntry.object_type == "household")
            & (AuditEntry.object_id == household_id)
        )
        == 2
    )  # the page, then the form
    full = await social_worker.get(f"/boarding_house/houses/{house_id}/activities/new")
    assert "<html" in full.text

    # Without the CSRF token the post is refused.
    no_token = await social_worker.client.post(
        f"/boarding_house/houses/{house_id}/activities",
        data={"held_on": "2024-05-02", "kind": "meal", "title": "Repas"},
    )
    assert no_token.status_code == 403

    bad = await social_worker.post(
        f"/boarding_house/houses/{house_id}/activities",
        {
            "held_on": "2024-05-02",
            "kind": "meal",
            "title": "Repas de printemps",
            "participants": "0",
            "households": str(household_id),
        },
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "<html" not in bad.text
    assert "le nombre de participants ne peut pas être inférieur" in bad.text
    assert 'value="Repas de printemps"' in bad.text
    assert await Activity.count() == 0
    empty = await social_worker.post(
        f"/boarding_house/houses/{house_id}/activities",
        {"held_on": "2024-05-02", "kind": "house_meeting", "title": "Conseil de maison"},
    )
    assert empty.status_code == 422
    assert "indiquez le nombre de participants ou cochez les résidents présents" in empty.text

    ok = await social_worker.post(
        f"/boarding_house/houses/{house_id}/activities",
        {
            "held_on": "2024-05-02",
            "kind": "meal",
            "title": "Repas de printemps",
            "participants": "9",
            "households": str(household_id),
        },
        headers={"HX-Request": "true"},
    )
    assert ok.status_code == 200
    assert ok.headers["HX-Redirect"] == f"/boarding_house/houses/{house_id}"
    events = await TimelineEvent.select(TimelineEvent.title).where(
        (TimelineEvent.household == household_id) & (TimelineEvent.kind == "collective_activity")
    )
    assert [e["title"] for e in events] == ["Repas partagé : Repas de printemps"]
    page = await social_worker.get(f"/boarding_house/houses/{house_id}")
    assert "Repas de printemps" in page.text
    # The resident's file shows the unit, the house and the activity followed.
    file = await social_worker.get(f"/households/{household_id}")
    assert f'href="/boarding_house/houses/{house_id}"' in file.text
    assert "Activités collectives suivies : 1" in file.text


async def test_unknown_house_is_not_found(social_worker):
    assert (await social_worker.get("/boarding_house/houses/999")).status_code == 404
    response = await social_worker.post(
        "/boarding_house/houses/999/activities", {"held_on": "2024-01-01"}
    )
    assert response.status_code == 404


async def test_rent_is_linked_to_the_housing_account(client, users, app, host):
    """Rent calls and receipts stay in the housing plugin: the house page links to the
    resident's rent account (occupancy of kind "residence") for rental staff."""
    from tests.plugins.boarding_house.helpers import ACTOR
    from tremplin_housing import stock

    programmes = {"boarding_house": "Pensions de famille"}
    owner = await stock.create_owner(ACTOR, {"kind": "company", "name": "Foncière HH"})
    dwelling_id = await stock.create_dwelling(
        ACTOR,
        {
            "owner": str(owner),
            "address": "12 rue Malescourt",
            "postcode": "42000",
            "city": "Saint-Étienne",
            "typology": "T1",
            "stock": "private",
            "status": "available",
            "programme": "boarding_house",
            "dpe_class": "C",
            "dpe_date": "2022-05-01",
        },
        programmes,
    )
    house_id, _ = await house("Malescourt", "2010-01-01", ())
    from tremplin_boarding_house.houses import add_unit

    with pytest.raises(FormErrors) as unknown:
        await add_unit(ACTOR, house_id, {"label": "A1", "typology": "T1", "dwelling_id": "999"})
    assert "choix inconnu" in unknown.value.errors["dwelling_id"]
    from tremplin.api import resolve_choices
    from tremplin_boarding_house.houses import UNIT_FIELDS

    def offered(fields):
        return {c.value for c in next(f for f in fields if f.name == "dwelling_id").choices}

    assert str(dwelling_id) in offered(await resolve_choices(UNIT_FIELDS))
    unit = await add_unit(
        ACTOR, house_id, {"label": "A1", "typology": "T1", "dwelling_id": str(dwelling_id)}
    )
    # Tied to a unit now: no longer offered to another one.
    assert str(dwelling_id) not in offered(await resolve_choices(UNIT_FIELDS))
    household_id = await resident(host, "LOYER Anne", unit, "2024-01-01")
    # The entry opened the resident's occupancy and rent account in the unit's dwelling.
    from tremplin_housing.tables import Occupancy, RentTerms

    occupancy = await Occupancy.select().where(Occupancy.household == household_id).first()
    occupancy_id = occupancy["id"]
    assert (occupancy["dwelling"], occupancy["kind"], occupancy["start_date"]) == (
        dwelling_id,
        "residence",
        dt.date(2024, 1, 1),
    )
    terms = await RentTerms.select(RentTerms.rent_cents).where(RentTerms.occupancy == occupancy_id)
    assert terms == [{"rent_cents": 38000}]
    head, _ = await _client(app, "head_of_service@test.fr")
    page = await head.get(f"/boarding_house/houses/{house_id}")
    assert f'href="/housing/occupancies/{occupancy_id}"' in page.text
    assert f'href="/housing/dwellings/{dwelling_id}"' in page.text and "solde" in page.text
    worker, _ = await _client(app, "social_worker@test.fr")
    page = await worker.get(f"/boarding_house/houses/{house_id}")
    assert "LOYER Anne" in page.text and "/housing/occupancies/" not in page.text
    for c in (head, worker):
        await c.aclose()
