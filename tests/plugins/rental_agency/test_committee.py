"""The CEDL rules: presentation, one decision per file and session, reasons, scores
computed from the data with the grid in force, past scores unchanged by a grid edit."""

import json

import pytest

from tests.plugins.rental_agency.helpers import (
    ACTOR,
    accepted,
    household,
    received,
    session,
)
from tremplin.api import FormErrors
from tremplin_rental_agency import committee, demands, grid
from tremplin_rental_agency.tables import Demand, Presentation


async def _status(demand_id: int) -> str:
    return (await Demand.select(Demand.status).where(Demand.id == demand_id).first())["status"]


async def test_decision_refused_for_a_file_not_presented(database):
    demand_id = await received()
    other = await session("2024-02-05")
    with pytest.raises(FormErrors) as exc:
        await committee.decide(ACTOR, other, demand_id, {"decision": "accepted"}, [])
    assert "n'est pas présenté" in exc.value.errors["demand"]
    assert await _status(demand_id) == "received"


async def test_second_decision_in_the_same_session_refused(database):
    demand_id = await received()
    session_id = await session()
    await committee.present(ACTOR, session_id, demand_id)
    await committee.decide(ACTOR, session_id, demand_id, {"decision": "accepted"}, [])
    with pytest.raises(FormErrors) as exc:
        await committee.decide(
            ACTOR, session_id, demand_id, {"decision": "refused", "reason": "Ressources"}, []
        )
    assert "déjà été prise" in exc.value.errors["decision"]
    assert await _status(demand_id) == "accepted"
    assert await Presentation.count().where(Presentation.decision != "") == 1


async def test_adjournment_and_refusal_need_a_reason(database):
    demand_id = await received()
    session_id = await session()
    await committee.present(ACTOR, session_id, demand_id)
    for decision in ("adjourned", "refused"):
        with pytest.raises(FormErrors) as exc:
            await committee.decide(ACTOR, session_id, demand_id, {"decision": decision}, [])
        assert "motif" in exc.value.errors["reason"]
    await committee.decide(
        ACTOR, session_id, demand_id, {"decision": "adjourned", "reason": "Pièces manquantes"}, []
    )
    assert await _status(demand_id) == "adjourned"
    # An adjourned file comes back at the next session.
    later = await session("2024-03-04")
    await committee.present(ACTOR, later, demand_id)
    await committee.decide(ACTOR, later, demand_id, {"decision": "accepted"}, [])
    assert await _status(demand_id) == "accepted"


async def test_only_presentable_demands_are_presented(database):
    demand_id = await demands_registered()
    session_id = await session()
    with pytest.raises(FormErrors):
        await committee.present(ACTOR, session_id, demand_id)
    demand_id2 = await received()
    await committee.present(ACTOR, session_id, demand_id2)
    with pytest.raises(FormErrors) as exc:
        await committee.present(ACTOR, session_id, demand_id2)
    assert "déjà inscrit" in exc.value.errors["demand"]


async def demands_registered() -> int:
    from tests.plugins.rental_agency.helpers import demand

    return await demand()


async def test_score_is_computed_from_the_data(database):
    # Hosted by a third party (no stable housing), 900 € ≤ SMIC but > ½ SMIC, two children,
    # registered 10/01, committee 05/02 (0 whole month), manual criterion ticked.
    household_id = await household(children=2)
    demand_id = await received(household_id, problems=["hosted", "eviction"])
    session_id = await session("2024-02-05")
    await committee.present(ACTOR, session_id, demand_id)
    current = await grid.current_grid(ACTOR)
    manual = next(c["id"] for c in current.criteria if c["rule"] == "manual")
    score = await committee.decide(
        ACTOR, session_id, demand_id, {"decision": "accepted"}, [str(manual)]
    )
    # 20 (no stable housing) + 10 (≤ SMIC) + 2×3 (children) + 10 (eviction) + 10 (manual)
    assert score == 56
    row = await Presentation.select().where(Presentation.demand == demand_id).first()
    assert row["score"] == 56 and row["grid"] == current.id
    assert {d["label"] for d in json.loads(row["score_detail"])} >= {"Par enfant"}


async def test_a_typed_score_or_a_non_manual_tick_is_refused(database):
    demand_id = await received()
    session_id = await session()
    await committee.present(ACTOR, session_id, demand_id)
    current = await grid.current_grid(ACTOR)
    computed = next(c["id"] for c in current.criteria if c["rule"] == "street")
    with pytest.raises(FormErrors) as exc:
        await committee.decide(
            ACTOR, session_id, demand_id, {"decision": "accepted", "score": "99"}, [str(computed)]
        )
    assert "ticked" in exc.value.errors
    await committee.decide(
        ACTOR, session_id, demand_id, {"decision": "accepted", "score": "99"}, []
    )
    row = (
        await Presentation.select(Presentation.score)
        .where(Presentation.demand == demand_id)
        .first()
    )
    assert row["score"] == 30  # 20 + 10, whatever was typed


async def test_editing_the_grid_never_changes_a_past_score(database):
    first = await accepted()
    before = await Presentation.select().where(Presentation.demand == first).first()
    old = await grid.current_grid(ACTOR)
    await grid.save_grid(
        ACTOR,
        [{"label": "Sans logement pérenne", "rule": "no_stable_housing", "points": "50"}],
        139869,
        "Révision",
    )
    new = await grid.current_grid(ACTOR)
    assert new.version == old.version + 1 and len(new.criteria) == 1
    after = await Presentation.select().where(Presentation.demand == first).first()
    assert after["score"] == before["score"] and after["grid"] == old.id
    assert len((await grid.grid_by_id(old.id)).criteria) == len(old.criteria)
    second = await accepted(await household("MARTIN Jo"))
    row = await Presentation.select().where(Presentation.demand == second).first()
    assert row["score"] == 50 and row["grid"] == new.id


async def test_grid_errors_all_at_once(database):
    with pytest.raises(FormErrors) as exc:
        await grid.save_grid(
            ACTOR,
            [
                {"label": "", "rule": "street", "points": "5"},
                {"label": "X", "rule": "nope", "points": "abc"},
            ],
            139869,
        )
    assert set(exc.value.errors) == {"criterion-0-label", "criterion-1-rule", "criterion-1-points"}


async def test_demand_status_moves(database):
    demand_id = await received()
    with pytest.raises(FormErrors):
        await demands.change_status(
            ACTOR, demand_id, {"status": "received", "on_date": "2024-02-01"}
        )
    await demands.change_status(
        ACTOR, demand_id, {"status": "cancelled_elsewhere", "on_date": "2024-02-01"}
    )
    assert await _status(demand_id) == "cancelled_elsewhere"
    # A closed demand lets the household register a new one.
    row = await Demand.select(Demand.household).where(Demand.id == demand_id).first()
    from tests.plugins.rental_agency.helpers import demand

    await demand(row["household"], registered_on="2024-03-01")


async def test_one_demand_in_progress_per_household(database):
    household_id = await household()
    from tests.plugins.rental_agency.helpers import demand

    await demand(household_id)
    with pytest.raises(FormErrors) as exc:
        await demand(household_id)
    assert "déjà une demande" in exc.value.errors["household"]


async def test_demand_errors_all_at_once_and_version_conflict(database):
    household_id = await household()
    with pytest.raises(FormErrors) as exc:
        await demands.create_demand(
            ACTOR,
            household_id,
            {"registered_on": "", "monthly_resources": "abc", "wanted_typology": "T9"},
        )
    assert set(exc.value.errors) == {"registered_on", "monthly_resources", "wanted_typology"}
    demand_id = await received(household_id)
    form = {"registered_on": "2024-01-10", "wanted_sector": "Firminy"}
    await demands.update_demand(ACTOR, demand_id, form, 2)
    with pytest.raises(FormErrors) as exc:
        await demands.update_demand(ACTOR, demand_id, form, 2)
    assert "_version" in exc.value.errors
