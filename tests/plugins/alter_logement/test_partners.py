"""Alter Logement and the partners: SOS Violences Conjugales sees the shared household and
writes notes; a Mission Locale user sees nothing of it, whatever URL it tries."""

import datetime as dt
import re

import httpx
from litestar.routes import HTTPRoute

from tests.conftest import TEST_PASSWORD
from tests.core.test_access import _login_partner
from tests.plugins.alter_logement.test_alter_logement import KEY, sheltered
from tremplin.models import PartnerOrganisation, User
from tremplin.services.accounts import create_user
from tremplin.services.clock import now, today

SECRETS = ("CONFIDENTIEL", "Hortense", "9 allée Discrète", "0699887766")


async def _sos_partner(app, password_hash):
    org = await PartnerOrganisation.insert(
        PartnerOrganisation(
            name="SOS Violences Conjugales",
            kind="sos_vc",
            created_at=now(),
        )
    ).returning(PartnerOrganisation.id)
    await create_user(
        "sos@test.fr",
        "Intervenante SOS",
        "partner",
        password_hash=password_hash,
        partner_id=org[0]["id"],
    )
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 9)), base_url="http://t.local"
    )
    page = await client.get("/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    await client.post(
        "/login", data={"_csrf": token, "email": "sos@test.fr", "password": TEST_PASSWORD}
    )
    return org[0]["id"], client


async def _shared_with_sos(host, social_worker, org_id):
    household_id = await sheltered(
        host,
        "CONFIDENTIEL Hortense",
        "1990-01-01",
        children=("2016-01-01",),
        address="9 allée Discrète",
        phone="0699887766",
    )
    # Only a worker who sees the confidential contacts (assigned to Alter Logement by name)
    # may share them (the access policy: nobody shares what they may not see).
    await User.update({User.programmes: [KEY]}).where(User.email == "social_worker@test.fr")
    made = await social_worker.post(
        f"/households/{household_id}/shares",
        {
            "partner": str(org_id),
            "programme": KEY,
            "groups": ["identity", "enrolment", "contact", "shared_notes"],
            "consent_date": today().isoformat(),
            "consent_expires": (today() + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert made.status_code == 303, made.text
    return household_id


async def test_sos_violences_sees_the_household_and_writes_notes(
    app, social_worker, users, host, password_hash
):
    org_id, sos = await _sos_partner(app, password_hash)
    household_id = await _shared_with_sos(host, social_worker, org_id)
    page = await sos.get(f"/partner/households/{household_id}")
    assert page.status_code == 200
    assert "9 allée Discrète" in page.text and "Hortense" in page.text
    assert "Plainte déposée" not in page.text  # sensitive fields are never shared
    csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)
    note = await sos.post(
        f"/partner/households/{household_id}/notes",
        data={"body": "Entretien de soutien"},
        headers={"X-CSRF-Token": csrf},
    )
    assert note.status_code == 303
    assert "Entretien de soutien" in (await sos.get(f"/partner/households/{household_id}")).text
    await sos.aclose()


async def test_a_mission_locale_user_sees_nothing_whatever_url_it_tries(
    app, social_worker, users, host, password_hash
):
    org_id, sos = await _sos_partner(app, password_hash)
    household_id = await _shared_with_sos(host, social_worker, org_id)
    await sos.aclose()
    enrolment_id = 1
    ml, csrf = await _login_partner(app)
    listing = (await ml.get("/partner")).text
    assert not any(s in listing for s in SECRETS)
    values = {
        "household_id": household_id,
        "enrolment_id": enrolment_id,
        "programme": KEY,
        "year": today().year,
        "fmt": "json",
    }
    tried = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/api/schema"):
            continue
        path = re.sub(
            r"\{(\w+):(\w+)\}",
            lambda m: str(values.get(m.group(1), 1 if m.group(2) == "int" else "x")),
            route.path,
        )
        for handler in route.route_handlers:
            for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
                if path in ("/logout", "/login"):
                    continue
                response = await ml.request(
                    method,
                    path,
                    headers={"X-CSRF-Token": csrf},
                    **({"json": {}} if path.startswith("/api") and method != "GET" else {}),
                )
                tried += 1
                assert response.status_code != 200 or not any(
                    s in response.text for s in SECRETS
                ), f"{method} {path}"
                if str(household_id) in path and route.path != "/partner":
                    assert response.status_code in (403, 404), f"{method} {path}"
    assert tried > 40
    await ml.aclose()


async def test_alter_logement_is_shared_only_with_sos_violences_conjugales(
    app, social_worker, users, host, password_hash
):
    """The programme declares ``partner_kinds``: the server refuses any other partner,
    whatever the form offers, and keeps what was typed."""
    from tremplin.models import Share

    household_id = await sheltered(host, "PROTÉGÉE Alice", "1988-04-02")
    org_id, sos = await _sos_partner(app, password_hash)
    await sos.aclose()
    form = {
        "partner": str(users["partner"].partner),  # the Mission Locale
        "programme": KEY,
        "groups": ["identity", "contact"],
        "consent_date": today().isoformat(),
        "consent_expires": (today() + dt.timedelta(days=60)).isoformat(),
    }
    refused = await social_worker.post(f"/households/{household_id}/shares", form)
    assert refused.status_code == 422
    assert "ce programme ne se partage qu&#39;avec : SOS Violences Conjugales" in refused.text
    assert f'value="{form["consent_expires"]}"' in refused.text  # input kept
    assert not await Share.exists().where(Share.household == household_id)

    await User.update({User.programmes: [KEY]}).where(User.email == "social_worker@test.fr")
    made = await social_worker.post(
        f"/households/{household_id}/shares", {**form, "partner": str(org_id)}
    )
    assert made.status_code == 303, made.text
    assert await Share.count().where(Share.household == household_id) == 1
    assert host.programmes[KEY].partner_kinds == ("sos_vc",)
    # The sharing form offers only the partners the programme may be shared with.
    page = (await social_worker.get(f"/households/{household_id}")).text
    select = re.search(r'<select id="share-partner".*?</select>', page, re.S).group(0)
    assert ">SOS Violences Conjugales<" in select
    assert users["partner"].partner is not None
    assert f'value="{users["partner"].partner}"' not in select
