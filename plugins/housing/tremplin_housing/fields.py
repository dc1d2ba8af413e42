"""Choices and form fields of the housing plugin (validated by ``tremplin.api.validate``)."""

from __future__ import annotations

from tremplin.api import Choice, Field

#: Upper bounds that catch a mistyped amount (an extra zero) before it is written.
MAX_RENT_CENTS = 500_000  # 5 000 € a month
MAX_PAYMENT_CENTS = 2_000_000  # 20 000 € in one payment

OWNER_KINDS = (
    Choice("private_person", "Particulier"),
    Choice("social_landlord", "Bailleur social"),
    Choice("company", "Société (SCI, entreprise…)"),
    Choice("public_body", "Collectivité ou organisme public"),
)
TYPOLOGIES = (
    Choice("studio", "Studio"),
    Choice("T1", "T1"),
    Choice("T2", "T2"),
    Choice("T3", "T3"),
    Choice("T4", "T4"),
    Choice("T5", "T5 et plus"),
)
STOCKS = (Choice("private", "Parc privé"), Choice("public", "Parc public (social)"))
DPE_CLASSES = tuple(Choice(c, c) for c in "ABCDEFG")
STATUSES = (
    Choice("prospect", "Prospection (propriétaire contacté)"),
    Choice("available", "Capté, disponible"),
    Choice("occupied", "Occupé"),
    Choice("works", "En travaux"),
    Choice("returned", "Rendu au propriétaire"),
)
RETURN_REASONS = (
    Choice("sale", "Vente"),
    Choice("owner_takes_back", "Reprise par le propriétaire"),
    Choice("unfit", "Logement inadapté"),
    Choice("humidity", "Humidité, logement énergivore"),
    Choice("danger", "Péril, danger"),
    Choice("location", "Localisation, éloignement des services"),
    Choice("other", "Autre"),
)
LEASE_KINDS = (
    Choice("head_lease", "Bail au nom de l'association (sous-location)"),
    Choice("mandate", "Mandat de gestion"),
)
VACANCY_CAUSES = (
    Choice("works", "Travaux"),
    Choice("no_match", "Pas de ménage correspondant à la typologie"),
    Choice("between_occupants", "Entre deux occupants"),
    Choice("other", "Autre"),
)
OCCUPANCY_KINDS = (
    Choice("agreement", "Convention d'occupation (sous-location)"),
    Choice("lease", "Bail signé directement (mandat de gestion)"),
    Choice("residence", "Contrat de résidence / pension de famille"),
)
EXIT_REASONS = (
    Choice("end", "Fin de la convention ou du bail"),
    Choice("sliding", "Glissement du bail au ménage"),
    Choice("departure", "Départ à l'initiative du ménage"),
    Choice("abandonment", "Abandon du logement"),
    Choice("eviction", "Expulsion"),
    Choice("transfer", "Transfert vers un autre logement"),
    Choice("other", "Autre"),
)
REVISION_REASONS = (
    Choice("yearly", "Révision annuelle (IRL)"),
    Choice("benefit", "Changement de l'aide au logement"),
    Choice("charges", "Régularisation des charges"),
    Choice("other", "Autre"),
)
ENTRY_KINDS = (
    Choice("payment", "Paiement du ménage"),
    Choice("benefit", "Aide au logement versée directement (rappel, versement non prévu)"),
)
MEANS = (
    Choice("transfer", "Virement"),
    Choice("direct_debit", "Prélèvement"),
    Choice("cheque", "Chèque"),
    Choice("cash", "Espèces"),
    Choice("card", "Carte bancaire"),
    Choice("caf", "CAF / MSA"),
    Choice("other", "Autre"),
)
INVENTORY_KINDS = (
    Choice("entry", "État des lieux d'entrée"),
    Choice("exit", "État des lieux de sortie"),
)
ARREARS_STEPS = (
    Choice("first_reminder", "Première relance"),
    Choice("second_reminder", "Deuxième relance"),
    Choice("formal_notice", "Mise en demeure"),
    Choice("order_to_pay", "Commandement de payer (huissier)"),
    Choice("summons", "Assignation au tribunal"),
    Choice("eviction", "Expulsion"),
)

LIABLE_PARTIES = (
    Choice("occupant", "Occupant (réparations locatives)"),
    Choice("owner", "Propriétaire"),
    Choice("association", "Association"),
)
PROVIDERS = (
    Choice("team", "Équipe de l'association"),
    Choice("company", "Entreprise"),
    Choice("insertion_workshop", "Chantier d'insertion"),
)
INTERVENTION_STATUSES = (
    Choice("requested", "Demandée"),
    Choice("planned", "Programmée"),
    Choice("done", "Réalisée"),
    Choice("cancelled", "Annulée"),
)


def money(
    name: str, label: str, required: bool = False, maximum: int = MAX_RENT_CENTS, help: str = ""
) -> Field:
    return Field(
        name, label, kind="money", required=required, minimum=0, maximum=maximum, help=help
    )


OWNER_FIELDS = (
    Field("kind", "Type de propriétaire", kind="choice", required=True, choices=OWNER_KINDS),
    Field("name", "Nom", required=True),
    Field("contact_name", "Contact"),
    Field("phone", "Téléphone", kind="phone"),
    Field("email", "Courriel", kind="email"),
    Field("address", "Adresse", kind="textarea"),
    Field("notes", "Notes", kind="textarea"),
)


def dwelling_fields(programmes: dict[str, str]) -> tuple[Field, ...]:
    """The dwelling form; ``programmes`` are the enabled programmes (key → French name)."""
    return (
        Field("owner", "Propriétaire", kind="int", required=True, minimum=1),
        Field("address", "Adresse", kind="textarea", required=True),
        Field("postcode", "Code postal", max_length=10),
        Field("city", "Commune", required=True, max_length=100),
        Field("typology", "Typologie", kind="choice", required=True, choices=TYPOLOGIES),
        Field("surface_m2", "Surface (m²)", kind="int", minimum=5, maximum=1000),
        Field("furnished", "Meublé", kind="bool"),
        Field("stock", "Parc", kind="choice", required=True, choices=STOCKS),
        Field("dpe_class", "Classe énergie (DPE)", kind="choice", choices=DPE_CLASSES),
        Field("dpe_date", "Date du DPE", kind="date"),
        Field("status", "Statut", kind="choice", required=True, choices=STATUSES),
        Field(
            "programme",
            "Programme qui l'utilise",
            kind="choice",
            choices=tuple(Choice(k, v) for k, v in programmes.items()),
        ),
        Field("confidential", "Adresse confidentielle (victimes de violences…)", kind="bool"),
        Field("contacted_on", "Propriétaire contacté le", kind="date"),
        Field("captured_on", "Capté le", kind="date"),
        Field("returned_on", "Rendu le", kind="date"),
        Field(
            "return_reason",
            "Motif du retour au propriétaire",
            kind="choice",
            choices=RETURN_REASONS,
        ),
        Field("notes", "Notes", kind="textarea"),
    )


HEAD_LEASE_FIELDS = (
    Field("kind", "Type de contrat", kind="choice", required=True, choices=LEASE_KINDS),
    Field("start_date", "Début", kind="date", required=True),
    Field("end_date", "Fin", kind="date"),
    money("rent", "Loyer versé au propriétaire", required=True),
    money("charges", "Charges"),
    Field("notice_given_on", "Congé donné le", kind="date"),
    Field("notice_months", "Préavis (mois)", kind="int", minimum=0, maximum=24),
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
    Field("captured_on", "Capté le", kind="date", required=True),
    *(f for f in HEAD_LEASE_FIELDS if f.name != "notice_given_on"),
)

#: Return of a dwelling to its owner: day, reason and the notice given.
RETURN_FIELDS = (
    Field("returned_on", "Rendu le", kind="date", required=True),
    Field("return_reason", "Motif du retour", kind="choice", required=True, choices=RETURN_REASONS),
    Field("notice_given_on", "Congé donné le", kind="date"),
    Field("notice_months", "Préavis (mois)", kind="int", minimum=0, maximum=24),
)

VACANCY_FIELDS = (
    Field("start_date", "Début de la vacance", kind="date", required=True),
    Field("end_date", "Fin de la vacance", kind="date"),
    Field("cause", "Cause", kind="choice", required=True, choices=VACANCY_CAUSES),
    Field("note", "Précision"),
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
        Field("household", "Ménage (numéro ou référence M-…)", required=True, max_length=20),
        Field("kind", "Type d'occupation", kind="choice", required=True, choices=OCCUPANCY_KINDS),
        Field(
            "programme",
            "Programme",
            kind="choice",
            choices=tuple(Choice(k, v) for k, v in programmes.items()),
        ),
        Field("start_date", "Date d'entrée", kind="date", required=True),
        *TERMS_FIELDS,
        money(
            "deposit", "Dépôt de garantie", help="Moitié à la signature, le reste le mois suivant."
        ),
        Field("insurance_expires_on", "Attestation d'assurance valable jusqu'au", kind="date"),
    )


REVISION_FIELDS = (
    Field("effective_from", "Applicable à partir du", kind="date", required=True),
    *TERMS_FIELDS,
    Field("reason", "Motif", kind="choice", required=True, choices=REVISION_REASONS),
)

ENTRY_FIELDS = (
    Field("kind", "Nature", kind="choice", required=True, choices=ENTRY_KINDS),
    Field("entry_date", "Date", kind="date", required=True),
    money("amount", "Montant", required=True, maximum=MAX_PAYMENT_CENTS),
    Field("means", "Moyen de paiement", kind="choice", choices=MEANS),
    Field("note", "Commentaire"),
)

EXIT_FIELDS = (
    Field("end_date", "Date de sortie (dernier jour)", kind="date", required=True),
    Field("exit_reason", "Motif", kind="choice", required=True, choices=EXIT_REASONS),
)

TRANSFER_FIELDS = (
    Field("dwelling", "Nouveau logement (référence L-… ou numéro)", required=True, max_length=20),
    Field("transfer_date", "Date d'entrée dans le nouveau logement", kind="date", required=True),
    *TERMS_FIELDS,
)

INVENTORY_FIELDS = (
    Field("kind", "État des lieux", kind="choice", required=True, choices=INVENTORY_KINDS),
    Field("done_on", "Réalisé le", kind="date", required=True),
    Field(
        "notes",
        "Observations",
        kind="textarea",
        help="Les photos se déposent dans les documents du ménage (type « État des lieux »).",
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
    Field("step", "Étape", kind="choice", required=True, choices=ARREARS_STEPS),
    Field("done_on", "Date", kind="date", required=True),
    Field("note", "Commentaire", kind="textarea"),
)

INTERVENTION_FIELDS = (
    Field("requested_on", "Demandée le", kind="date", required=True),
    Field("description", "Intervention demandée", kind="textarea", required=True),
    Field("liable", "À la charge de", kind="choice", required=True, choices=LIABLE_PARTIES),
    Field("done_by", "Réalisée par", kind="choice", required=True, choices=PROVIDERS),
    money("cost", "Coût", maximum=MAX_PAYMENT_CENTS),
    Field("status", "État", kind="choice", required=True, choices=INTERVENTION_STATUSES),
    Field("done_on", "Réalisée le", kind="date"),
)

INSURANCE_FIELDS = (
    Field(
        "insurance_expires_on",
        "Attestation d'assurance valable jusqu'au",
        kind="date",
        required=True,
    ),
)

DEPOSIT_PAID_FIELDS = (Field("paid_on", "Payé le", kind="date", required=True),)


def labels(choices: tuple[Choice, ...]) -> dict[str, str]:
    return {c.value: c.label for c in choices}


PLAN_STATUSES = (
    Choice("ongoing", "En cours"),
    Choice("kept", "Respecté"),
    Choice("broken", "Non respecté"),
)
PLAN_FIELDS = (
    Field("start_date", "Plan signé le", kind="date", required=True),
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
    Field("first_due_on", "Première échéance le", kind="date", required=True),
    Field("note", "Commentaire", kind="textarea"),
)

AID_KINDS = (
    Choice("fsl", "FSL (Fonds de solidarité pour le logement)"),
    Choice("visale", "Mise en jeu de la garantie VISALE"),
    Choice("fund", "Fonds d'aide de l'association ou d'un partenaire"),
    Choice("other", "Autre aide"),
)
AID_OUTCOMES = (
    Choice("pending", "En attente"),
    Choice("granted", "Accordée"),
    Choice("refused", "Refusée"),
)
AID_FIELDS = (
    Field("kind", "Aide demandée", kind="choice", required=True, choices=AID_KINDS),
    Field("applied_on", "Demandée le", kind="date", required=True),
    money("requested", "Montant demandé", required=True, maximum=MAX_PAYMENT_CENTS),
    Field("note", "Commentaire", kind="textarea"),
)
AID_DECISION_FIELDS = (
    Field("outcome", "Décision", kind="choice", required=True, choices=AID_OUTCOMES),
    Field("decided_on", "Décision du", kind="date"),
    money("granted", "Montant accordé", maximum=MAX_PAYMENT_CENTS),
)
AID_PAID_FIELDS = (Field("paid_on", "Versée au compte le", kind="date", required=True),)

CLAIM_KINDS = (
    Choice("water_damage", "Dégât des eaux"),
    Choice("fire", "Incendie"),
    Choice("break_in", "Effraction, vol"),
    Choice("damage", "Dégradations"),
    Choice("storm", "Tempête, catastrophe naturelle"),
    Choice("other", "Autre"),
)
CLAIM_STATUSES = (
    Choice("declared", "Déclaré"),
    Choice("expertise", "Expertise en cours"),
    Choice("compensated", "Indemnisé"),
    Choice("refused", "Refusé"),
    Choice("closed", "Clos"),
)
CLAIM_FIELDS = (
    Field("occurred_on", "Survenu le", kind="date", required=True),
    Field("kind", "Nature", kind="choice", required=True, choices=CLAIM_KINDS),
    Field("description", "Description", kind="textarea", required=True),
    Field("insurer", "Assureur", max_length=200),
    Field("claim_reference", "Référence du dossier", max_length=100),
    money("claimed", "Montant réclamé", maximum=MAX_PAYMENT_CENTS * 5),
    money("received", "Indemnité reçue", maximum=MAX_PAYMENT_CENTS * 5),
    Field("status", "État", kind="choice", required=True, choices=CLAIM_STATUSES),
)
CLAIM_UPDATE_FIELDS = (
    Field("status", "État", kind="choice", required=True, choices=CLAIM_STATUSES),
    Field("claim_reference", "Référence du dossier", max_length=100),
    money("claimed", "Montant réclamé", maximum=MAX_PAYMENT_CENTS * 5),
    money("received", "Indemnité reçue", maximum=MAX_PAYMENT_CENTS * 5),
)
INTERVENTION_UPDATE_FIELDS = (
    Field("status", "État", kind="choice", required=True, choices=INTERVENTION_STATUSES),
    money("cost", "Coût", maximum=MAX_PAYMENT_CENTS),
    Field("done_on", "Réalisée le", kind="date"),
)
PHOTO_FIELDS = (
    Field("document", "Photo (document du ménage)", kind="int", required=True, minimum=1),
)

#: The arrears steps that have a letter (the later steps are written by a bailiff or a court).
LETTER_STEPS = ("first_reminder", "second_reminder", "formal_notice")
