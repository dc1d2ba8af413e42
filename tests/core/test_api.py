"""The JSON API: tokens, validation errors as 422 with reasons, conflicts, idempotency."""

from tests.conftest import login
from tremplin.models import Household, TimelineEvent
from tremplin.services import households as hh
from tremplin.services.accounts import create_api_token


async def bearer(users, role="social_worker") -> dict:
    token = await create_api_token(users[role].id, "test")
    return {"Authorization": f"Bearer {token}"}


async def test_token_authenticates_and_a_bad_token_does_not(client, users):
    headers = await bearer(users)
    await hh.create_household(hh.Actor(None), {"name": "API Foyer"})
    ok = await client.get("/api/households", headers=headers)
    assert ok.status_code == 200
    assert [h["name"] for h in ok.json()["items"]] == ["API Foyer"]
    bad = await client.get("/api/households", headers={"Authorization": "Bearer tpl_nope"})
    assert bad.status_code == 401 and "jeton" in bad.json()["detail"]


async def test_create_validates_with_field_reasons(client, users):
    headers = await bearer(users)
    response = await client.post(
        "/api/households",
        headers=headers,
        json={"name": "", "email": "x", "reference_person": {"first_name": "Ana"}},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "name": "ce champ est obligatoire",
        "email": "adresse électronique invalide",
        "person_last_name": "ce champ est obligatoire",
    }
    assert await Household.count() == 0
    malformed = await client.post(
        "/api/households",
        headers=headers,
        content=b"{not json",
    )
    assert malformed.status_code == 400


async def test_create_is_idempotent_with_a_key_and_detail_is_audited(client, users):
    headers = {**await bearer(users), "Idempotency-Key": "retry-42"}
    body = {
        "name": "KONÉ Adama",
        "composition": "isolated_man",
        "reference_person": {
            "first_name": "Adama",
            "last_name": "Koné",
            "birth_date": "2001-02-03",
        },
    }
    first = await client.post("/api/households", headers=headers, json=body)
    second = await client.post("/api/households", headers=headers, json=body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert await Household.count() == 1
    household_id = first.json()["id"]
    detail = await client.get(f"/api/households/{household_id}", headers=headers)
    assert detail.json()["composition"] == "isolated_man" and detail.json()["version"] == 1
    members = await client.get(f"/api/households/{household_id}/members", headers=headers)
    assert [(m["first_name"], m["relation"]) for m in members.json()] == [("Adama", "reference")]


async def test_update_with_a_stale_version_is_a_conflict(client, users):
    headers = await bearer(users)
    household_id = await hh.create_household(hh.Actor(None), {"name": "VERSION Un"})
    ok = await client.put(
        f"/api/households/{household_id}",
        headers=headers,
        json={"version": 1, "name": "VERSION Deux"},
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = await client.put(
        f"/api/households/{household_id}",
        headers=headers,
        json={"version": 1, "name": "VERSION Trois"},
    )
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 2
    missing = await client.put(
        f"/api/households/{household_id}", headers=headers, json={"name": "x"}
    )
    assert missing.status_code == 422


async def test_enrolment_and_workflow_through_the_api(client, users):
    headers = await bearer(users)
    household_id = await hh.create_household(hh.Actor(None), {"name": "FLUX Marie"})
    created = await client.post(
        f"/api/households/{household_id}/enrolments",
        headers=headers,
        json={"programme": "iml_sublease", "referral_date": "2024-01-10", "prescriber": "siao"},
    )
    assert created.status_code == 201
    enrolment_id = created.json()["id"]
    refused = await client.post(
        f"/api/enrolments/{enrolment_id}/transitions/accept",
        headers=headers,
        json={"version": 1, "decision_date": "2024-01-20"},
    )
    assert refused.status_code == 422
    assert "validée par le SIAO" in refused.json()["errors"]["_transition"]
    listed = await client.get(f"/api/households/{household_id}/enrolments", headers=headers)
    assert [(e["programme"], e["state"]) for e in listed.json()] == [("iml_sublease", "referral")]
    unknown = await client.post(
        f"/api/households/{household_id}/enrolments",
        headers=headers,
        json={"programme": "nope", "referral_date": "2024-01-10"},
    )
    assert unknown.status_code == 422


async def test_timeline_and_documents_metadata(client, users):
    headers = await bearer(users)
    household_id = await hh.create_household(hh.Actor(None), {"name": "FIL Paul"})
    added = await client.post(
        f"/api/households/{household_id}/timeline",
        headers=headers,
        json={"kind": "phone_call", "occurred_on": "2024-03-01", "body": "Appel de suivi"},
    )
    assert added.status_code == 201
    events = await client.get(f"/api/households/{household_id}/timeline", headers=headers)
    assert [(e["kind"], e["body"]) for e in events.json()] == [("phone_call", "Appel de suivi")]
    docs = await client.get(f"/api/households/{household_id}/documents", headers=headers)
    assert docs.json() == []
    assert (await client.get("/api/households/987654", headers=headers)).status_code == 404
    assert await TimelineEvent.count() == 1


async def test_session_api_writes_need_the_csrf_header(client, users):
    csrf = await login(client, "social_worker@test.fr")
    body = {"name": "SESSION Foyer"}
    assert (await client.post("/api/households", json=body)).status_code == 403
    ok = await client.post("/api/households", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


async def test_openapi_schema_is_served_without_cdn(client, users):
    await login(client, "social_worker@test.fr")
    schema = await client.get("/api/schema/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/households" in paths and "/api/households/{household_id}" in paths
    page = await client.get("/api/schema")
    assert "cdn" not in page.text.lower() and "unpkg" not in page.text.lower()


async def test_partner_token_cannot_read_staff_api(client, users):
    headers = await bearer(users, "partner")
    household_id = await hh.create_household(hh.Actor(None), {"name": "PRIVÉ Foyer"})
    assert (await client.get("/api/households", headers=headers)).status_code == 403
    assert (await client.get(f"/api/households/{household_id}", headers=headers)).status_code == 403
