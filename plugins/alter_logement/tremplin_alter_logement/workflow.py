"""The Alter Logement workflow and its vocabularies (ASL 2024 Alter Logement table)."""

from __future__ import annotations

from tremplin.api import (
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
    Choice("sliding_lease", "Glissement de bail"),
    Choice("agency_mutation", "Mutation dans le parc de l'association"),
    Choice("public_housing", "Logement du parc public"),
    Choice("private_housing", "Logement du parc privé"),
    Choice("third_party", "Hébergement chez un tiers"),
    Choice("family", "Retour dans la famille"),
    Choice("shelter", "Hébergement (CHRS, urgence, autre structure)"),
    Choice("return_home", "Retour au domicile conjugal"),
    Choice("abandonment", "Départ sans préavis"),
    Choice("other", "Autre"),
)
MAINSTREAM = frozenset({"sliding_lease", "agency_mutation", "public_housing", "private_housing"})

SITUATIONS = (
    Choice("emergency_shelter", "Hébergement d'urgence"),
    Choice("insertion_shelter", "Hébergement d'insertion (CHRS)"),
    Choice("third_party", "Hébergé chez des tiers"),
    Choice("hotel", "Nuitées hôtelières"),
    Choice("family", "Hébergé dans la famille"),
    Choice("marital_home", "Domicile conjugal"),
    Choice("other", "Autre"),
)

PRESCRIBERS = (
    Choice("sos_violences", "SOS Violences Conjugales"),
    Choice("siao", "SIAO"),
    Choice("ccas", "CCAS / service social de secteur"),
    Choice("partner_association", "Association partenaire"),
    Choice("other", "Autre"),
)


DECISION = decision_date_field()

WORKFLOW = Workflow(
    programme=KEY,
    initial="referral",
    states=(
        State("referral", "Orientation reçue", phase="referral"),
        State("admitted", "Admise, en attente d'entrée", phase="waiting"),
        State("housed", "Dans le logement", phase="active"),
        *closed_states(exited="Sortie"),
    ),
    transitions=(
        Transition("accept", "Admettre", ("referral",), "admitted", fields=(DECISION,), order=10),
        refusal(),
        Transition(
            "enter",
            "Entrée dans le logement",
            ("admitted",),
            "housed",
            fields=(
                Field("entry_date", "Date d'entrée", kind="date", required=True),
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
        "Situation avant l'entrée",
        kind="choice",
        required=True,
        choices=SITUATIONS,
        order=10,
    ),
    Field(
        "dwelling_type",
        "Typologie du logement meublé",
        kind="choice",
        order=20,
        choices=(Choice("T2", "T2"), Choice("T3", "T3")),
    ),
    Field("sos_referent", "Référent·e SOS Violences Conjugales", order=30),
    Field("complaint_filed", "Plainte déposée", kind="bool", sensitive=True, order=40),
    Field("protection_order", "Ordonnance de protection", kind="bool", sensitive=True, order=41),
    Field(
        "protection_order_date",
        "Date de l'ordonnance de protection",
        kind="date",
        sensitive=True,
        order=42,
    ),
    Field(
        "serious_danger_phone",
        "Téléphone grave danger attribué",
        kind="bool",
        sensitive=True,
        order=43,
    ),
    Field(
        "eviction_of_spouse",
        "Éviction du conjoint violent demandée",
        kind="bool",
        sensitive=True,
        order=44,
    ),
)
