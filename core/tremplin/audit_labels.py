"""French words for the audit trail: the actions and the kinds of object it records.

The trail stores stable English keys (``read``, ``household``); every screen and export shows
these labels. A key missing here is shown as is, between quotes, and
``tests/core/test_audit_labels.py`` lists the keys the code writes so none is forgotten.
"""

from __future__ import annotations

__all__ = ["ACTIONS", "OBJECTS", "READ_ACTIONS", "action_label", "object_label"]

#: What counts as reading a household's file (« Qui a consulté ce dossier »): opening it or
#: downloading its data. A name shown in a list or on the dashboard is not a read.
READ_ACTIONS = frozenset({"read", "read_archived", "read_confidential", "download", "export"})

ACTIONS: dict[str, str] = {
    "read": "consultation",
    "list": "affichage dans une liste",
    "read_archived": "consultation d'un dossier archivé",
    "read_confidential": "consultation de coordonnées confidentielles",
    "denied": "accès refusé",
    "create": "création",
    "update": "modification",
    "correct": "correction d'une étape",
    "delete": "suppression",
    "renew": "renouvellement",
    "review": "bilan",
    "derogation": "dérogation",
    "transition": "changement d'étape",
    "add_event": "ajout au fil du suivi",
    "add_member": "ajout d'une personne",
    "end_member": "départ d'une personne",
    "upload": "dépôt de document",
    "download": "téléchargement",
    "export": "export",
    "import": "import",
    "generate": "génération",
    "job_start": "lancement d'un travail (rapport, import)",
    "share": "partage",
    "unshare": "fin de partage",
    "archive": "archivage",
    "anonymise": "anonymisation",
    "login": "connexion",
    "logout": "déconnexion",
    "login_failed": "échec de connexion",
    "login_throttled": "connexion bloquée (trop d'essais)",
    "password_change": "changement de mot de passe",
    "password_reset": "réinitialisation du mot de passe",
    "totp_enabled": "double authentification activée",
    "totp_failed": "code de double authentification refusé",
    "totp_disabled": "double authentification retirée",
    "totp_recovery_used": "code de secours utilisé",
    "plan_appointment": "rendez-vous planifié",
    "cancel_appointment": "rendez-vous annulé",
    "grant_sensitive": "accès aux données sensibles accordé",
    "revoke_sensitive": "accès aux données sensibles retiré",
    "enable": "activation",
    "disable": "désactivation",
    "audit_search": "recherche dans le journal",
    "capture": "captation",
    "return": "restitution",
    "add_head_lease": "ajout d'un bail",
    "add_vacancy": "ajout d'une vacance",
    "add_intervention": "ajout d'une intervention",
    "update_intervention": "modification d'une intervention",
    "rent_calls": "appels de loyer",
    "record_payment": "encaissement",
    "arrears_step": "étape d'impayé",
    "arrears_letter": "courrier d'impayé",
    "arrears_threshold": "seuil d'impayé",
    "repayment_plan": "plan d'apurement",
    "committee_decision": "décision de comité",
}

OBJECTS: dict[str, str] = {
    "programme_capacity": "places d'un programme",
    "household": "ménage",
    "household_list": "liste de ménages",
    "dwelling_list": "liste de logements",
    "arrears_list": "revue des impayés",
    "due_date_list": "liste d'échéances",
    "rental_agency_demand_list": "liste des demandes de logement",
    "boarding_house_resident_list": "liste des résidents des pensions de famille",
    "boarding_house_list": "liste des pensions de famille",
    "person": "personne",
    "enrolment": "accompagnement",
    "document": "document",
    "user": "compte",
    "partner": "partenaire",
    "share": "partage",
    "report": "rapport",
    "job": "travail en arrière-plan",
    "audit": "journal d'audit",
    "route": "page",
    "housing_owner": "propriétaire",
    "housing_dwelling": "logement",
    "housing_occupancy": "occupation",
    "housing_month": "mois de loyers",
    "housing_settings": "réglages logement",
    "boarding_house_house": "pension de famille",
    "boarding_house_host": "hôte",
    "boarding_house_unit": "logement de pension",
    "boarding_house_activity": "activité collective",
    "cllaj_desk_session": "permanence CLLAJ",
    "cllaj_desk_intake": "accueil CLLAJ",
    "cllaj_workshop": "atelier CLLAJ",
    "cllaj_committee": "comité",
    "cllaj_desk_place": "lieu de permanence CLLAJ",
    "file": "fichier",
    "funded_measures": "mesures financées",
    "social_residence_unit": "logement de la résidence",
    "rental_agency_session": "séance de la commission d'attribution",
}


def action_label(key: str) -> str:
    """``read`` → ``consultation``; an unknown key is shown quoted."""
    return ACTIONS.get(key, f"« {key} »")


def object_label(key: str, object_id: int | None = None) -> str:
    """``household``, 13 → ``ménage n° 13``."""
    label = OBJECTS.get(key, f"« {key} »")
    if key.endswith("_list") and object_id is not None:
        return f"{label} ({object_id} ligne{'s' if object_id > 1 else ''})"
    return label if object_id is None else f"{label} n° {object_id}"
