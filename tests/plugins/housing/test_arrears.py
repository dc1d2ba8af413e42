"""Arrears: the threshold, the monthly review list, the dated procedure steps."""

import pytest

from tests.plugins.housing.helpers import ACTOR, d, housed, household
from tremplin.api import FormErrors
from tremplin.models import TimelineEvent
from tremplin_housing import api
from tremplin_housing.arrears import record_step, review_list, steps_of
from tremplin_housing.calc import ARREARS_THRESHOLD_CENTS
from tremplin_housing.ledger import record_entry, run_rent_calls
from tremplin_housing.tables import ArrearsStep


async def _owing(cents_owed: int, start: str = "2024-01-01") -> int:
    """A household whose balance after the January call is ``cents_owed``."""
    _, household_id, occupancy_id = await housed(start, rent="300", charges="0")
    await run_rent_calls(ACTOR, d(start))
    paid = 30_000 - cents_owed
    if paid:
        await record_entry(
            ACTOR,
            occupancy_id,
            {
                "kind": "payment",
                "entry_date": start,
                "amount": f"{paid // 100},{paid % 100:02d}",
                "means": "cash",
            },
        )
    return household_id


async def test_a_household_is_in_arrears_only_above_the_threshold(database):
    assert ARREARS_THRESHOLD_CENTS == 3000
    at = await _owing(3000)
    above = await _owing(3001)
    credit = await _owing(0)
    assert not await api.in_arrears(at)
    assert await api.in_arrears(above)
    assert not await api.in_arrears(credit)
    assert not await api.in_arrears(await household("SANS Logement"))
    rows = await review_list(d("2024-01-31"))
    assert [r["household_id"] for r in rows] == [above]
    assert rows[0]["balance_cents"] == 3001 and rows[0]["last_payment"] == d("2024-01-01")
    assert [r["household_id"] for r in await review_list(d("2024-01-31"), threshold=0)] == [
        above,
        at,
    ]
    # Before the rent was called, nobody owed anything.
    assert await review_list(d("2023-12-31")) == []


async def test_procedure_steps_are_dated_listed_and_on_the_timeline(database):
    household_id = await _owing(45_00)
    with pytest.raises(FormErrors) as caught:
        await record_step(ACTOR, household_id, {"step": "summons", "done_on": "2099-01-01"})
    assert caught.value.errors == {"done_on": "la date est dans le futur"}
    with pytest.raises(FormErrors) as caught:
        await record_step(ACTOR, household_id, {"step": "prison", "done_on": ""})
    assert caught.value.errors == {"step": "choix inconnu", "done_on": "ce champ est obligatoire"}
    assert await ArrearsStep.count() == 0
    await record_step(ACTOR, household_id, {"step": "first_reminder", "done_on": "2024-02-05"})
    await record_step(
        ACTOR,
        household_id,
        {"step": "formal_notice", "done_on": "2024-03-05", "note": "Lettre recommandée"},
    )
    assert [s["label"] for s in await steps_of(household_id)] == [
        "Première relance",
        "Mise en demeure",
    ]
    row = (await review_list(d("2024-03-31")))[0]
    assert row["last_step"]["label"] == "Mise en demeure"
    assert (await review_list(d("2024-02-28")))[0]["last_step"]["label"] == "Première relance"
    titles = [
        e["title"]
        for e in await TimelineEvent.select(TimelineEvent.title)
        .where(
            (TimelineEvent.household == household_id)
            & (TimelineEvent.kind == "housing_arrears_step")
        )
        .order_by(TimelineEvent.occurred_at)
    ]
    assert titles == ["Impayés : Première relance", "Impayés : Mise en demeure"]
