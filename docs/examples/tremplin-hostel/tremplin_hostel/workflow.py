"""The FJT enrolment workflow: referral → admission committee → room → exit."""

from __future__ import annotations

import calendar
import datetime as dt

from tremplin.api import (
    Choice,
    Deadline,
    EnrolmentView,
    Field,
    GuardContext,
    State,
    Transition,
    Workflow,
    vocabulary,
)

KEY = "hostel"
MAX_MONTHS = 24
#: A review (*bilan*) is due this many months after entry.
REVIEW_MONTHS = 6

#: The main need recorded on the referral (a choice field; counted in the report).
NEEDS = (
    Choice("housing", "Logement"),
    Choice("employment", "Emploi ou formation"),
    Choice("health", "Santé"),
    Choice("other", "Autre"),
)

#: The young person's situation when referred (*situation à l'orientation*).
STATUSES = (
    Choice("employed", "En emploi"),
    Choice("apprentice", "En apprentissage ou alternance"),
    Choice("training", "En formation"),
    Choice("jobseeker", "En recherche d'emploi"),
)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's end (31/01 + 1 month → 28/02)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def require_main_need(ctx: GuardContext) -> str | None:
    """Admission needs the main need recorded on the referral."""
    if not ctx.enrolment.data.get("main_need"):
        return "Indiquez le besoin principal avant l'admission."
    return None


def review_due(enrolment: EnrolmentView) -> dt.date | None:
    if enrolment.entry_date is None:
        return None
    return add_months(enrolment.entry_date, REVIEW_MONTHS)


WORKFLOW = Workflow(
    programme=KEY,
    initial="referral",
    states=(
        State("referral", "Orientation reçue", phase="referral"),
        State("admitted", "Admis, en attente d'entrée", phase="waiting"),
        State("supported", "Dans le foyer", phase="active"),
        State("exited", "Sorti", phase="closed"),
        State("refused", "Refusé", phase="closed"),
    ),
    transitions=(
        Transition(
            "accept",
            "Admettre",
            ("referral",),
            "admitted",
            fields=(Field("decision_date", "Date de la décision", kind="date", required=True),),
            guards=(require_main_need,),
            order=10,
        ),
        Transition(
            "refuse",
            "Refuser",
            ("referral",),
            "refused",
            fields=(Field("decision_date", "Date de la décision", kind="date", required=True),),
            order=30,
            danger=True,
        ),
        Transition(
            "enter",
            "Entrée dans le foyer",
            ("admitted",),
            "supported",
            fields=(Field("entry_date", "Date d'entrée", kind="date", required=True),),
            order=10,
        ),
        Transition(
            "exit",
            "Sortie",
            ("supported",),
            "exited",
            fields=(
                Field("exit_date", "Date de sortie", kind="date", required=True),
                Field(
                    "exit_destination",
                    "Destination",
                    kind="choice",
                    required=True,
                    choices=vocabulary.EXIT_DESTINATIONS,
                ),
            ),
            order=50,
            danger=True,
        ),
    ),
    deadlines=(Deadline("review", "Bilan d'étape", ("supported",), review_due, warn_days=30),),
)
