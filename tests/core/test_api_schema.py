"""The typed API (issue 14, point 8, finding A3): request bodies and error answers declared in
the OpenAPI schema, which only staff may read."""

from tests.conftest import login
from tests.core.test_api import bearer
from tremplin.services import households as hh

STATUSES = {"400", "401", "403", "404", "409", "422"}


async def test_the_schema_is_for_staff_only(client, users):
    assert (await client.get("/api/schema/openapi.json")).status_code == 401
    partner = await bearer(users, "partner")
    refused = await client.get("/api/schema/openapi.json", headers=partner)
    assert refused.status_code == 403
    assert (await client.get("/api/schema", headers=partner)).status_code == 403
    staff = await bearer(users, "technician")
    assert (await client.get("/api/schema/openapi.json", headers=staff)).status_code == 200


async def test_bodies_required_fields_and_errors_are_documented(client, users):
    await login(client, "social_worker@test.fr")
    schema = (await client.get("/api/schema/openapi.json")).json()
    paths = schema["paths"]
    assert all(p.startswith("/api/") for p in paths)  # no HTML page in the API schema
    components = schema["components"]["schemas"]
    assert components["HouseholdIn"]["required"] == ["name"]
    assert set(components["HouseholdUpdate"]["required"]) == {"name", "version"}
    assert components["TransitionIn"]["required"] == ["version"]
    assert set(components["EventIn"]["required"]) == {"body", "kind", "occurred_on"}
    assert set(components["ErrorOut"]["required"]) == {"detail", "status_code"}
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert STATUSES <= set(operation["responses"]), (method, path)
            if method in ("post", "put"):
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                assert body.get("$ref", "").startswith("#/components/schemas/"), (method, path)
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


async def test_a_missing_required_field_is_refused_before_any_write(client, users):
    headers = await bearer(users)
    missing = await client.post("/api/households", json={"composition": "couple"}, headers=headers)
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"name": "ce champ est obligatoire"}
    wrong_type = await client.post("/api/households", json={"name": 12}, headers=headers)
    assert wrong_type.status_code == 422 and "name" in wrong_type.json()["errors"]
    malformed = await client.post("/api/households", content=b"{not json", headers=headers)
    assert malformed.status_code == 400
    assert await hh.Household.count() == 0
    household_id = await hh.create_household(hh.Actor(None), {"name": "TYPE Léo"})
    no_version = await client.put(
        f"/api/households/{household_id}", json={"name": "TYPE Léon"}, headers=headers
    )
    assert no_version.status_code == 422
    assert no_version.json()["errors"] == {"version": "ce champ est obligatoire"}
    stale = await client.put(
        f"/api/households/{household_id}", json={"name": "TYPE Léon", "version": 7}, headers=headers
    )
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 1
