"""Boarding houses: the admission guards (SIAO, commission), units, no limit on stay."""

import datetime as dt

import pytest

from tests.plugins.boarding_house.helpers import KEY, enrolled, house, household, move, resident
from tremplin.forms import FormErrors, resolve_choices
from tremplin.models import Enrolment, TimelineEvent
from tremplin.services import enrolments as enr
from tremplin.services.clock import today
from tremplin.types import UNKNOWN_CHOICE, GuardContext
from tremplin_boarding_house.workflow import require_free_unit


async def _offered(host, enrolment_id, key) -> dict[str, str]:
    """The units a transition's form offers now: value → label."""
    row = await enr.get_enrolment(enrolment_id, [KEY])
    transition = next(t for t in host.workflows[KEY].transitions if t.key == key)
    (unit,) = [
        f
        for f in await resolve_choices(transition.fields, enr.choice_context(row))
        if f.name == "unit"
    ]
    return {c.value: c.label for c in unit.choices}


async def test_the_guard_still_refuses_a_unit_taken_meanwhile(database, host):
    """Second line of defence: a unit taken between the form's display and its posting."""
    _, (a1,) = await house("Course", "2010-01-01")
    await resident(host, "PREMIER Jean", a1, "2023-05-01")
    enrolment_id = await enrolled(host, await household("SECOND Paul"))
    row = await enr.get_enrolment(enrolment_id, [KEY])
    context = GuardContext(
        enrolment=enr.to_view(row),
        values={"unit": a1, "entry_date": "2024-01-01"},
        today=today(),
    )
    assert await require_free_unit(context) == (
        "Ce logement est déjà occupé par un autre résident."
    )
    context = GuardContext(
        enrolment=enr.to_view(row),
        values={"unit": 9999, "entry_date": "2024-01-01"},
        today=today(),
    )
    assert await require_free_unit(context) == (
        "Aucun logement de pension de famille ne porte ce numéro."
    )


async def _refused(host, enrolment_id, key, **values) -> dict:
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, key, **values)
    return caught.value.errors


async def test_admission_needs_the_siao_orientation_then_the_commission(database, host):
    enrolment_id = await enrolled(host, await household("SANS Siao"), siao=None)
    errors = await _refused(
        host, enrolment_id, "accept", commission_date="2020-01-05", decision_date="2020-01-06"
    )
    assert errors == {
        "_transition": "L'orientation par le SIAO doit être enregistrée avant la "
        "commission d'admission."
    }

    enrolment_id = await enrolled(host, await household("AVEC Siao"), siao="2020-01-10")
    # The commission's date is a required field.
    assert await _refused(host, enrolment_id, "accept", decision_date="2020-01-20") == {
        "commission_date": "ce champ est obligatoire"
    }
    assert await _refused(
        host, enrolment_id, "accept", commission_date="2020-01-21", decision_date="2020-01-20"
    ) == {"_transition": "La décision ne peut pas précéder la commission d'admission."}
    assert await _refused(
        host, enrolment_id, "accept", commission_date="2020-01-05", decision_date="2020-01-20"
    ) == {"_transition": "La commission ne peut pas précéder l'orientation par le SIAO."}
    future = (today() + dt.timedelta(days=3)).isoformat()
    assert await _refused(
        host, enrolment_id, "accept", commission_date=future, decision_date=future
    ) == {"_transition": "La commission d'admission ne peut pas être dans le futur."}
    # A postponed file stays a referral; the refusal needs its reason.
    assert (
        await move(
            host,
            enrolment_id,
            "postpone",
            commission_date="2020-01-15",
            decision_date="2020-01-15",
            decision_reason="Dossier incomplet",
        )
        == "referral"
    )
    assert await _refused(
        host, enrolment_id, "refuse", commission_date="2020-02-15", decision_date="2020-02-15"
    ) == {"_transition": "Indiquez le motif du refus."}
    assert (
        await move(
            host, enrolment_id, "accept", commission_date="2020-02-15", decision_date="2020-02-16"
        )
        == "admitted"
    )
    row = (
        await Enrolment.select(Enrolment.decision_date, Enrolment.data)
        .where(Enrolment.id == enrolment_id)
        .output(load_json=True)
        .first()
    )
    assert row["decision_date"] == dt.date(2020, 2, 16)
    assert row["data"]["commission_date"] == "2020-02-15"


async def test_entry_needs_a_free_unit_of_an_open_house(database, host):
    _, (a1, a2, a3) = await house("Malescourt", "2010-01-01", ("T1", "T2", "T1bis"))
    opening = today() + dt.timedelta(days=400)
    _, (future,) = await house("Pélussin", opening.isoformat())
    enrolment_id = await enrolled(host, await household("ENTREE Paul"))
    await move(
        host, enrolment_id, "accept", commission_date="2020-01-05", decision_date="2020-01-06"
    )
    # The unit is chosen among the free ones: an unknown unit is refused on the field itself.
    assert await _refused(
        host, enrolment_id, "enter", entry_date="2024-01-01", unit="9999", rent="380"
    ) == {"unit": UNKNOWN_CHOICE}
    # A free unit of a house not yet open is offered, but the guard checks the entry date.
    assert await _refused(
        host, enrolment_id, "enter", entry_date="2024-01-01", unit=str(future), rent="380"
    ) == {"_transition": "La maison n'est pas encore ouverte à cette date."}
    await resident(host, "OCCUPANT Luc", a1, "2023-05-01")
    assert await _offered(host, enrolment_id, "enter") == {
        str(a2): "Malescourt — logement 2 (T2)",
        str(a3): "Malescourt — logement 3 (T1 bis)",
        str(future): f"Pélussin — logement 1 (T1), ouverture le {opening:%d/%m/%Y}",
    }
    assert await _refused(
        host, enrolment_id, "enter", entry_date="2024-01-01", unit=str(a1), rent="380"
    ) == {"unit": UNKNOWN_CHOICE}
    assert (
        await move(host, enrolment_id, "enter", entry_date="2024-01-01", unit=str(a2), rent="380")
        == "housed"
    )
    row = (
        await Enrolment.select(Enrolment.data)
        .where(Enrolment.id == enrolment_id)
        .output(load_json=True)
        .first()
    )
    assert row["data"]["unit"] == a2  # still the unit's id, an integer
    # A move offers the free units but neither the occupied one nor the resident's own.
    assert set(await _offered(host, enrolment_id, "move")) == {str(a3), str(future)}
    assert await _refused(host, enrolment_id, "move", moved_on="2024-06-01", unit=str(a1)) == {
        "unit": UNKNOWN_CHOICE
    }
    assert await _refused(host, enrolment_id, "move", moved_on="2023-12-31", unit=str(a3)) == {
        "_transition": "Le changement de logement ne peut pas précéder l'entrée."
    }
    assert await move(host, enrolment_id, "move", moved_on="2024-06-01", unit=str(a3)) == "housed"
    # Exit with its destination; the unit is free again.
    assert await _refused(
        host, enrolment_id, "exit", exit_date="2024-12-01", exit_destination="moon"
    ) == {"exit_destination": "choix inconnu"}
    assert (
        await move(host, enrolment_id, "exit", exit_date="2024-12-01", exit_destination="care_home")
        == "exited"
    )
    later = await enrolled(host, await household("SUIVANT Marc"))
    await move(host, later, "accept", commission_date="2020-01-05", decision_date="2020-01-06")
    assert str(a3) in await _offered(host, later, "enter")
    assert (
        await move(host, later, "enter", entry_date="2025-01-01", unit=str(a3), rent="380")
        == "housed"
    )
    titles = [
        r["title"]
        for r in await TimelineEvent.select(TimelineEvent.title)
        .where(TimelineEvent.kind == "state_change")
        .order_by(TimelineEvent.id)
    ]
    # The move is one line, housing's transfer, dated by the move (not a « Changement
    # d'étape » dated by the click as well).
    assert "Changement de logement → Résident" not in titles
    moves = await TimelineEvent.select(TimelineEvent.title, TimelineEvent.occurred_at).where(
        (TimelineEvent.kind == "housing_occupancy") & TimelineEvent.title.like("Transfert%")
    )
    assert len(moves) == 1


async def test_withdrawal_and_no_limit_on_the_stay(database, host):
    enrolment_id = await enrolled(host, await household("ABANDON Léa"))
    assert await _refused(host, enrolment_id, "withdraw", exit_date="2020-02-01") == {
        "exit_reason": "ce champ est obligatoire"
    }
    assert (
        await move(
            host,
            enrolment_id,
            "withdraw",
            exit_date="2020-02-01",
            exit_reason="Ne souhaite plus venir",
        )
        == "withdrawn"
    )
    programme = host.programmes[KEY]
    assert programme.max_duration_months is None
    assert host.workflows[KEY].deadlines == ()
    # A resident housed for fourteen years is still simply a resident.
    _, (unit,) = await house("Ancienne", "2009-01-01")
    household_id = await resident(host, "ANCIEN Jean", unit, "2010-02-01")
    row = await Enrolment.select(Enrolment.state).where(Enrolment.household == household_id).first()
    assert row["state"] == "housed"


async def test_hosts_write_notes_on_a_resident_timeline(database, host):
    from tests.plugins.boarding_house.helpers import ACTOR
    from tremplin.services import timeline

    manual = {e.key for e in host.event_types_for(KEY) if e.manual}
    assert {"host_note", "host_interview"} <= manual
    assert not host.event_types["collective_activity"].manual  # written by the activity form
    _, (unit,) = await house("Notes", "2010-01-01")
    household_id = await resident(host, "NOTE Alice", unit, "2024-01-01")
    await timeline.add_event(
        host,
        ACTOR,
        household_id,
        {
            "kind": "host_note",
            "occurred_on": "2024-03-01",
            "programme": KEY,
            "body": "A participé au jardinage.",
        },
        [KEY],
    )
    with pytest.raises(FormErrors):
        await timeline.add_event(
            host,
            ACTOR,
            household_id,
            {
                "kind": "host_note",
                "occurred_on": "2024-03-01",
                "programme": "iml_sublease",
                "body": "x",
            },
            ["iml_sublease", KEY],
        )
    notes = await TimelineEvent.select(TimelineEvent.title, TimelineEvent.programme).where(
        (TimelineEvent.household == household_id) & (TimelineEvent.kind == "host_note")
    )
    assert notes == [{"title": "Note de l'hôte de maison", "programme": KEY}]


async def test_the_entry_page_offers_the_free_units(social_worker, host):
    _, (a1, a2) = await house("Montbrison", "2010-01-01", ("T1", "T2"))
    await resident(host, "OCCUPANT Luc", a1, "2023-05-01")
    enrolment_id = await enrolled(host, await household("ENTREE Paul"))
    await move(
        host, enrolment_id, "accept", commission_date="2020-01-05", decision_date="2020-01-06"
    )
    url = f"/enrolments/{enrolment_id}/transitions/enter"
    page = await social_worker.get(url)
    assert page.status_code == 200
    assert f'<option value="{a2}">Montbrison — logement 2 (T2)</option>' in page.text
    assert f'<option value="{a1}"' not in page.text  # occupied
    refused = await social_worker.post(
        url, {"version": "2", "entry_date": "2024-01-01", "unit": str(a1), "rent": "380"}
    )
    assert refused.status_code == 422
    assert "choix inconnu ou qui n&#39;est plus proposé" in refused.text
    assert f'<option value="{a1}" selected>' in refused.text  # the input is kept
    done = await social_worker.post(
        url, {"version": "2", "entry_date": "2024-01-01", "unit": str(a2), "rent": "380"}
    )
    assert done.status_code == 303
    row = await enr.get_enrolment(enrolment_id, [KEY])
    assert row["state"] == "housed" and row["data"]["unit"] == a2
