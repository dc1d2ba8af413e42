"""Shared French vocabulary of the seeds (value → label); values stay stable, labels may change."""

from tremplin.types import Choice

COMPOSITIONS = (
    Choice("isolated_man", "Homme isolé"),
    Choice("isolated_woman", "Femme isolée"),
    Choice("single_father", "Homme isolé avec enfant(s)"),
    Choice("single_mother", "Femme isolée avec enfant(s)"),
    Choice("couple", "Couple sans enfant"),
    Choice("couple_children", "Couple avec enfant(s)"),
    Choice("other", "Autre (groupe, cohabitation…)"),
)

RESOURCES = (
    Choice("rsa", "RSA"),
    Choice("aah", "AAH"),
    Choice("salary", "Salaire"),
    Choice("unemployment", "Allocation chômage (ARE)"),
    Choice("cej", "Allocation CEJ"),
    Choice("training", "Formation / stage rémunéré"),
    Choice("pension", "Retraite / pension"),
    Choice("family_benefits", "Prestations familiales"),
    Choice("ada", "Allocation pour demandeur d'asile (ADA)"),
    Choice("none", "Sans ressources"),
    Choice("other", "Autres ressources"),
)

SITUATIONS = (
    Choice("emergency_shelter", "Hébergement d'urgence"),
    Choice("chrs", "Hébergement d'insertion (CHRS)"),
    Choice("asylum", "Hébergement asile (CADA, CPH, HUDA)"),
    Choice("third_party", "Hébergé chez des tiers"),
    Choice("family", "Hébergé dans la famille"),
    Choice("hotel", "Hôtel / nuitées"),
    Choice("street", "Sans abri / rue"),
    Choice("institution", "Institution, ASE, établissement de soins"),
    Choice("own_housing", "Logement autonome"),
    Choice("other", "Autre"),
)

PRESCRIBERS = (
    Choice("siao", "SIAO"),
    Choice("asylum", "Pôle asile / CPH / CADA"),
    Choice("chrs", "CHRS"),
    Choice("mission_locale", "Mission Locale"),
    Choice("ccas", "CCAS / service social de secteur"),
    Choice("dalo", "DALO / PDALHPD"),
    Choice("partner_association", "Association partenaire"),
    Choice("self", "Démarche personnelle"),
    Choice("other", "Autre"),
)

RELATIONS = (
    Choice("reference", "Personne de référence"),
    Choice("spouse", "Conjoint(e)"),
    Choice("child", "Enfant"),
    Choice("relative", "Autre membre de la famille"),
    Choice("other", "Autre"),
)

SEXES = (Choice("F", "Femme"), Choice("M", "Homme"))

NATIONALITIES = (
    Choice("france", "Française"),
    Choice("eu", "Union européenne"),
    Choice("non_eu", "Hors Union européenne"),
)

EXIT_DESTINATIONS = (
    Choice("private_housing", "Logement secteur privé"),
    Choice("private_sliding", "Logement secteur privé (bail glissant)"),
    Choice("public_housing", "Logement secteur public"),
    Choice("public_sliding", "Logement secteur public (bail glissant)"),
    Choice("family", "Retour dans la famille"),
    Choice("third_party", "Hébergé chez un tiers"),
    Choice("abandonment", "Abandon du logement"),
    Choice("chrs", "CHRS ou autre structure"),
    Choice("other", "Autre"),
)
