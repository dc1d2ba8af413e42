"""Ready-made declarations for a programme that houses people under housing's occupancy
agreement: the entry into a dwelling, the renewal of the agreement and its end as a deadline
the core computes. A programme still declares its own workflow; these are its usual parts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tremplin.api import (
    N_,
    AgreementPolicy,
    Deadline,
    EffectContext,
    EnrolmentView,
    Field,
    Transition,
)
from tremplin_housing.agreement import renew
from tremplin_housing.journey import ENTRY_TERMS_FIELDS, dwelling_field, enter_dwelling

__all__ = ["agreement_deadline", "entry_transition", "renewal_transition"]


def entry_transition(
    *,
    label: str = "Entrée dans le logement",
    sources: Sequence[str] = ("admitted",),
    target: str = "housed",
    kind: str = "agreement",
    fields: Sequence[Field] = (),
    guards: Sequence[Any] = (),
    order: int = 10,
) -> Transition:
    """« Entrée dans le logement »: the entry date, one of the programme's free dwellings and
    the rent terms; the effect opens the occupancy (``kind``) on that date and closes the
    dwelling's vacancy. ``fields`` come after the usual ones."""
    return Transition(
        "enter",
        label,
        tuple(sources),
        target,
        fields=(
            Field("entry_date", N_("Date d'entrée"), kind="date", required=True),
            dwelling_field(),
            *ENTRY_TERMS_FIELDS,
            *fields,
        ),
        guards=tuple(guards),
        effects=(enter_dwelling(kind),),
        order=order,
    )


def renewal_transition(
    programme: str,
    policy: AgreementPolicy,
    *,
    label: str = "",
    state: str = "housed",
    event_kind: str = "agreement_renewal",
    order: int = 20,
) -> Transition:
    """Renew the agreement for one more term of ``policy`` (from ``state`` to itself): the
    renewal goes into housing's renewals table, with its timeline event (``event_kind``, a
    type the programme declares) and the deadline recomputed; refused past the maximum."""

    async def effect(ctx: EffectContext) -> None:
        await renew(
            ctx.enrolment.id,
            programme,
            policy,
            ctx.today,
            user_id=ctx.user_id,
            address=ctx.address,
            event_kind=event_kind,
        )

    label = label or f"Renouveler la convention ({policy.term_months} mois)"
    return Transition("renew", label, (state,), state, effects=(effect,), order=order)


def agreement_deadline(
    policy: AgreementPolicy,
    *,
    key: str = "agreement_end",
    label: str = "Fin de la convention d'occupation",
    states: Sequence[str] = ("housed",),
    warn_days: int = 30,
) -> Deadline:
    """The end of the agreement after its renewals, as a deadline the core computes and
    shows from ``warn_days`` before (overdue once past)."""
    from tremplin_housing.api import agreement_due

    async def due(enrolment: EnrolmentView) -> dt.date | None:
        return await agreement_due(enrolment, policy)

    return Deadline(key, label, tuple(states), due, warn_days=warn_days)
