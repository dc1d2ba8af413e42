"""Transition effects: what a workflow step changes besides the enrolment.

The core awaits a transition's ``effects`` inside the transition's own transaction, right
after the enrolment row is written: an effect that raises :class:`FormErrors` (the dwelling
is already occupied, the unit is not free) aborts the whole step, so neither the enrolment,
nor the occupancy, nor the timeline event, nor the audit entry is written.
"""

from __future__ import annotations

from typing import Any

from tremplin.errors import Actor
from tremplin.models import Enrolment
from tremplin.plugins import PluginHost
from tremplin.services.clock import today
from tremplin.types import EffectContext, EnrolmentView, Transition

__all__ = ["run_effects"]


async def run_effects(
    host: PluginHost,
    actor: Actor,
    transition: Transition,
    before: dict[str, Any],
    values: dict[str, Any],
) -> None:
    """Await each effect of ``transition`` in order; the first refusal propagates.

    Must be called inside the transition's transaction, after the enrolment update.
    """
    if not transition.effects:
        return
    after = (
        await Enrolment.select().where(Enrolment.id == before["id"]).output(load_json=True).first()
    )
    assert after is not None  # the enrolment was just updated in this transaction
    context = EffectContext(
        transition=transition.key,
        before=EnrolmentView.from_row(before),
        enrolment=EnrolmentView.from_row(after),
        values=dict(values),
        user_id=actor.user_id,
        address=actor.address,
        today=today(),
        programme=host.programmes.get(before["programme"]),
    )
    for effect in transition.effects:
        await effect(context)
