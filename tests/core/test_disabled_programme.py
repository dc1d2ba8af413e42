"""A disabled programme appears nowhere, and its data is kept."""

import httpx

from tests.conftest import login
from tremplin.models import Enrolment
from tremplin.plugins import load_plugins
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin.web.app import create_app


async def test_disabled_programme_is_hidden_but_its_data_kept(database, host, users):
    settings = database
    household_id = await hh.create_household(hh.Actor(None), {"name": "GARDÉ Foyer"})
    enrolment_id = await enr.create_enrolment(
        host,
        hh.Actor(None),
        household_id,
        "iml_sublease",
        {"referral_date": "2024-01-10", "prescriber": "siao"},
    )

    app = create_app(settings, load_plugins([]))
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
        await login(client, "social_worker@test.fr")
        page = await client.get(f"/households/{household_id}")
        assert page.status_code == 200 and "GARDÉ Foyer" in page.text
        assert "IML sous-location" not in page.text
        assert "IML" not in (await client.get("/")).text
        assert (
            await client.get(f"/enrolments/{enrolment_id}/transitions/accept")
        ).status_code == 404
        convention = await client.get(f"/iml_sublease/enrolments/{enrolment_id}/convention")
        assert convention.status_code in (403, 404)
        assert (
            await client.get(f"/enrolments/{enrolment_id}/transitions/renew")
        ).status_code == 404
        token = await login(client, "social_worker@test.fr")
        api = await client.get(f"/api/households/{household_id}/enrolments")
        assert api.json() == []
        assert (await client.get("/api/programmes")).json() == []
        new = await client.post(
            f"/api/households/{household_id}/enrolments",
            json={"programme": "iml_sublease"},
            headers={"X-CSRF-Token": token},
        )
        assert new.status_code == 422
    # Nothing was deleted.
    assert await Enrolment.count().where(Enrolment.id == enrolment_id) == 1
