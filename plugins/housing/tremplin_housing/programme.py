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
    FormErrors,
    Transition,
)
from tremplin_housing.agreement import renew
from tremplin_housing.journey import ENTRY_TERMS_FIELDS, dwelling_field, enter_dwelling

__all__ = ["agreement_deadline", "entry_transition", "renewal_fields", "renewal_transition"]


def entry_transition(
    *,
    label: str = "Entrée dans le logement",
    date_label: str = "Date d'entrée",
    sources: Sequence[str] = ("admitted",),
    target: str = "housed",
    kind: str = "agreement",
    fields: Sequence[Field] = (),
    guards: Sequence[Any] = (),
    order: int = 10,
) -> Transition:
    """« Entrée dans le logement »: the entry date, one of the programme's free dwellings and
    the rent terms; the effect opens the occupancy (``kind``) on that date and closes the
    dwelling's vacancy. ``date_label`` names the entry date; ``fields`` come after the usual
    ones."""
    return Transition(
        "enter",
        label,
        tuple(sources),
        target,
        fields=(
            Field("entry_date", date_label, kind="date", required=True),
            dwelling_field(),
            *ENTRY_TERMS_FIELDS,
            *fields,
        ),
        guards=tuple(guards),
        effects=(enter_dwelling(kind),),
        order=order,
    )


def renewal_fields(policy: AgreementPolicy) -> tuple[Field, ...]:
    """The fields of a renewal under ``policy``: the decision's date (today when left
    empty); the new end when the agreement is not renewable (extended only by a derogation
    to a chosen date); the derogation's reason when a maximum may be passed."""
    fields: list[Field] = [
        Field(
            "decided_on",
            N_("Date de la décision"),
            kind="date",
            help=N_("Aujourd'hui si vide."),
        )
    ]
    if not policy.renewable:
        fields.append(
            Field("until", N_("Nouvelle fin de l'occupation"), kind="date", required=True)
        )
    if policy.derogation and (policy.max_months or not policy.renewable):
        fields.append(
            Field(
                "derogation_reason",
                N_("Motif de la dérogation")
                if not policy.renewable
                else f"Motif de dérogation (au-delà de {policy.max_months} mois)",
                kind="textarea",
                required=not policy.renewable,
            )
        )
    return tuple(fields)


def renewal_transition(
    programme: str,
    policy: AgreementPolicy,
    *,
    label: str = "",
    state: str = "housed",
    event_kind: str = "agreement_renewal",
    order: int = 20,
) -> Transition:
    """Renew the agreement (from ``state`` to itself): one more term of ``policy``, or, for
    an agreement that is not renewable, a derogation to the date asked
    (:func:`renewal_fields`). The renewal goes into housing's renewals table with its
    decision date and reason (not into the enrolment's data: ``store_values=False``), with
    its timeline event (``event_kind``, a type the programme declares) and the deadline
    recomputed; refused past the maximum without a derogation. That event is the renewal's
    one line on the timeline: the core writes no « Changement d'étape » for it
    (``timeline_event=False``)."""

    async def effect(ctx: EffectContext) -> None:
        decided = ctx.values.get("decided_on")
        until = ctx.values.get("until")
        try:
            await renew(
                ctx.enrolment.id,
                programme,
                policy,
                dt.date.fromisoformat(decided) if decided else ctx.today,
                until=dt.date.fromisoformat(until) if until else None,
                derogation_reason=ctx.values.get("derogation_reason") or "",
                user_id=ctx.user_id,
                address=ctx.address,
                event_kind=event_kind,
            )
        except FormErrors as exc:
            # A refusal of the whole agreement shows at the top of the transition's form.
            raise FormErrors(
                {("_transition" if k == "_renewal" else k): v for k, v in exc.errors.items()}
            ) from exc

    if not label:
        label = (
            f"Renouveler la convention ({policy.term_months} mois)"
            if policy.renewable
            else "Prolonger l'occupation par dérogation"
        )
    return Transition(
        "renew",
        label,
        (state,),
        state,
        fields=renewal_fields(policy),
        effects=(effect,),
        order=order,
        timeline_event=False,
        store_values=False,
    )


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
