"""What the CLLAJ workflows share: the age guard with its recorded exception, the
withdrawal of a request, the closed states and the usual fields."""

from __future__ import annotations

import datetime as dt

from tremplin.api import (
    N_,
    Field,
    GuardContext,
    Transition,
    closed_states,
    decision_date_field,
    reference_birth_date,
    withdrawal,
)
from tremplin_cllaj.rules import (
    age_refusal,
)


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


DECISION = decision_date_field()
OVERRIDE = Field(
    "age_override_reason",
    N_("Motif de dérogation à l'âge"),
    kind="textarea",
    help=N_("Seulement pour une exception décidée par le service."),
)
ENTRY = Field("entry_date", N_("Date d'entrée dans le logement"), kind="date", required=True)


#: The closed states of the CLLAJ's three measures (a request, not a candidacy).
CLOSED_STATES = closed_states(refused=N_("Demande refusée"), withdrawn=N_("Demande abandonnée"))


def withdraw(sources: tuple[str, ...]) -> Transition:
    """The withdrawal of a request, from ``sources``."""
    return withdrawal(sources, label="Abandon de la demande")
