"""Occupancies: overlaps refused, dates checked, transfers keep history, revisions,
deposit instalments, the timeline."""

import pytest

from tests.plugins.housing.helpers import ACTOR, d, dwelling, housed, household, occupancy
from tremplin.api import FormErrors, now
from tremplin.models import TimelineEvent
from tremplin_housing import api
from tremplin_housing import occupancy as occ
from tremplin_housing.ledger import run_rent_calls
from tremplin_housing.tables import (
    DepositInstalment,
    Dwelling,
    LedgerEntry,
    Occupancy,
    RentTerms,
    Vacancy,
)


async def test_overlapping_occupancies_of_one_dwelling_are_refused(database):
    dwelling_id, _, first = await housed("2024-01-01")
    other = await household("DURAND Paul")
    with pytest.raises(FormErrors) as caught:
        await occupancy(dwelling_id, other, "2024-03-01")
    assert caught.value.errors == {
        "start_date": "Ce logement est déjà occupé par un autre ménage "
        "du 01/01/2024 à ce jour : enregistrez d'abord sa sortie."
    }
    await occ.close_occupancy(ACTOR, first, {"end_date": "2024-06-30", "exit_reason": "end"})
    with pytest.raises(FormErrors) as caught:
        await occupancy(dwelling_id, other, "2024-06-30")
    assert "du 01/01/2024 au 30/06/2024" in caught.value.errors["start_date"]
    # An earlier start overlapping the closed period is refused too.
    with pytest.raises(FormErrors):
        await occupancy(dwelling_id, other, "2023-12-01")
    assert await Occupancy.count() == 1
    second = await occupancy(dwelling_id, other, "2024-07-01")
    assert await Occupancy.count() == 2 and second


async def test_the_refusals_are_told_in_the_request_language(database):
    """The same refusals in English (the plugin's catalogue), the dates formatted for it."""
    from tremplin.i18n import use_language

    dwelling_id, _, first = await housed("2024-01-01")
    other = await household("DURAND Paul")
    with use_language("en"), pytest.raises(FormErrors) as caught:
        await occupancy(dwelling_id, other, "2024-03-01")
    assert caught.value.errors == {
        "start_date": "This dwelling is already occupied by another household "
        "from 01/01/2024 to date: record its exit first."
    }
    with use_language("en"), pytest.raises(FormErrors) as caught:
        await occ.close_occupancy(ACTOR, first, {"end_date": "2023-06-30", "exit_reason": "end"})
    assert caught.value.errors == {
        "end_date": "the exit date comes before the entry date (01/01/2024)"
    }
    assert await Occupancy.count() == 1


async def test_a_household_cannot_occupy_two_dwellings_at_once(database):
    _, household_id, _ = await housed("2024-01-01")
    elsewhere = await dwelling()
    with pytest.raises(FormErrors) as caught:
        await occupancy(elsewhere, household_id, "2024-02-01")
    assert caught.value.errors == {
        "household": "Ce ménage occupe déjà un logement à cette date : "
        "enregistrez sa sortie ou un transfert."
    }


async def test_bad_input_is_refused_in_french_and_nothing_is_written(database):
    dwelling_id = await dwelling()
    household_id = await household()
    cases = [
        ({"rent": "-400"}, {"rent": "le montant ne peut pas être négatif"}),
        ({"rent": "4000000"}, {"rent": "montant trop élevé"}),
        ({"rent": "400,123"}, {"rent": "deux décimales au maximum"}),
        ({"benefit": "900"}, {"benefit": "l'aide au logement dépasse le loyer et les charges"}),
        ({"start": "31/02/2024"}, {"start_date": "date invalide (format attendu : jj/mm/aaaa)"}),
    ]
    for bad, errors in cases:
        with pytest.raises(FormErrors) as caught:
            await occupancy(dwelling_id, household_id, **bad)
        assert caught.value.errors == errors
    with pytest.raises(FormErrors) as caught:
        await occupancy(dwelling_id, 9999)
    assert caught.value.errors == {
        "household": "aucun ménage ne porte ce numéro ou cette référence"
    }
    assert await Occupancy.count() == 0 and await RentTerms.count() == 0


async def test_exit_date_before_entry_is_refused(database):
    _, _, occupancy_id = await housed("2024-03-15")
    with pytest.raises(FormErrors) as caught:
        await occ.close_occupancy(
            ACTOR, occupancy_id, {"end_date": "2024-03-14", "exit_reason": "end"}
        )
    assert caught.value.errors == {
        "end_date": "la date de sortie précède la date d'entrée (15/03/2024)"
    }
    assert (await Occupancy.select(Occupancy.end_date).first())["end_date"] is None
    await occ.close_occupancy(
        ACTOR, occupancy_id, {"end_date": "2024-03-15", "exit_reason": "departure"}
    )
    with pytest.raises(FormErrors) as caught:
        await occ.close_occupancy(
            ACTOR, occupancy_id, {"end_date": "2024-04-15", "exit_reason": "end"}
        )
    assert caught.value.errors == {"_occupancy": "La sortie de ce logement est déjà enregistrée."}


async def test_exit_reprices_the_exit_month_and_frees_the_dwelling(database):
    dwelling_id, household_id, occupancy_id = await housed("2024-01-01", rent="310", charges="0")
    for month in ("2024-01-01", "2024-02-01", "2024-03-01"):
        await run_rent_calls(ACTOR, d(month))
    await occ.close_occupancy(ACTOR, occupancy_id, {"end_date": "2024-02-10", "exit_reason": "end"})
    calls = (
        await LedgerEntry.select(LedgerEntry.month, LedgerEntry.amount_cents)
        .where(LedgerEntry.kind == "call")
        .order_by(LedgerEntry.month)
    )
    assert [(c["month"], c["amount_cents"]) for c in calls] == [
        (d("2024-01-01"), 31_000),
        (d("2024-02-01"), 10_690),
    ]  # 310 € × 10/29
    status = await Dwelling.select(Dwelling.status).where(Dwelling.id == dwelling_id).first()
    assert status["status"] == "available"
    assert await api.current_occupancy(household_id, d("2024-02-11")) is None


async def test_transfer_keeps_history_and_the_debt_follows_the_household(database):
    first_dwelling, household_id, first = await housed("2024-01-01", rent="400", charges="0")
    await run_rent_calls(ACTOR, d("2024-01-01"))
    target = await dwelling(address="8 avenue Carnot")
    reference = (await Dwelling.select(Dwelling.reference).where(Dwelling.id == target).first())[
        "reference"
    ]
    with pytest.raises(FormErrors) as caught:
        await occ.transfer(
            ACTOR, first, {"dwelling": reference, "transfer_date": "2024-01-01", "rent": "300"}
        )
    assert caught.value.errors == {
        "transfer_date": "Le changement doit suivre l'entrée dans le logement actuel."
    }
    second = await occ.transfer(
        ACTOR, first, {"dwelling": reference.lower(), "transfer_date": "2024-02-01", "rent": "300"}
    )
    history = await api.occupancies(household_id)
    assert [(h.dwelling_id, h.start_date, h.end_date) for h in history] == [
        (first_dwelling, d("2024-01-01"), d("2024-01-31")),
        (target, d("2024-02-01"), None),
    ]
    assert history[1].transferred_from == first and history[1].id == second
    assert (
        await api.current_occupancy(household_id, d("2024-03-01"))
    ).dwelling_reference == reference
    await run_rent_calls(ACTOR, d("2024-02-01"))
    assert await api.balance(first) == 40_000
    assert await api.balance(second) == 30_000
    assert await api.household_balance(household_id) == 70_000
    titles = [
        e["title"]
        for e in await TimelineEvent.select(TimelineEvent.title).where(
            (TimelineEvent.household == household_id) & (TimelineEvent.kind == "housing_occupancy")
        )
    ]
    assert titles == [
        f"Entrée dans le logement L-{first_dwelling:05d}",
        f"Transfert vers le logement {reference}",
    ]


async def test_rent_revision_changes_the_amount_from_its_date_without_a_new_occupancy(database):
    _, _, occupancy_id = await housed("2024-01-01", rent="400", charges="50", benefit="200")
    await run_rent_calls(ACTOR, d("2024-12-01"))
    with pytest.raises(FormErrors) as caught:
        await occ.add_revision(
            ACTOR, occupancy_id, {"effective_from": "2023-12-01", "rent": "410", "reason": "yearly"}
        )
    assert "précéder l'entrée" in caught.value.errors["effective_from"]
    await occ.add_revision(
        ACTOR,
        occupancy_id,
        {
            "effective_from": "2025-01-01",
            "rent": "410",
            "charges": "50",
            "benefit": "180",
            "reason": "yearly",
        },
    )
    with pytest.raises(FormErrors) as caught:
        await occ.add_revision(
            ACTOR, occupancy_id, {"effective_from": "2025-01-01", "rent": "420", "reason": "yearly"}
        )
    assert caught.value.errors == {"effective_from": "une révision prend déjà effet à cette date"}
    await run_rent_calls(ACTOR, d("2025-01-01"))
    calls = (
        await LedgerEntry.select(LedgerEntry.month, LedgerEntry.kind, LedgerEntry.amount_cents)
        .where(LedgerEntry.occupancy == occupancy_id)
        .order_by(LedgerEntry.month)
        .order_by(LedgerEntry.kind)
    )
    assert [(c["month"].month, c["kind"], c["amount_cents"]) for c in calls] == [
        (12, "benefit", 20_000),
        (12, "call", 45_000),
        (1, "benefit", 18_000),
        (1, "call", 46_000),
    ]
    assert await Occupancy.count() == 1
    # A revision dated back into an already-called month re-prices that month.
    await occ.add_revision(
        ACTOR,
        occupancy_id,
        {
            "effective_from": "2024-12-01",
            "rent": "405",
            "charges": "50",
            "benefit": "200",
            "reason": "other",
        },
    )
    december = (
        await LedgerEntry.select(LedgerEntry.amount_cents)
        .where((LedgerEntry.kind == "call") & (LedgerEntry.month == d("2024-12-01")))
        .first()
    )
    assert december["amount_cents"] == 45_500
    assert await api.balance(occupancy_id, d("2025-01-31")) == 45_500 - 20_000 + 46_000 - 18_000


async def test_deposit_is_planned_half_at_signature_and_the_rest_a_month_later(database):
    _, _, occupancy_id = await housed("2024-01-31", deposit="450,01")
    parts = await DepositInstalment.select().order_by(DepositInstalment.due_on)
    assert [(p["due_on"], p["amount_cents"]) for p in parts] == [
        (d("2024-01-31"), 22_501),
        (d("2024-02-29"), 22_500),
    ]
    returned = await occ.mark_deposit_paid(ACTOR, parts[0]["id"], {"paid_on": "2024-01-31"})
    assert returned == occupancy_id
    with pytest.raises(FormErrors):
        await occ.mark_deposit_paid(ACTOR, parts[1]["id"], {"paid_on": "2099-01-01"})


async def test_no_household_enters_a_dwelling_that_is_only_a_prospect(database):
    """Owner contacted but dwelling not captured: no head lease yet, so no occupancy."""
    prospect = await dwelling(status="prospect")
    with pytest.raises(FormErrors) as caught:
        await occupancy(prospect, await household())
    assert "n'est pas encore capté" in caught.value.errors["_occupancy"]
    assert await Occupancy.count().where(Occupancy.dwelling == prospect) == 0
    row = await Dwelling.select(Dwelling.status).where(Dwelling.id == prospect).first()
    assert row["status"] == "prospect"


async def test_an_entry_on_the_dwelling_page_ends_the_vacancy_and_the_exit_opens_one(database):
    """The dwelling page's entry (a household outside a programme that houses people) ends
    the dwelling's open vacancy the day before, as the workflow's entry does; its exit opens
    a new one from the next day."""
    dwelling_id = await dwelling()
    await Vacancy.insert(
        Vacancy(
            dwelling=dwelling_id,
            start_date=d("2024-01-01"),
            cause="between_occupants",
            created_at=now(),
        )
    )
    household_id = await household()
    occupancy_id = await occupancy(dwelling_id, household_id, "2024-03-01")
    vacancies = await Vacancy.select(Vacancy.start_date, Vacancy.end_date).order_by(Vacancy.id)
    assert [(v["start_date"], v["end_date"]) for v in vacancies] == [
        (d("2024-01-01"), d("2024-02-29"))
    ]
    await occ.close_occupancy(ACTOR, occupancy_id, {"end_date": "2024-06-30", "exit_reason": "end"})
    vacancies = await Vacancy.select(Vacancy.start_date, Vacancy.end_date).order_by(Vacancy.id)
    assert [(v["start_date"], v["end_date"]) for v in vacancies] == [
        (d("2024-01-01"), d("2024-02-29")),
        (d("2024-07-01"), None),
    ]
