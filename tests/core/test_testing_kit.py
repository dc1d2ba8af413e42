"""tremplin.testing, the kit plugin authors test with: the lifespan client runs the app's
start-up and shutdown, and the helpers build data through the core's services."""

from __future__ import annotations

import pytest

from tremplin.api import FormErrors
from tremplin.testing import (
    enrol,
    login,
    make_household,
    make_user,
    move,
    partner_share,
)


async def test_a_share_made_with_the_kit_is_read_by_the_partner(tremplin_host, tremplin_client):
    worker = await make_user("social_worker")
    partner = await make_user("partner", partner_kind="mission_locale")
    household = await make_household("NGUYEN Linh", address="3 rue des Lilas")
    enrolment = await enrol(tremplin_host, household, "iml_sublease", by=worker)
    assert isinstance(enrolment, int)
    share = await partner_share(
        tremplin_host, household, partner, "iml_sublease", ["identity", "enrolment"], by=worker
    )
    assert isinstance(share, int)
    session = await login(tremplin_client, partner)
    page = await session.get(f"/partner/households/{household}")
    assert page.status_code == 200
    assert "NGUYEN" in page.text
    # The « coordonnées » group was not shared: the address stays hidden.
    assert "rue des Lilas" not in page.text
    other = await make_household("PETIT Jade")
    assert (await session.get(f"/partner/households/{other}")).status_code == 404


async def test_move_applies_a_transition_and_reports_guards(tremplin_host, tremplin_database):
    household = await make_household("ROUX Noé")
    waiting = await enrol(tremplin_host, household, "iml_sublease", referral_date="2025-01-06")
    # The programme's guard refuses an admission before the SIAO validation is recorded.
    with pytest.raises(FormErrors) as refused:
        await move(tremplin_host, waiting, "accept", decision_date="2025-01-20")
    assert "SIAO" in refused.value.errors["_transition"]
    validated = await enrol(
        tremplin_host,
        household,
        "iml_sublease",
        referral_date="2025-01-06",
        siao_validation_date="2025-01-08",
    )
    assert await move(tremplin_host, validated, "accept", decision_date="2025-01-20") == "admitted"


async def test_administrators_log_in_with_their_second_factor(tremplin_client):
    admin = await make_user("admin")
    session = await login(tremplin_client, admin)
    assert (await session.get("/admin/users")).status_code == 200
