"""The IML sub-lease enrolment workflow: referral → decision → in the dwelling → exit."""

from __future__ import annotations

import datetime as dt

from tremplin.api import (
    add_months,
    Deadline,
    EnrolmentView,
    Field,
    GuardContext,
    State,
    Transition,
    Workflow,
    vocabulary,
)

KEY = "iml_sublease"
TERM_MONTHS = 3
MAX_MONTHS = 18



def agreement_end(entry: dt.date, renewals: int) -> dt.date:
    """End of the occupancy agreement after ``renewals`` renewals of 3 months."""
    return add_months(entry, TERM_MONTHS * (renewals + 1))


def max_end(entry: dt.date) -> dt.date:
    return add_months(entry, MAX_MONTHS)


def require_siao_validation(ctx: GuardContext) -> str | None:
    if not ctx.enrolment.data.get("siao_validation_date"):
        return "L'orientation doit être validée par le SIAO avant la décision d'admission."
    return None


def require_refusal_reason(ctx: GuardContext) -> str | None:
    if not (ctx.values.get("decision_reason") or "").strip():
        return "Indiquez le motif du refus."
    return None


def require_entry_checklist(ctx: GuardContext) -> str | None:
    """Every entry step (convention signed, insurance, deposit, inventory…) must be ticked."""
    from tremplin_plugins.iml_sublease.checklists import require_entry_checklist as check

    return check(ctx)


def require_sliding_review(ctx: GuardContext) -> str | None:
    """The lease slides only as decided in a review, on the review's date."""
    from tremplin_plugins.iml_sublease.reviews import require_sliding_review as check

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
        return (f"L'état des lieux de sortie se fait au plus tard {INVENTORY_DELAY_DAYS} jours "
                "après la sortie.")
    return None


#: Days after the exit within which the exit inventory may be made (keys returned late).
INVENTORY_DELAY_DAYS = 30


def _agreement_due(e: EnrolmentView) -> dt.date | None:
    if e.entry_date is None:
        return None
    return agreement_end(e.entry_date, int(e.data.get("renewals", 0)))


DECISION = Field("decision_date", "Date de la décision", kind="date", required=True)
REASON = Field("decision_reason", "Motif", kind="textarea")

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
        Transition("accept", "Admettre", ("referral",), "admitted", fields=(DECISION,),
                   guards=(require_siao_validation,), order=10),
        Transition("postpone", "Ajourner", ("referral",), "referral",
                   fields=(DECISION, REASON), order=20),
        Transition("refuse", "Refuser", ("referral",), "refused", fields=(DECISION, REASON),
                   guards=(require_refusal_reason,), order=30, danger=True),
        Transition("enter", "Entrée dans le logement", ("admitted",), "housed",
                   fields=(Field("entry_date", "Date d'entrée", kind="date", required=True),),
                   guards=(require_entry_checklist,), order=10),
        Transition(
            "exit", "Sortie du dispositif", ("housed",), "exited",
            fields=(
                Field("exit_date", "Date de sortie", kind="date", required=True),
                Field("exit_destination", "Destination", kind="choice", required=True,
                      choices=vocabulary.EXIT_DESTINATIONS),
                Field("exit_reason", "Motif / commentaire", max_length=100),
                Field("exit_inventory_date", "Date de l'état des lieux de sortie", kind="date",
                      required=True),
                Field("exit_inventory_notes",
                      "État des lieux de sortie : observations (dégradations, clés, compteurs)",
                      kind="textarea", max_length=2000),
            ),
            guards=(require_exit_inventory,),
            order=50, danger=True,
        ),
        Transition(
            "slide", "Glissement du bail", ("housed",), "exited",
            fields=(
                Field("exit_date", "Date de sortie (date du bilan)", kind="date", required=True),
                Field("exit_destination", "Destination", kind="choice", required=True,
                      choices=tuple(c for c in vocabulary.EXIT_DESTINATIONS
                                    if c.value in ("private_sliding", "public_sliding"))),
            ),
            guards=(require_sliding_review,), order=40,
        ),
        Transition(
            "withdraw", "Abandon de la candidature", ("referral", "admitted"), "withdrawn",
            fields=(Field("exit_date", "Date", kind="date", required=True),
                    Field("exit_reason", "Motif", required=True, max_length=100)),
            order=90, danger=True,
        ),
    ),
    deadlines=(
        Deadline("agreement_end", "Fin de la convention d'occupation", ("housed",),
                 _agreement_due, warn_days=30),
    ),
)

PRESCRIBERS = vocabulary.PRESCRIBERS
EXIT_DESTINATIONS = vocabulary.EXIT_DESTINATIONS
