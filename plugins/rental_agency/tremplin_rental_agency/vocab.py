"""The rental agency's vocabulary: demand statuses, housing problems, decisions, GLA kinds,
arrears causes and outcomes (key → French label). Keys are stored; labels are shown."""

from __future__ import annotations

from tremplin.api import N_, Choice, vocabulary

KEY = "rental_agency"

#: The demand's path, in order (*demande de logement*).
STATUSES = (
    Choice("registered", N_("Enregistrée")),
    Choice("received", N_("Reçue en permanence")),
    Choice("admissible", N_("Recevable")),
    Choice("presented", N_("Présentée en CEDL")),
    Choice("accepted", N_("Acceptée")),
    Choice("adjourned", N_("Ajournée")),
    Choice("refused", N_("Refusée")),
    Choice("cancelled_elsewhere", N_("Annulée (logée par un autre moyen)")),
    Choice("cancelled_other", N_("Annulée (autre motif)")),
    Choice("housed", N_("Logée (bail signé)")),
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
    Choice("accepted", N_("Acceptée")),
    Choice("adjourned", N_("Ajournée")),
    Choice("refused", N_("Refusée")),
)
DECISION_LABELS = {c.value: c.label for c in DECISIONS}

HOUSING_PROBLEMS = (
    Choice("no_housing", N_("Sans logement / hébergement précaire")),
    Choice("hosted", N_("Hébergé, fin d'hébergement")),
    Choice("too_expensive", N_("Loyer trop élevé")),
    Choice("overcrowded", N_("Logement trop petit / suroccupé")),
    Choice("unfit", N_("Logement indigne, insalubre ou indécent")),
    Choice("eviction", N_("Procédure d'expulsion")),
    Choice("separation", N_("Séparation, violences")),
    Choice("health", N_("Logement inadapté (santé, handicap)")),
    Choice("distance", N_("Éloignement (travail, famille, services)")),
    Choice("other", N_("Autre")),
)
PROBLEM_LABELS = {c.value: c.label for c in HOUSING_PROBLEMS}

#: The situation towards housing (the core's situations); ``own_housing`` is stable.
SITUATIONS = vocabulary.SITUATIONS
SITUATION_LABELS = {c.value: c.label for c in SITUATIONS}
STABLE_SITUATIONS = frozenset({"own_housing"})

TYPOLOGIES = (
    Choice("studio", N_("Studio")),
    Choice("T1", N_("T1")),
    Choice("T2", N_("T2")),
    Choice("T3", N_("T3")),
    Choice("T4", N_("T4")),
    Choice("T5", N_("T5 et plus")),
)

#: Resources against the net monthly minimum wage (SMIC) of the grid in force.
RESOURCE_LEVELS = (
    Choice("half", N_("Inférieures ou égales à ½ SMIC")),
    Choice("smic", N_("Entre ½ SMIC et le SMIC")),
    Choice("smic_15", N_("Entre le SMIC et 1,5 SMIC")),
    Choice("above", N_("Supérieures à 1,5 SMIC")),
)

AGE_BRACKETS = (
    Choice("u25", N_("Moins de 25 ans")),
    Choice("25_34", N_("25 à 34 ans")),
    Choice("35_44", N_("35 à 44 ans")),
    Choice("45_59", N_("45 à 59 ans")),
    Choice("60", N_("60 ans et plus")),
    Choice("unknown", N_("Non renseigné")),
)

#: GLA: timeline kinds of the agency's follow-up of its tenants (*gestion locative adaptée*).
GLA_KINDS = (
    Choice("gla_home_visit", N_("GLA : visite à domicile")),
    Choice("gla_office", N_("GLA : entretien à l'agence")),
    Choice("gla_mediation_neighbours", N_("GLA : médiation (voisinage)")),
    Choice("gla_mediation_owner", N_("GLA : médiation (propriétaire)")),
    Choice("gla_technical", N_("GLA : intervention technique")),
    Choice("gla_fsl", N_("GLA : dossier FSL")),
    Choice("gla_help_request", N_("GLA : demande d'aide administrative ou financière")),
    Choice("gla_transfer_request", N_("GLA : demande de mutation")),
)
GLA_LABELS = {c.value: c.label for c in GLA_KINDS}

#: Causes of arrears the agency starts with; the administrator adds others.
DEFAULT_CAUSES = (
    Choice("rights_break", N_("Rupture de droits sociaux")),
    Choice("family_change", N_("Changement de situation familiale")),
    Choice("job_change", N_("Changement de situation professionnelle")),
    Choice("rights_delay", N_("Délai de réévaluation des droits")),
    Choice("budget", N_("Défaut de gestion budgétaire")),
    Choice("bad_faith", N_("Défaut d'adhésion / mauvaise foi")),
    Choice("other", N_("Autre")),
)

OUTCOMES = (
    Choice("pending", N_("En cours")),
    Choice("solved", N_("Résolue par l'accompagnement")),
    Choice("solved_household", N_("Réglée par le ménage")),
    Choice("litigation", N_("Procédure contentieuse")),
    Choice("eviction", N_("Expulsion")),
)
OUTCOME_LABELS = {c.value: c.label for c in OUTCOMES}

#: The pooled works fund's fields of intervention besides the works at a tenant's departure
#: (recorded with the exit inventory): the ASL 2024 report's « fonds mutualisé pour travaux ».
FUND_FIELDS = (
    Choice("energy", N_("Amélioration des performances énergétiques (maîtrise de l'énergie)")),
    Choice("self_renovation", N_("Chantier d'auto-rénovation accompagnée")),
    Choice("improvement", N_("Autres travaux d'amélioration (standard du permis de louer)")),
)
FUND_FIELD_LABELS = {c.value: c.label for c in FUND_FIELDS}
#: What the fund gives at most to the energy works of one dwelling (all its grants).
ENERGY_CAP_CENTS = 400_000

#: Rules a scoring criterion may use: each is computed from the demand's data, except
#: ``manual`` (ticked by the committee). ``per_unit`` rules multiply the points.
RULES = (
    Choice("no_stable_housing", N_("Sans logement pérenne")),
    Choice("street", N_("Sans abri / rue / hôtel")),
    Choice("resources_half_smic", N_("Ressources ≤ ½ SMIC")),
    Choice("resources_smic", N_("Ressources ≤ SMIC")),
    Choice("children", N_("Par enfant du ménage")),
    Choice("waiting_months", N_("Par mois d'attente depuis l'enregistrement (12 au plus)")),
    Choice("problem_eviction", N_("Procédure d'expulsion")),
    Choice("problem_unfit", N_("Logement indigne ou insalubre")),
    Choice("problem_separation", N_("Séparation, violences")),
    Choice("problem_health", N_("Logement inadapté (santé, handicap)")),
    Choice("manual", N_("Critère apprécié par la commission")),
)
RULE_LABELS = {c.value: c.label for c in RULES}


def label(choices: tuple[Choice, ...], key: str) -> str:
    return next((c.label for c in choices if c.value == key), key)
