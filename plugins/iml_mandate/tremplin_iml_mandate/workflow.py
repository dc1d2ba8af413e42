"""The two workflows of the plugin.

``iml_mandate`` (IML en mandat de gestion): referral → support starts *before* entry
(``decision_date`` is the start of the global support: settle the situation, choose the
dwelling) → lease signed directly with the owner (``entry_date``) and stabilisation in the
dwelling → end of support with its outcome (``exit_date``). Global support of 12 months at
most from its start; beyond, only with a recorded derogation.

``housing_support`` (accompagnement social lié au logement): one enrolment per measure,
"simple" (triggered by arrears, CAF-funded) or "reinforced" (a contract with goals, 6 months
extendable). ``entry_date`` and ``exit_date`` are the start and end of the measure.
"""

from __future__ import annotations

import datetime as dt

from tremplin.api import (
    N_,
    Choice,
    Deadline,
    EnrolmentView,
    Field,
    GuardContext,
    State,
    Transition,
    Workflow,
    add_months,
    closed_states,
    domain,
    exit_with_destination,
    format_date,
    refusal,
    vocabulary,
    withdrawal,
)
from tremplin_housing import api as housing

gettext = domain(__name__).gettext

KEY = "iml_mandate"
SUPPORT_KEY = "housing_support"
MAX_MONTHS = 12
REINFORCED_MONTHS = 6

#: How a supported household's story ends (ASL 2018 and 2024 reports).
OUTCOMES = (
    Choice("stayed", N_("Maintien dans le logement")),
    Choice("agency_stock", N_("Relogement dans le parc de l'agence")),
    Choice("public_housing", N_("Relogement dans le parc public")),
    Choice("family", N_("Retour dans la famille")),
    Choice("care_home", N_("Foyer de vie / structure médico-sociale")),
    Choice("other", N_("Autre")),
)

#: Outcomes after which the household keeps its dwelling (its lease outlives the support).
STAYS = frozenset({"stayed"})

MEASURE_KINDS = (
    Choice("simple", N_("Accompagnement simple")),
    Choice("reinforced", N_("Accompagnement renforcé")),
)

#: What triggered a measure (ASL 2024: arrears, neighbourhood trouble, unsuitable dwelling).
TRIGGERS = (
    Choice("arrears", N_("Impayé de loyer")),
    Choice("neighbourhood", N_("Troubles de voisinage")),
    Choice("unsuitable", N_("Logement inadapté")),
    Choice("budget", N_("Difficultés de gestion budgétaire")),
    Choice("other", N_("Autre")),
)

#: Where a household is when its measure ends.
MEASURE_OUTCOMES = (
    Choice("stayed", N_("Maintien dans le logement")),
    Choice("rehoused", N_("Relogement")),
    Choice("eviction", N_("Expulsion / départ contraint")),
    Choice("left", N_("Départ volontaire")),
    Choice("interrupted", N_("Accompagnement interrompu (non-adhésion)")),
    Choice("other", N_("Autre")),
)


# ---------------------------------------------------------------- IML under mandate


def support_start(e: EnrolmentView) -> dt.date | None:
    """The start of the global support (the decision to start it)."""
    return e.decision_date


def max_end(start: dt.date) -> dt.date:
    """Last day of the 12 months of support: 01/03/2024 → 28/02/2025."""
    return add_months(start, MAX_MONTHS) - dt.timedelta(days=1)


def support_end(e: EnrolmentView) -> dt.date | None:
    """The planned end: 12 months after the start, or the derogation's date."""
    start = support_start(e)
    if start is None:
        return None
    until = e.data.get("derogation_until")
    return dt.date.fromisoformat(until) if until else max_end(start)


def _limit_reason(ctx: GuardContext, day: dt.date, what: str) -> str | None:
    start = support_start(ctx.enrolment)
    if start is None or day <= max_end(start):
        return None
    until = ctx.enrolment.data.get("derogation_until")
    if not (ctx.enrolment.data.get("derogation_reason") or "").strip() or not until:
        return gettext(
            "{what} dépasse la durée maximale de {months} mois d'accompagnement "
            "(jusqu'au {end}) : enregistrez d'abord une dérogation motivée."
        ).format(what=what, months=MAX_MONTHS, end=format_date(max_end(start)))
    if day > dt.date.fromisoformat(until):
        return gettext("{what} dépasse la dérogation accordée jusqu'au {until}.").format(
            what=what, until=format_date(until)
        )
    return None


def require_entry_conditions(ctx: GuardContext) -> str | None:
    """Lease: DDETS prior agreement recorded on or before it, adherence contract signed at it,
    within the 12 months (or the derogation)."""
    entry = dt.date.fromisoformat(ctx.values["entry_date"])
    agreement = ctx.enrolment.data.get("ddets_agreement_date")
    if not agreement:
        return gettext(
            "L'accord préalable de la DDETS doit être enregistré (date de l'accord) avant "
            "la signature du bail."
        )
    if dt.date.fromisoformat(agreement) > entry:
        return gettext(
            "L'accord de la DDETS ({agreement}) est postérieur à la signature du bail : il "
            "doit être préalable."
        ).format(agreement=format_date(agreement))
    contract = ctx.values.get("adherence_contract_date")
    if not contract:
        return gettext(
            "Le contrat d'adhésion à l'accompagnement doit être signé au moment du bail."
        )
    contract_day = dt.date.fromisoformat(contract)
    if contract_day > entry:
        return gettext("Le contrat d'adhésion doit être signé au plus tard à la signature du bail.")
    start = support_start(ctx.enrolment)
    if start and contract_day < start:
        return gettext("Le contrat d'adhésion ne peut précéder le début de l'accompagnement.")
    return _limit_reason(ctx, entry, gettext("La signature du bail"))


def require_within_limit(ctx: GuardContext) -> str | None:
    """The end of support after 12 months needs a recorded derogation covering it."""
    return _limit_reason(
        ctx, dt.date.fromisoformat(ctx.values["exit_date"]), gettext("La fin de l'accompagnement")
    )


def require_derogation(ctx: GuardContext) -> str | None:
    start = support_start(ctx.enrolment)
    if start is None:
        return gettext("L'accompagnement n'a pas commencé.")
    if not (ctx.values.get("derogation_reason") or "").strip():
        return gettext("Indiquez le motif de la dérogation.")
    until = dt.date.fromisoformat(ctx.values["derogation_until"])
    if until <= max_end(start):
        return gettext(
            "Une dérogation ne sert qu'au-delà des {months} mois (après le {end})."
        ).format(months=MAX_MONTHS, end=format_date(max_end(start)))
    return None


START = Field("decision_date", N_("Date de début de l'accompagnement"), kind="date", required=True)

WORKFLOW = Workflow(
    programme=KEY,
    initial="referral",
    states=(
        State("referral", N_("Orientation reçue"), phase="referral"),
        State(
            "pre_entry", N_("Accompagnement avant l'entrée (choix du logement)"), phase="waiting"
        ),
        State("housed", N_("Dans le logement (stabilisation)"), phase="active"),
        *closed_states(
            exited=N_("Fin d'accompagnement"),
            refused=N_("Orientation refusée"),
            withdrawn=N_("Accompagnement abandonné"),
        ),
    ),
    transitions=(
        Transition(
            "start",
            N_("Démarrer l'accompagnement"),
            ("referral",),
            "pre_entry",
            fields=(START,),
            order=10,
        ),
        refusal(),
        Transition(
            "enter",
            N_("Signature du bail et entrée"),
            ("pre_entry",),
            "housed",
            fields=(
                Field(
                    "entry_date",
                    N_("Date de signature du bail (entrée)"),
                    kind="date",
                    required=True,
                ),
                Field(
                    "adherence_contract_date",
                    N_("Date de signature du contrat d'adhésion"),
                    kind="date",
                    required=True,
                ),
                housing.dwelling_field(),
                *housing.ENTRY_TERMS_FIELDS,
            ),
            guards=(require_entry_conditions,),
            # The household signs its lease with the owner; the agency manages the dwelling.
            effects=(housing.enter_dwelling("lease"),),
            order=10,
        ),
        housing.change_of_dwelling(),
        *(
            Transition(
                "derogate",
                N_("Dérogation à la durée de 12 mois"),
                (state,),
                state,
                fields=(
                    Field(
                        "derogation_until",
                        N_("Accompagnement prolongé jusqu'au"),
                        kind="date",
                        required=True,
                    ),
                    Field(
                        "derogation_reason",
                        N_("Motif de la dérogation"),
                        kind="textarea",
                        required=True,
                    ),
                ),
                guards=(require_derogation,),
                order=40,
            )
            for state in ("pre_entry", "housed")
        ),
        exit_with_destination(
            OUTCOMES,
            key="end",
            label="Fin de l'accompagnement",
            date_label="Date de fin de l'accompagnement",
            destination_label="Issue",
            reason_label="Commentaire",
            guards=(require_within_limit,),
            # The lease is the household's: after « Maintien dans le logement » it goes on
            # (the agency still manages the dwelling), any other outcome ends it.
            effects=(housing.leave_dwelling(stays=STAYS),),
        ),
        withdrawal(("referral", "pre_entry"), label="Abandon"),
    ),
    deadlines=(
        Deadline(
            "support_end",
            N_("Fin de l'accompagnement global (12 mois)"),
            ("pre_entry", "housed"),
            support_end,
            warn_days=30,
        ),
    ),
)


# ---------------------------------------------------------------- support measures


def contract_end(e: EnrolmentView) -> dt.date | None:
    """End of a reinforced contract: 6 months from the start plus the extensions."""
    if e.entry_date is None or e.data.get("measure_kind") != "reinforced":
        return None
    until = e.data.get("contract_until")
    if until:
        return dt.date.fromisoformat(until)
    return add_months(e.entry_date, REINFORCED_MONTHS) - dt.timedelta(days=1)


def require_reinforced_contract(ctx: GuardContext) -> str | None:
    """A reinforced measure starts with a signed contract stating its goals."""
    if ctx.enrolment.data.get("measure_kind") != "reinforced":
        return None
    if not ctx.values.get("contract_date"):
        return gettext(
            "Un accompagnement renforcé démarre par un contrat : indiquez sa date de signature."
        )
    if not (ctx.values.get("contract_goals") or "").strip():
        return gettext("Indiquez les objectifs fixés dans le contrat d'accompagnement renforcé.")
    return None


def require_reinforced(ctx: GuardContext) -> str | None:
    if ctx.enrolment.data.get("measure_kind") != "reinforced":
        return gettext("Seul un accompagnement renforcé se prolonge (contrat de 6 mois).")
    return None


def require_debt_when_owed(ctx: GuardContext) -> str | None:
    """A reinforced measure with a debt at entry ends with the debt's amount."""
    data = ctx.enrolment.data
    if (
        data.get("measure_kind") == "reinforced"
        and (data.get("debt_at_entry") or 0) > 0
        and ctx.values.get("debt_latest") is None
    ):
        return gettext("Indiquez le montant de la dette en fin de mesure (0 si soldée).")
    return None


def require_later_contract_end(ctx: GuardContext) -> str | None:
    current = contract_end(ctx.enrolment)
    until = dt.date.fromisoformat(ctx.values["contract_until"])
    if current and until <= current:
        return gettext(
            "La prolongation doit aller au-delà de la fin actuelle du contrat ({end})."
        ).format(end=format_date(current))
    return None


SUPPORT_WORKFLOW = Workflow(
    programme=SUPPORT_KEY,
    initial="requested",
    states=(
        State("requested", N_("Demande d'accompagnement"), phase="referral"),
        State("active", N_("Mesure en cours"), phase="active"),
        *closed_states(
            exited=N_("Mesure terminée"),
            refused=N_("Demande refusée"),
            withdrawn=N_("Demande abandonnée"),
        ),
    ),
    transitions=(
        Transition(
            "start",
            N_("Début de la mesure"),
            ("requested",),
            "active",
            fields=(
                Field("entry_date", N_("Date de début de la mesure"), kind="date", required=True),
                Field("contract_date", N_("Date du contrat (renforcé)"), kind="date"),
                Field("contract_goals", N_("Objectifs du contrat (renforcé)"), kind="textarea"),
            ),
            guards=(require_reinforced_contract,),
            order=10,
        ),
        Transition(
            "extend",
            N_("Prolonger le contrat renforcé"),
            ("active",),
            "active",
            fields=(
                Field(
                    "extension_decided_on",
                    N_("Date de l'accord de la CAF"),
                    kind="date",
                    required=True,
                ),
                Field(
                    "contract_until", N_("Contrat prolongé jusqu'au"), kind="date", required=True
                ),
            ),
            guards=(require_reinforced, require_later_contract_end),
            order=20,
        ),
        exit_with_destination(
            MEASURE_OUTCOMES,
            key="end",
            label="Fin de la mesure",
            sources=("active",),
            date_label="Date de fin de la mesure",
            destination_label="Situation à la fin",
            reason_label=None,
            fields=(
                Field("debt_latest", N_("Dette locative en fin de mesure"), kind="money"),
                Field("plan_kept", N_("Plan d'apurement respecté"), kind="bool"),
            ),
            guards=(require_debt_when_owed,),
        ),
        refusal(sources=("requested",)),
        withdrawal(("requested",), label="Abandon de la demande"),
    ),
    deadlines=(
        Deadline(
            "contract_end",
            N_("Fin du contrat d'accompagnement renforcé"),
            ("active",),
            contract_end,
            warn_days=30,
        ),
    ),
)

PRESCRIBERS = vocabulary.PRESCRIBERS
SUPPORT_PRESCRIBERS = (
    Choice("agency", N_("Gestion locative de l'agence")),
    Choice("caf", N_("CAF")),
    Choice("ccas", N_("CCAS / service social de secteur")),
    Choice("landlord", N_("Bailleur")),
    Choice("self", N_("Démarche personnelle")),
    Choice("other", N_("Autre")),
)
