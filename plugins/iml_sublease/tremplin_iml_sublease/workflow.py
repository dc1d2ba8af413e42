"""The IML sub-lease enrolment workflow: referral → decision → in the dwelling → exit."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from tremplin.api import (
    N_,
    Deadline,
    EnrolmentView,
    Field,
    GuardContext,
    State,
    Transition,
    Workflow,
    closed_states,
    decision_date_field,
    exit_with_destination,
    postponement,
    refusal,
    require_siao_validation,
    vocabulary,
    withdrawal,
)
from tremplin_housing import api as housing

KEY = "iml_sublease"
#: The occupancy agreement: 3-month terms up to 18 months, beyond only by derogation; signed
#: by the household, the referent and the head of service (housing keeps its renewals).
AGREEMENT = replace(housing.SUBLEASE_AGREEMENT, template="iml_sublease/convention.typ")


def require_entry_checklist(ctx: GuardContext) -> str | None:
    """Every entry step (convention signed, insurance, deposit, inventory…) must be ticked."""
    from tremplin_iml_sublease.checklists import require_entry_checklist as check

    return check(ctx)


def require_sliding_review(ctx: GuardContext) -> str | None:
    """The lease slides only as decided in a review, on the review's date."""
    from tremplin_iml_sublease.reviews import require_sliding_review as check

    return check(ctx)


def require_exit_inventory(ctx: GuardContext) -> str | None:
    """Guard of ``exit``: the exit inventory (*état des lieux de sortie*) is dated between the
    entry and today, and no later than 30 days after the exit."""
    day = dt.date.fromisoformat(ctx.values["exit_inventory_date"])
    entry = ctx.enrolment.entry_date
    if entry and day < entry:
        return "L'état des lieux de sortie ne peut précéder l'entrée dans le logement."
    if day > ctx.today:
        return "L'état des lieux de sortie est dans le futur : enregistrez la sortie une fois fait."
    exit_day = dt.date.fromisoformat(ctx.values["exit_date"])
    if day > exit_day + dt.timedelta(days=INVENTORY_DELAY_DAYS):
        return (
            f"L'état des lieux de sortie se fait au plus tard {INVENTORY_DELAY_DAYS} jours "
            "après la sortie."
        )
    return None


#: Days after the exit within which the exit inventory may be made (keys returned late).
INVENTORY_DELAY_DAYS = 30


def _review_due(e: EnrolmentView) -> dt.date | None:
    """The next review (6, 10 then 12 months after entry) not yet recorded."""
    from tremplin_iml_sublease.reviews import next_review

    upcoming = next_review(e.entry_date, len(e.data.get("reviews") or []))
    return upcoming[1] if upcoming else None


DECISION = decision_date_field()

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
            fields=(DECISION,),
            guards=(require_siao_validation,),
            order=10,
        ),
        postponement(),
        refusal(),
        housing.entry_transition(guards=(require_entry_checklist,)),
        # 3 more months in housing's renewals table; past 18 months, with a derogation reason.
        housing.renewal_transition(KEY, AGREEMENT),
        exit_with_destination(
            vocabulary.EXIT_DESTINATIONS,
            fields=(
                Field(
                    "exit_inventory_date",
                    N_("Date de l'état des lieux de sortie"),
                    kind="date",
                    required=True,
                ),
                Field(
                    "exit_inventory_notes",
                    N_("État des lieux de sortie : observations (dégradations, clés, compteurs)"),
                    kind="textarea",
                    max_length=2000,
                ),
            ),
            guards=(require_exit_inventory,),
            effects=(housing.leave_dwelling(),),
        ),
        exit_with_destination(
            tuple(
                c
                for c in vocabulary.EXIT_DESTINATIONS
                if c.value in ("private_sliding", "public_sliding")
            ),
            key="slide",
            label="Glissement du bail",
            date_label="Date de sortie (date du bilan)",
            reason_label=None,
            guards=(require_sliding_review,),
            effects=(housing.leave_dwelling(),),
            order=40,
            danger=False,
        ),
        withdrawal(("referral", "admitted")),
    ),
    deadlines=(
        housing.agreement_deadline(AGREEMENT),
        Deadline(
            "review",
            N_("Bilan (6, 10 ou 12 mois) avec le bailleur et le ménage"),
            ("housed",),
            _review_due,
            warn_days=30,
        ),
    ),
)

PRESCRIBERS = vocabulary.PRESCRIBERS
EXIT_DESTINATIONS = vocabulary.EXIT_DESTINATIONS
