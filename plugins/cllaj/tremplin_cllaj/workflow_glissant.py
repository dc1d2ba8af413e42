"""The young workers' sliding-lease path (CCAS de Lomme): referral form, diagnostic,
retained by the steering committee, rehoused, lease sliding after a year."""

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
    require_recorded,
)
from tremplin_cllaj.rules import (
    EXIT_DESTINATIONS,
    GLISSANT,
    GLISSANT_MAX_AGE,
    sliding_due,
)
from tremplin_cllaj.workflow_common import (
    CLOSED_STATES,
    ENTRY,
    OVERRIDE,
    age_guard,
    withdraw,
)

require_liaison_form = require_recorded(
    "liaison_form_date",
    "La fiche de liaison du service orienteur doit être reçue avant le diagnostic.",
)


def require_retention_criteria(ctx: GuardContext) -> str | None:
    data = ctx.enrolment.data
    if not (data.get("housing_demand_number") or "").strip():
        return (
            "Indiquez le numéro unique départemental de demande de logement : le jeune "
            "dépose sa demande avant d'être retenu."
        )
    if not data.get("professional_income"):
        return "Le dispositif est réservé aux jeunes ayant un revenu professionnel, même précaire."
    return None


async def last_committee_decision(enrolment_id: int, on: dt.date) -> dict | None:
    """The latest steering-committee decision on this situation held on or before ``on``."""
    from tremplin_cllaj.tables import CommitteeDecision

    return (
        await CommitteeDecision.select(
            CommitteeDecision.decision,
            CommitteeDecision.meeting.held_on.as_alias("held_on"),
        )
        .where(
            (CommitteeDecision.enrolment == enrolment_id)
            & (CommitteeDecision.meeting.held_on <= on)
        )
        .order_by(CommitteeDecision.meeting.held_on, ascending=False)
        .order_by(CommitteeDecision.id, ascending=False)
        .first()
    )


def committee_guard(decision: str, date_field: str, message: str):
    async def guard(ctx: GuardContext) -> str | None:
        on = (
            dt.date.fromisoformat(ctx.values[date_field])
            if ctx.values.get(date_field)
            else ctx.today
        )
        last = await last_committee_decision(ctx.enrolment.id, on)
        return None if last and last["decision"] == decision else message

    guard.__name__ = f"committee_{decision}"
    return guard


def require_a_year(ctx: GuardContext) -> str | None:
    entry = ctx.enrolment.entry_date
    if entry is None:
        return None
    due = sliding_due(entry)
    if dt.date.fromisoformat(ctx.values["exit_date"]) < due:
        return (
            f"Le bail glisse au jeune après un an d'accompagnement dans le logement, soit "
            f"au plus tôt le {due:%d/%m/%Y}."
        )
    return None


def _slide_due(e: EnrolmentView) -> dt.date | None:
    return sliding_due(e.entry_date) if e.entry_date else None


GLISSANT_WORKFLOW = Workflow(
    programme=GLISSANT,
    initial="referral",
    states=(
        State("referral", N_("Fiche de liaison reçue"), phase="referral"),
        State(
            "diagnosed", N_("Diagnostic réalisé, situation présentée au comité"), phase="referral"
        ),
        State("retained", N_("Retenu par le comité, en attente de logement"), phase="waiting"),
        State("housed", N_("Relogé en bail glissant (accompagnement)"), phase="active"),
        *CLOSED_STATES,
    ),
    transitions=(
        Transition(
            "diagnose",
            N_("Diagnostic réalisé"),
            ("referral",),
            "diagnosed",
            fields=(
                Field("diagnostic_date", N_("Date du diagnostic"), kind="date", required=True),
            ),
            guards=(require_liaison_form,),
            order=10,
        ),
        Transition(
            "retain",
            N_("Retenu par le comité de pilotage"),
            ("diagnosed",),
            "retained",
            fields=(
                Field("decision_date", N_("Date du comité"), kind="date", required=True),
                OVERRIDE,
            ),
            guards=(
                require_retention_criteria,
                age_guard(None, GLISSANT_MAX_AGE, "Le parcours bail glissant"),
                committee_guard(
                    "retain",
                    "decision_date",
                    "Le comité de pilotage doit avoir retenu la situation "
                    "(décision « Retenu » à cette date ou avant).",
                ),
            ),
            order=10,
        ),
        refusal(sources=("referral", "diagnosed")),
        Transition(
            "enter",
            N_("Relogement (signature du bail)"),
            ("retained",),
            "housed",
            fields=(ENTRY, Field("landlord", N_("Bailleur"), max_length=120)),
            order=10,
        ),
        exit_with_destination(
            tuple(
                c
                for c in EXIT_DESTINATIONS
                if c.value in ("public_sliding", "private_sliding", "association_sliding")
            ),
            key="slide",
            label="Glissement du bail : le jeune devient locataire en titre",
            date_label="Date du glissement",
            destination_label="Parc du logement",
            reason_label=None,
            guards=(
                require_a_year,
                committee_guard(
                    "slide",
                    "exit_date",
                    "Le glissement du bail doit avoir été validé par le comité de pilotage.",
                ),
            ),
            order=20,
            danger=False,
        ),
        exit_with_destination(EXIT_DESTINATIONS),
        withdraw(("referral", "diagnosed", "retained")),
    ),
    deadlines=(
        Deadline(
            "sliding_due",
            N_("Glissement du bail (un an après le relogement)"),
            ("housed",),
            _slide_due,
            warn_days=30,
        ),
    ),
)
