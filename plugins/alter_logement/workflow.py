"""The Alter Logement workflow and its vocabularies (ASL 2024 Alter Logement table)."""

from __future__ import annotations

from tremplin.api import Choice, Field, GuardContext, State, Transition, Workflow

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


def require_refusal_reason(ctx: GuardContext) -> str | None:
    if not (ctx.values.get("decision_reason") or "").strip():
        return "Indiquez le motif du refus."
    return None


DECISION = Field("decision_date", "Date de la décision", kind="date", required=True)
REASON = Field("decision_reason", "Motif", kind="textarea")

WORKFLOW = Workflow(
    programme=KEY,
    initial="referral",
    states=(
        State("referral", "Orientation reçue", phase="referral"),
        State("admitted", "Admise, en attente d'entrée", phase="waiting"),
        State("housed", "Dans le logement", phase="active"),
        State("exited", "Sortie", phase="closed"),
        State("refused", "Candidature refusée", phase="closed"),
        State("withdrawn", "Candidature abandonnée", phase="closed"),
    ),
    transitions=(
        Transition("accept", "Admettre", ("referral",), "admitted", fields=(DECISION,), order=10),
        Transition(
            "refuse",
            "Refuser",
            ("referral",),
            "refused",
            fields=(DECISION, REASON),
            guards=(require_refusal_reason,),
            order=30,
            danger=True,
        ),
        Transition(
            "enter",
            "Entrée dans le logement",
            ("admitted",),
            "housed",
            fields=(Field("entry_date", "Date d'entrée", kind="date", required=True),),
            order=10,
        ),
        Transition(
            "exit",
            "Sortie du dispositif",
            ("housed",),
            "exited",
            fields=(
                Field("exit_date", "Date de sortie", kind="date", required=True),
                Field(
                    "exit_destination",
                    "Destination",
                    kind="choice",
                    required=True,
                    choices=EXIT_DESTINATIONS,
                ),
                Field("exit_reason", "Motif / commentaire", max_length=100),
            ),
            order=50,
            danger=True,
        ),
        Transition(
            "withdraw",
            "Abandon de la candidature",
            ("referral", "admitted"),
            "withdrawn",
            fields=(
                Field("exit_date", "Date", kind="date", required=True),
                Field("exit_reason", "Motif", required=True, max_length=100),
            ),
            order=90,
            danger=True,
        ),
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
