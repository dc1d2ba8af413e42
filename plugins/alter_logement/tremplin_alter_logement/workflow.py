"""The Alter Logement workflow and its vocabularies (ASL 2024 Alter Logement table)."""

from __future__ import annotations

from tremplin.api import (
    N_,
    Choice,
    Field,
    State,
    Transition,
    Workflow,
    closed_states,
    decision_date_field,
    exit_with_destination,
    refusal,
    withdrawal,
)
from tremplin_housing import api as housing

KEY = "alter_logement"

#: Where households go when they leave, as the ASL reports them; the first four are
#: *logement de droit commun*.
EXIT_DESTINATIONS = (
    Choice("sliding_lease", N_("Glissement de bail")),
    Choice("agency_mutation", N_("Mutation dans le parc de l'association")),
    Choice("public_housing", N_("Logement du parc public")),
    Choice("private_housing", N_("Logement du parc privé")),
    Choice("third_party", N_("Hébergement chez un tiers")),
    Choice("family", N_("Retour dans la famille")),
    Choice("shelter", N_("Hébergement (CHRS, urgence, autre structure)")),
    Choice("return_home", N_("Retour au domicile conjugal")),
    Choice("abandonment", N_("Départ sans préavis")),
    Choice("other", N_("Autre")),
)
MAINSTREAM = frozenset({"sliding_lease", "agency_mutation", "public_housing", "private_housing"})

SITUATIONS = (
    Choice("emergency_shelter", N_("Hébergement d'urgence")),
    Choice("insertion_shelter", N_("Hébergement d'insertion (CHRS)")),
    Choice("third_party", N_("Hébergé chez des tiers")),
    Choice("hotel", N_("Nuitées hôtelières")),
    Choice("family", N_("Hébergé dans la famille")),
    Choice("marital_home", N_("Domicile conjugal")),
    Choice("other", N_("Autre")),
)

PRESCRIBERS = (
    Choice("sos_violences", N_("SOS Violences Conjugales")),
    Choice("siao", N_("SIAO")),
    Choice("ccas", N_("CCAS / service social de secteur")),
    Choice("partner_association", N_("Association partenaire")),
    Choice("other", N_("Autre")),
)


DECISION = decision_date_field()

WORKFLOW = Workflow(
    programme=KEY,
    initial="referral",
    states=(
        State("referral", N_("Orientation reçue"), phase="referral"),
        State("admitted", N_("Admise, en attente d'entrée"), phase="waiting"),
        State("housed", N_("Dans le logement"), phase="active"),
        *closed_states(exited=N_("Sortie")),
    ),
    transitions=(
        Transition(
            "accept", N_("Admettre"), ("referral",), "admitted", fields=(DECISION,), order=10
        ),
        refusal(),
        Transition(
            "enter",
            N_("Entrée dans le logement"),
            ("admitted",),
            "housed",
            fields=(
                Field("entry_date", N_("Date d'entrée"), kind="date", required=True),
                housing.dwelling_field(),
                *housing.ENTRY_TERMS_FIELDS,
            ),
            # A sub-lease (convention d'occupation) of a furnished T2/T3 of the association.
            effects=(housing.enter_dwelling("agreement"),),
            order=10,
        ),
        housing.change_of_dwelling(),
        exit_with_destination(EXIT_DESTINATIONS, effects=(housing.leave_dwelling(),)),
        withdrawal(("referral", "admitted")),
    ),
)

ENROLMENT_FIELDS = (
    Field(
        "situation_before_entry",
        N_("Situation avant l'entrée"),
        kind="choice",
        required=True,
        choices=SITUATIONS,
        order=10,
    ),
    Field(
        "dwelling_type",
        N_("Typologie du logement meublé"),
        kind="choice",
        order=20,
        choices=(Choice("T2", N_("T2")), Choice("T3", N_("T3"))),
    ),
    Field("sos_referent", N_("Référent·e SOS Violences Conjugales"), order=30),
    Field("complaint_filed", N_("Plainte déposée"), kind="bool", sensitive=True, order=40),
    Field(
        "protection_order", N_("Ordonnance de protection"), kind="bool", sensitive=True, order=41
    ),
    Field(
        "protection_order_date",
        N_("Date de l'ordonnance de protection"),
        kind="date",
        sensitive=True,
        order=42,
    ),
    Field(
        "serious_danger_phone",
        N_("Téléphone grave danger attribué"),
        kind="bool",
        sensitive=True,
        order=43,
    ),
    Field(
        "eviction_of_spouse",
        N_("Éviction du conjoint violent demandée"),
        kind="bool",
        sensitive=True,
        order=44,
    ),
)
