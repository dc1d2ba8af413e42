"""Young workers' sliding-lease path (CCAS de Lomme): referral form, diagnostic, housing-demand
number, professional income and age, steering committee decisions, sliding after a year."""

import datetime as dt

import pytest

from tests.plugins.cllaj.helpers import move, young
from tremplin.forms import FormErrors
from tremplin.services import enrolments as enr
from tremplin.services.clock import today
from tremplin.types import Period, ReportContext
from tremplin_cllaj import committee, report
from tremplin_cllaj.rules import GLISSANT, add_months
from tremplin_cllaj.tables import CommitteeDecision
from tremplin_cllaj.workflows import GLISSANT_WORKFLOW

READY = {
    "liaison_form_date": "2024-01-08",
    "referring_service": "Club de prévention",
    "housing_demand_number": "059-0124-00042",
    "professional_income": "on",
}


async def meeting(day: str) -> int:
    return await committee.create_meeting({"held_on": day}, None, "")


async def decide(meeting_id: int, enrolment_id: int, decision: str) -> None:
    await committee.record_decision(
        meeting_id, {"enrolment": str(enrolment_id), "decision": decision}, None, ""
    )


async def diagnosed(host, **data):
    household_id, enrolment_id = await young(host, GLISSANT, **{**READY, **data})
    await move(host, enrolment_id, "diagnose", diagnostic_date="2024-01-15")
    return household_id, enrolment_id


async def housed(host, entry="2024-03-01"):
    household_id, enrolment_id = await diagnosed(host)
    await decide(await meeting("2024-02-06"), enrolment_id, "retain")
    await move(host, enrolment_id, "retain", decision_date="2024-02-06")
    await move(host, enrolment_id, "enter", entry_date=entry, landlord="Partenord Habitat")
    return household_id, enrolment_id


async def test_diagnostic_needs_the_referral_form(database, host):
    _, enrolment_id = await young(host, GLISSANT)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "diagnose", diagnostic_date="2024-01-15")
    assert "fiche de liaison" in caught.value.errors["_transition"]
    _, enrolment_id = await young(host, GLISSANT, liaison_form_date="2024-01-08")
    assert await move(host, enrolment_id, "diagnose", diagnostic_date="2024-01-15") == "diagnosed"
    data = (await enr.get_enrolment(enrolment_id, [GLISSANT]))["data"]
    assert data["diagnostic_date"] == "2024-01-15"


@pytest.mark.parametrize(
    "missing, message",
    [
        ({"housing_demand_number": ""}, "numéro unique départemental"),
        ({"professional_income": ""}, "revenu professionnel"),
    ],
)
async def test_retention_criteria(database, host, missing, message):
    _, enrolment_id = await diagnosed(host, **missing)
    await decide(await meeting("2024-02-06"), enrolment_id, "retain")
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "retain", decision_date="2024-02-06")
    assert message in caught.value.errors["_transition"]


async def test_retained_only_by_the_committee(database, host):
    _, enrolment_id = await diagnosed(host)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "retain", decision_date="2024-02-06")
    assert "comité de pilotage doit avoir retenu" in caught.value.errors["_transition"]
    await decide(await meeting("2024-02-06"), enrolment_id, "postpone")
    later = await meeting("2024-04-02")
    await decide(later, enrolment_id, "retain")
    # On 06/02 the last decision was "postponed"; the 02/04 committee retained the situation.
    with pytest.raises(FormErrors):
        await move(host, enrolment_id, "retain", decision_date="2024-02-06")
    assert await move(host, enrolment_id, "retain", decision_date="2024-04-02") == "retained"


async def test_under_30_or_a_recorded_exception(database, host):
    _, enrolment_id = await diagnosed(host, birth="1993-01-01")
    await decide(await meeting("2024-02-06"), enrolment_id, "retain")
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "retain", decision_date="2024-02-06")
    assert "réservé aux jeunes de moins de 30 ans" in caught.value.errors["_transition"]
    assert (
        await move(
            host,
            enrolment_id,
            "retain",
            decision_date="2024-02-06",
            age_override_reason="Jeune parent, critère élargi depuis 2009",
        )
        == "retained"
    )


async def test_the_lease_slides_after_a_year_validated_by_the_committee(database, host):
    _, enrolment_id = await housed(host, entry="2024-03-01")
    view = enr.to_view(await enr.get_enrolment(enrolment_id, [GLISSANT]))
    assert GLISSANT_WORKFLOW.deadlines[0].due(view) == dt.date(2025, 3, 1)
    slide_meeting = await meeting("2025-02-04")
    await decide(slide_meeting, enrolment_id, "slide")
    with pytest.raises(FormErrors) as caught:
        await move(
            host, enrolment_id, "slide", exit_date="2025-02-28", exit_destination="public_sliding"
        )
    assert "au plus tôt le 01/03/2025" in caught.value.errors["_transition"]
    await decide(slide_meeting, enrolment_id, "continue")  # corrected: one decision a meeting
    assert await CommitteeDecision.count() == 2
    with pytest.raises(FormErrors) as caught:
        await move(
            host, enrolment_id, "slide", exit_date="2025-03-01", exit_destination="public_sliding"
        )
    assert "validé par le comité" in caught.value.errors["_transition"]
    await decide(slide_meeting, enrolment_id, "slide")
    assert (
        await move(
            host, enrolment_id, "slide", exit_date="2025-03-01", exit_destination="public_sliding"
        )
        == "exited"
    )


async def test_committee_pages(social_worker, host):
    household_id, enrolment_id = await diagnosed(host, name="LOMME Inès")
    bad = await social_worker.post(
        "/cllaj/committees", {"held_on": "31/02/2024", "notes": "UTPAS, Mission Locale"}
    )
    assert bad.status_code == 422 and "date invalide" in bad.text
    assert "UTPAS, Mission Locale" in bad.text
    made = await social_worker.post("/cllaj/committees", {"held_on": "2024-02-06"})
    assert made.status_code == 303
    url = made.headers["location"]
    page = await social_worker.get(url)
    assert "LOMME Inès" in page.text and "Diagnostic réalisé" in page.text
    refused = await social_worker.post(
        f"{url}/decisions", {"enrolment": str(enrolment_id), "decision": "", "comment": "Revenus"}
    )
    assert refused.status_code == 422 and "ce champ est obligatoire" in refused.text
    assert 'value="Revenus"' in refused.text
    ok = await social_worker.post(
        f"{url}/decisions",
        {"enrolment": str(enrolment_id), "decision": "retain", "comment": "CDD 12 mois"},
    )
    assert ok.status_code == 303
    household = await social_worker.get(f"/households/{household_id}")
    assert "06/02/2024 : Retenu dans le dispositif — CDD 12 mois" in household.text
    listing = await social_worker.get("/cllaj/committees")
    assert "06/02/2024" in listing.text and "06/04/2024" in listing.text  # next one due


async def test_dashboard_committee_and_unreviewed_situations(social_worker, host):
    old = add_months(today(), -3).isoformat()
    await young(host, GLISSANT, name="ANCIEN Situation", referral=old)
    await young(host, GLISSANT, name="RECENT Situation", referral=today().isoformat())
    page = await social_worker.get("/")
    assert "aucun comité enregistré" in page.text
    assert "ANCIEN Situation" in page.text and "jamais présentée en comité" in page.text
    assert page.text.count("jamais présentée en comité") == 1  # not the recent one
    await meeting(today().isoformat())
    page = await social_worker.get("/")
    assert "aucun comité enregistré" not in page.text and "prochain comité" not in page.text


async def test_glissant_report_tables(database, host):
    # A: referral 2023, diagnosed 2023, retained 2023, rehoused 2023, slid 2024.
    # B: referral 2024, diagnosed, retained and rehoused in 2024.
    # C: referral 2024, diagnosed 2024, refused in 2024.   D: referral 2024 only.
    _, a = await young(host, GLISSANT, referral="2023-01-05", **READY)
    await move(host, a, "diagnose", diagnostic_date="2023-01-20")
    m2023 = await meeting("2023-02-07")
    await decide(m2023, a, "retain")
    await move(host, a, "retain", decision_date="2023-02-07")
    await move(host, a, "enter", entry_date="2023-03-01")
    _, b = await young(host, GLISSANT, referral="2024-01-08", **READY)
    await move(host, b, "diagnose", diagnostic_date="2024-01-20")
    february, april = await meeting("2024-02-06"), await meeting("2024-04-02")
    await decide(february, a, "continue")
    await decide(february, b, "retain")
    await move(host, b, "retain", decision_date="2024-02-06")
    await move(host, b, "enter", entry_date="2024-05-01")
    _, c = await young(host, GLISSANT, referral="2024-02-01", **READY)
    await move(host, c, "diagnose", diagnostic_date="2024-02-15")
    await decide(april, a, "slide")
    await decide(april, c, "refuse")
    await move(host, c, "refuse", decision_date="2024-04-02", decision_reason="Pas de revenu")
    await move(host, a, "slide", exit_date="2024-04-02", exit_destination="public_sliding")
    await young(host, GLISSANT, referral="2024-06-01", **READY)
    p = host.programmes[GLISSANT]
    year, cumulative = await report.glissant_tables(
        ReportContext(GLISSANT, p.name_fr, Period.year(2024))
    )
    assert {r.key: r.count for r in year.rows} == {
        "referrals": 3,  # B, C, D
        "diagnostics": 2,  # B, C
        "committees": 2,  # February and April 2024
        "reviews": 4,  # A and B in February, A and C in April
        "young_reviewed": 3,  # A, B, C
        "retained": 1,  # B (C was refused in 2024, A retained in 2023)
        "rehoused": 1,  # B
        "slid": 1,  # A
    }
    assert {r.key: (r.count, r.percent) for r in cumulative.rows} == {
        "rehoused": (2, None),
        "slid": (1, 50.0),
    }
