"""The youth IML workflow: referral → admitted → housed → exited (or refused, withdrawn).

Admission needs the SIAO validation, a reference person aged 18 to 25 on the decision date
(or a recorded exception) and a consistent CEJ.
"""

from __future__ import annotations

import datetime as dt

from tremplin.api import (
    N_,
    Choice,
    Field,
    GuardContext,
    State,
    Transition,
    Workflow,
    closed_states,
    decision_date_field,
    exit_with_destination,
    postponement,
    reference_birth_date,
    refusal,
    require_siao_validation,
    vocabulary,
    withdrawal,
)
from tremplin_housing import api as housing
from tremplin_iml_youth.rules import KEY, age_refusal, cej_errors

#: The same occupancy agreement as the sub-lease (housing keeps the renewals).
AGREEMENT = housing.SUBLEASE_AGREEMENT


def require_consistent_cej(ctx: GuardContext) -> str | None:
    errors = cej_errors(ctx.enrolment.data)
    return f"CEJ à corriger : {next(iter(errors.values()))}." if errors else None


async def require_age(ctx: GuardContext) -> str | None:
    """18–25 on the decision date, unless an exception reason is recorded."""
    if (ctx.values.get("age_override_reason") or "").strip():
        return None
    on = (
        dt.date.fromisoformat(ctx.values["decision_date"])
        if ctx.values.get("decision_date")
        else ctx.today
    )
    return age_refusal(await reference_birth_date(ctx.enrolment.household_id), on)


DECISION = decision_date_field()
OVERRIDE = Field(
    "age_override_reason",
    N_("Motif de dérogation à l'âge (hors 18–25 ans)"),
    kind="textarea",
    help=N_("Seulement pour une exception décidée par le service."),
)

#: Where young people go when they leave (the La Clède 2024 exits, plus the usual ones).
EXIT_DESTINATIONS = (
    *vocabulary.EXIT_DESTINATIONS[:-1],
    Choice("moved_away", N_("Départ vers une autre région (emploi, famille)")),
    vocabulary.EXIT_DESTINATIONS[-1],
)

WORKFLOW = Workflow(
    programme=KEY,
    initial="referral",
    states=(
        State("referral", N_("Orientation reçue"), phase="referral"),
        State("admitted", N_("Admis, en attente d'entrée"), phase="waiting"),
        State("housed", N_("Dans le logement"), phase="active"),
        *closed_states(),
    ),
    transitions=(
        Transition(
            "accept",
            N_("Admettre"),
            ("referral",),
            "admitted",
            fields=(DECISION, OVERRIDE),
            guards=(require_siao_validation, require_age, require_consistent_cej),
            order=10,
        ),
        postponement(),
        refusal(),
        housing.entry_transition(guards=(require_consistent_cej,)),
        housing.renewal_transition(KEY, AGREEMENT, event_kind="iml_youth_renewal"),
        exit_with_destination(EXIT_DESTINATIONS, effects=(housing.leave_dwelling(),)),
        withdrawal(("referral", "admitted")),
    ),
    deadlines=(housing.agreement_deadline(AGREEMENT),),
)
