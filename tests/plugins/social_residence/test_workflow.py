"""Social residence: admission and entry guards, the two-year limit (alert at 20 months,
derogation beyond 24 months), the dashboard alert."""

import datetime as dt
import re

import pytest

from tests.due import watched
from tests.plugins.social_residence.helpers import ACTOR, KEY, enrolled, move, resident, unit
from tremplin.api import add_months
from tremplin.forms import FormErrors, resolve_choices
from tremplin.models import Enrolment, TimelineEvent
from tremplin.services import enrolments as enr
from tremplin.services.clock import today
from tremplin.types import UNKNOWN_CHOICE, GuardContext
from tremplin_housing.tables import AgreementRenewal
from tremplin_social_residence.units import record_derogation, stay
from tremplin_social_residence.workflow import alert_date, require_free_unit, stay_end

D = dt.date


async def _refused(host, enrolment_id, key, **values) -> dict:
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, key, **values)
    return caught.value.errors


def test_the_20_and_24_month_dates():
    entry = D(2024, 3, 15)
    assert alert_date(entry) == D(2025, 11, 15)
    assert stay_end(entry) == D(2026, 3, 15)
    assert alert_date(D(2024, 6, 30)) == D(2026, 2, 28)  # clamped to the month's end
    assert stay(entry, [], D(2025, 11, 14))["alert"] == ""
    at_20 = stay(entry, [], D(2025, 11, 15))
    assert at_20["alert"] == "20 mois atteints : fin des 24 mois le 15/03/2026"
    assert not at_20["overdue"] and not at_20["derogation"]
    assert not stay(entry, [], D(2026, 3, 15))["overdue"]
    late = stay(entry, [], D(2026, 3, 16))
    assert late["overdue"] and late["alert"] == "dépassement de la durée maximale sans dérogation"
    extended = [{"decided_on": D(2026, 2, 1), "until": D(2026, 9, 30)}]  # housing's renewals
    assert stay(entry, extended, D(2026, 4, 1))["alert"] == "dérogation jusqu'au 30/09/2026"
    assert not stay(entry, extended, D(2026, 9, 30))["overdue"]
    assert stay(entry, extended, D(2026, 10, 1))["alert"] == "dérogation échue le 30/09/2026"


async def test_refusal_reason_and_entry_in_a_free_unit(database, host):
    enrolment_id = await enrolled(host, "REFUS Jean")
    assert await _refused(host, enrolment_id, "refuse", decision_date="2015-01-10") == {
        "_transition": "Indiquez le motif du refus."
    }
    r1 = await unit("R1")
    enrolment_id = await enrolled(host, "ENTREE Marc")
    await move(host, enrolment_id, "accept", decision_date="2015-01-10")
    # The unit is chosen among the free ones: unknown or occupied, it is refused on the field.
    assert await _refused(
        host, enrolment_id, "enter", entry_date="2024-01-01", unit="999", rent="380"
    ) == {"unit": UNKNOWN_CHOICE}
    await resident(host, "OCCUPANT Luc", r1, "2023-05-01")
    assert await _offered(host, enrolment_id) == {}
    assert await _refused(
        host, enrolment_id, "enter", entry_date="2024-01-01", unit=str(r1), rent="380"
    ) == {"unit": UNKNOWN_CHOICE}
    r2 = await unit("R2")
    assert await _offered(host, enrolment_id) == {str(r2): "Logement R2 (T1 meublé)"}
    assert (
        await move(host, enrolment_id, "enter", entry_date="2024-01-01", unit=str(r2), rent="380")
        == "housed"
    )
    row = await enr.get_enrolment(enrolment_id, [KEY])
    assert row["data"]["unit"] == r2  # still the unit's id, an integer
    # Second line of defence: the guard refuses a unit taken after the form was shown.
    other = await enrolled(host, "SECOND Paul")
    view = enr.to_view(await enr.get_enrolment(other, [KEY]))
    assert (
        await require_free_unit(GuardContext(enrolment=view, values={"unit": r2}, today=today()))
        == "Ce logement est déjà occupé par un autre résident."
    )
    assert (
        await require_free_unit(GuardContext(enrolment=view, values={"unit": 999}, today=today()))
        == "Aucun logement de la résidence ne porte ce numéro."
    )


async def _offered(host, enrolment_id) -> dict[str, str]:
    """The units the entry form offers now: value → label."""
    row = await enr.get_enrolment(enrolment_id, [KEY])
    transition = next(t for t in host.workflows[KEY].transitions if t.key == "enter")
    fields = await resolve_choices(transition.fields, enr.choice_context(row))
    return {c.value: c.label for f in fields if f.name == "unit" for c in f.choices}


async def test_exit_beyond_24_months_needs_a_derogation(database, host):
    r1, r2 = await unit("R1"), await unit("R2")
    # Leaving on the second anniversary needs no derogation.
    on_time = await resident(host, "ATEMPS Paul", r1, "2022-03-15")
    assert (
        await move(host, on_time, "exit", exit_date="2024-03-15", exit_destination="iml_support")
        == "exited"
    )

    late = await resident(host, "TARD Louis", r2, "2022-03-15")
    errors = await _refused(
        host, late, "exit", exit_date="2024-03-16", exit_destination="boarding_house"
    )
    assert errors == {
        "_transition": "La sortie dépasse la durée maximale de 24 mois (jusqu'au "
        "15/03/2024) : enregistrez d'abord une dérogation motivée."
    }
    # The derogation's own rules: a reason, a date beyond the 24 months, after the entry.
    with pytest.raises(FormErrors) as caught:
        await record_derogation(ACTOR, late, {"decided_on": "2024-01-10", "until": "2024-09-30"})
    assert caught.value.errors == {"reason": "ce champ est obligatoire"}
    with pytest.raises(FormErrors) as caught:
        await record_derogation(
            ACTOR,
            late,
            {"decided_on": "2024-01-10", "until": "2024-03-15", "reason": "Attente bailleur"},
        )
    assert caught.value.errors == {
        "until": "une dérogation prolonge le séjour au-delà des 24 mois (après le 15/03/2024)"
    }
    with pytest.raises(FormErrors) as caught:
        await record_derogation(
            ACTOR,
            late,
            {"decided_on": "2022-01-10", "until": "2024-09-30", "reason": "Attente bailleur"},
        )
    assert caught.value.errors == {"decided_on": "la décision précède l'entrée dans la résidence"}
    assert await record_derogation(
        ACTOR,
        late,
        {
            "decided_on": "2024-01-10",
            "until": "2024-09-30",
            "reason": "Attente d'une attribution bailleur social",
        },
    ) == D(2024, 9, 30)
    with pytest.raises(FormErrors) as caught:
        await record_derogation(
            ACTOR, late, {"decided_on": "2024-02-10", "until": "2024-08-31", "reason": "Autre"}
        )
    assert caught.value.errors == {"until": "une dérogation court déjà jusqu'au 30/09/2024"}
    # Covered up to the derogation's end, not a day more.
    assert (
        await _refused(
            host, late, "exit", exit_date="2024-10-01", exit_destination="boarding_house"
        )
    )["_transition"].startswith("La sortie dépasse la durée maximale")
    assert (
        await move(host, late, "exit", exit_date="2024-09-30", exit_destination="boarding_house")
        == "exited"
    )
    # The derogation is a renewal of the stay's agreement in housing's one table.
    renewals = await AgreementRenewal.select().where(AgreementRenewal.enrolment == late)
    assert [(r["until"], r["derogation_reason"]) for r in renewals] == [
        (D(2024, 9, 30), "Attente d'une attribution bailleur social")
    ]
    assert await TimelineEvent.count().where(TimelineEvent.kind == "stay_derogation") == 1
    # Only a present resident's stay is extended.
    with pytest.raises(FormErrors) as caught:
        await record_derogation(
            ACTOR, late, {"decided_on": "2024-10-10", "until": "2025-03-30", "reason": "x"}
        )
    assert "_derogation" in caught.value.errors


async def test_dashboard_alert_from_the_20th_month(database, host):
    now = today()
    r1, r2, r3 = await unit("R1"), await unit("R2"), await unit("R3")
    await resident(host, "VINGT Ali", r1, add_months(now, -20).isoformat())
    await resident(
        host, "DIXNEUF Bob", r2, (add_months(now, -20) + dt.timedelta(days=1)).isoformat()
    )
    over = await resident(host, "VINGTCINQ Cyril", r3, add_months(now, -25).isoformat())
    rows = await watched(KEY, now)
    # From the 20th month exactly (Bob is one day short), overdue first.
    assert [r["name"] for r in rows] == ["VINGTCINQ Cyril", "VINGT Ali"]
    assert rows[0]["due_on"] == add_months(add_months(now, -25), 24)  # past, no derogation
    assert rows[1]["due_on"] == add_months(now, 4)
    await record_derogation(
        ACTOR,
        over,
        {
            "decided_on": now.isoformat(),
            "until": add_months(now, 3).isoformat(),
            "reason": "Relogement signé, entrée dans 3 mois",
        },
    )
    rows = await watched(KEY, now)  # the derogation ends before Ali's 24 months
    assert [r["name"] for r in rows] == ["VINGTCINQ Cyril", "VINGT Ali"]
    assert rows[0]["due_on"] == add_months(now, 3)
    data = (
        await Enrolment.select(Enrolment.data)
        .where(Enrolment.id == over)
        .output(load_json=True)
        .first()
    )["data"]
    assert "derogation_until" not in data  # computed state lives in housing's renewals table
    renewal = await AgreementRenewal.select().where(AgreementRenewal.enrolment == over).first()
    assert renewal["until"] == add_months(now, 3)
    deadline = host.workflows[KEY].deadlines[0]
    assert deadline.warn_months == 4


async def test_the_dashboard_page_shows_the_alert(social_worker, host):
    r1 = await unit("R1")
    await resident(host, "ALERTE Denis", r1, add_months(today(), -21).isoformat())
    page = await social_worker.get("/")
    block = re.search(r'id="dash-due_dates">(.*?)</section>', page.text, re.S).group(1)
    assert "ALERTE Denis" in block
    assert "Fin de la durée maximale de séjour (24 mois)" in block
    assert f"{add_months(add_months(today(), -21), 24):%d/%m/%Y}" in block


async def test_the_entry_page_offers_the_free_units(social_worker, host):
    r1, r2 = await unit("R1"), await unit("R2")
    await resident(host, "OCCUPANT Luc", r1, "2023-05-01")
    enrolment_id = await enrolled(host, "ENTREE Marc")
    await move(host, enrolment_id, "accept", decision_date="2015-01-10")
    url = f"/enrolments/{enrolment_id}/transitions/enter"
    page = await social_worker.get(url)
    assert page.status_code == 200
    assert f'<option value="{r2}">Logement R2 (T1 meublé)</option>' in page.text
    assert f'<option value="{r1}"' not in page.text  # occupied
    refused = await social_worker.post(
        url, {"version": "2", "entry_date": "2024-01-01", "unit": str(r1), "rent": "380"}
    )
    assert refused.status_code == 422 and "choix inconnu" in refused.text
    assert f'<option value="{r1}" selected>' in refused.text  # the input is kept
    done = await social_worker.post(
        url, {"version": "2", "entry_date": "2024-01-01", "unit": str(r2), "rent": "380"}
    )
    assert done.status_code == 303
    row = await enr.get_enrolment(enrolment_id, [KEY])
    assert row["state"] == "housed" and row["data"]["unit"] == r2


async def test_two_simultaneous_derogations_one_wins(database, host):
    """Two workers record the same derogation at once (two real connections on PostgreSQL):
    housing's agreement serialises them, the second sees the first and is refused; one
    renewal row, one timeline event."""
    import asyncio

    late = await resident(host, "DOUBLE Derog", await unit("R9"), "2022-03-15")
    form = {"decided_on": "2024-01-10", "until": "2024-09-30", "reason": "Attente bailleur"}
    results = await asyncio.gather(
        record_derogation(ACTOR, late, form),
        record_derogation(ACTOR, late, form),
        return_exceptions=True,
    )
    assert sorted("refused" if isinstance(r, FormErrors) else str(r) for r in results) == [
        "2024-09-30",
        "refused",
    ]
    refused = next(r for r in results if isinstance(r, FormErrors))
    assert list(refused.errors) == ["until"]
    assert await AgreementRenewal.count().where(AgreementRenewal.enrolment == late) == 1
    assert await TimelineEvent.count().where(TimelineEvent.kind == "stay_derogation") == 1
