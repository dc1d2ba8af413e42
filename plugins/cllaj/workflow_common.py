"""What the CLLAJ workflows share: the age guard with its recorded exception, the
refusal and withdrawal transitions, the closed states and the usual fields."""

from __future__ import annotations

import datetime as dt

from tremplin.api import (
    Field,
    GuardContext,
    Membership,
    State,
    Transition,
)

from tremplin_plugins.cllaj.rules import (
    age_refusal,
)


async def reference_birth_date(household_id: int) -> dt.date | None:
    """Birth date of the household's current reference person (``None`` if unknown)."""
    row = (
        await Membership.select(Membership.person.birth_date.as_alias("birth_date"))
        .where(
            (Membership.household == household_id)
            & (Membership.relation == "reference")
            & Membership.end_date.is_null()
        )
        .order_by(Membership.start_date, ascending=False)
        .first()
    )
    return row["birth_date"] if row else None


def decision_day(ctx: GuardContext) -> dt.date:
    value = ctx.values.get("decision_date")
    return dt.date.fromisoformat(value) if value else ctx.today


def age_guard(low: int | None, high: int, name: str):
    """A guard: the reference person's age on the decision date, unless an exception reason
    (``age_override_reason``) is recorded with the decision."""

    async def guard(ctx: GuardContext) -> str | None:
        if (ctx.values.get("age_override_reason") or "").strip():
            return None
        birth = await reference_birth_date(ctx.enrolment.household_id)
        return age_refusal(birth, decision_day(ctx), low, high, name)

    guard.__name__ = f"age_{low}_{high}"
    return guard


def require_refusal_reason(ctx: GuardContext) -> str | None:
    if not (ctx.values.get("decision_reason") or "").strip():
        return "Indiquez le motif du refus."
    return None


DECISION = Field("decision_date", "Date de la décision", kind="date", required=True)
REASON = Field("decision_reason", "Motif", kind="textarea")
OVERRIDE = Field(
    "age_override_reason",
    "Motif de dérogation à l'âge",
    kind="textarea",
    help="Seulement pour une exception décidée par le service.",
)
ENTRY = Field("entry_date", "Date d'entrée dans le logement", kind="date", required=True)


def refuse_transition(order: int = 30, sources: tuple[str, ...] = ("referral",)) -> Transition:
    return Transition(
        "refuse",
        "Refuser",
        sources,
        "refused",
        fields=(DECISION, REASON),
        guards=(require_refusal_reason,),
        order=order,
        danger=True,
    )


def withdraw_transition(sources: tuple[str, ...]) -> Transition:
    return Transition(
        "withdraw",
        "Abandon de la demande",
        sources,
        "withdrawn",
        fields=(
            Field("exit_date", "Date", kind="date", required=True),
            Field("exit_reason", "Motif", required=True, max_length=100),
        ),
        order=90,
        danger=True,
    )


def closed_states() -> tuple[State, ...]:
    return (
        State("exited", "Sorti", phase="closed"),
        State("refused", "Demande refusée", phase="closed"),
        State("withdrawn", "Demande abandonnée", phase="closed"),
    )
