"""J'APPART: Mission Locale follow-up and 18–25 at admission (with a recorded exception),
12 months at most with a derogation, meetings flagged when fewer than 2 in the last month."""

import datetime as dt

import pytest

from tests.plugins.cllaj.helpers import move, young
from tests.plugins.housing.helpers import entry_values, renew
from tremplin.forms import FormErrors
from tremplin.models import Enrolment, TimelineEvent
from tremplin.services import enrolments as enr
from tremplin.services.clock import now, today
from tremplin_cllaj.jappart import meetings_in_last_month
from tremplin_cllaj.rules import JAPPART, add_months
from tremplin_cllaj.workflow_jappart import AGREEMENT
from tremplin_cllaj.workflows import JAPPART_WORKFLOW
from tremplin_housing.api import agreement_ends

ML = {"ml_followup": "on", "ml_counsellor": "Mme Conseillère"}


async def housed(host, entry="2024-02-01", **data):
    household_id, enrolment_id = await young(host, JAPPART, **{**ML, **data})
    await move(host, enrolment_id, "accept", decision_date="2024-01-12")
    await move(host, enrolment_id, "enter", entry_date=entry, **await entry_values(JAPPART))
    return household_id, enrolment_id


@pytest.mark.parametrize("data", [{}, {"ml_followup": "on"}, {"ml_counsellor": "M. X"}])
async def test_no_admission_without_the_mission_locale_follow_up(database, host, data):
    _, enrolment_id = await young(
        host, JAPPART, **{k: v for k, v in data.items() if k != "ml_followup"}
    )
    if data.get("ml_followup"):
        # The orientation form refuses a follow-up without its counsellor; data imported or
        # corrected otherwise is still stopped at admission.
        await Enrolment.update({Enrolment.data: data}).where(Enrolment.id == enrolment_id)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "accept", decision_date="2024-01-20")
    assert "suivi du jeune par la Mission Locale" in caught.value.errors["_transition"]


@pytest.mark.parametrize("birth, age", [("1998-01-19", 26), ("2006-01-21", 17)])
async def test_age_18_25_on_the_decision_date_or_a_recorded_exception(database, host, birth, age):
    _, enrolment_id = await young(host, JAPPART, birth=birth, **ML)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "accept", decision_date="2024-01-20")
    message = caught.value.errors["_transition"]
    assert "réservé aux jeunes de 18 à 25 ans" in message and f"a {age} ans" in message
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
    data = (await enr.get_enrolment(enrolment_id, [JAPPART]))["data"]
    assert data["age_override_reason"] == "Sortie ASE, décision de la commission"


async def test_age_bounds_are_inclusive(database, host):
    # 18 the day of the decision, and 25 the day before turning 26.
    for birth in ("2006-01-20", "1998-01-21"):
        _, enrolment_id = await young(host, JAPPART, birth=birth, **ML)
        assert await move(host, enrolment_id, "accept", decision_date="2024-01-20") == "admitted"


async def test_unknown_birth_date_is_refused(database, host):
    _, enrolment_id = await young(host, JAPPART, birth=None, **ML)
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "accept", decision_date="2024-01-20")
    assert "date de naissance" in caught.value.errors["_transition"]


async def test_twelve_months_at_most_then_only_with_a_derogation(database, host):
    _, enrolment_id = await housed(host, entry="2024-02-15")
    due = JAPPART_WORKFLOW.deadlines[0].due
    view = enr.to_view(await enr.get_enrolment(enrolment_id, [JAPPART]))
    assert await due(view) == dt.date(2025, 2, 15)
    with pytest.raises(FormErrors) as caught:
        await move(
            host, enrolment_id, "exit", exit_date="2025-02-16", exit_destination="public_housing"
        )
    assert "12 mois au plus (jusqu'au 15/02/2025)" in caught.value.errors["_transition"]
    with pytest.raises(FormErrors) as caught:
        await renew(host, enrolment_id, until="2025-04-15")
    assert caught.value.errors == {"derogation_reason": "ce champ est obligatoire"}
    with pytest.raises(FormErrors) as caught:
        await renew(host, enrolment_id, until="2025-02-15", derogation_reason="x")
    assert "au-delà des 12 mois" in caught.value.errors["until"]
    assert await renew(
        host, enrolment_id, until="2025-04-15", derogation_reason="Attribution HLM en avril"
    ) == dt.date(2025, 4, 15)
    # The derogation is kept by housing, not in the enrolment's data.
    row = await enr.get_enrolment(enrolment_id, [JAPPART])
    assert not {"until", "derogation_until", "derogation_reason"} & set(row["data"])
    assert (await agreement_ends([row], AGREEMENT))[enrolment_id] == dt.date(2025, 4, 15)
    with pytest.raises(FormErrors):
        await move(
            host, enrolment_id, "exit", exit_date="2025-04-16", exit_destination="public_housing"
        )
    assert (
        await move(
            host,
            enrolment_id,
            "exit",
            exit_date="2025-04-15",
            exit_destination="association_sliding",
        )
        == "exited"
    )
    row = (
        await Enrolment.select(Enrolment.exit_destination)
        .where(Enrolment.id == enrolment_id)
        .first()
    )
    assert row["exit_destination"] == "association_sliding"


async def test_exit_on_the_last_day_of_the_twelve_months(database, host):
    _, enrolment_id = await housed(host, entry="2024-02-15")
    assert (
        await move(
            host, enrolment_id, "exit", exit_date="2025-02-15", exit_destination="private_housing"
        )
        == "exited"
    )


async def meeting(household_id: int, day: dt.date) -> None:
    at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
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


async def test_meetings_counted_over_the_last_month(database, host):
    household_id, _ = await housed(host)
    on = dt.date(2024, 6, 15)
    for day in ("2024-05-15", "2024-05-16", "2024-06-15", "2024-06-16"):
        await meeting(household_id, dt.date.fromisoformat(day))
    # (15/05, 15/06]: the 16/05 and the 15/06 only.
    assert await meetings_in_last_month([household_id], on) == {household_id: 2}


async def test_dashboard_flags_fewer_than_two_meetings(social_worker, host):
    entry = add_months(today(), -2)
    household_id, enrolment_id = await housed(host, entry=entry.isoformat())
    await meeting(household_id, today() - dt.timedelta(days=3))
    page = await social_worker.get("/")
    assert (
        "J&#39;APPART : moins de 2 rencontres" in page.text
        or "J'APPART : moins de 2 rencontres" in page.text
    )
    assert "1 rencontre le mois dernier (2 à 3 attendues)" in page.text
    await meeting(household_id, today() - dt.timedelta(days=10))
    page = await social_worker.get("/")
    assert "rencontre le mois dernier" not in page.text
    household = await social_worker.get(f"/households/{household_id}")
    assert (
        "Rencontres avec le travailleur social le mois dernier : <strong>2</strong>"
        in household.text
    )


async def test_derogation_through_the_workflow(social_worker, host):
    """The derogation is the workflow's « Dérogation à la durée de 12 mois » (housing's
    renewal transition): refused with the input kept, then recorded in housing's renewals
    with one timeline line, and nothing of it in the enrolment's data."""
    from tremplin.models import Enrolment, TimelineEvent

    household_id, enrolment_id = await housed(host, entry="2024-02-15")
    page = await social_worker.get(f"/households/{household_id}")
    assert "Occupation J&#39;APPART" in page.text or "Occupation J'APPART" in page.text
    assert "15/02/2025" in page.text
    assert "Dérogation à la durée de 12 mois" in page.text
    url = f"/enrolments/{enrolment_id}/transitions/renew"

    async def version() -> str:
        row = await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
        return str(row["version"])

    bad = await social_worker.post(
        url,
        {
            "version": await version(),
            "until": "2025-01-01",
            "derogation_reason": "Attente d'un T1",
        },
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "au-delà des 12 mois" in bad.text
    assert "Attente d" in bad.text and 'value="2025-01-01"' in bad.text
    lines = await TimelineEvent.count().where(TimelineEvent.household == household_id)
    ok = await social_worker.post(
        url,
        {
            "version": await version(),
            "decided_on": "2025-02-01",
            "until": "2025-05-01",
            "derogation_reason": "Attente d'un T1",
        },
    )
    assert ok.status_code == 303
    page = await social_worker.get(f"/households/{household_id}")
    assert "01/05/2025" in page.text and "Dérogation à la durée d&#39;occupation" in page.text
    assert await TimelineEvent.count().where(TimelineEvent.household == household_id) == lines + 1
    data = (await Enrolment.select(Enrolment.data).where(Enrolment.id == enrolment_id).first())[
        "data"
    ]
    assert "until" not in str(data) and "Attente" not in str(data)


async def test_panel_shows_the_sub_let_dwelling_from_the_housing_module(social_worker, host):
    """The entry into J'APPART opened the occupancy of the chosen dwelling: the panel says
    which, from the housing module."""
    from tremplin_housing import stock

    household_id, enrolment_id = await young(host, JAPPART, **ML)
    await move(host, enrolment_id, "accept", decision_date="2024-01-12")
    values = await entry_values(JAPPART, rent="300")
    entry = (today() - dt.timedelta(days=20)).isoformat()
    await move(host, enrolment_id, "enter", entry_date=entry, **values)
    reference = (
        await stock.Dwelling.select(stock.Dwelling.reference)
        .where(stock.Dwelling.id == int(values["dwelling"]))
        .first()
    )["reference"]
    page = await social_worker.get(f"/households/{household_id}")
    assert f"Logement : {reference}" in page.text
