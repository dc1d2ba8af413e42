"""One action, one fact: a programme's entry opens the occupancy, its rent terms and closes
the vacancy; the exit closes them and opens the vacancy; a refused effect writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.plugins.housing.helpers import ACTOR, entry_values
from tests.plugins.iml_sublease.test_workflow import _enrolled, move, tick_entry
from tremplin.api import ChoiceContext, FormErrors
from tremplin.models import AuditEntry, Enrolment, TimelineEvent
from tremplin.services import enrolments as enr
from tremplin_housing import api as housing
from tremplin_housing import stock
from tremplin_housing.tables import Dwelling, Occupancy, RentTerms, Vacancy

KEY = "iml_sublease"


async def _admitted(host) -> tuple[int, int]:
    household_id, enrolment_id = await _enrolled(host, siao_validation_date="2024-01-11")
    await move(host, enrolment_id, "accept", decision_date="2024-01-12")
    await tick_entry(enrolment_id)
    return household_id, enrolment_id


async def _vacant_since(dwelling_id: int, start: str) -> int:
    return await stock.add_vacancy(
        ACTOR, dwelling_id, {"start_date": start, "cause": "between_occupants"}
    )


async def test_entry_opens_the_occupancy_and_closes_the_vacancy(database, host):
    household_id, enrolment_id = await _admitted(host)
    values = await entry_values(KEY, rent="420", benefit="100", deposit="400")
    dwelling_id = int(values["dwelling"])
    vacancy_id = await _vacant_since(dwelling_id, "2023-12-01")
    assert await move(host, enrolment_id, "enter", entry_date="2024-02-01", **values) == "housed"

    occupancy = await Occupancy.select().where(Occupancy.household == household_id).first()
    assert occupancy["dwelling"] == dwelling_id
    assert occupancy["enrolment"] == enrolment_id
    assert (occupancy["kind"], occupancy["programme"]) == ("agreement", KEY)
    entry = (await Enrolment.select(Enrolment.entry_date).where(Enrolment.id == enrolment_id))[0]
    # The entry date exists once: the occupancy (and the rent account) start on it.
    assert occupancy["start_date"] == entry["entry_date"] == dt.date(2024, 2, 1)
    terms = await RentTerms.select().where(RentTerms.occupancy == occupancy["id"])
    assert [
        (t["effective_from"], t["rent_cents"], t["charges_cents"], t["benefit_cents"])
        for t in terms
    ] == [(dt.date(2024, 2, 1), 42000, 5000, 10000)]
    vacancy = await Vacancy.select().where(Vacancy.id == vacancy_id).first()
    assert vacancy["end_date"] == dt.date(2024, 1, 31)
    dwelling = await Dwelling.select(Dwelling.status).where(Dwelling.id == dwelling_id).first()
    assert dwelling["status"] == "occupied"
    view = await housing.current_occupancy(household_id, dt.date(2024, 3, 1))
    assert view is not None and view.enrolment_id == enrolment_id


async def test_exit_closes_the_occupancy_and_opens_the_vacancy(database, host):
    household_id, enrolment_id = await _admitted(host)
    values = await entry_values(KEY)
    dwelling_id = int(values["dwelling"])
    await move(host, enrolment_id, "enter", entry_date="2024-02-01", **values)
    await move(
        host,
        enrolment_id,
        "exit",
        exit_date="2025-03-01",
        exit_destination="public_sliding",
        exit_inventory_date="2025-03-01",
    )
    occupancy = await Occupancy.select().where(Occupancy.household == household_id).first()
    assert (occupancy["end_date"], occupancy["exit_reason"]) == (dt.date(2025, 3, 1), "sliding")
    assert await housing.current_occupancy(household_id) is None
    dwelling = await Dwelling.select(Dwelling.status).where(Dwelling.id == dwelling_id).first()
    assert dwelling["status"] == "available"
    vacancies = await Vacancy.select(Vacancy.start_date, Vacancy.end_date).where(
        Vacancy.dwelling == dwelling_id
    )
    assert vacancies == [{"start_date": dt.date(2025, 3, 2), "end_date": None}]
    # The dwelling is offered again to the next household of the programme.
    free = await housing.free_dwellings(KEY)
    assert str(dwelling_id) in [c.value for c in free]


async def test_entry_into_an_occupied_dwelling_writes_nothing(database, host):
    _, first = await _admitted(host)
    values = await entry_values(KEY)
    await move(host, first, "enter", entry_date="2024-02-01", **values)
    household_id, second = await _admitted(host)
    before_version = (await Enrolment.select(Enrolment.version).where(Enrolment.id == second))[0]
    events = await TimelineEvent.count().where(TimelineEvent.household == household_id)
    audits = await AuditEntry.count()
    occupancies = await Occupancy.count()
    # The list offers only free dwellings: an occupied one is refused as not among them…
    with pytest.raises(FormErrors) as refused:
        await move(host, second, "enter", entry_date="2024-03-01", **values)
    assert "dwelling" in refused.value.errors
    # …and the effect refuses it too when the list was shown before the other entry.
    host_wf = host.workflows[KEY]
    enter = next(t for t in host_wf.transitions if t.key == "enter")
    from tremplin.api import EffectContext, EnrolmentView

    row = await enr.get_enrolment(second, [KEY])
    view = EnrolmentView.from_row({**row, "entry_date": dt.date(2024, 3, 1)})
    ctx = EffectContext("enter", view, view, {**values, "rent": 40000}, None, "", dt.date.today())
    with pytest.raises(FormErrors) as refused:
        await enter.effects[0](ctx)
    assert "déjà occupé" in refused.value.errors["dwelling"]
    after = await Enrolment.select(Enrolment.version, Enrolment.state, Enrolment.entry_date).where(
        Enrolment.id == second
    )
    assert after[0] == {
        "version": before_version["version"],
        "state": "admitted",
        "entry_date": None,
    }
    assert await TimelineEvent.count().where(TimelineEvent.household == household_id) == events
    assert await AuditEntry.count() == audits
    assert await Occupancy.count() == occupancies


async def test_the_dwelling_choices_are_the_programmes_free_dwellings(database, host):
    mine = int((await entry_values(KEY))["dwelling"])
    other = int((await entry_values("iml_youth"))["dwelling"])
    taken = int((await entry_values(KEY))["dwelling"])
    _, enrolment_id = await _admitted(host)
    await move(
        host, enrolment_id, "enter", entry_date="2024-02-01", dwelling=str(taken), rent="400"
    )
    field = await housing.dwelling_field().resolved(
        ChoiceContext(programme=KEY, today=dt.date.today())
    )
    offered = {int(c.value) for c in field.choices}
    assert mine in offered and other not in offered and taken not in offered
    assert all("rue des Lilas" not in c.label for c in field.choices)  # never the address


async def test_the_dwelling_and_rent_are_required_at_the_entry(database, host):
    _, enrolment_id = await _admitted(host)
    with pytest.raises(FormErrors) as refused:
        await move(host, enrolment_id, "enter", entry_date="2024-02-01")
    assert refused.value.errors == {
        "dwelling": "ce champ est obligatoire",
        "rent": "ce champ est obligatoire",
    }


async def test_the_dwelling_page_no_longer_records_an_entry_of_a_housing_programme(login_as):
    from tests.plugins.housing.helpers import household

    manager = await login_as("rental_manager")
    dwelling_id = int((await entry_values(KEY))["dwelling"])
    household_id = await household("DOUBLE Saisie")
    typed = {
        "household": str(household_id),
        "kind": "agreement",
        "programme": KEY,
        "start_date": "2024-01-01",
        "rent": "390",
    }
    refused = await manager.post(f"/housing/dwellings/{dwelling_id}/occupancies", typed)
    assert refused.status_code == 422
    assert "s&#39;enregistre sur la mesure du ménage" in refused.text or (
        "s'enregistre sur la mesure du ménage" in refused.text
    )
    assert 'value="390"' in refused.text  # the input is kept
    assert await Occupancy.count() == 0
    # Outside a programme housed through its workflow, the page still records it.
    made = await manager.post(
        f"/housing/dwellings/{dwelling_id}/occupancies", {**typed, "programme": ""}
    )
    assert made.status_code == 303
    assert await Occupancy.count() == 1


async def test_two_simultaneous_entries_into_one_dwelling_one_wins(database, host):
    """Two workers confirm an entry into the same dwelling at the same time (two real
    connections on PostgreSQL): one household enters, the other's step writes nothing."""
    import asyncio

    values = await entry_values(KEY)
    first_household, first = await _admitted(host)
    second_household, second = await _admitted(host)
    versions = {
        r["id"]: r["version"]
        for r in await Enrolment.select(Enrolment.id, Enrolment.version).where(
            Enrolment.id.is_in([first, second])
        )
    }

    async def enter(enrolment_id: int):
        return await enr.apply_transition(
            host,
            ACTOR,
            enrolment_id,
            "enter",
            {"entry_date": "2024-02-01", **values},
            versions[enrolment_id],
        )

    results = await asyncio.gather(enter(first), enter(second), return_exceptions=True)
    assert sorted(str(r) if isinstance(r, str) else "refused" for r in results) == [
        "housed",
        "refused",
    ]
    refused = next(r for r in results if not isinstance(r, str))
    assert isinstance(refused, FormErrors) and "dwelling" in refused.errors
    occupancies = await Occupancy.select(Occupancy.household)
    assert len(occupancies) == 1
    loser = second if occupancies[0]["household"] == first_household else first
    loser_household = second_household if loser == second else first_household
    row = await Enrolment.select(Enrolment.state, Enrolment.version).where(Enrolment.id == loser)
    assert row[0] == {"state": "admitted", "version": versions[loser]}
    titles = await TimelineEvent.select(TimelineEvent.title).where(
        TimelineEvent.household == loser_household
    )
    assert not any("Entrée dans le logement" in t["title"] for t in titles)


async def _version(enrolment_id: int) -> int:
    row = await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    return row["version"]


async def test_a_corrected_entry_or_exit_date_moves_the_occupancy(database, host):
    """The head of service corrects the entry, then the exit: the occupancy, its first rent
    terms and the vacancies follow (the entry date stays one fact)."""
    from tremplin.services.corrections import correct_step

    household_id, enrolment_id = await _admitted(host)
    values = await entry_values(KEY)
    dwelling_id = int(values["dwelling"])
    await _vacant_since(dwelling_id, "2023-12-01")
    await move(host, enrolment_id, "enter", entry_date="2024-02-01", **values)
    await correct_step(
        host,
        ACTOR,
        enrolment_id,
        "entry",
        {"entry_date": "2024-02-05", "correction_reason": "clés remises le 5"},
        await _version(enrolment_id),
    )
    occupancy = await Occupancy.select().where(Occupancy.enrolment == enrolment_id).first()
    assert occupancy["start_date"] == dt.date(2024, 2, 5)
    terms = await RentTerms.select(RentTerms.effective_from).where(
        RentTerms.occupancy == occupancy["id"]
    )
    assert terms == [{"effective_from": dt.date(2024, 2, 5)}]
    vacancy = await Vacancy.select(Vacancy.end_date).where(Vacancy.dwelling == dwelling_id)
    assert vacancy == [{"end_date": dt.date(2024, 2, 4)}]

    await move(
        host,
        enrolment_id,
        "exit",
        exit_date="2025-03-01",
        exit_destination="family",
        exit_inventory_date="2025-03-01",
    )
    await correct_step(
        host,
        ACTOR,
        enrolment_id,
        "exit",
        {
            "exit_date": "2025-03-10",
            "exit_destination": "family",
            "correction_reason": "état des lieux le 10",
        },
        await _version(enrolment_id),
    )
    occupancy = await Occupancy.select().where(Occupancy.enrolment == enrolment_id).first()
    assert occupancy["end_date"] == dt.date(2025, 3, 10)
    starts = await Vacancy.select(Vacancy.start_date).where(
        (Vacancy.dwelling == dwelling_id) & Vacancy.end_date.is_null()
    )
    assert starts == [{"start_date": dt.date(2025, 3, 11)}]


async def test_a_correction_onto_a_taken_dwelling_writes_nothing(database, host):
    from tremplin.services.corrections import correct_step

    _, first = await _admitted(host)
    values = await entry_values(KEY)
    await move(host, first, "enter", entry_date="2024-02-01", **values)
    await move(
        host,
        first,
        "exit",
        exit_date="2024-06-30",
        exit_destination="family",
        exit_inventory_date="2024-06-30",
    )
    _, second = await _admitted(host)
    await move(host, second, "enter", entry_date="2024-08-01", **values)
    version = await _version(first)
    # Moving the first household's exit past the second's entry would overlap them.
    with pytest.raises(FormErrors) as refused:
        await correct_step(
            host,
            ACTOR,
            first,
            "exit",
            {
                "exit_date": "2024-08-15",
                "exit_destination": "family",
                "correction_reason": "erreur",
            },
            version,
        )
    assert "exit_date" in refused.value.errors
    assert await _version(first) == version
    row = await Enrolment.select(Enrolment.exit_date).where(Enrolment.id == first).first()
    assert row["exit_date"] == dt.date(2024, 6, 30)
    occupancy = await Occupancy.select(Occupancy.end_date).where(Occupancy.enrolment == first)
    assert occupancy == [{"end_date": dt.date(2024, 6, 30)}]
