"""Confidential contact details (programmes like Alter Logement): masked everywhere except for
staff assigned to the programme; every allowed view audited; edits cannot overwrite them."""

import types

import httpx

from tests.conftest import login
from tremplin.api import PluginManifest, Programme, State, Transition, Workflow, hookimpl
from tremplin.models import AuditEntry, Enrolment, User
from tremplin.plugins import load_plugins
from tremplin.services import households as hh
from tremplin.services.clock import now
from tremplin.web.app import create_app


def confidential_plugin():
    module = types.ModuleType("fake_refuge")
    module.tremplin_manifest = hookimpl(lambda: PluginManifest(slug="refuge", name="Refuge"))
    module.tremplin_programmes = hookimpl(
        lambda: [
            Programme(key="refuge", name_fr="Refuge", name_en="Shelter", confidential_contacts=True)
        ]
    )
    module.tremplin_workflows = hookimpl(
        lambda: [
            Workflow(
                "refuge",
                (State("housed", "Hébergée"),),
                "housed",
                (Transition("stay", "Rester", ("housed",), "housed"),),
            )
        ]
    )
    return ("refuge", module)


async def test_contacts_masked_outside_the_programme_staff(database, users):
    host = load_plugins(None, extra=[confidential_plugin()])
    app = create_app(database, host)
    household_id = await hh.create_household(
        hh.Actor(None),
        {"name": "PROTÉGÉE Anna", "address": "3 impasse Cachée, Alès", "phone": "0612345678"},
    )
    await Enrolment.insert(
        Enrolment(
            household=household_id,
            programme="refuge",
            state="housed",
            created_at=now(),
            updated_at=now(),
        )
    )
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 3))
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
        csrf = await login(client, "head_of_service@test.fr")
        page = await client.get(f"/households/{household_id}")
        assert "impasse Cachée" not in page.text and "0612345678" not in page.text
        assert "Coordonnées confidentielles" in page.text
        api = await client.get(f"/api/households/{household_id}")
        assert api.json()["address"] == "Coordonnées confidentielles"
        form = await client.get(f"/households/{household_id}/edit")
        assert 'name="address"' not in form.text and "impasse" not in form.text
        await client.post(
            f"/households/{household_id}/edit",
            data={"_csrf": csrf, "version": "1", "name": "PROTÉGÉE Anna", "address": "écrasée"},
        )
        assert (await hh.get_household(household_id))["address"] == "3 impasse Cachée, Alès"
        assert await AuditEntry.count().where(AuditEntry.action == "read_confidential") == 0

        await User.update({User.programmes: ["refuge"]}).where(
            User.email == "social_worker@test.fr"
        )
        await login(client, "social_worker@test.fr")
        page = await client.get(f"/households/{household_id}")
        assert "3 impasse Cachée, Alès" in page.text
        assert await AuditEntry.count().where(AuditEntry.action == "read_confidential") == 1
