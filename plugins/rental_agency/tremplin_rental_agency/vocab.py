"""The rental agency's vocabulary: demand statuses, housing problems, decisions, GLA kinds,
arrears causes and outcomes (key → French label). Keys are stored; labels are shown."""

from __future__ import annotations

from tremplin.api import Choice, vocabulary

KEY = "rental_agency"

#: The demand's path, in order (*demande de logement*).
STATUSES = (
    Choice("registered", "Enregistrée"),
    Choice("received", "Reçue en permanence"),
    Choice("admissible", "Recevable"),
    Choice("presented", "Présentée en CEDL"),
    Choice("accepted", "Acceptée"),
    Choice("adjourned", "Ajournée"),
    Choice("refused", "Refusée"),
    Choice("cancelled_elsewhere", "Annulée (logée par un autre moyen)"),
    Choice("cancelled_other", "Annulée (autre motif)"),
    Choice("housed", "Logée (bail signé)"),
)
STATUS_LABELS = {c.value: c.label for c in STATUSES}

#: Which status a demand may move to by hand from which; decisions, allocation and lease
#: move it through their own commands.
MANUAL_MOVES: dict[str, tuple[str, ...]] = {
    "registered": ("received", "cancelled_elsewhere", "cancelled_other"),
    "received": ("admissible", "cancelled_elsewhere", "cancelled_other"),
    "admissible": ("cancelled_elsewhere", "cancelled_other"),
    "adjourned": ("admissible", "cancelled_elsewhere", "cancelled_other"),
    "accepted": ("cancelled_elsewhere", "cancelled_other"),
    "presented": (),
    "refused": (),
    "cancelled_elsewhere": (),
    "cancelled_other": (),
    "housed": (),
}

DECISIONS = (
    Choice("accepted", "Acceptée"),
    Choice("adjourned", "Ajournée"),
    Choice("refused", "Refusée"),
)
DECISION_LABELS = {c.value: c.label for c in DECISIONS}

HOUSING_PROBLEMS = (
    Choice("no_housing", "Sans logement / hébergement précaire"),
    Choice("hosted", "Hébergé, fin d'hébergement"),
    Choice("too_expensive", "Loyer trop élevé"),
    Choice("overcrowded", "Logement trop petit / suroccupé"),
    Choice("unfit", "Logement indigne, insalubre ou indécent"),
    Choice("eviction", "Procédure d'expulsion"),
    Choice("separation", "Séparation, violences"),
    Choice("health", "Logement inadapté (santé, handicap)"),
    Choice("distance", "Éloignement (travail, famille, services)"),
    Choice("other", "Autre"),
)
PROBLEM_LABELS = {c.value: c.label for c in HOUSING_PROBLEMS}

#: The situation towards housing (the core's situations); ``own_housing`` is stable.
SITUATIONS = vocabulary.SITUATIONS
SITUATION_LABELS = {c.value: c.label for c in SITUATIONS}
STABLE_SITUATIONS = frozenset({"own_housing"})

TYPOLOGIES = (
    Choice("studio", "Studio"),
    Choice("T1", "T1"),
    Choice("T2", "T2"),
    Choice("T3", "T3"),
    Choice("T4", "T4"),
    Choice("T5", "T5 et plus"),
)

#: Resources against the net monthly minimum wage (SMIC) of the grid in force.
RESOURCE_LEVELS = (
    Choice("half", "Inférieures ou égales à ½ SMIC"),
    Choice("smic", "Entre ½ SMIC et le SMIC"),
    Choice("smic_15", "Entre le SMIC et 1,5 SMIC"),
    Choice("above", "Supérieures à 1,5 SMIC"),
)

AGE_BRACKETS = (
    Choice("u25", "Moins de 25 ans"),
    Choice("25_34", "25 à 34 ans"),
    Choice("35_44", "35 à 44 ans"),
    Choice("45_59", "45 à 59 ans"),
    Choice("60", "60 ans et plus"),
    Choice("unknown", "Non renseigné"),
)

#: GLA: timeline kinds of the agency's follow-up of its tenants (*gestion locative adaptée*).
GLA_KINDS = (
    Choice("gla_home_visit", "GLA : visite à domicile"),
    Choice("gla_office", "GLA : entretien à l'agence"),
    Choice("gla_mediation_neighbours", "GLA : médiation (voisinage)"),
    Choice("gla_mediation_owner", "GLA : médiation (propriétaire)"),
    Choice("gla_technical", "GLA : intervention technique"),
    Choice("gla_fsl", "GLA : dossier FSL"),
    Choice("gla_help_request", "GLA : demande d'aide administrative ou financière"),
    Choice("gla_transfer_request", "GLA : demande de mutation"),
)
GLA_LABELS = {c.value: c.label for c in GLA_KINDS}

#: Causes of arrears the agency starts with; the administrator adds others.
DEFAULT_CAUSES = (
    Choice("rights_break", "Rupture de droits sociaux"),
    Choice("family_change", "Changement de situation familiale"),
    Choice("job_change", "Changement de situation professionnelle"),
    Choice("rights_delay", "Délai de réévaluation des droits"),
    Choice("budget", "Défaut de gestion budgétaire"),
    Choice("bad_faith", "Défaut d'adhésion / mauvaise foi"),
    Choice("other", "Autre"),
)

OUTCOMES = (
    Choice("pending", "En cours"),
    Choice("solved", "Résolue par l'accompagnement"),
    Choice("solved_household", "Réglée par le ménage"),
    Choice("litigation", "Procédure contentieuse"),
    Choice("eviction", "Expulsion"),
)
OUTCOME_LABELS = {c.value: c.label for c in OUTCOMES}

#: The pooled works fund's fields of intervention besides the works at a tenant's departure
#: (recorded with the exit inventory): the ASL 2024 report's « fonds mutualisé pour travaux ».
FUND_FIELDS = (
    Choice("energy", "Amélioration des performances énergétiques (maîtrise de l'énergie)"),
    Choice("self_renovation", "Chantier d'auto-rénovation accompagnée"),
    Choice("improvement", "Autres travaux d'amélioration (standard du permis de louer)"),
)
FUND_FIELD_LABELS = {c.value: c.label for c in FUND_FIELDS}
#: What the fund gives at most to the energy works of one dwelling (all its grants).
ENERGY_CAP_CENTS = 400_000

#: Rules a scoring criterion may use: each is computed from the demand's data, except
#: ``manual`` (ticked by the committee). ``per_unit`` rules multiply the points.
RULES = (
    Choice("no_stable_housing", "Sans logement pérenne"),
    Choice("street", "Sans abri / rue / hôtel"),
    Choice("resources_half_smic", "Ressources ≤ ½ SMIC"),
    Choice("resources_smic", "Ressources ≤ SMIC"),
    Choice("children", "Par enfant du ménage"),
    Choice("waiting_months", "Par mois d'attente depuis l'enregistrement (12 au plus)"),
    Choice("problem_eviction", "Procédure d'expulsion"),
    Choice("problem_unfit", "Logement indigne ou insalubre"),
    Choice("problem_separation", "Séparation, violences"),
    Choice("problem_health", "Logement inadapté (santé, handicap)"),
    Choice("manual", "Critère apprécié par la commission"),
)
RULE_LABELS = {c.value: c.label for c in RULES}


def label(choices: tuple[Choice, ...], key: str) -> str:
    return next((c.label for c in choices if c.value == key), key)
