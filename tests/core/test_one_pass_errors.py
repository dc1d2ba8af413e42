"""Forms report every error in one pass: field errors, cross-field checks and guards together
(issue 16, point 6), and a SIAO validation before the orientation is refused (forms, API)."""

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


async def _household(name: str = "PASSE Unique") -> int:
    first, last = name.split()[1], name.split()[0]
    return await hh.create_household(
        ACTOR, {"name": name}, {"first_name": first, "last_name": last}
    )


async def test_orientation_reports_field_errors_and_cross_field_checks_together(database, host):
    household_id = await _household()
    with pytest.raises(FormErrors) as caught:
        await enr.create_enrolment(
            host,
            ACTOR,
            household_id,
            "iml_youth",
            {
                "referral_date": "2024-03-10",
                "prescriber": "",  # field error: required
                "cej_allowance": "abc",  # field error: not an amount
                "cej_start": "2024-05-01",
                "cej_end": "2024-04-01",  # cross-field: the CEJ ends before it starts
                "siao_validation_date": "2024-03-01",  # cross-field: before the orientation
                "referent": "999999",  # unknown referent
            },
        )
    errors = caught.value.errors
    assert set(errors) >= {
        "prescriber",
        "cej_allowance",
        "cej_end",
        "siao_validation_date",
        "referent",
    }, errors
    assert errors["cej_end"] == "la fin du CEJ doit suivre son début"
    assert errors["siao_validation_date"] == "la validation SIAO précède la date d'orientation"
    assert await Enrolment.count() == 0


async def test_siao_validation_on_or_after_the_orientation_is_accepted(database, host):
    household_id = await _household()
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_youth",
        {
            "referral_date": "2024-03-10",
            "prescriber": "mission_locale",
            "siao_validation_date": "2024-03-10",
        },
    )
    row = await Enrolment.select().where(Enrolment.id == enrolment_id).first()
    # Correcting the orientation to a later date than the validation is refused too,
    # together with a bad field.
    with pytest.raises(FormErrors) as caught:
        await enr.update_enrolment(
            host,
            ACTOR,
            enrolment_id,
            row["version"],
            {
                "referral_date": "2024-03-20",
                "prescriber": "mission_locale",
                "siao_validation_date": "2024-03-10",
                "cej_allowance": "9999",
            },
        )
    assert set(caught.value.errors) == {"siao_validation_date", "cej_allowance"}


async def test_transition_reports_field_errors_then_guards(database, host):
    household_id = await _household("GARDE Lina")
    # No SIAO validation: the admission guard refuses; the decision date is also malformed.
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_youth",
        {"referral_date": "2024-03-10", "prescriber": "mission_locale"},
    )
    row = await Enrolment.select().where(Enrolment.id == enrolment_id).first()
    with pytest.raises(FormErrors) as caught:
        await enr.apply_transition(
            host, ACTOR, enrolment_id, "accept", {"decision_date": "2024-02-30"}, row["version"]
        )
    # A field that does not parse: its own error (the guards would only repeat it).
    assert set(caught.value.errors) == {"decision_date"}, caught.value.errors
    # A date before the orientation: the date order's message.
    with pytest.raises(FormErrors) as caught:
        await enr.apply_transition(
            host, ACTOR, enrolment_id, "accept", {"decision_date": "2024-03-01"}, row["version"]
        )
    assert caught.value.errors == {
        "decision_date": "la date de la décision précède celle de l'orientation"
    }
    # Every field in order: the guard's reason (no SIAO validation recorded).
    with pytest.raises(FormErrors) as caught:
        await enr.apply_transition(
            host, ACTOR, enrolment_id, "accept", {"decision_date": "2024-03-12"}, row["version"]
        )
    assert "SIAO" in caught.value.errors["_transition"]
    assert (await Enrolment.select().where(Enrolment.id == enrolment_id).first())["state"] == row[
        "state"
    ]


async def test_orientation_form_shows_every_error_at_once_and_keeps_the_input(social_worker):
    household_id = await _household("FORMULAIRE Inès")
    future = (today() + dt.timedelta(days=3)).isoformat()
    response = await social_worker.post(
        f"/households/{household_id}/enrolments",
        {
            "programme": "iml_youth",
            "referral_date": future,
            "prescriber": "",
            "siao_validation_date": "2020-01-01",
            "cej_start": "2024-05-01",
            "cej_end": "2024-04-01",
            "job_project": "Apprentissage en boulangerie",
        },
    )
    assert response.status_code == 422
    text = response.text
    assert "la date d&#39;orientation ne peut pas être dans le futur" in text or (
        "la date d'orientation ne peut pas être dans le futur" in text
    )
    assert "ce champ est obligatoire" in text
    assert "la fin du CEJ doit suivre son début" in text
    assert "la validation SIAO précède la date d" in text
    assert "Apprentissage en boulangerie" in text
    assert await Enrolment.count() == 0


async def test_siao_before_orientation_refused_by_the_api(client, users):
    household_id = await _household("API Nora")
    token = await create_api_token(users["social_worker"].id, "test")
    response = await client.post(
        f"/api/households/{household_id}/enrolments",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "programme": "iml_youth",
            "referral_date": "2024-03-10",
            "prescriber": "mission_locale",
            "siao_validation_date": "2024-03-01",
        },
    )
    assert response.status_code == 422, response.text
    assert "SIAO" in response.text
    assert await Enrolment.count() == 0
