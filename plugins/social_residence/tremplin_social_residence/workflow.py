"""The social-residence workflow: orientation → admission → in a furnished T1 → exit.

A stay lasts two years at most: the dashboard warns from the 20th month, and a resident
stays beyond 24 months only under a recorded derogation (*dérogation*) with its reason. The
stay is housing's occupancy agreement (:data:`STAY`): its derogations live in housing's
renewals table like every programme's, not in the enrolment's data.
"""

from __future__ import annotations

import datetime as dt

from tremplin.api import (
    N_,
    AgreementPolicy,
    Choice,
    ChoiceContext,
    Deadline,
    EnrolmentView,
    Field,
    GuardContext,
    State,
    Transition,
    Workflow,
    add_months,
    closed_states,
    decision_date_field,
    exit_with_destination,
    refusal,
    withdrawal,
)
from tremplin_housing import api as housing

KEY = "social_residence"
MAX_MONTHS = 24
ALERT_MONTHS = 20

#: The residence contract as housing's agreement: 24 months from the entry, not renewed,
#: extended beyond them only by a derogation to a chosen date, with its reason.
STAY = AgreementPolicy(
    term_months=MAX_MONTHS,
    max_months=MAX_MONTHS,
    renewable=False,
    derogation=True,
    signatories=("household", "head_of_service"),
)

#: Where residents go, as the ASL reports them (Raspail residence, seed 003).
EXIT_DESTINATIONS = (
    Choice("iml_support", N_("Logement autonome avec un accompagnement IML de l'association")),
    Choice("boarding_house", N_("Logement en pension de famille")),
    Choice("public_housing", N_("Logement autonome du parc public")),
    Choice("private_housing", N_("Logement autonome du parc privé")),
    Choice("family", N_("Retour dans la famille")),
    Choice("third_party", N_("Hébergé chez un tiers")),
    Choice("shelter", N_("Hébergement (CHRS, urgence)")),
    Choice("care", N_("Structure de soins, médico-sociale")),
    Choice("abandonment", N_("Départ sans préavis")),
    Choice("other", N_("Autre")),
)

PRESCRIBERS = (
    Choice("siao", N_("SIAO")),
    Choice("chrs", N_("CHRS")),
    Choice("ccas", N_("CCAS / service social de secteur")),
    Choice("partner_association", N_("Association partenaire")),
    Choice("self", N_("Démarche personnelle")),
    Choice("other", N_("Autre")),
)

ENROLMENT_FIELDS = (
    Field("siao_orientation_date", N_("Date d'orientation par le SIAO"), kind="date", order=10),
    Field(
        "stay_goal",
        N_("Objectif du séjour"),
        kind="choice",
        order=20,
        choices=(
            Choice("budget", N_("Rééquilibrer le budget")),
            Choice("tenancy", N_("Reprendre confiance dans la gestion d'un logement")),
            Choice("administrative", N_("Éclaircir la situation administrative")),
            Choice("other", N_("Autre")),
        ),
    ),
)


def stay_end(entry: dt.date) -> dt.date:
    """The latest exit date without derogation, two years on: entry 15/03/2024 → 15/03/2026."""
    return add_months(entry, MAX_MONTHS)


def alert_date(entry: dt.date) -> dt.date:
    """The day the 20 months are reached: entry 15/03/2024 → 15/11/2025."""
    return add_months(entry, ALERT_MONTHS)


def allowed_until(entry: dt.date, renewals: list[dict]) -> dt.date:
    """The last day the resident may stay: two years, or the latest derogation's end
    (``renewals``: the enrolment's rows of housing's renewals table, oldest first)."""
    return max(stay_end(entry), housing.agreement_end(entry, STAY, renewals))


async def require_derogation_beyond_24_months(ctx: GuardContext) -> str | None:
    """An exit after the two years must be covered by a recorded derogation."""
    entry = ctx.enrolment.entry_date
    exit_date = ctx.values.get("exit_date")
    if entry is None or not exit_date:
        return None
    day = dt.date.fromisoformat(exit_date)
    allowed = await housing.agreement_due(ctx.enrolment, STAY) or stay_end(entry)
    if day > max(allowed, stay_end(entry)):
        return (
            "La sortie dépasse la durée maximale de 24 mois (jusqu'au "
            f"{stay_end(entry).strftime('%d/%m/%Y')}) : enregistrez d'abord une dérogation "
            "motivée."
        )
    return None


async def require_free_unit(ctx: GuardContext) -> str | None:
    from tremplin_social_residence.units import unit_problem

    moved_on = ctx.values.get("moved_on")
    entry = ctx.enrolment.entry_date
    if moved_on and entry is not None and dt.date.fromisoformat(moved_on) <= entry:
        return "Le changement de logement doit suivre l'entrée dans la résidence."
    return await unit_problem(int(ctx.values["unit"]), ctx.enrolment.id)


async def _stay_due(e: EnrolmentView) -> dt.date | None:
    """The stay's end after its derogations (housing's renewals table)."""
    return await housing.agreement_due(e, STAY)


async def free_units(ctx: ChoiceContext) -> tuple[Choice, ...]:
    """The units of the residence nobody else lives in."""
    from tremplin_social_residence.units import free_unit_choices

    return await free_unit_choices(ctx.enrolment.id if ctx.enrolment else None)


async def other_free_units(ctx: ChoiceContext) -> tuple[Choice, ...]:
    """Move: the free units other than the resident's own."""
    from tremplin_social_residence.units import free_unit_choices

    own = int((ctx.enrolment.data or {}).get("unit") or 0) if ctx.enrolment else 0
    choices = await free_unit_choices(ctx.enrolment.id if ctx.enrolment else None)
    return tuple(c for c in choices if c.value != str(own))


async def unit_dwelling(unit_id: int) -> int | None:
    """The housing dwelling that carries the unit's rent account (``None``: not tied)."""
    from tremplin_social_residence.tables import ResidenceUnit

    row = (
        await ResidenceUnit.select(ResidenceUnit.dwelling_id)
        .where(ResidenceUnit.id == unit_id)
        .first()
    )
    return row["dwelling_id"] if row else None


DECISION = decision_date_field()
#: The unit is chosen among the free ones; the stored value is still the unit's id (an int).
UNIT = Field(
    "unit",
    N_("Logement"),
    kind="int",
    required=True,
    minimum=1,
    choices_from=free_units,
    help=N_("Les logements libres de la résidence."),
)
NEW_UNIT = Field(
    "unit",
    N_("Nouveau logement"),
    kind="int",
    required=True,
    minimum=1,
    choices_from=other_free_units,
    help=N_("Les logements libres de la résidence, autres que le logement actuel."),
)

WORKFLOW = Workflow(
    programme=KEY,
    initial="referral",
    states=(
        State("referral", N_("Orientation reçue"), phase="referral"),
        State("admitted", N_("Admis, en attente d'entrée"), phase="waiting"),
        State("housed", N_("Résident"), phase="active"),
        *closed_states(),
    ),
    transitions=(
        Transition(
            "accept", N_("Admettre"), ("referral",), "admitted", fields=(DECISION,), order=10
        ),
        refusal(),
        Transition(
            "enter",
            N_("Entrée dans la résidence"),
            ("admitted",),
            "housed",
            fields=(
                Field("entry_date", N_("Date d'entrée"), kind="date", required=True),
                UNIT,
                *housing.ENTRY_TERMS_FIELDS,
            ),
            guards=(require_free_unit,),
            effects=(housing.enter_unit(unit_dwelling, "residence"),),
            order=10,
        ),
        # A change of unit moves the resident's occupancy (housing's one transfer: the unit
        # left is vacant from the move, the new one's vacancy ends, same rent terms).
        Transition(
            "move",
            N_("Changement de logement"),
            ("housed",),
            "housed",
            fields=(
                Field("moved_on", N_("Date du changement"), kind="date", required=True),
                NEW_UNIT,
            ),
            guards=(require_free_unit,),
            effects=(housing.move_unit(unit_dwelling),),
            order=20,
            timeline_event=False,
        ),
        exit_with_destination(
            EXIT_DESTINATIONS,
            label="Sortie de la résidence",
            guards=(require_derogation_beyond_24_months,),
            effects=(housing.leave_dwelling(),),
        ),
        withdrawal(("referral", "admitted")),
    ),
    deadlines=(
        # Warned from the 20th month: 24 − 20 calendar months before the end.
        Deadline(
            "stay_limit",
            N_("Fin de la durée maximale de séjour (24 mois)"),
            ("housed",),
            _stay_due,
            warn_months=MAX_MONTHS - ALERT_MONTHS,
        ),
    ),
)
