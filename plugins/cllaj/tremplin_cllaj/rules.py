"""Pure rules and vocabularies of the CLLAJ plugin (no database: every rule is unit-tested).

Programmes (one plugin, several programmes, keys prefixed ``cllaj_``):

- ``cllaj_bail``: the supported lease (*bail accompagné*), under-30s, tripartite agreement,
  the association present for 6 months after entry;
- ``cllaj_jappart``: J'APPART, furnished temporary sub-let for 18–25, 12 months at most;
- ``cllaj_glissant``: the young workers' sliding-lease path (CCAS de Lomme model), lease
  sliding after a year, steering committee every two months.

The youth housing desk (*permanence AIO*) is not a programme: it has its own tables.
"""

from __future__ import annotations

import datetime as dt

from tremplin.api import N_, Choice, add_months, age_on, vocabulary

SLUG = "cllaj"
BAIL = "cllaj_bail"
JAPPART = "cllaj_jappart"
GLISSANT = "cllaj_glissant"

#: The association is present for 6 months after entry (seed 003).
BAIL_PRESENCE_MONTHS = 6
BAIL_MAX_AGE = 29  # "moins de 30 ans"
JAPPART_MIN_AGE, JAPPART_MAX_AGE = 18, 25
JAPPART_MAX_MONTHS = 12
#: "2 à 3 fois par mois": fewer than this in the last month raises a dashboard flag.
JAPPART_MIN_MEETINGS = 2
GLISSANT_MAX_AGE = 29
#: The lease slides to the young person after a year (seed 004).
GLISSANT_SLIDE_MONTHS = 12
#: The steering committee meets every two months.
COMMITTEE_EVERY_MONTHS = 2

# --- Desk vocabularies ---------------------------------------------------------------

DESK_RESOURCES = (
    Choice("none", N_("Sans ressources")),
    Choice("below_rsa", N_("Ressources inférieures au RSA")),
    Choice("rsa_to_smic", N_("Entre le RSA et le SMIC")),
    Choice("above_smic", N_("SMIC ou plus")),
)
DESK_SITUATIONS = (
    Choice("third_party", N_("Hébergé chez des tiers")),
    Choice("family", N_("Hébergé en famille")),
    Choice("institution", N_("En institution (foyer, ASE, FJT…)")),
    Choice("emergency", N_("Hébergement d'urgence, hôtel")),
    Choice("street", N_("Sans abri / rue")),
    Choice("own", N_("Logement autonome")),
    Choice("other", N_("Autre")),
)
#: "53 % des jeunes reçus sont hébergés chez des tiers, en famille ou en institution".
HOSTED = ("third_party", "family", "institution")
DESK_PRESCRIBERS = (
    Choice("mission_locale", N_("Mission Locale")),
    Choice("social_service", N_("Service social, CCAS")),
    Choice("partner_association", N_("Association partenaire")),
    Choice("institution", N_("Foyer, ASE, établissement")),
    Choice("self", N_("Démarche personnelle, bouche-à-oreille")),
    Choice("other", N_("Autre")),
)
DESK_STATUSES = (
    Choice("open", N_("Suivi en cours")),
    Choice("housed", N_("Entré en logement ou hébergement")),
    Choice("partner", N_("Relais pris par un partenaire")),
    Choice("lost", N_("Sans nouvelles / fin du suivi")),
)
DESK_AGE_BRACKETS = (
    ("under_18", N_("Moins de 18 ans"), 0, 17),
    ("18_25", N_("18 – 25 ans"), 18, 25),
    ("26_30", N_("26 – 30 ans"), 26, 30),
    ("over_30", N_("Plus de 30 ans"), 31, 200),
)
WORKSHOP_AUDIENCES = (
    Choice("young", N_("Jeunes")),
    Choice("professionals", N_("Professionnels des structures partenaires")),
)


def age_bracket(age: int | None) -> str:
    """The desk report's age bracket key of ``age`` (``unknown`` when not recorded)."""
    if age is None:
        return "unknown"
    return next(key for key, _, low, high in DESK_AGE_BRACKETS if low <= age <= high)


# --- Programme vocabularies ------------------------------------------------------------

#: Where young people go; the association's own stock is told apart (seed 003: "5 dans le
#: parc de l'ASL, dont 2 via un glissement de bail").
EXIT_DESTINATIONS = (
    Choice("public_housing", N_("Logement secteur public")),
    Choice("public_sliding", N_("Logement secteur public (bail glissant)")),
    Choice("private_housing", N_("Logement secteur privé")),
    Choice("private_sliding", N_("Logement secteur privé (bail glissant)")),
    Choice("association_housing", N_("Logement du parc de l'association")),
    Choice("association_sliding", N_("Parc de l'association (glissement du bail)")),
    Choice("fjt", N_("Foyer de jeunes travailleurs, résidence sociale")),
    Choice("family", N_("Retour dans la famille")),
    Choice("third_party", N_("Hébergé chez un tiers")),
    Choice("chrs", N_("CHRS ou autre structure")),
    Choice("abandonment", N_("Abandon du logement")),
    Choice("other", N_("Autre")),
)
#: Common-law housing (*logement de droit commun*): any ordinary lease in the young
#: person's name, sliding leases included.
MAINSTREAM = (
    "public_housing",
    "public_sliding",
    "private_housing",
    "private_sliding",
    "association_housing",
    "association_sliding",
)
SLIDING = ("public_sliding", "private_sliding", "association_sliding")
PARKS = (
    ("public", N_("— dans le parc public"), ("public_housing", "public_sliding")),
    ("private", N_("— dans le parc privé"), ("private_housing", "private_sliding")),
    (
        "association",
        N_("— dans le parc de l'association"),
        ("association_housing", "association_sliding"),
    ),
)

#: Outcome of a supported lease at the end of the 6 months (exit destination column).
BAIL_OUTCOMES = (
    Choice("maintained", N_("Maintien dans le logement, obligations locatives assumées")),
    Choice("maintained_plan", N_("Maintien avec un plan d'apurement ou des difficultés en cours")),
    Choice("moved", N_("Départ vers un autre logement")),
    Choice("left", N_("Départ du logement (retour famille, tiers…)")),
    Choice("terminated", N_("Rupture du bail, expulsion")),
)
LANDLORD_KINDS = (Choice("public", N_("Bailleur public")), Choice("private", N_("Bailleur privé")))
#: The report's « of which » row of each landlord kind.
LANDLORD_ROWS = {"public": N_("dont bailleur public"), "private": N_("dont bailleur privé")}

PRESCRIBERS = (
    Choice("mission_locale", N_("Mission Locale")),
    Choice("cllaj_desk", N_("Permanence CLLAJ")),
    *(c for c in vocabulary.PRESCRIBERS if c.value != "mission_locale"),
)

COMMITTEE_DECISIONS = (
    Choice("retain", N_("Retenu dans le dispositif")),
    Choice("postpone", N_("Situation ajournée (à représenter)")),
    Choice("refuse", N_("Non retenu")),
    Choice("continue", N_("Poursuite de l'accompagnement")),
    Choice("slide", N_("Glissement du bail validé")),
    Choice("end", N_("Fin de l'accompagnement")),
)
DIAGNOSTIC_NEEDS = (
    Choice("budget", N_("Gestion budgétaire")),
    Choice("rental", N_("Gestion locative")),
    Choice("investment", N_("Investissement dans le logement")),
    Choice("job", N_("Insertion professionnelle")),
)


def label(choices: tuple[Choice, ...], value: str | None) -> str:
    return next((c.label for c in choices if c.value == value), value or "")


def age_refusal(
    birth: dt.date | None, on: dt.date, low: int | None, high: int, programme: str
) -> str | None:
    """Why a young person born on ``birth`` cannot be admitted on ``on`` (``None``: fine)."""
    window = f"de {low} à {high} ans" if low is not None else f"de moins de {high + 1} ans"
    if birth is None:
        return (
            f"La date de naissance de la personne de référence n'est pas renseignée : "
            f"{programme} est réservé aux jeunes {window}."
        )
    age = age_on(birth, on)
    if (low is None or age >= low) and age <= high:
        return None
    return (
        f"{programme} est réservé aux jeunes {window} : la personne de référence a "
        f"{age} ans à la date de la décision. Pour une exception, indiquez le motif de "
        "dérogation."
    )


def bail_presence_end(entry: dt.date) -> dt.date:
    return add_months(entry, BAIL_PRESENCE_MONTHS)


def sliding_due(entry: dt.date) -> dt.date:
    return add_months(entry, GLISSANT_SLIDE_MONTHS)


def next_committee(last: dt.date | None) -> dt.date | None:
    return add_months(last, COMMITTEE_EVERY_MONTHS) if last else None


def percent(count: float, total: float) -> float | None:
    return round(100 * count / total, 1) if total else None
