"""Youth IML: admission guards (SIAO, 18–25 with a recorded exception, a consistent CEJ),
the CEJ form, renewals up to 18 months, the dashboard."""

import datetime as dt
import re

import pytest

from tests.plugins.housing.helpers import entry_values, renew
from tests.plugins.iml_youth.helpers import housed, move, young
from tremplin.forms import FormErrors
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin_housing.api import agreement_renewals
from tremplin_iml_youth.agreement import update_cej
from tremplin_iml_youth.rules import add_months


async def test_no_admission_without_the_siao_validation(database, host):
    _, enrolment_id = await young(host)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "accept", decision_date="2024-01-20")
    assert "validée par le SIAO" in caught.value.errors["_transition"]


@pytest.mark.parametrize("birth", ["1990-03-01", "2007-01-21", None])
async def test_no_admission_outside_18_25_without_an_exception(database, host, birth):
    _, enrolment_id = await young(host, birth=birth, siao_validation_date="2024-01-12")
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "accept", decision_date="2024-01-20")
    assert "réservée aux" in caught.value.errors["_transition"]
    assert (
        await move(
            host,
            enrolment_id,
            "accept",
            decision_date="2024-01-20",
            age_override_reason="Sortie ASE, décision de la commission",
        )
        == "admitted"
    )
    data = (await enr.get_enrolment(enrolment_id, ["iml_youth"]))["data"]
    assert data["age_override_reason"] == "Sortie ASE, décision de la commission"


async def test_admission_of_a_young_person_in_the_window(database, host):
    _, enrolment_id = await young(host, birth="2003-05-01", siao_validation_date="2024-01-12")
    assert await move(host, enrolment_id, "accept", decision_date="2024-01-20") == "admitted"
    entry = await entry_values("iml_youth")
    assert await move(host, enrolment_id, "enter", entry_date="2024-02-01", **entry) == "housed"


async def test_allowance_above_528_euros_is_refused_at_orientation(database, host):
    with pytest.raises(FormErrors) as caught:
        await young(host, cej_allowance="528,01")
    assert caught.value.errors == {"cej_allowance": "montant trop élevé"}
    _, enrolment_id = await young(host, cej_allowance="528,00")
    assert (await enr.get_enrolment(enrolment_id, ["iml_youth"]))["data"]["cej_allowance"] == 52_800


async def test_a_cej_longer_than_18_months_is_refused_at_orientation(database, host):
    """The orientation form checks the CEJ's fields together (``tremplin_enrolment_checks``),
    at creation and at correction, with every message at once; nothing is saved."""
    from tremplin.models import Enrolment

    with pytest.raises(FormErrors) as caught:
        await young(host, cej_start="2024-01-15", cej_end="2025-09-01", cej_suspended="on")
    assert caught.value.errors == {
        "cej_end": "le CEJ dure 12 mois, 18 au plus : fin au plus tard le 15/07/2025",
        "cej_suspended_on": "indiquez la date de la suspension",
    }
    assert await Enrolment.count() == 0
    _, enrolment_id = await young(host, cej_start="2024-01-15", cej_end="2025-01-14")
    row = await enr.get_enrolment(enrolment_id, ["iml_youth"])
    with pytest.raises(FormErrors) as caught:
        await enr.update_enrolment(
            host,
            hh.Actor(user_id=None),
            enrolment_id,
            row["version"],
            {
                "referral_date": "2024-01-10",
                "prescriber": "mission_locale",
                "cej_start": "2024-01-15",
                "cej_end": "2024-01-01",
            },
        )
    assert caught.value.errors == {"cej_end": "la fin du CEJ doit suivre son début"}
    assert (await enr.get_enrolment(enrolment_id, ["iml_youth"]))["data"]["cej_end"] == "2025-01-14"
    # Another programme's orientation is not checked by these rules.
    other = await hh.create_household(hh.Actor(user_id=None), {"name": "AUTRE Foyer"})
    assert await enr.create_enrolment(
        host,
        hh.Actor(user_id=None),
        other,
        "iml_sublease",
        {"referral_date": "2024-01-10", "prescriber": "siao", "cej_end": "2030-01-01"},
    )


async def test_a_cej_longer_than_18_months_blocks_admission_and_the_cej_form(database, host):
    from tremplin.models import Enrolment

    _, enrolment_id = await young(host, siao_validation_date="2024-01-12")
    # Data that did not come through the form (an import, an older version) is still
    # checked at admission.
    row = await enr.get_enrolment(enrolment_id, ["iml_youth"])
    await Enrolment.update(
        {Enrolment.data: {**row["data"], "cej_start": "2024-01-15", "cej_end": "2025-09-01"}}
    ).where(Enrolment.id == enrolment_id)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "accept", decision_date="2024-01-20")
    assert "18 au plus" in caught.value.errors["_transition"]
    with pytest.raises(FormErrors) as caught:
        await update_cej(
            enrolment_id, {"cej_start": "2024-01-15", "cej_end": "2025-09-01"}, None, ""
        )
    assert "18 au plus" in caught.value.errors["cej_end"]
    with pytest.raises(FormErrors) as caught:
        await update_cej(enrolment_id, {"cej_allowance": "600"}, None, "")
    assert caught.value.errors == {"cej_allowance": "montant trop élevé"}
    await update_cej(
        enrolment_id,
        {
            "cej_start": "2024-01-15",
            "cej_end": "2025-01-14",
            "cej_allowance": "528",
            "job_project": "CAP cuisine",
        },
        None,
        "",
    )
    assert await move(host, enrolment_id, "accept", decision_date="2024-01-20") == "admitted"


async def test_renewals_up_to_18_months_then_only_with_a_derogation(database, host):
    _, enrolment_id = await housed(host, entry="2024-01-15")
    ends = [await renew(host, enrolment_id, decided_on="2024-04-01") for _ in range(5)]
    assert ends[-1] == dt.date(2025, 7, 15)
    with pytest.raises(FormErrors) as caught:
        await renew(host, enrolment_id, decided_on="2025-07-01")
    assert "motif de dérogation est obligatoire" in caught.value.errors["derogation_reason"]
    assert await renew(
        host,
        enrolment_id,
        decided_on="2025-07-01",
        derogation_reason="CEJ suspendu, attente bailleur",
    ) == dt.date(2025, 10, 15)
    # Housing's one table keeps them; the declared-fields JSON holds no computed state.
    data = (await enr.get_enrolment(enrolment_id, ["iml_youth"]))["data"]
    assert "renewals" not in data and "renewal_history" not in data
    renewals = (await agreement_renewals([enrolment_id]))[enrolment_id]
    assert [r["until"] for r in renewals][-2:] == [dt.date(2025, 7, 15), dt.date(2025, 10, 15)]
    assert renewals[-1]["derogation_reason"] == "CEJ suspendu, attente bailleur"


async def test_panel_forms_through_the_pages(social_worker, host):
    household_id, enrolment_id = await housed(host)
    page = await social_worker.get(f"/households/{household_id}")
    assert "CEJ, engagements et projet professionnel" in page.text
    bad = await social_worker.post(
        f"/iml_youth/enrolments/{enrolment_id}/cej",
        {"cej_start": "2024-01-15", "cej_end": "2026-01-15"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "18 au plus" in bad.text
    ok = await social_worker.post(
        f"/iml_youth/enrolments/{enrolment_id}/cej",
        {
            "cej_start": "2024-01-15",
            "cej_end": "2025-01-14",
            "cej_suspended": "on",
            "cej_suspended_on": "2024-03-01",
        },
    )
    assert ok.status_code == 303
    version = (await enr.get_enrolment(enrolment_id, ["iml_youth"]))["version"]
    renewal = await social_worker.post(
        f"/enrolments/{enrolment_id}/transitions/renew",
        {"version": str(version), "decided_on": "2024-04-01"},
    )
    assert renewal.status_code == 303
    page = await social_worker.get(f"/households/{household_id}")
    assert "01/08/2024" in page.text  # 01/02 + 3 + 3 months


async def test_dashboard_alerts_on_cej_suspensions_and_agreements_ending(social_worker, host):
    from tremplin.services.clock import today

    entry = add_months(today(), -3) + dt.timedelta(days=10)
    _, enrolment_id = await housed(host, entry=entry.isoformat())
    await update_cej(
        enrolment_id,
        {"cej_start": "2024-01-15", "cej_suspended": "on", "cej_suspended_on": "2024-03-01"},
        None,
        "",
    )
    page = await social_worker.get("/")
    assert "IML jeunes : CEJ suspendus" in page.text
    assert "suspendu depuis le 01/03/2024" in page.text
    block = re.search(r'id="dash-due_dates">(.*?)</section>', page.text, re.S).group(1)
    assert "JEUNE Enzo" in block
    assert "Fin de la convention d&#39;occupation" in block


async def test_the_orientation_form_shows_the_cej_messages_and_keeps_input(social_worker, host):
    from tremplin.models import Enrolment

    household_id = await hh.create_household(hh.Actor(user_id=None), {"name": "FORM Lou"})
    typed = {
        "programme": "iml_youth",
        "referral_date": "2024-01-10",
        "prescriber": "mission_locale",
        "ml_counsellor": "Mme Conseil",
        "cej_start": "2024-01-15",
        "cej_end": "2025-09-01",
        "job_project": "BTS SIO",
    }
    refused = await social_worker.post(f"/households/{household_id}/enrolments", typed)
    assert refused.status_code == 422
    assert "le CEJ dure 12 mois, 18 au plus : fin au plus tard le 15/07/2025" in refused.text
    for value in ("Mme Conseil", 'value="2025-09-01"', "BTS SIO"):
        assert value in refused.text, value
    assert not await Enrolment.exists().where(Enrolment.household == household_id)
    made = await social_worker.post(
        f"/households/{household_id}/enrolments", {**typed, "cej_end": "2025-07-15"}
    )
    assert made.status_code == 303
    assert await Enrolment.exists().where(Enrolment.household == household_id)
