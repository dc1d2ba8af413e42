"""Completing an enrolment after the orientation, and a person leaving the household."""

import datetime as dt

from tremplin.models import Enrolment, Membership
from tremplin.services import enrolments as enr
from tremplin.services import households as hh

ACTOR = hh.Actor(None)


async def test_siao_date_added_later_unblocks_admission(social_worker, host):
    household_id = await hh.create_household(ACTOR, {"name": "TARDIF Léo"})
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_sublease",
        {"referral_date": "2024-01-10", "prescriber": "siao"},
    )
    page = await social_worker.get(f"/enrolments/{enrolment_id}/edit")
    assert page.status_code == 200 and "Date de validation SIAO" in page.text
    bad = await social_worker.post(
        f"/enrolments/{enrolment_id}/edit",
        {
            "version": "1",
            "referral_date": "2024-01-10",
            "prescriber": "martian",
            "siao_validation_date": "2024-01-15",
        },
    )
    assert bad.status_code == 422 and 'value="2024-01-15"' in bad.text
    ok = await social_worker.post(
        f"/enrolments/{enrolment_id}/edit",
        {
            "version": "1",
            "referral_date": "2024-01-10",
            "prescriber": "siao",
            "siao_validation_date": "2024-01-15",
        },
    )
    assert ok.status_code == 303
    stale = await social_worker.post(
        f"/enrolments/{enrolment_id}/edit",
        {"version": "1", "referral_date": "2024-01-10", "prescriber": "ccas"},
    )
    assert stale.status_code == 409
    assert (
        await enr.apply_transition(
            host, ACTOR, enrolment_id, "accept", {"decision_date": "2024-01-20"}, 2
        )
        == "admitted"
    )
    row = (
        await Enrolment.select(Enrolment.data, Enrolment.prescriber)
        .where(Enrolment.id == enrolment_id)
        .output(load_json=True)
        .first()
    )
    assert row["prescriber"] == "siao" and row["data"]["siao_validation_date"] == "2024-01-15"


async def test_a_person_leaves_through_the_page(social_worker):
    household_id = await hh.create_household(
        ACTOR, {"name": "DÉPART Eva"}, {"first_name": "Eva", "last_name": "Départ"}
    )
    member = await hh.add_member(
        ACTOR,
        household_id,
        {
            "first_name": "Tom",
            "last_name": "Départ",
            "relation": "spouse",
            "start_date": "2020-01-01",
        },
    )
    refused = await social_worker.post(f"/memberships/{member}/end", {"end_date": "2019-01-01"})
    assert refused.status_code == 422
    done = await social_worker.post(f"/memberships/{member}/end", {"end_date": "2024-09-30"})
    assert done.status_code == 303
    row = await Membership.select(Membership.end_date).where(Membership.id == member).first()
    assert row["end_date"] == dt.date(2024, 9, 30)
    page = await social_worker.get(f"/households/{household_id}")
    assert "parti(e) le 30/09/2024" in page.text
