"""The supported lease's workflow: accord, lease and tripartite agreement, the association
present 6 months after entry, the outcome at 6 months."""

from __future__ import annotations

import datetime as dt

from tremplin.api import (
    N_,
    Deadline,
    EnrolmentView,
    Field,
    GuardContext,
    State,
    Transition,
    Workflow,
    exit_with_destination,
    refusal,
)
from tremplin_cllaj.rules import (
    BAIL,
    BAIL_MAX_AGE,
    BAIL_OUTCOMES,
    bail_presence_end,
)
from tremplin_cllaj.workflow_common import (
    CLOSED_STATES,
    DECISION,
    ENTRY,
    OVERRIDE,
    age_guard,
    withdraw,
)


def require_landlord(ctx: GuardContext) -> str | None:
    data = ctx.enrolment.data
    if not data.get("landlord_kind") or not (data.get("landlord_name") or "").strip():
        return (
            "Indiquez le bailleur (nom, public ou privé) dans la fiche de la mesure avant "
            "l'entrée : il signe la convention tripartite."
        )
    return None


def require_six_months(ctx: GuardContext) -> str | None:
    """The association is present 6 months after entry; an earlier end needs a reason."""
    entry = ctx.enrolment.entry_date
    end = dt.date.fromisoformat(ctx.values["exit_date"])
    if (
        entry
        and end < bail_presence_end(entry)
        and not (ctx.values.get("early_end_reason") or "").strip()
    ):
        return (
            f"La présence de l'association court 6 mois, jusqu'au "
            f"{bail_presence_end(entry):%d/%m/%Y} : pour une fin anticipée, indiquez-en "
            "le motif."
        )
    return None


def _bail_due(e: EnrolmentView) -> dt.date | None:
    return bail_presence_end(e.entry_date) if e.entry_date else None


BAIL_WORKFLOW = Workflow(
    programme=BAIL,
    initial="referral",
    states=(
        State("referral", N_("Demande reçue"), phase="referral"),
        State("admitted", N_("Accord du CLLAJ, bail en préparation"), phase="waiting"),
        State("housed", N_("Dans le logement (présence de l'association)"), phase="active"),
        *CLOSED_STATES,
    ),
    transitions=(
        Transition(
            "accept",
            N_("Donner l'accord"),
            ("referral",),
            "admitted",
            fields=(DECISION, OVERRIDE),
            guards=(age_guard(None, BAIL_MAX_AGE, N_("Le bail accompagné")),),
            order=10,
        ),
        refusal(),
        Transition(
            "enter",
            N_("Signature du bail et de la convention tripartite"),
            ("admitted",),
            "housed",
            fields=(
                ENTRY,
                Field(
                    "agreement_signed_on",
                    N_("Date de signature de la convention tripartite"),
                    kind="date",
                    required=True,
                ),
            ),
            guards=(require_landlord,),
            order=10,
        ),
        exit_with_destination(
            BAIL_OUTCOMES,
            label="Fin de la présence de l'association (bilan à 6 mois)",
            date_label="Date du bilan",
            destination_label="Situation à 6 mois",
            reason_label=None,
            fields=(
                Field(
                    "early_end_reason",
                    N_("Motif d'une fin anticipée (avant 6 mois)"),
                    kind="textarea",
                ),
                Field("exit_reason", N_("Commentaire"), max_length=100),
            ),
            guards=(require_six_months,),
            danger=False,
        ),
        withdraw(("referral", "admitted")),
    ),
    deadlines=(
        Deadline(
            "bail_presence",
            N_("Fin de la présence de l'association (6 mois)"),
            ("housed",),
            _bail_due,
            warn_days=30,
        ),
    ),
)
