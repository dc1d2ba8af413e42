"""Alter Logement and the IML mandate house their households through housing's transition
effects, like the sub-lease: one action records one fact. The entry opens the occupancy in
the chosen dwelling and closes its vacancy, « Changement de logement » moves it, the exit
closes it and opens the vacancy — except the mandate's « Maintien dans le logement », where
the household's own lease goes on. The dwelling page no longer records their entries.
Each test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.plugins.housing.helpers import ACTOR, entry_values
from tremplin.api import FormErrors
from tremplin.models import AuditEntry, Enrolment, TimelineEvent
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin_housing import api as housing
from tremplin_housing import stock
from tremplin_housing.tables import Dwelling, Occupancy, RentTerms, Vacancy

D = dt.date


async def move(host, enrolment_id, key, **values):
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)


async def _alter_logement_admitted(host) -> tuple[int, int]:
    household_id = await hh.create_household(
        ACTOR,
        {"name": "ABRI Nadia"},
        {"first_name": "Nadia", "last_name": "ABRI", "birth_date": "1988-02-01", "sex": "F"},
    )
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "alter_logement",
        {
            "referral_date": "2024-01-05",
            "prescriber": "sos_violences",
            "situation_before_entry": "emergency_shelter",
        },
    )
    await move(host, enrolment_id, "accept", decision_date="2024-01-10")
    return household_id, enrolment_id


async def _mandate_started(host) -> tuple[int, int]:
    household_id = await hh.create_household(
        ACTOR,
        {"name": "BAIL Omar"},
        {"first_name": "Omar", "last_name": "BAIL", "birth_date": "1979-06-12"},
    )
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_mandate",
        {
            "referral_date": "2024-01-05",
            "prescriber": "siao",
            "ddets_agreement_date": "2024-02-10",
        },
    )
    await move(host, enrolment_id, "start", decision_date="2024-01-15")
    return household_id, enrolment_id


async def _vacancies(dwelling_id: int) -> list[tuple[dt.date, dt.date | None]]:
    rows = await Vacancy.select(Vacancy.start_date, Vacancy.end_date).where(
        Vacancy.dwelling == dwelling_id
    )
    return sorted((r["start_date"], r["end_date"]) for r in rows)


async def _status(dwelling_id: int) -> str:
    return (await Dwelling.select(Dwelling.status).where(Dwelling.id == dwelling_id).first())[
        "status"
    ]


async def test_alter_logement_entry_move_and_exit_follow_the_enrolment(database, host):
    household_id, enrolment_id = await _alter_logement_admitted(host)
    first = await entry_values("alter_logement", rent="380", deposit="380")
    first_id = int(first["dwelling"])
    await stock.add_vacancy(
        ACTOR, first_id, {"start_date": "2023-12-01", "cause": "between_occupants"}
    )
    assert await move(host, enrolment_id, "enter", entry_date="2024-02-01", **first) == "housed"
    # The vacancy open before the entry ends the day before it.
    assert await _vacancies(first_id) == [(D(2023, 12, 1), D(2024, 1, 31))]

    occupancy = await Occupancy.select().where(Occupancy.enrolment == enrolment_id).first()
    assert (occupancy["dwelling"], occupancy["household"]) == (first_id, household_id)
    assert (occupancy["kind"], occupancy["programme"]) == ("agreement", "alter_logement")
    assert occupancy["start_date"] == D(2024, 2, 1)  # the entry date, once
    terms = await RentTerms.select(RentTerms.rent_cents).where(
        RentTerms.occupancy == occupancy["id"]
    )
    assert terms == [{"rent_cents": 38000}]
    assert await _status(first_id) == "occupied"

    # « Changement de logement »: one action moves the occupancy, the rent terms go along.
    second = await entry_values("alter_logement")
    second_id = int(second["dwelling"])
    assert (
        await move(host, enrolment_id, "move", moved_on="2024-06-15", dwelling=second["dwelling"])
        == "housed"
    )
    rows = await Occupancy.select(
        Occupancy.dwelling, Occupancy.start_date, Occupancy.end_date, Occupancy.exit_reason
    ).where(Occupancy.enrolment == enrolment_id)
    assert sorted(
        (r["dwelling"], r["start_date"], r["end_date"], r["exit_reason"]) for r in rows
    ) == [
        (first_id, D(2024, 2, 1), D(2024, 6, 14), "transfer"),
        (second_id, D(2024, 6, 15), None, ""),
    ]
    assert await _vacancies(first_id) == [(D(2023, 12, 1), D(2024, 1, 31)), (D(2024, 6, 15), None)]
    assert await _status(first_id) == "available"

    # The exit closes the occupancy on its date and opens the vacancy from the next day.
    await move(
        host,
        enrolment_id,
        "exit",
        exit_date="2025-01-31",
        exit_destination="sliding_lease",
    )
    current = await Occupancy.select().where(Occupancy.dwelling == second_id).first()
    assert (current["end_date"], current["exit_reason"]) == (D(2025, 1, 31), "sliding")
    assert await housing.current_occupancy(household_id) is None
    assert await _vacancies(second_id) == [(D(2025, 2, 1), None)]
    assert await _status(second_id) == "available"


async def test_a_move_into_a_taken_dwelling_writes_nothing(database, host):
    _, enrolment_id = await _alter_logement_admitted(host)
    await move(
        host, enrolment_id, "enter", entry_date="2024-02-01", **await entry_values("alter_logement")
    )
    _, other = await _alter_logement_admitted(host)
    taken = await entry_values("alter_logement")
    await move(host, other, "enter", entry_date="2024-02-01", **taken)
    before = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first(),
        await Occupancy.count(),
        await TimelineEvent.count(),
        await AuditEntry.count(),
        await Vacancy.count(),
    )
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "move", moved_on="2024-05-01", dwelling=taken["dwelling"])
    assert "dwelling" in caught.value.errors
    after = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first(),
        await Occupancy.count(),
        await TimelineEvent.count(),
        await AuditEntry.count(),
        await Vacancy.count(),
    )
    assert after == before
    open_rows = await Occupancy.select(Occupancy.end_date).where(
        Occupancy.enrolment == enrolment_id
    )
    assert open_rows == [{"end_date": None}]


async def test_mandate_lease_opens_the_occupancy_and_outlives_a_kept_tenancy(database, host):
    household_id, enrolment_id = await _mandate_started(host)
    values = await entry_values("iml_mandate", rent="450")
    dwelling_id = int(values["dwelling"])
    assert (
        await move(
            host,
            enrolment_id,
            "enter",
            entry_date="2024-03-01",
            adherence_contract_date="2024-03-01",
            **values,
        )
        == "housed"
    )
    occupancy = await Occupancy.select().where(Occupancy.enrolment == enrolment_id).first()
    assert (occupancy["dwelling"], occupancy["kind"], occupancy["start_date"]) == (
        dwelling_id,
        "lease",
        D(2024, 3, 1),
    )
    # « Maintien dans le logement »: the support ends, the household's lease goes on.
    await move(host, enrolment_id, "end", exit_date="2024-12-31", exit_destination="stayed")
    kept = await Occupancy.select(Occupancy.end_date).where(Occupancy.id == occupancy["id"]).first()
    assert kept["end_date"] is None
    assert (await housing.current_occupancy(household_id)).dwelling_id == dwelling_id
    assert await _vacancies(dwelling_id) == []
    assert await _status(dwelling_id) == "occupied"


async def test_mandate_end_with_a_rehousing_closes_the_lease(database, host):
    household_id, enrolment_id = await _mandate_started(host)
    values = await entry_values("iml_mandate")
    dwelling_id = int(values["dwelling"])
    await move(
        host,
        enrolment_id,
        "enter",
        entry_date="2024-03-01",
        adherence_contract_date="2024-03-01",
        **values,
    )
    await move(host, enrolment_id, "end", exit_date="2024-12-31", exit_destination="public_housing")
    occupancy = await Occupancy.select().where(Occupancy.enrolment == enrolment_id).first()
    assert occupancy["end_date"] == D(2024, 12, 31)
    assert await housing.current_occupancy(household_id) is None
    assert await _vacancies(dwelling_id) == [(D(2025, 1, 1), None)]
    assert await _status(dwelling_id) == "available"


@pytest.mark.parametrize("programme", ["alter_logement", "iml_mandate"])
async def test_the_dwelling_page_refuses_their_entries(login_as, programme):
    from tests.plugins.housing.helpers import household

    manager = await login_as("rental_manager")
    dwelling_id = int((await entry_values(programme))["dwelling"])
    household_id = await household("DOUBLE Saisie")
    typed = {
        "household": str(household_id),
        "kind": "lease" if programme == "iml_mandate" else "agreement",
        "programme": programme,
        "start_date": "2024-01-01",
        "rent": "390",
    }
    refused = await manager.post(f"/housing/dwellings/{dwelling_id}/occupancies", typed)
    assert refused.status_code == 422
    assert "mesure du ménage" in refused.text.replace("&#39;", "'")
    assert await Occupancy.count() == 0
