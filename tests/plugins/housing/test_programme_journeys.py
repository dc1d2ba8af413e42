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


async def _mandate_housed(host) -> tuple[int, int, int]:
    household_id, enrolment_id = await _mandate_started(host)
    values = await entry_values("iml_mandate", rent="450")
    await move(
        host,
        enrolment_id,
        "enter",
        entry_date="2024-03-01",
        adherence_contract_date="2024-03-01",
        **values,
    )
    return household_id, enrolment_id, int(values["dwelling"])


async def _correct_exit(host, enrolment_id: int, destination: str, exit_date="2024-12-31"):
    from tremplin.services.corrections import correct_step

    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await correct_step(
        host,
        ACTOR,
        enrolment_id,
        "exit",
        {
            "exit_date": exit_date,
            "exit_destination": destination,
            "exit_reason": "",
            "correction_reason": "Issue mal saisie",
        },
        version,
    )


async def _calls(occupancy_id: int) -> dict[dt.date, int]:
    from tremplin_housing.tables import LedgerEntry

    rows = await LedgerEntry.select(LedgerEntry.month, LedgerEntry.rent_cents).where(
        (LedgerEntry.occupancy == occupancy_id) & (LedgerEntry.kind == "call")
    )
    return {r["month"]: r["rent_cents"] for r in rows}


async def test_correcting_a_kept_tenancy_into_a_departure_closes_the_lease(database, host):
    """« Maintien » corrected to a rehousing: the lease ends on the exit date, the dwelling
    is vacant from the next day, and the rent account stops there."""
    from tremplin_housing.ledger import run_rent_calls

    household_id, enrolment_id, dwelling_id = await _mandate_housed(host)
    await move(host, enrolment_id, "end", exit_date="2024-12-15", exit_destination="stayed")
    occupancy_id = (await housing.enrolment_occupancy(enrolment_id))["id"]
    for month in (D(2024, 12, 1), D(2025, 1, 1)):
        await run_rent_calls(ACTOR, month)
    assert await _calls(occupancy_id) == {D(2024, 12, 1): 45000, D(2025, 1, 1): 45000}

    assert await _correct_exit(host, enrolment_id, "public_housing", "2024-12-15") == [
        "exit_destination"
    ]
    row = await Occupancy.select().where(Occupancy.id == occupancy_id).first()
    assert (row["end_date"], row["exit_reason"]) == (D(2024, 12, 15), "end")
    assert await housing.current_occupancy(household_id) is None
    assert await _vacancies(dwelling_id) == [(D(2024, 12, 16), None)]
    assert await _status(dwelling_id) == "available"
    # December prorated to the 15 days lived there, January no longer called.
    assert await _calls(occupancy_id) == {D(2024, 12, 1): 45000 * 15 // 31}
    audits = await AuditEntry.select(AuditEntry.action).where(
        (AuditEntry.object_type == "housing_occupancy") & (AuditEntry.object_id == occupancy_id)
    )
    assert "exit" in [a["action"] for a in audits]


async def test_correcting_a_departure_into_a_kept_tenancy_reopens_the_lease(database, host):
    """A rehousing corrected to « Maintien »: the lease runs on, the vacancy its exit opened
    goes, the dwelling is occupied and the months called since are called in full again."""
    from tremplin_housing.ledger import run_rent_calls

    household_id, enrolment_id, dwelling_id = await _mandate_housed(host)
    await _mandate_housed(host)  # a neighbour, still called every month
    occupancy_id = (await housing.enrolment_occupancy(enrolment_id))["id"]
    await run_rent_calls(ACTOR, D(2024, 12, 1))
    await move(host, enrolment_id, "end", exit_date="2024-12-15", exit_destination="family")
    await run_rent_calls(ACTOR, D(2025, 1, 1))  # the neighbour's; not this household's
    assert await _calls(occupancy_id) == {D(2024, 12, 1): 45000 * 15 // 31}
    assert await _vacancies(dwelling_id) == [(D(2024, 12, 16), None)]

    await _correct_exit(host, enrolment_id, "stayed", "2024-12-15")
    row = await Occupancy.select().where(Occupancy.id == occupancy_id).first()
    assert (row["end_date"], row["exit_reason"]) == (None, "")
    assert (await housing.current_occupancy(household_id)).dwelling_id == dwelling_id
    assert await _vacancies(dwelling_id) == []
    assert await _status(dwelling_id) == "occupied"
    assert await _calls(occupancy_id) == {D(2024, 12, 1): 45000, D(2025, 1, 1): 45000}
    # Corrected back: closed again on the exit date.
    await _correct_exit(host, enrolment_id, "family", "2024-12-20")
    row = await Occupancy.select().where(Occupancy.id == occupancy_id).first()
    assert row["end_date"] == D(2024, 12, 20)
    assert await _vacancies(dwelling_id) == [(D(2024, 12, 21), None)]


async def test_a_kept_tenancy_cannot_be_restored_once_the_dwelling_is_let_again(database, host):
    _, enrolment_id, dwelling_id = await _mandate_housed(host)
    await move(host, enrolment_id, "end", exit_date="2024-12-15", exit_destination="family")
    # Another household enters the dwelling in January.
    _, other = await _mandate_started(host)
    values = await entry_values("iml_mandate")
    await move(
        host,
        other,
        "enter",
        entry_date="2025-01-10",
        adherence_contract_date="2025-01-10",
        **{**values, "dwelling": str(dwelling_id)},
    )
    before = (
        await Enrolment.select().where(Enrolment.id == enrolment_id).first(),
        await Occupancy.select().order_by(Occupancy.id),
        await _vacancies(dwelling_id),
        await TimelineEvent.count(),
    )
    with pytest.raises(FormErrors) as caught:
        await _correct_exit(host, enrolment_id, "stayed", "2024-12-15")
    assert "exit_destination" in caught.value.errors
    after = (
        await Enrolment.select().where(Enrolment.id == enrolment_id).first(),
        await Occupancy.select().order_by(Occupancy.id),
        await _vacancies(dwelling_id),
        await TimelineEvent.count(),
    )
    assert after == before


async def _close_on_the_dwelling_page(occupancy_id: int, end: str) -> None:
    """The rental manager records the household's exit on the dwelling page."""
    from tremplin_housing import occupancy

    await occupancy.close_occupancy(ACTOR, occupancy_id, {"end_date": end, "exit_reason": "end"})


async def _correction_body() -> str:
    row = (
        await TimelineEvent.select(TimelineEvent.body)
        .where(TimelineEvent.kind == "correction")
        .order_by(TimelineEvent.id, ascending=False)
        .first()
    )
    return row["body"]


async def _everything(enrolment_id: int, dwelling_id: int) -> tuple:
    return (
        await Enrolment.select().where(Enrolment.id == enrolment_id).first(),
        await Occupancy.select().order_by(Occupancy.id),
        await _vacancies(dwelling_id),
        await TimelineEvent.count(),
        await AuditEntry.count(),
    )


async def test_a_kept_tenancy_is_refused_when_the_household_left_before_the_exit(database, host):
    """The lease was closed on the dwelling page before the support's exit (so the exit
    closed nothing): no occupancy ends on the exit date, and « Maintien » would say the
    household stayed where it had already left. Refused, under the destination, writing
    nothing: neither the enrolment nor the lease, the timeline or the audit."""
    _, enrolment_id, dwelling_id = await _mandate_housed(host)
    occupancy_id = (await housing.enrolment_occupancy(enrolment_id))["id"]
    await _close_on_the_dwelling_page(occupancy_id, "2024-11-30")
    await move(host, enrolment_id, "end", exit_date="2024-12-15", exit_destination="family")
    before = await _everything(enrolment_id, dwelling_id)
    with pytest.raises(FormErrors) as caught:
        await _correct_exit(host, enrolment_id, "stayed", "2024-12-15")
    message = caught.value.errors["exit_destination"]
    assert "clos le 30/11/2024 sur la page du logement" in message
    assert "maintien dans le logement ne peut pas être enregistré" in message
    assert await _everything(enrolment_id, dwelling_id) == before


async def test_the_refused_kept_tenancy_keeps_the_form_input(client, users, host):
    from tests.conftest import Session, login

    household_id, enrolment_id, _ = await _mandate_housed(host)
    occupancy_id = (await housing.enrolment_occupancy(enrolment_id))["id"]
    await _close_on_the_dwelling_page(occupancy_id, "2024-11-30")
    await move(host, enrolment_id, "end", exit_date="2024-12-15", exit_destination="family")
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    head = Session(client, await login(client, "head_of_service@test.fr"), None)
    refused = await head.post(
        f"/enrolments/{enrolment_id}/corrections/exit",
        {
            "version": str(version),
            "exit_date": "2024-12-15",
            "exit_destination": "stayed",
            "exit_reason": "bail conservé",
            "correction_reason": "destination mal saisie",
        },
    )
    assert refused.status_code == 422
    assert "clos le 30/11/2024 sur la page du logement" in refused.text
    assert "destination mal saisie" in refused.text and "bail conservé" in refused.text
    row = await Enrolment.select().where(Enrolment.id == enrolment_id).first()
    assert (row["exit_destination"], row["version"]) == ("family", version)
    assert household_id


async def test_a_lease_closed_after_a_kept_tenancy_makes_both_corrections_consistent(
    database, host
):
    """« Maintien », then the dwelling page closed the lease on 20 January: correcting the
    exit to a departure is consistent (the lease is already closed; it stays as recorded and
    the correction's timeline line says so), and back to « Maintien » too (the lease ran on
    after the support's end)."""
    household_id, enrolment_id, dwelling_id = await _mandate_housed(host)
    await move(host, enrolment_id, "end", exit_date="2024-12-15", exit_destination="stayed")
    occupancy_id = (await housing.enrolment_occupancy(enrolment_id))["id"]
    await _close_on_the_dwelling_page(occupancy_id, "2025-01-20")
    lease = await Occupancy.select().where(Occupancy.id == occupancy_id).first()
    vacancies = await _vacancies(dwelling_id)

    assert await _correct_exit(host, enrolment_id, "public_housing", "2024-12-15") == [
        "exit_destination"
    ]
    assert await Occupancy.select().where(Occupancy.id == occupancy_id).first() == lease
    assert await _vacancies(dwelling_id) == vacancies
    body = await _correction_body()
    assert "était déjà clos le 20/01/2025" in body and "la correction est cohérente" in body
    row = await Enrolment.select().where(Enrolment.id == enrolment_id).first()
    assert row["exit_destination"] == "public_housing"

    await _correct_exit(host, enrolment_id, "stayed", "2024-12-15")
    assert await Occupancy.select().where(Occupancy.id == occupancy_id).first() == lease
    assert await _vacancies(dwelling_id) == vacancies
    assert "a continué après la fin de l'accompagnement, jusqu'au 20/01/2025" in (
        await _correction_body()
    )
    assert await housing.current_occupancy(household_id) is None


async def test_an_exit_date_correction_says_when_the_lease_was_closed_elsewhere(database, host):
    """The exit closed nothing (the dwelling page had closed the lease before): moving the
    exit date leaves the lease's end as recorded, and the timeline says so."""
    _, enrolment_id, dwelling_id = await _mandate_housed(host)
    occupancy_id = (await housing.enrolment_occupancy(enrolment_id))["id"]
    await _close_on_the_dwelling_page(occupancy_id, "2024-11-30")
    await move(host, enrolment_id, "end", exit_date="2024-12-15", exit_destination="family")
    vacancies = await _vacancies(dwelling_id)
    await _correct_exit(host, enrolment_id, "family", "2024-12-20")
    row = await Occupancy.select(Occupancy.end_date).where(Occupancy.id == occupancy_id).first()
    assert row["end_date"] == D(2024, 11, 30)
    assert await _vacancies(dwelling_id) == vacancies
    assert "n'a pas été clos par cette sortie (clos le 30/11/2024" in await _correction_body()


async def _housed_after_a_vacancy(host, programme: str) -> tuple[int, int, int]:
    """A household of ``programme`` entered on 1 March 2024 a dwelling vacant since
    20 January; the rent of March and April is called."""
    from tremplin_housing.ledger import run_rent_calls

    if programme == "iml_mandate":
        _, enrolment_id = await _mandate_started(host)
        extra = {"adherence_contract_date": "2024-03-01"}
    else:
        _, enrolment_id = await _alter_logement_admitted(host)
        extra = {}
    values = await entry_values(programme, rent="310")
    dwelling_id = int(values["dwelling"])
    await stock.add_vacancy(
        ACTOR, dwelling_id, {"start_date": "2024-01-20", "cause": "between_occupants"}
    )
    await move(host, enrolment_id, "enter", entry_date="2024-03-01", **extra, **values)
    occupancy_id = (await housing.enrolment_occupancy(enrolment_id))["id"]
    for month in (D(2024, 3, 1), D(2024, 4, 1)):
        await run_rent_calls(ACTOR, month)
    return enrolment_id, dwelling_id, occupancy_id


@pytest.mark.parametrize("programme", ["alter_logement", "iml_mandate"])
async def test_correcting_the_entry_date_moves_the_occupancy_rent_and_vacancy(
    database, host, programme
):
    """The entry date is one fact: corrected later or earlier, the occupancy's start, the
    rent terms' start, the vacancy's end and the first month's rent call follow it."""
    from tremplin.services.corrections import correct_step

    enrolment_id, dwelling_id, occupancy_id = await _housed_after_a_vacancy(host, programme)
    assert await _vacancies(dwelling_id) == [(D(2024, 1, 20), D(2024, 2, 29))]
    assert await _calls(occupancy_id) == {D(2024, 3, 1): 31000, D(2024, 4, 1): 31000}

    async def correct(day: str) -> None:
        version = (
            await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
        )["version"]
        await correct_step(
            host,
            ACTOR,
            enrolment_id,
            "entry",
            {"entry_date": day, "correction_reason": "date du bail"},
            version,
        )

    async def facts() -> tuple:
        start = (
            await Occupancy.select(Occupancy.start_date).where(Occupancy.id == occupancy_id).first()
        )["start_date"]
        terms = await RentTerms.select(RentTerms.effective_from).where(
            RentTerms.occupancy == occupancy_id
        )
        return start, [t["effective_from"] for t in terms]

    await correct("2024-03-11")
    assert await facts() == (D(2024, 3, 11), [D(2024, 3, 11)])
    assert await _vacancies(dwelling_id) == [(D(2024, 1, 20), D(2024, 3, 10))]
    # March is called for the 21 days lived there.
    assert await _calls(occupancy_id) == {D(2024, 3, 1): 31000 * 21 // 31, D(2024, 4, 1): 31000}

    await correct("2024-02-20")
    assert await facts() == (D(2024, 2, 20), [D(2024, 2, 20)])
    assert await _vacancies(dwelling_id) == [(D(2024, 1, 20), D(2024, 2, 19))]
    assert await _calls(occupancy_id) == {D(2024, 3, 1): 31000, D(2024, 4, 1): 31000}
    enrolment = (
        await Enrolment.select(Enrolment.entry_date).where(Enrolment.id == enrolment_id).first()
    )
    assert enrolment["entry_date"] == D(2024, 2, 20)

    # Before the vacancy began: the dwelling was never vacant, the vacancy goes, and the
    # correction's timeline line says so.
    await correct("2024-01-16")
    assert await facts() == (D(2024, 1, 16), [D(2024, 1, 16)])
    assert await _vacancies(dwelling_id) == []
    assert "la vacance du 20/01/2024 au 19/02/2024 est supprimée" in await _correction_body()


async def test_a_transfer_on_the_dwelling_page_stays_the_enrolments_occupancy(database, host):
    """The rental manager moves the household on the occupancy page (« Transfert »): the new
    occupancy is still the enrolment's, so the support's exit closes it and frees that
    dwelling (before, the link was lost: the exit closed nothing and the household stayed
    « en cours » in the second dwelling)."""
    from tremplin_housing import occupancy as occ

    household_id, enrolment_id = await _alter_logement_admitted(host)
    first = await entry_values("alter_logement")
    await move(host, enrolment_id, "enter", entry_date="2024-02-01", **first)
    second_id = int((await entry_values("alter_logement"))["dwelling"])
    reference = (await Dwelling.select(Dwelling.reference).where(Dwelling.id == second_id).first())[
        "reference"
    ]
    current = await housing.enrolment_occupancy(enrolment_id)
    new_id = await occ.transfer(
        ACTOR,
        current["id"],
        {"dwelling": reference, "transfer_date": "2024-06-01", "rent": "350"},
    )
    moved = await housing.enrolment_occupancy(enrolment_id)
    assert (moved["id"], moved["dwelling"]) == (new_id, second_id)

    await move(host, enrolment_id, "exit", exit_date="2024-12-31", exit_destination="family")
    row = await Occupancy.select(Occupancy.end_date).where(Occupancy.id == new_id).first()
    assert row["end_date"] == D(2024, 12, 31)
    assert await housing.current_occupancy(household_id) is None
    assert await _vacancies(second_id) == [(D(2025, 1, 1), None)]


async def test_a_correction_note_is_written_in_the_request_language(database):
    """The note of a correction is translated by the plugin's catalogue, its date formatted
    for the language; the French stays the same."""
    from tremplin.i18n import use_language
    from tremplin_housing import journey

    rows = [{"dwelling": 7, "end_date": D(2025, 1, 20)}]
    with use_language("en"):
        assert await journey._already_closed(rows) == (
            "Housing: the lease of dwelling 7 was already closed on 20/01/2025 (exit recorded "
            "on the dwelling's page); the correction is consistent, the lease is not changed."
        )
    with use_language("fr"):
        assert await journey._already_closed(rows) == (
            "Logement : le bail du logement 7 était déjà clos le 20/01/2025 (sortie enregistrée "
            "sur la page du logement) ; la correction est cohérente, le bail n'est pas modifié."
        )
