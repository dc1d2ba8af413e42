"""What the three CLLAJ workflows share: a refusal needs its reason, a withdrawal its date
and reason, and the core's date order holds."""

import pytest

from tests.plugins.cllaj.helpers import move, state_of, young
from tremplin.forms import FormErrors
from tremplin_cllaj.rules import BAIL, GLISSANT, JAPPART


@pytest.mark.parametrize("programme", [BAIL, JAPPART, GLISSANT])
async def test_refusal_needs_a_reason(database, host, programme):
    _, enrolment_id = await young(host, programme)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "refuse", decision_date="2024-01-20")
    assert caught.value.errors == {"_transition": "Indiquez le motif du refus."}
    assert (
        await move(
            host,
            enrolment_id,
            "refuse",
            decision_date="2024-01-20",
            decision_reason="Projet non abouti",
        )
        == "refused"
    )


@pytest.mark.parametrize("programme", [BAIL, JAPPART, GLISSANT])
async def test_withdrawal_and_date_order(database, host, programme):
    _, enrolment_id = await young(host, programme)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "withdraw", exit_date="2024-01-20")
    assert caught.value.errors == {"exit_reason": "ce champ est obligatoire"}
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "withdraw", exit_date="2024-01-01", exit_reason="x")
    assert "précède celle de l'orientation" in caught.value.errors["exit_date"]
    assert (
        await move(
            host,
            enrolment_id,
            "withdraw",
            exit_date="2024-01-20",
            exit_reason="Relogé par ses propres moyens",
        )
        == "withdrawn"
    )
    assert await state_of(enrolment_id) == "withdrawn"


async def test_orientation_form_through_the_pages_keeps_input_on_error(social_worker, host):
    from tremplin.models import Enrolment
    from tremplin.services import households as hh

    household_id = await hh.create_household(hh.Actor(None), {"name": "JEUNE Léa"})
    form = await social_worker.get(f"/households/{household_id}/enrolments/new?programme={BAIL}")
    assert form.status_code == 200 and "Bailleur public ou privé" in form.text
    bad = await social_worker.post(
        f"/households/{household_id}/enrolments",
        {
            "programme": BAIL,
            "referral_date": "2024-01-10",
            "prescriber": "cllaj_desk",
            "landlord_name": "Loire Habitat",
            "rent": "quatre cents",
        },
    )
    assert bad.status_code == 422 and "montant invalide" in bad.text
    assert 'value="Loire Habitat"' in bad.text
    ok = await social_worker.post(
        f"/households/{household_id}/enrolments",
        {
            "programme": BAIL,
            "referral_date": "2024-01-10",
            "prescriber": "cllaj_desk",
            "landlord_kind": "private",
            "landlord_name": "Loire Habitat",
            "rent": "400,00",
        },
    )
    assert ok.status_code == 303
    row = (
        await Enrolment.select(Enrolment.prescriber, Enrolment.data)
        .where(Enrolment.household == household_id)
        .output(load_json=True)
        .first()
    )
    assert row["prescriber"] == "cllaj_desk" and row["data"]["rent"] == 40_000
