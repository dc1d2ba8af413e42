"""Transition effects: awaited by the core in the transition's own transaction, after the
enrolment is written; a refusal from any effect leaves nothing written at all."""

from __future__ import annotations

import dataclasses

import pytest

from tests.plugins.iml_youth.helpers import ACTOR, move, young
from tremplin.api import EffectContext, FormErrors, Transition, now
from tremplin.models import AuditEntry, Enrolment, TimelineEvent
from tremplin.services import enrolments as enr

KEY = "iml_youth"


@pytest.fixture
def with_effects(host):
    """``with_effects(*effects)``: the youth IML's ``accept`` runs these effects (restored
    after the test)."""
    original = host.workflows[KEY]

    def install(*effects) -> None:
        transitions = tuple(
            dataclasses.replace(t, effects=effects) if t.key == "accept" else t
            for t in original.transitions
        )
        host.workflows[KEY] = dataclasses.replace(original, transitions=transitions)

    yield install
    host.workflows[KEY] = original


async def _counts(household_id: int, enrolment_id: int) -> tuple:
    row = await Enrolment.select(Enrolment.state, Enrolment.version).where(
        Enrolment.id == enrolment_id
    )
    events = await TimelineEvent.count().where(TimelineEvent.household == household_id)
    audits = await AuditEntry.count().where(
        (AuditEntry.object_type == "enrolment") & (AuditEntry.object_id == enrolment_id)
    )
    return row[0]["state"], row[0]["version"], events, audits


def test_transition_declares_effects():
    assert Transition("a", "A", ("x",), "y").effects == ()


async def test_effect_sees_before_and_after_in_the_transaction(database, host, with_effects):
    seen: list[EffectContext] = []

    async def effect(ctx: EffectContext) -> None:
        # Inside the transaction the enrolment is already written: a read sees the new state.
        row = await Enrolment.select(Enrolment.state).where(Enrolment.id == ctx.enrolment.id)
        seen.append((ctx, row[0]["state"]))

    with_effects(effect)
    household_id, enrolment_id = await young(host, siao_validation_date="2024-01-11")
    assert await move(host, enrolment_id, "accept", decision_date="2024-01-12") == "admitted"
    ctx, state_inside = seen[0]
    assert state_inside == "admitted"
    assert ctx.transition == "accept"
    assert ctx.before.state == "referral" and ctx.before.decision_date is None
    assert ctx.enrolment.state == "admitted"
    assert str(ctx.enrolment.decision_date) == "2024-01-12"
    assert ctx.values["decision_date"] == "2024-01-12"
    assert ctx.programme is not None and ctx.programme.key == KEY
    assert ctx.user_id == ACTOR.user_id


async def test_effects_run_in_order_and_a_refusal_writes_nothing(database, host, with_effects):
    order: list[str] = []

    async def first(ctx: EffectContext) -> None:
        order.append("first")
        # A write the refusal below must undo, with the enrolment's.
        await TimelineEvent.insert(
            TimelineEvent(
                household=ctx.enrolment.household_id,
                kind="note",
                occurred_at=now(),
                created_at=now(),
                programme=KEY,
                title="écrit par un effet",
                data={},
            )
        )

    async def refuse(ctx: EffectContext) -> None:
        order.append("refuse")
        raise FormErrors({"dwelling": "Ce logement est déjà occupé."})

    with_effects(first, refuse)
    household_id, enrolment_id = await young(host, siao_validation_date="2024-01-11")
    before = await _counts(household_id, enrolment_id)
    version = before[1]
    with pytest.raises(FormErrors) as refused:
        await enr.apply_transition(
            host, ACTOR, enrolment_id, "accept", {"decision_date": "2024-01-12"}, version
        )
    assert refused.value.errors == {"dwelling": "Ce logement est déjà occupé."}
    assert order == ["first", "refuse"]
    # Not the enrolment, not the effect's own write, not the timeline, not the audit.
    assert await _counts(household_id, enrolment_id) == before
    row = await Enrolment.select(Enrolment.decision_date).where(Enrolment.id == enrolment_id)
    assert row[0]["decision_date"] is None
