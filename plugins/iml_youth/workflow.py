"""The youth IML workflow: referral → admitted → housed → exited (or refused, withdrawn).

Admission needs the SIAO validation, a reference person aged 18 to 25 on the decision date
(or a recorded exception) and a consistent CEJ.
"""

from __future__ import annotations

import datetime as dt

from tremplin.api import (
    Choice,
    Deadline,
    EnrolmentView,
    Field,
    GuardContext,
    Membership,
    State,
    Transition,
    Workflow,
    vocabulary,
)

from tremplin_plugins.iml_youth.rules import KEY, age_refusal, agreement_end, cej_errors


def require_siao_validation(ctx: GuardContext) -> str | None:
    if not ctx.enrolment.data.get("siao_validation_date"):
        return "L'orientation doit être validée par le SIAO avant la décision d'admission."
    return None


def require_refusal_reason(ctx: GuardContext) -> str | None:
    if not (ctx.values.get("decision_reason") or "").strip():
        return "Indiquez le motif du refus."
    return None


def require_consistent_cej(ctx: GuardContext) -> str | None:
    errors = cej_errors(ctx.enrolment.data)
    return f"CEJ à corriger : {next(iter(errors.values()))}." if errors else None


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


def _agreement_due(e: EnrolmentView) -> dt.date | None:
    if e.entry_date is None:
        return None
    return agreement_end(e.entry_date, int(e.data.get("renewals", 0)))


DECISION = Field("decision_date", "Date de la décision", kind="date", required=True)
REASON = Field("decision_reason", "Motif", kind="textarea")
OVERRIDE = Field(
    "age_override_reason",
    "Motif de dérogation à l'âge (hors 18–25 ans)",
    kind="textarea",
    help="Seulement pour une exception décidée par le service.",
)

#: Where young people go when they leave (the La Clède 2024 exits, plus the usual ones).
EXIT_DESTINATIONS = (
    *vocabulary.EXIT_DESTINATIONS[:-1],
    Choice("moved_away", "Départ vers une autre région (emploi, famille)"),
    vocabulary.EXIT_DESTINATIONS[-1],
)

WORKFLOW = Workflow(
    programme=KEY,
    initial="referral",
    states=(
        State("referral", "Orientation reçue", phase="referral"),
        State("admitted", "Admis, en attente d'entrée", phase="waiting"),
        State("housed", "Dans le logement", phase="active"),
        State("exited", "Sorti", phase="closed"),
        State("refused", "Candidature refusée", phase="closed"),
        State("withdrawn", "Candidature abandonnée", phase="closed"),
    ),
    transitions=(
        Transition(
            "accept",
            "Admettre",
            ("referral",),
            "admitted",
            fields=(DECISION, OVERRIDE),
            guards=(require_siao_validation, require_age, require_consistent_cej),
            order=10,
        ),
        Transition(
            "postpone", "Ajourner", ("referral",), "referral", fields=(DECISION, REASON), order=20
        ),
        Transition(
            "refuse",
            "Refuser",
            ("referral",),
            "refused",
            fields=(DECISION, REASON),
            guards=(require_refusal_reason,),
            order=30,
            danger=True,
        ),
        Transition(
            "enter",
            "Entrée dans le logement",
            ("admitted",),
            "housed",
            fields=(Field("entry_date", "Date d'entrée", kind="date", required=True),),
            guards=(require_consistent_cej,),
            order=10,
        ),
        Transition(
            "exit",
            "Sortie du dispositif",
            ("housed",),
            "exited",
            fields=(
                Field("exit_date", "Date de sortie", kind="date", required=True),
                Field(
                    "exit_destination",
                    "Destination",
                    kind="choice",
                    required=True,
                    choices=EXIT_DESTINATIONS,
                ),
                Field("exit_reason", "Motif / commentaire", max_length=100),
            ),
            order=50,
            danger=True,
        ),
        Transition(
            "withdraw",
            "Abandon de la candidature",
            ("referral", "admitted"),
            "withdrawn",
            fields=(
                Field("exit_date", "Date", kind="date", required=True),
                Field("exit_reason", "Motif", required=True, max_length=100),
            ),
            order=90,
            danger=True,
        ),
    ),
    deadlines=(
        Deadline(
            "agreement_end",
            "Fin de la convention d'occupation",
            ("housed",),
            _agreement_due,
            warn_days=30,
        ),
    ),
)
