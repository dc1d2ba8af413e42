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

from tremplin.api import Choice, add_months, age_on, vocabulary

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
    Choice("none", "Sans ressources"),
    Choice("below_rsa", "Ressources inférieures au RSA"),
    Choice("rsa_to_smic", "Entre le RSA et le SMIC"),
    Choice("above_smic", "SMIC ou plus"),
)
DESK_SITUATIONS = (
    Choice("third_party", "Hébergé chez des tiers"),
    Choice("family", "Hébergé en famille"),
    Choice("institution", "En institution (foyer, ASE, FJT…)"),
    Choice("emergency", "Hébergement d'urgence, hôtel"),
    Choice("street", "Sans abri / rue"),
    Choice("own", "Logement autonome"),
    Choice("other", "Autre"),
)
#: "53 % des jeunes reçus sont hébergés chez des tiers, en famille ou en institution".
HOSTED = ("third_party", "family", "institution")
DESK_PRESCRIBERS = (
    Choice("mission_locale", "Mission Locale"),
    Choice("social_service", "Service social, CCAS"),
    Choice("partner_association", "Association partenaire"),
    Choice("institution", "Foyer, ASE, établissement"),
    Choice("self", "Démarche personnelle, bouche-à-oreille"),
    Choice("other", "Autre"),
)
DESK_STATUSES = (
    Choice("open", "Suivi en cours"),
    Choice("housed", "Entré en logement ou hébergement"),
    Choice("partner", "Relais pris par un partenaire"),
    Choice("lost", "Sans nouvelles / fin du suivi"),
)
DESK_AGE_BRACKETS = (
    ("under_18", "Moins de 18 ans", 0, 17),
    ("18_25", "18 – 25 ans", 18, 25),
    ("26_30", "26 – 30 ans", 26, 30),
    ("over_30", "Plus de 30 ans", 31, 200),
)
WORKSHOP_AUDIENCES = (
    Choice("young", "Jeunes"),
    Choice("professionals", "Professionnels des structures partenaires"),
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
    Choice("public_housing", "Logement secteur public"),
    Choice("public_sliding", "Logement secteur public (bail glissant)"),
    Choice("private_housing", "Logement secteur privé"),
    Choice("private_sliding", "Logement secteur privé (bail glissant)"),
    Choice("association_housing", "Logement du parc de l'association"),
    Choice("association_sliding", "Parc de l'association (glissement du bail)"),
    Choice("fjt", "Foyer de jeunes travailleurs, résidence sociale"),
    Choice("family", "Retour dans la famille"),
    Choice("third_party", "Hébergé chez un tiers"),
    Choice("chrs", "CHRS ou autre structure"),
    Choice("abandonment", "Abandon du logement"),
    Choice("other", "Autre"),
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
    ("public", "dans le parc public", ("public_housing", "public_sliding")),
    ("private", "dans le parc privé", ("private_housing", "private_sliding")),
    (
        "association",
        "dans le parc de l'association",
        ("association_housing", "association_sliding"),
    ),
)

#: Outcome of a supported lease at the end of the 6 months (exit destination column).
BAIL_OUTCOMES = (
    Choice("maintained", "Maintien dans le logement, obligations locatives assumées"),
    Choice("maintained_plan", "Maintien avec un plan d'apurement ou des difficultés en cours"),
    Choice("moved", "Départ vers un autre logement"),
    Choice("left", "Départ du logement (retour famille, tiers…)"),
    Choice("terminated", "Rupture du bail, expulsion"),
)
LANDLORD_KINDS = (Choice("public", "Bailleur public"), Choice("private", "Bailleur privé"))

PRESCRIBERS = (
    Choice("mission_locale", "Mission Locale"),
    Choice("cllaj_desk", "Permanence CLLAJ"),
    *(c for c in vocabulary.PRESCRIBERS if c.value != "mission_locale"),
)

COMMITTEE_DECISIONS = (
    Choice("retain", "Retenu dans le dispositif"),
    Choice("postpone", "Situation ajournée (à représenter)"),
    Choice("refuse", "Non retenu"),
    Choice("continue", "Poursuite de l'accompagnement"),
    Choice("slide", "Glissement du bail validé"),
    Choice("end", "Fin de l'accompagnement"),
)
DIAGNOSTIC_NEEDS = (
    Choice("budget", "Gestion budgétaire"),
    Choice("rental", "Gestion locative"),
    Choice("investment", "Investissement dans le logement"),
    Choice("job", "Insertion professionnelle"),
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
