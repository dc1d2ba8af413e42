"""The boarding-house workflow: SIAO orientation → admission commission → in a unit → exit.

There is no limit on the length of stay (*pas de limitation de durée*): no deadline.
"""

from __future__ import annotations

import datetime as dt

from tremplin.api import (
    N_,
    Choice,
    ChoiceContext,
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
    require_recorded,
    today,
    withdrawal,
)
from tremplin_housing import api as housing

KEY = "boarding_house"

TYPOLOGIES = (Choice("T1", N_("T1")), Choice("T1bis", N_("T1 bis")), Choice("T2", N_("T2")))

#: Where residents go when they leave a boarding house.
EXIT_DESTINATIONS = (
    Choice("public_housing", N_("Logement du parc public")),
    Choice("private_housing", N_("Logement du parc privé")),
    Choice("iml", N_("Logement en intermédiation locative (IML)")),
    Choice("boarding_house", N_("Autre pension de famille")),
    Choice("care_home", N_("EHPAD, foyer-logement, structure médico-sociale")),
    Choice("hospital", N_("Hospitalisation longue, soins")),
    Choice("family", N_("Retour dans la famille")),
    Choice("third_party", N_("Hébergé chez un tiers")),
    Choice("shelter", N_("Hébergement (CHRS, urgence)")),
    Choice("death", N_("Décès")),
    Choice("abandonment", N_("Départ sans préavis")),
    Choice("other", N_("Autre")),
)

PRESCRIBERS = (
    Choice("siao", N_("SIAO")),
    Choice("chrs", N_("CHRS")),
    Choice("ccas", N_("CCAS / service social de secteur")),
    Choice("health", N_("Service de soins, CSAPA, psychiatrie")),
    Choice("partner_association", N_("Association partenaire")),
    Choice("other", N_("Autre")),
)

ENROLMENT_FIELDS = (
    Field(
        "siao_orientation_date",
        N_("Date d'orientation par le SIAO"),
        kind="date",
        order=10,
        help=N_("Obligatoire avant le passage en commission d'admission."),
    ),
    Field("typology_need", N_("Typologie souhaitée"), kind="choice", choices=TYPOLOGIES, order=20),
)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


#: Admission goes through the SIAO: its orientation must be recorded first.
require_siao_orientation = require_recorded(
    "siao_orientation_date",
    "L'orientation par le SIAO doit être enregistrée avant la commission d'admission.",
)


def require_commission_before_decision(ctx: GuardContext) -> str | None:
    """The decision follows the commission, which follows the SIAO orientation."""
    commission = _date(ctx.values.get("commission_date"))
    decision = _date(ctx.values.get("decision_date"))
    if commission is None:
        return "Indiquez la date de la commission d'admission."
    if commission > ctx.today:
        return "La commission d'admission ne peut pas être dans le futur."
    if decision is not None and decision < commission:
        return "La décision ne peut pas précéder la commission d'admission."
    orientation = _date(ctx.enrolment.data.get("siao_orientation_date"))
    if orientation is not None and commission < orientation:
        return "La commission ne peut pas précéder l'orientation par le SIAO."
    return None


async def require_free_unit(ctx: GuardContext) -> str | None:
    """The unit exists, its house is open on the entry date, and nobody else lives in it."""
    from tremplin_boarding_house.houses import unit_problem

    moved_on = _date(ctx.values.get("moved_on"))
    entry = ctx.enrolment.entry_date
    if moved_on is not None and entry is not None and moved_on < entry:
        return "Le changement de logement ne peut pas précéder l'entrée."
    day = _date(ctx.values.get("entry_date")) or moved_on or ctx.today
    return await unit_problem(int(ctx.values["unit"]), day, ctx.enrolment.id)


async def free_units(ctx: ChoiceContext) -> tuple[Choice, ...]:
    """Entry: the units nobody else lives in, in every house."""
    from tremplin_boarding_house.houses import free_unit_choices

    enrolment = ctx.enrolment.id if ctx.enrolment else None
    return await free_unit_choices(enrolment, ctx.today or today())


async def other_free_units(ctx: ChoiceContext) -> tuple[Choice, ...]:
    """Move: the free units other than the resident's own."""
    from tremplin_boarding_house.houses import free_unit_choices

    enrolment = ctx.enrolment.id if ctx.enrolment else None
    return await free_unit_choices(enrolment, ctx.today or today(), keep_own=False)


async def unit_dwelling(unit_id: int) -> int | None:
    """The housing dwelling that carries the unit's rent account (``None``: not tied)."""
    from tremplin_boarding_house.tables import Unit

    row = await Unit.select(Unit.dwelling_id).where(Unit.id == unit_id).first()
    return row["dwelling_id"] if row else None


DECISION = decision_date_field()
COMMISSION = Field(
    "commission_date", N_("Date de la commission d'admission"), kind="date", required=True
)
#: The unit is chosen among the free ones; the stored value is still the unit's id (an int).
UNIT = Field(
    "unit",
    N_("Logement"),
    kind="int",
    required=True,
    minimum=1,
    choices_from=free_units,
    help=N_("Les logements libres de chaque maison : maison — logement (typologie)."),
)
NEW_UNIT = Field(
    "unit",
    N_("Nouveau logement"),
    kind="int",
    required=True,
    minimum=1,
    choices_from=other_free_units,
    help=N_("Les logements libres de chaque maison, autres que le logement actuel."),
)

WORKFLOW = Workflow(
    programme=KEY,
    initial="referral",
    states=(
        State("referral", N_("Orientation reçue"), phase="referral"),
        State("admitted", N_("Admis en commission, en attente d'entrée"), phase="waiting"),
        State("housed", N_("Résident"), phase="active"),
        *closed_states(),
    ),
    transitions=(
        Transition(
            "accept",
            N_("Admettre (commission)"),
            ("referral",),
            "admitted",
            fields=(COMMISSION, DECISION),
            guards=(require_siao_orientation, require_commission_before_decision),
            order=10,
        ),
        postponement(
            label="Ajourner (commission)",
            fields=(COMMISSION,),
            guards=(require_commission_before_decision,),
        ),
        refusal(
            label="Refuser (commission)",
            fields=(COMMISSION,),
            guards=(require_commission_before_decision,),
        ),
        Transition(
            "enter",
            N_("Entrée dans la maison"),
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
            # Housing's transfer writes the line, dated by the move.
            timeline_event=False,
        ),
        exit_with_destination(
            EXIT_DESTINATIONS,
            label="Sortie de la pension de famille",
            effects=(housing.leave_dwelling(),),
        ),
        withdrawal(("referral", "admitted")),
    ),
)
