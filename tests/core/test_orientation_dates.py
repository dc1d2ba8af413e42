"""An orientation dated in the future is refused, with every other error, in forms and API
(issue 16, point 6): the core's ``tremplin_enrolment_checks`` rule, run by the one command
that records and corrects orientations."""

from __future__ import annotations

import datetime as dt

import pytest

from tremplin.forms import FormErrors
from tremplin.models import Enrolment
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin.services.accounts import create_api_token
from tremplin.services.clock import today

ACTOR = hh.Actor(user_id=None, address="10.0.0.1")


async def _household() -> int:
    return await hh.create_household(
        ACTOR, {"name": "FUTUR Léo"}, {"first_name": "Léo", "last_name": "Futur"}
    )


async def test_future_orientation_refused(database, host):
    household_id = await _household()
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(FormErrors) as caught:
        await enr.create_enrolment(
            host,
            ACTOR,
            household_id,
            "iml_sublease",
            {"referral_date": tomorrow, "prescriber": "siao"},
        )
    assert caught.value.errors["referral_date"] == (
        "la date d'orientation ne peut pas être dans le futur"
    )
    assert await Enrolment.count() == 0
    # Today is fine.
    await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_sublease",
        {"referral_date": today().isoformat(), "prescriber": "siao"},
    )
    assert await Enrolment.count() == 1


async def test_future_orientation_refused_by_the_api_with_a_reason(client, users):
    household_id = await _household()
    token = await create_api_token(users["social_worker"].id, "test")
    response = await client.post(
        f"/api/households/{household_id}/enrolments",
        headers={"Authorization": f"Bearer {token}"},
        json={"programme": "iml_sublease", "referral_date": "2031-01-01", "prescriber": "siao"},
    )
    assert response.status_code == 422, response.text
    assert "futur" in response.text
    assert await Enrolment.count() == 0
