"""Shared French vocabulary of the seeds (value → label); values stay stable, labels may change."""

from tremplin.i18n import N_
from tremplin.types import Choice

COMPOSITIONS = (
    Choice("isolated_man", N_("Homme isolé")),
    Choice("isolated_woman", N_("Femme isolée")),
    Choice("single_father", N_("Homme isolé avec enfant(s)")),
    Choice("single_mother", N_("Femme isolée avec enfant(s)")),
    Choice("couple", N_("Couple sans enfant")),
    Choice("couple_children", N_("Couple avec enfant(s)")),
    Choice("other", N_("Autre (groupe, cohabitation…)")),
)

RESOURCES = (
    Choice("rsa", N_("RSA")),
    Choice("aah", N_("AAH")),
    Choice("salary", N_("Salaire")),
    Choice("unemployment", N_("Allocation chômage (ARE)")),
    Choice("cej", N_("Allocation CEJ")),
    Choice("training", N_("Formation / stage rémunéré")),
    Choice("pension", N_("Retraite / pension")),
    Choice("family_benefits", N_("Prestations familiales")),
    Choice("ada", N_("Allocation pour demandeur d'asile (ADA)")),
    Choice("none", N_("Sans ressources")),
    Choice("other", N_("Autres ressources")),
)

SITUATIONS = (
    Choice("emergency_shelter", N_("Hébergement d'urgence")),
    Choice("chrs", N_("Hébergement d'insertion (CHRS)")),
    Choice("asylum", N_("Hébergement asile (CADA, CPH, HUDA)")),
    Choice("third_party", N_("Hébergé chez des tiers")),
    Choice("family", N_("Hébergé dans la famille")),
    Choice("hotel", N_("Hôtel / nuitées")),
    Choice("street", N_("Sans abri / rue")),
    Choice("institution", N_("Institution, ASE, établissement de soins")),
    Choice("own_housing", N_("Logement autonome")),
    Choice("other", N_("Autre")),
)

PRESCRIBERS = (
    Choice("siao", N_("SIAO")),
    Choice("asylum", N_("Pôle asile / CPH / CADA")),
    Choice("chrs", N_("CHRS")),
    Choice("mission_locale", N_("Mission Locale")),
    Choice("ccas", N_("CCAS / service social de secteur")),
    Choice("dalo", N_("DALO / PDALHPD")),
    Choice("partner_association", N_("Association partenaire")),
    Choice("self", N_("Démarche personnelle")),
    Choice("other", N_("Autre")),
)

RELATIONS = (
    Choice("reference", N_("Personne de référence")),
    Choice("spouse", N_("Conjoint(e)")),
    Choice("child", N_("Enfant")),
    Choice("relative", N_("Autre membre de la famille")),
    Choice("other", N_("Autre")),
)

SEXES = (Choice("F", N_("Femme")), Choice("M", N_("Homme")))

NATIONALITIES = (
    Choice("france", N_("Française")),
    Choice("eu", N_("Union européenne")),
    Choice("non_eu", N_("Hors Union européenne")),
)

EXIT_DESTINATIONS = (
    Choice("private_housing", N_("Logement secteur privé")),
    Choice("private_sliding", N_("Logement secteur privé (bail glissant)")),
    Choice("public_housing", N_("Logement secteur public")),
    Choice("public_sliding", N_("Logement secteur public (bail glissant)")),
    Choice("family", N_("Retour dans la famille")),
    Choice("third_party", N_("Hébergé chez un tiers")),
    Choice("abandonment", N_("Abandon du logement")),
    Choice("chrs", N_("CHRS ou autre structure")),
    Choice("other", N_("Autre")),
)
