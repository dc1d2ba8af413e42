"""J'APPART shared with the Mission Locale: only the consented group, the end of the
occupancy and last month's meetings, never rent; orientation cross-field checks."""

import datetime as dt

import pytest

from tests.core.test_access import _login_partner
from tests.plugins.cllaj.helpers import move, young
from tests.plugins.housing.helpers import entry_values
from tremplin.forms import FormErrors
from tremplin.models import TimelineEvent
from tremplin.services.clock import now, today
from tremplin_cllaj.rules import BAIL, JAPPART, add_months


async def _share(social_worker, partner_id, household_id, programme, groups):
    return await social_worker.post(
        f"/households/{household_id}/shares",
        {
            "partner": str(partner_id),
            "programme": programme,
            "groups": groups,
            "consent_date": today().isoformat(),
            "consent_expires": (today() + dt.timedelta(days=90)).isoformat(),
        },
    )


async def test_mission_locale_sees_the_end_and_the_meetings(app, social_worker, users, host):
    entry = add_months(today(), -2)
    household_id, enrolment_id = await young(
        host,
        JAPPART,
        name="PARTAGE Lou",
        referral=(entry - dt.timedelta(days=30)).isoformat(),
        ml_followup="on",
        ml_counsellor="Mme Conseil",
    )
    await move(
        host, enrolment_id, "accept", decision_date=(entry - dt.timedelta(days=10)).isoformat()
    )
    await move(
        host, enrolment_id, "enter", entry_date=entry.isoformat(), **await entry_values(JAPPART)
    )
    at = dt.datetime.combine(today() - dt.timedelta(days=2), dt.time(10), tzinfo=dt.UTC)
    await TimelineEvent.insert(
        TimelineEvent(
            household=household_id,
            kind="cllaj_jappart_meeting",
            occurred_at=at,
            programme=JAPPART,
            title="Rencontre",
            created_at=now(),
        )
    )
    made = await _share(
        social_worker, users["partner"].partner, household_id, JAPPART, ["identity"]
    )
    assert made.status_code == 303
    partner, _ = await _login_partner(app)
    page = await partner.get(f"/partner/households/{household_id}")
    assert page.status_code == 200 and "PARTAGE Lou" in page.text
    assert "Fin de l" not in page.text and "Mme Conseil" not in page.text  # not consented
    from tremplin.models import Share

    await Share.delete().where(Share.household == household_id)
    made = await _share(
        social_worker,
        users["partner"].partner,
        household_id,
        JAPPART,
        ["identity", "mission_locale"],
    )
    assert made.status_code == 303
    page = await partner.get(f"/partner/households/{household_id}")
    end = add_months(entry, 12)
    assert f"{end:%d/%m/%Y}" in page.text
    assert "1 rencontre (2 à 3 attendues)" in page.text
    assert "Mme Conseil" in page.text
    await partner.aclose()


async def test_jappart_is_shared_only_with_a_mission_locale(social_worker, users, host):
    from tremplin.models import PartnerOrganisation

    other = await PartnerOrganisation.insert(
        PartnerOrganisation(name="SIAO", kind="siao", created_at=now())
    ).returning(PartnerOrganisation.id)
    household_id, _ = await young(host, JAPPART)
    refused = await _share(social_worker, other[0]["id"], household_id, JAPPART, ["identity"])
    assert refused.status_code == 422 and "Mission Locale" in refused.text


async def test_orientation_cross_field_checks(database, host):
    with pytest.raises(FormErrors) as caught:
        await young(host, JAPPART, ml_followup="on")
    assert caught.value.errors == {
        "ml_counsellor": "indiquez le ou la conseiller·ère qui suit le jeune"
    }
    with pytest.raises(FormErrors) as caught:
        await young(host, BAIL, landlord_name="Loire Habitat")
    assert caught.value.errors == {"landlord_kind": "précisez si le bailleur est public ou privé"}
