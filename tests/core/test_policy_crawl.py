"""The confidentiality crawl of issue 14: a household in Alter Logement AND in the IML
sub-lease at once, crawled as every role through every GET route (pages, fragments, API
answers, PDFs — the occupancy agreement included —, exports, searches): the address (the
household's and its dwelling's) shows only to staff assigned to Alter Logement, the violence
facts only to those allowed sensitive data, and never to a partner."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.conftest import login
from tests.core.test_access import _login_partner
from tests.core.test_confidentiality_crawl import crawl
from tests.core.test_policy import ADDRESS, AL_NOTE, PHONE, two_programmes
from tests.plugins.housing import helpers as housing
from tremplin.models import AuditEntry, Enrolment, Share, User
from tremplin.services import households as hh
from tremplin.services.clock import now, today

DWELLING = "15 impasse du Logement"
ORDER_DATES = ("2024-02-17", "17/02/2024")


@pytest.mark.parametrize("flagged", ["on", ""], ids=["flagged", "unflagged"])
async def test_crawl_as_every_role_over_a_household_in_two_programmes(
    flagged, app, client, users, host
):
    household_id, al_id, sublease_id = await two_programmes()
    # A sub-lease dwelling, flagged confidential (the housing plugin's own rule, set when a
    # household of a confidential programme moves in through its pages) or not: either way
    # its address is its occupant's, masked by the access policy.
    dwelling_id = await housing.dwelling(address=DWELLING, confidential=flagged)
    await housing.occupancy(dwelling_id, household_id, start="2024-02-01")
    await Enrolment.update(
        {Enrolment.state: "housed", Enrolment.entry_date: dt.date(2024, 2, 1)}
    ).where(Enrolment.id == sublease_id)
    # The Mission Locale holds a share of the sub-lease naming the contacts (made before the
    # rule): it must still not receive them.
    await Share.insert(
        Share(
            household=household_id,
            partner=users["partner"].partner,
            programme="iml_sublease",
            groups=["identity", "enrolment", "contact", "shared_notes"],
            consent_date=today(),
            consent_expires=today() + dt.timedelta(days=30),
            created_at=now(),
        )
    )
    members = await hh.household_members(household_id)
    values = {
        "household_id": household_id,
        "enrolment_id": sublease_id,
        "person_id": members[0]["person_id"],
        "dwelling_id": dwelling_id,
        "programme": "alter_logement",
        "year": dt.date.today().year,
        "fmt": "json",
        "key": "accept",
        "number": 1,
    }
    # The assigned worker of Alter Logement, without the sensitive-data permission.
    await User.update({User.programmes: ["alter_logement", "iml_sublease"]}).where(
        User.email == "social_worker@test.fr"
    )
    seen: dict[str, str] = {}
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 8))
    requests = 0

    async def count(_response) -> None:
        nonlocal requests
        requests += 1

    hooks = {"response": [count]}
    for role in (
        "admin",
        "head_of_service",
        "social_worker",
        "rental_manager",
        "technician",
        "dpo",
    ):
        async with httpx.AsyncClient(
            transport=transport, base_url="http://t.local", event_hooks=hooks
        ) as c:
            csrf = await login(c, f"{role}@test.fr")
            seen[role] = await crawl(app, c, csrf, values)
            # The housing lists and the address search too.
            for url in ("/housing/dwellings", "/housing/captation", "/housing/arrears"):
                seen[role] += (await c.get(url)).text
            seen[role] += (
                await c.post(
                    "/housing/dwellings/search",
                    data={"q": "impasse", "_csrf": csrf},
                    headers={"HX-Request": "true"},
                )
            ).text
            seen[role] += (await c.get(f"/api/households/{household_id}/enrolments")).text
            seen[role] += (await c.get(f"/api/households/{household_id}")).text
    partner, partner_csrf = await _login_partner(app)
    seen["partner"] = await crawl(app, partner, partner_csrf, values)
    seen["partner"] += (await partner.get(f"/partner/households/{household_id}")).text
    await partner.aclose()

    leaks = [
        role
        for role in ("admin", "head_of_service", "rental_manager", "technician", "dpo", "partner")
        if ADDRESS in seen[role] or PHONE in seen[role] or DWELLING in seen[role]
    ]
    print(f"policy crawl ({flagged or 'unflagged'}): {requests} requests, {len(leaks)} leaks")
    # The crawl reached the file, the agreement PDF and the API.
    assert ADDRESS in seen["social_worker"] and DWELLING in seen["social_worker"]
    assert "Convention d" in seen["social_worker"] and "Convention d" in seen["admin"]
    assert "Clara" in seen["partner"]  # the partner reads the shared identity…
    for role in ("admin", "head_of_service", "rental_manager", "technician", "dpo", "partner"):
        assert ADDRESS not in seen[role], role
        assert PHONE not in seen[role], role
        assert DWELLING not in seen[role], role
    # Violence facts: only with the sensitive-data permission.
    for role in ("admin", "head_of_service"):
        assert any(d in seen[role] for d in ORDER_DATES), role
    for role in ("social_worker", "rental_manager", "technician", "dpo", "partner"):
        assert not any(d in seen[role] for d in ORDER_DATES), role
    for role in ("rental_manager", "technician", "dpo", "partner"):
        assert AL_NOTE not in seen[role], role
    # The allowed prints of the protected address are in the audit trail.
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "read_confidential")
        & (AuditEntry.user_id == users["social_worker"].id)
    )
