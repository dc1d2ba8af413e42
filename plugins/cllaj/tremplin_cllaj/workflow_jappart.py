"""J'APPART's workflow: Mission Locale follow-up and 18–25 at admission, 12 months at
most (beyond only with a recorded derogation), exit with destination."""

from __future__ import annotations

import datetime as dt

from tremplin.api import (
    N_,
    AgreementPolicy,
    GuardContext,
    State,
    Transition,
    Workflow,
    exit_with_destination,
    refusal,
)
from tremplin_cllaj.rules import (
    EXIT_DESTINATIONS,
    JAPPART,
    JAPPART_MAX_AGE,
    JAPPART_MAX_MONTHS,
    JAPPART_MIN_AGE,
)
from tremplin_cllaj.workflow_common import (
    CLOSED_STATES,
    DECISION,
    ENTRY,
    OVERRIDE,
    age_guard,
    withdraw,
)
from tremplin_housing import api as housing

#: The J'APPART occupancy agreement: 12 months, not renewable, beyond only by a derogation
#: to a chosen date with its reason (housing keeps the derogations with every renewal).
AGREEMENT = AgreementPolicy(
    term_months=JAPPART_MAX_MONTHS,
    max_months=JAPPART_MAX_MONTHS,
    renewable=False,
    derogation=True,
    signatories=("household", "referent", "head_of_service"),
)


def require_mission_locale(ctx: GuardContext) -> str | None:
    data = ctx.enrolment.data
    if not data.get("ml_followup") or not (data.get("ml_counsellor") or "").strip():
        return (
            "J'APPART est conditionné au suivi du jeune par la Mission Locale : cochez le "
            "suivi et indiquez le ou la conseiller·ère dans la fiche de la mesure."
        )
    return None


async def require_within_occupancy(ctx: GuardContext) -> str | None:
    """12 months at most: an exit later than that needs a recorded derogation."""
    entry = ctx.enrolment.entry_date
    if entry is None:
        return None
    renewals = (await housing.agreement_renewals([ctx.enrolment.id]))[ctx.enrolment.id]
    end = housing.agreement_end(entry, AGREEMENT, renewals)
    if dt.date.fromisoformat(ctx.values["exit_date"]) > end:
        return (
            f"L'occupation J'APPART dure {JAPPART_MAX_MONTHS} mois au plus (jusqu'au "
            f"{end:%d/%m/%Y}) : enregistrez d'abord une dérogation avec son motif."
        )
    return None


JAPPART_WORKFLOW = Workflow(
    programme=JAPPART,
    initial="referral",
    states=(
        State("referral", N_("Candidature reçue"), phase="referral"),
        State("admitted", N_("Admis, en attente d'entrée"), phase="waiting"),
        State("housed", N_("Dans le logement J'APPART"), phase="active"),
        *CLOSED_STATES,
    ),
    transitions=(
        Transition(
            "accept",
            N_("Admettre"),
            ("referral",),
            "admitted",
            fields=(DECISION, OVERRIDE),
            guards=(
                require_mission_locale,
                age_guard(JAPPART_MIN_AGE, JAPPART_MAX_AGE, "J'APPART"),
            ),
            order=10,
        ),
        refusal(),
        housing.entry_transition(date_label=ENTRY.label),
        # Beyond the 12 months only by a derogation to a chosen date, with its reason.
        housing.renewal_transition(
            JAPPART,
            AGREEMENT,
            label="Dérogation à la durée de 12 mois",
            event_kind="cllaj_derogation",
        ),
        exit_with_destination(
            EXIT_DESTINATIONS,
            label="Sortie de J'APPART",
            guards=(require_within_occupancy,),
            effects=(housing.leave_dwelling(),),
        ),
        withdraw(("referral", "admitted")),
    ),
    deadlines=(
        housing.agreement_deadline(
            AGREEMENT,
            key="jappart_end",
            label="Fin de l'occupation J'APPART (12 mois)",
            warn_days=60,
        ),
    ),
)
