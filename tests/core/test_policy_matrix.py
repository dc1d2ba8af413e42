"""Point 2 of issue 14: a user restricted to some programmes gets 404 on the objects of the
others, on every route the installed plugins declare — a third-party plugin's included — and
on the objects of a household enrolled in two programmes (A1, A2)."""

from __future__ import annotations

import datetime as dt
import re
import types

import httpx
from litestar import get
from litestar.params import FromPath
from litestar.routes import HTTPRoute

from tests.conftest import TEST_PASSWORD
from tests.core.test_policy import two_programmes
from tremplin.api import ObjectScope, PluginManifest, hookimpl, requires
from tremplin.demo import load_demo
from tremplin.models import Enrolment, Household, TimelineEvent, User
from tremplin.plugins import load_plugins
from tremplin.services.accounts import create_user
from tremplin.services.clock import now
from tremplin.web.app import create_app
from tremplin_housing.tables import Dwelling, Occupancy

MINE = "alter_logement"


def third_party_plugin():
    """An installed plugin the core knows nothing of: its notes page is scoped by the
    programme of the note, declared once."""

    @get("/carnet/notes/{note_id:int}", guards=[requires("social")])
    async def note_page(note_id: FromPath[int]) -> str:
        row = await TimelineEvent.select(TimelineEvent.body).where(TimelineEvent.id == note_id)
        return row[0]["body"] if row else ""

    module = types.ModuleType("carnet")
    module.tremplin_manifest = hookimpl(lambda: PluginManifest(slug="carnet", name="Carnet"))
    module.tremplin_routes = hookimpl(lambda: [note_page])
    module.tremplin_object_scopes = hookimpl(
        lambda: [
            ObjectScope(
                "/carnet",
                "note_id",
                TimelineEvent,
                TimelineEvent.programme,
                TimelineEvent.household,
            )
        ]
    )
    return ("carnet", module)


async def _login(app, email: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 11)), base_url="http://t.local"
    )
    page = await client.get("/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    await client.post("/login", data={"_csrf": token, "email": email, "password": TEST_PASSWORD})
    home = await client.get("/households")
    csrf = re.search(r'name="_csrf" value="([^"]+)"', home.text)
    if csrf is None:
        home = await client.get("/housing/dwellings")
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', home.text)
    return client, csrf.group(1)


async def _foreign_id(scope) -> int | None:
    """An object of ``scope`` tied to a programme other than :data:`MINE`."""
    if scope.programme is None:
        row = await scope.table.select(scope.table.id).first()
        return row["id"] if row else None
    row = (
        await scope.table.select(scope.table.id.as_alias("id"))
        .where((scope.programme != MINE) & (scope.programme != ""))
        .first()
    )
    return row["id"] if row else None


async def test_restricted_users_get_404_on_other_programmes_objects(
    settings, database, host, password_hash
):
    plugin_host = load_plugins(None, extra=[third_party_plugin()])
    app = create_app(settings, plugin_host)
    await load_demo(host, households=24)
    household_id, al_id, sublease_id = await two_programmes()
    other_note = await TimelineEvent.insert(
        TimelineEvent(
            household=household_id,
            kind="note",
            occurred_at=now(),
            programme="iml_sublease",
            visibility="staff",
            title="Note",
            body="note de la sous-location",
            created_at=now(),
        )
    ).returning(TimelineEvent.id)
    # The sub-lease occupancy of the household in two programmes.
    dwelling = (
        await Dwelling.select(Dwelling.id).where(Dwelling.programme == "iml_sublease").first()
    )
    occupancy = await Occupancy.insert(
        Occupancy(
            dwelling=dwelling["id"],
            household=household_id,
            kind="agreement",
            programme="iml_sublease",
            start_date=dt.date(2024, 3, 1),
            created_at=now(),
        )
    ).returning(Occupancy.id)

    foreign: dict[str, int] = {}
    for scope in plugin_host.object_scopes:
        if scope.param and scope.param not in foreign:
            found = await _foreign_id(scope)
            if found is not None:
                foreign[scope.param] = found
    # Objects of the two-programme household, in the programme the user does not work in:
    # the household itself is visible to them, these are not.
    foreign.update(
        enrolment_id=sublease_id,
        occupancy_id=occupancy[0]["id"],
        note_id=other_note[0]["id"],
    )
    outside = (
        await Household.select(Household.id)
        .where(
            Household.id.not_in(
                Enrolment.select(Enrolment.household).where(Enrolment.programme == MINE)
            )
        )
        .first()
    )
    foreign["household_id"] = outside["id"]

    roles = ("head_of_service", "social_worker", "rental_manager", "technician")
    sessions = {}
    for role in roles:
        user = await create_user(
            f"restreint-{role}@test.fr", f"Restreint {role}", role, password_hash=password_hash
        )
        await User.update({User.programmes: [MINE]}).where(User.id == user.id)
        sessions[role] = await _login(app, f"restreint-{role}@test.fr")

    requests = 0
    leaks = []
    covered_slugs = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        parts = [p for p in route.path.split("/") if p]
        if parts[:1] == ["api"]:
            parts = parts[1:]
        if not parts or parts[0] not in plugin_host.installed:
            continue
        params = re.findall(r"\{(\w+):(\w+)\}", route.path)
        scoped_path = any(
            not s.param and route.path.startswith(s.path) and not set(s.programmes) & {MINE}
            for s in plugin_host.object_scopes
        )
        if not scoped_path and not any(name in foreign for name, _ in params):
            continue  # a page of no programme (the housing stock list…): the role decides
        path = re.sub(
            r"\{(\w+):(\w+)\}",
            lambda m: str(foreign.get(m.group(1), 1 if m.group(2) == "int" else "2024-01")),
            route.path,
        )
        covered_slugs.add(parts[0])
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                for role, (client, csrf) in sessions.items():
                    response = await client.request(
                        method, path, headers={"X-CSRF-Token": csrf, "HX-Request": "true"}
                    )
                    requests += 1
                    if response.status_code not in (403, 404):
                        leaks.append(f"{role} {method} {path} → {response.status_code}")
    # The lists say nothing of those objects either (stock, captation, arrears, rent calls,
    # dashboard): no dwelling reference of another programme, no link to a household the
    # user may not open.
    foreign_refs = [
        r["reference"]
        for r in await Dwelling.select(Dwelling.reference).where(
            (Dwelling.programme != MINE) & (Dwelling.programme != "")
        )
    ]
    hidden_households = [
        r["id"]
        for r in await Household.select(Household.id).where(
            Household.id.not_in(
                Enrolment.select(Enrolment.household).where(Enrolment.programme == MINE)
            )
        )
    ]
    assert foreign_refs and hidden_households
    list_requests = 0
    for role, (client, _) in sessions.items():
        for url in (
            "/housing/dwellings",
            "/housing/captation",
            "/housing/arrears",
            "/housing/rent-calls",
            "/",
        ):
            response = await client.get(url)
            list_requests += 1
            if response.status_code != 200:
                continue
            text = response.text
            shown = [ref for ref in foreign_refs if f">{ref}<" in text or f"{ref} " in text]
            shown += [h for h in hidden_households if f'href="/households/{h}"' in text]
            if shown:
                leaks.append(f"{role} GET {url} lists {shown[:5]}")
    requests += list_requests
    for client, _ in sessions.values():
        await client.aclose()
    print(f"policy matrix: {requests} requests ({list_requests} on lists), {len(leaks)} leaks")
    assert leaks == []
    assert {"housing", "boarding_house", "social_residence", "cllaj", "carnet"} <= covered_slugs
    assert requests > 250

    # The rule is not a blanket refusal: their own programme's objects open.
    mine = await Dwelling.select(Dwelling.id).where(Dwelling.programme == MINE).first()
    client, _ = await _login(app, "restreint-rental_manager@test.fr")
    if mine is not None:
        assert (await client.get(f"/housing/dwellings/{mine['id']}")).status_code == 200
    assert (await client.get(f"/housing/dwellings/{foreign['dwelling_id']}")).status_code == 404
    await client.aclose()
    client, _ = await _login(app, "restreint-social_worker@test.fr")
    assert (await client.get(f"/households/{household_id}")).status_code == 200
    assert (await client.get(f"/carnet/notes/{foreign['note_id']}")).status_code == 404
    await client.aclose()
