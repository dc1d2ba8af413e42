"""Choices and form fields of the housing plugin (validated by ``tremplin.api.validate``)."""

from __future__ import annotations

from tremplin.api import N_, Choice, Field

#: Upper bounds that catch a mistyped amount (an extra zero) before it is written.
MAX_RENT_CENTS = 500_000  # 5 000 € a month
MAX_PAYMENT_CENTS = 2_000_000  # 20 000 € in one payment

OWNER_KINDS = (
    Choice("private_person", N_("Particulier")),
    Choice("social_landlord", N_("Bailleur social")),
    Choice("company", N_("Société (SCI, entreprise…)")),
    Choice("public_body", N_("Collectivité ou organisme public")),
)
TYPOLOGIES = (
    Choice("studio", N_("Studio")),
    Choice("T1", N_("T1")),
    Choice("T2", N_("T2")),
    Choice("T3", N_("T3")),
    Choice("T4", N_("T4")),
    Choice("T5", N_("T5 et plus")),
)
STOCKS = (Choice("private", N_("Parc privé")), Choice("public", N_("Parc public (social)")))
DPE_CLASSES = tuple(Choice(c, c) for c in "ABCDEFG")
STATUSES = (
    Choice("prospect", N_("Prospection (propriétaire contacté)")),
    Choice("available", N_("Capté, disponible")),
    Choice("occupied", N_("Occupé")),
    Choice("works", N_("En travaux")),
    Choice("returned", N_("Rendu au propriétaire")),
)
RETURN_REASONS = (
    Choice("sale", N_("Vente")),
    Choice("owner_takes_back", N_("Reprise par le propriétaire")),
    Choice("unfit", N_("Logement inadapté")),
    Choice("humidity", N_("Humidité, logement énergivore")),
    Choice("danger", N_("Péril, danger")),
    Choice("location", N_("Localisation, éloignement des services")),
    Choice("other", N_("Autre")),
)
LEASE_KINDS = (
    Choice("head_lease", N_("Bail au nom de l'association (sous-location)")),
    Choice("mandate", N_("Mandat de gestion")),
)
VACANCY_CAUSES = (
    Choice("works", N_("Travaux")),
    Choice("no_match", N_("Pas de ménage correspondant à la typologie")),
    Choice("between_occupants", N_("Entre deux occupants")),
    Choice("other", N_("Autre")),
)
OCCUPANCY_KINDS = (
    Choice("agreement", N_("Convention d'occupation (sous-location)")),
    Choice("lease", N_("Bail signé directement (mandat de gestion)")),
    Choice("residence", N_("Contrat de résidence / pension de famille")),
)
EXIT_REASONS = (
    Choice("end", N_("Fin de la convention ou du bail")),
    Choice("sliding", N_("Glissement du bail au ménage")),
    Choice("departure", N_("Départ à l'initiative du ménage")),
    Choice("abandonment", N_("Abandon du logement")),
    Choice("eviction", N_("Expulsion")),
    Choice("transfer", N_("Transfert vers un autre logement")),
    Choice("other", N_("Autre")),
)
REVISION_REASONS = (
    Choice("yearly", N_("Révision annuelle (IRL)")),
    Choice("benefit", N_("Changement de l'aide au logement")),
    Choice("charges", N_("Régularisation des charges")),
    Choice("other", N_("Autre")),
)
ENTRY_KINDS = (
    Choice("payment", N_("Paiement du ménage")),
    Choice("benefit", N_("Aide au logement versée directement (rappel, versement non prévu)")),
)
MEANS = (
    Choice("transfer", N_("Virement")),
    Choice("direct_debit", N_("Prélèvement")),
    Choice("cheque", N_("Chèque")),
    Choice("cash", N_("Espèces")),
    Choice("card", N_("Carte bancaire")),
    Choice("caf", N_("CAF / MSA")),
    Choice("other", N_("Autre")),
)
INVENTORY_KINDS = (
    Choice("entry", N_("État des lieux d'entrée")),
    Choice("exit", N_("État des lieux de sortie")),
)
ARREARS_STEPS = (
    Choice("first_reminder", N_("Première relance")),
    Choice("second_reminder", N_("Deuxième relance")),
    Choice("formal_notice", N_("Mise en demeure")),
    Choice("order_to_pay", N_("Commandement de payer (huissier)")),
    Choice("summons", N_("Assignation au tribunal")),
    Choice("eviction", N_("Expulsion")),
)

LIABLE_PARTIES = (
    Choice("occupant", N_("Occupant (réparations locatives)")),
    Choice("owner", N_("Propriétaire")),
    Choice("association", N_("Association")),
)
PROVIDERS = (
    Choice("team", N_("Équipe de l'association")),
    Choice("company", N_("Entreprise")),
    Choice("insertion_workshop", N_("Chantier d'insertion")),
)
INTERVENTION_STATUSES = (
    Choice("requested", N_("Demandée")),
    Choice("planned", N_("Programmée")),
    Choice("done", N_("Réalisée")),
    Choice("cancelled", N_("Annulée")),
)


def money(
    name: str, label: str, required: bool = False, maximum: int = MAX_RENT_CENTS, help: str = ""
) -> Field:
    return Field(
        name, label, kind="money", required=required, minimum=0, maximum=maximum, help=help
    )


OWNER_FIELDS = (
    Field("kind", N_("Type de propriétaire"), kind="choice", required=True, choices=OWNER_KINDS),
    Field("name", N_("Nom"), required=True),
    Field("contact_name", N_("Contact")),
    Field("phone", N_("Téléphone"), kind="phone"),
    Field("email", N_("Courriel"), kind="email"),
    Field("address", N_("Adresse"), kind="textarea"),
    Field("notes", N_("Notes"), kind="textarea"),
)


def dwelling_fields(programmes: dict[str, str]) -> tuple[Field, ...]:
    """The dwelling form; ``programmes`` are the enabled programmes (key → French name)."""
    return (
        Field("owner", N_("Propriétaire"), kind="int", required=True, minimum=1),
        Field("address", N_("Adresse"), kind="textarea", required=True),
        Field("postcode", N_("Code postal"), max_length=10),
        Field("city", N_("Commune"), required=True, max_length=100),
        Field("typology", N_("Typologie"), kind="choice", required=True, choices=TYPOLOGIES),
        Field("surface_m2", N_("Surface (m²)"), kind="int", minimum=5, maximum=1000),
        Field("furnished", N_("Meublé"), kind="bool"),
        Field("stock", N_("Parc"), kind="choice", required=True, choices=STOCKS),
        Field("dpe_class", N_("Classe énergie (DPE)"), kind="choice", choices=DPE_CLASSES),
        Field("dpe_date", N_("Date du DPE"), kind="date"),
        Field("status", N_("Statut"), kind="choice", required=True, choices=STATUSES),
        Field(
            "programme",
            N_("Programme qui l'utilise"),
            kind="choice",
            choices=tuple(Choice(k, v) for k, v in programmes.items()),
        ),
        Field("confidential", N_("Adresse confidentielle (victimes de violences…)"), kind="bool"),
        Field("contacted_on", N_("Propriétaire contacté le"), kind="date"),
        Field("captured_on", N_("Capté le"), kind="date"),
        Field("returned_on", N_("Rendu le"), kind="date"),
        Field(
            "return_reason",
            N_("Motif du retour au propriétaire"),
            kind="choice",
            choices=RETURN_REASONS,
        ),
        Field("notes", N_("Notes"), kind="textarea"),
    )


HEAD_LEASE_FIELDS = (
    Field("kind", N_("Type de contrat"), kind="choice", required=True, choices=LEASE_KINDS),
    Field("start_date", N_("Début"), kind="date", required=True),
    Field("end_date", N_("Fin"), kind="date"),
    money("rent", "Loyer versé au propriétaire", required=True),
    money("charges", "Charges"),
    Field("notice_given_on", N_("Congé donné le"), kind="date"),
    Field("notice_months", N_("Préavis (mois)"), kind="int", minimum=0, maximum=24),
)

#: The captation pipeline (issue item 2): stage key, French label, dwelling statuses.
CAPTATION_STAGES = (
    ("prospect", "Propriétaire contacté", ("prospect",)),
    ("captured", "Capté, sans occupant (disponible ou en travaux)", ("available", "works")),
    ("in_use", "Occupé", ("occupied",)),
    ("returned", "Rendu au propriétaire", ("returned",)),
)

#: Capture of a prospect: the day and the head lease or mandate signed with the owner.
CAPTURE_FIELDS = (
    Field("captured_on", N_("Capté le"), kind="date", required=True),
    *(f for f in HEAD_LEASE_FIELDS if f.name != "notice_given_on"),
)

#: Return of a dwelling to its owner: day, reason and the notice given.
RETURN_FIELDS = (
    Field("returned_on", N_("Rendu le"), kind="date", required=True),
    Field(
        "return_reason", N_("Motif du retour"), kind="choice", required=True, choices=RETURN_REASONS
    ),
    Field("notice_given_on", N_("Congé donné le"), kind="date"),
    Field("notice_months", N_("Préavis (mois)"), kind="int", minimum=0, maximum=24),
)

VACANCY_FIELDS = (
    Field("start_date", N_("Début de la vacance"), kind="date", required=True),
    Field("end_date", N_("Fin de la vacance"), kind="date"),
    Field("cause", N_("Cause"), kind="choice", required=True, choices=VACANCY_CAUSES),
    Field("note", N_("Précision")),
)

TERMS_FIELDS = (
    money("rent", "Loyer mensuel", required=True),
    money("charges", "Charges mensuelles"),
    money(
        "benefit",
        "Aide au logement versée directement (APL/AL)",
        help="Déduite de chaque appel : le ménage paie le loyer résiduel.",
    ),
)


def occupancy_fields(programmes: dict[str, str]) -> tuple[Field, ...]:
    return (
        Field("household", N_("Ménage (numéro ou référence M-…)"), required=True, max_length=20),
        Field(
            "kind", N_("Type d'occupation"), kind="choice", required=True, choices=OCCUPANCY_KINDS
        ),
        Field(
            "programme",
            N_("Programme"),
            kind="choice",
            choices=tuple(Choice(k, v) for k, v in programmes.items()),
        ),
        Field("start_date", N_("Date d'entrée"), kind="date", required=True),
        *TERMS_FIELDS,
        money(
            "deposit", "Dépôt de garantie", help="Moitié à la signature, le reste le mois suivant."
        ),
        Field("insurance_expires_on", N_("Attestation d'assurance valable jusqu'au"), kind="date"),
    )


REVISION_FIELDS = (
    Field("effective_from", N_("Applicable à partir du"), kind="date", required=True),
    *TERMS_FIELDS,
    Field("reason", N_("Motif"), kind="choice", required=True, choices=REVISION_REASONS),
)

ENTRY_FIELDS = (
    Field("kind", N_("Nature"), kind="choice", required=True, choices=ENTRY_KINDS),
    Field("entry_date", N_("Date"), kind="date", required=True),
    money("amount", "Montant", required=True, maximum=MAX_PAYMENT_CENTS),
    Field("means", N_("Moyen de paiement"), kind="choice", choices=MEANS),
    Field("note", N_("Commentaire")),
)

EXIT_FIELDS = (
    Field("end_date", N_("Date de sortie (dernier jour)"), kind="date", required=True),
    Field("exit_reason", N_("Motif"), kind="choice", required=True, choices=EXIT_REASONS),
)

TRANSFER_FIELDS = (
    Field(
        "dwelling", N_("Nouveau logement (référence L-… ou numéro)"), required=True, max_length=20
    ),
    Field(
        "transfer_date", N_("Date d'entrée dans le nouveau logement"), kind="date", required=True
    ),
    *TERMS_FIELDS,
)

INVENTORY_FIELDS = (
    Field("kind", N_("État des lieux"), kind="choice", required=True, choices=INVENTORY_KINDS),
    Field("done_on", N_("Réalisé le"), kind="date", required=True),
    Field(
        "notes",
        N_("Observations"),
        kind="textarea",
        help=N_("Les photos se déposent dans les documents du ménage (type « État des lieux »)."),
    ),
    money(
        "fund",
        "Participation du fonds mutualisé pour travaux",
        maximum=MAX_PAYMENT_CENTS,
        help="À la sortie : montant accordé par le fonds pour les travaux d'ordre locatif "
        "que le ménage sortant n'a pas faits (vide s'il n'y en a pas).",
    ),
)

ARREARS_STEP_FIELDS = (
    Field("step", N_("Étape"), kind="choice", required=True, choices=ARREARS_STEPS),
    Field("done_on", N_("Date"), kind="date", required=True),
    Field("note", N_("Commentaire"), kind="textarea"),
)

INTERVENTION_FIELDS = (
    Field("requested_on", N_("Demandée le"), kind="date", required=True),
    Field("description", N_("Intervention demandée"), kind="textarea", required=True),
    Field("liable", N_("À la charge de"), kind="choice", required=True, choices=LIABLE_PARTIES),
    Field("done_by", N_("Réalisée par"), kind="choice", required=True, choices=PROVIDERS),
    money("cost", "Coût", maximum=MAX_PAYMENT_CENTS),
    Field("status", N_("État"), kind="choice", required=True, choices=INTERVENTION_STATUSES),
    Field("done_on", N_("Réalisée le"), kind="date"),
)

INSURANCE_FIELDS = (
    Field(
        "insurance_expires_on",
        N_("Attestation d'assurance valable jusqu'au"),
        kind="date",
        required=True,
    ),
)

DEPOSIT_PAID_FIELDS = (Field("paid_on", N_("Payé le"), kind="date", required=True),)


def labels(choices: tuple[Choice, ...]) -> dict[str, str]:
    return {c.value: c.label for c in choices}


PLAN_STATUSES = (
    Choice("ongoing", N_("En cours")),
    Choice("kept", N_("Respecté")),
    Choice("broken", N_("Non respecté")),
)
PLAN_FIELDS = (
    Field("start_date", N_("Plan signé le"), kind="date", required=True),
    money(
        "debt",
        "Dette à apurer",
        required=True,
        maximum=MAX_PAYMENT_CENTS,
        help="Au plus le solde du ménage à la date de signature.",
    ),
    money(
        "monthly",
        "Échéance mensuelle",
        required=True,
        maximum=MAX_PAYMENT_CENTS,
        help="En plus du loyer courant ; la dernière échéance solde la dette.",
    ),
    Field("first_due_on", N_("Première échéance le"), kind="date", required=True),
    Field("note", N_("Commentaire"), kind="textarea"),
)

AID_KINDS = (
    Choice("fsl", N_("FSL (Fonds de solidarité pour le logement)")),
    Choice("visale", N_("Mise en jeu de la garantie VISALE")),
    Choice("fund", N_("Fonds d'aide de l'association ou d'un partenaire")),
    Choice("other", N_("Autre aide")),
)
AID_OUTCOMES = (
    Choice("pending", N_("En attente")),
    Choice("granted", N_("Accordée")),
    Choice("refused", N_("Refusée")),
)
AID_FIELDS = (
    Field("kind", N_("Aide demandée"), kind="choice", required=True, choices=AID_KINDS),
    Field("applied_on", N_("Demandée le"), kind="date", required=True),
    money("requested", "Montant demandé", required=True, maximum=MAX_PAYMENT_CENTS),
    Field("note", N_("Commentaire"), kind="textarea"),
)
AID_DECISION_FIELDS = (
    Field("outcome", N_("Décision"), kind="choice", required=True, choices=AID_OUTCOMES),
    Field("decided_on", N_("Décision du"), kind="date"),
    money("granted", "Montant accordé", maximum=MAX_PAYMENT_CENTS),
)
AID_PAID_FIELDS = (Field("paid_on", N_("Versée au compte le"), kind="date", required=True),)

CLAIM_KINDS = (
    Choice("water_damage", N_("Dégât des eaux")),
    Choice("fire", N_("Incendie")),
    Choice("break_in", N_("Effraction, vol")),
    Choice("damage", N_("Dégradations")),
    Choice("storm", N_("Tempête, catastrophe naturelle")),
    Choice("other", N_("Autre")),
)
CLAIM_STATUSES = (
    Choice("declared", N_("Déclaré")),
    Choice("expertise", N_("Expertise en cours")),
    Choice("compensated", N_("Indemnisé")),
    Choice("refused", N_("Refusé")),
    Choice("closed", N_("Clos")),
)
CLAIM_FIELDS = (
    Field("occurred_on", N_("Survenu le"), kind="date", required=True),
    Field("kind", N_("Nature"), kind="choice", required=True, choices=CLAIM_KINDS),
    Field("description", N_("Description"), kind="textarea", required=True),
    Field("insurer", N_("Assureur"), max_length=200),
    Field("claim_reference", N_("Référence du dossier"), max_length=100),
    money("claimed", "Montant réclamé", maximum=MAX_PAYMENT_CENTS * 5),
    money("received", "Indemnité reçue", maximum=MAX_PAYMENT_CENTS * 5),
    Field("status", N_("État"), kind="choice", required=True, choices=CLAIM_STATUSES),
)
CLAIM_UPDATE_FIELDS = (
    Field("status", N_("État"), kind="choice", required=True, choices=CLAIM_STATUSES),
    Field("claim_reference", N_("Référence du dossier"), max_length=100),
    money("claimed", "Montant réclamé", maximum=MAX_PAYMENT_CENTS * 5),
    money("received", "Indemnité reçue", maximum=MAX_PAYMENT_CENTS * 5),
)
INTERVENTION_UPDATE_FIELDS = (
    Field("status", N_("État"), kind="choice", required=True, choices=INTERVENTION_STATUSES),
    money("cost", "Coût", maximum=MAX_PAYMENT_CENTS),
    Field("done_on", N_("Réalisée le"), kind="date"),
)
PHOTO_FIELDS = (
    Field("document", N_("Photo (document du ménage)"), kind="int", required=True, minimum=1),
)

#: The arrears steps that have a letter (the later steps are written by a bailiff or a court).
LETTER_STEPS = ("first_reminder", "second_reminder", "formal_notice")
