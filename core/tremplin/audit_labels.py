"""French words for the audit trail: the actions and the kinds of object it records.

The trail stores stable English keys (``read``, ``household``); every screen and export shows
these labels. A key missing here is shown as is, between quotes, and
``tests/core/test_audit_labels.py`` lists the keys the code writes so none is forgotten.
"""

from __future__ import annotations

from tremplin.i18n import N_

__all__ = ["ACTIONS", "OBJECTS", "READ_ACTIONS", "action_label", "object_label"]

#: What counts as reading a household's file (« Qui a consulté ce dossier »): opening it or
#: downloading its data. A name shown in a list or on the dashboard is not a read.
READ_ACTIONS = frozenset({"read", "read_archived", "read_confidential", "download", "export"})

ACTIONS: dict[str, str] = {
    "read": N_("consultation"),
    "list": N_("affichage dans une liste"),
    "read_archived": N_("consultation d'un dossier archivé"),
    "read_confidential": N_("consultation de coordonnées confidentielles"),
    "denied": N_("accès refusé"),
    "create": N_("création"),
    "update": N_("modification"),
    "correct": N_("correction d'une étape"),
    "delete": N_("suppression"),
    "renew": N_("renouvellement"),
    "review": N_("bilan"),
    "derogation": N_("dérogation"),
    "transition": N_("changement d'étape"),
    "add_event": N_("ajout au fil du suivi"),
    "add_member": N_("ajout d'une personne"),
    "end_member": N_("départ d'une personne"),
    "upload": N_("dépôt de document"),
    "download": N_("téléchargement"),
    "export": N_("export"),
    "import": N_("import"),
    "generate": N_("génération"),
    "job_start": N_("lancement d'un travail (rapport, import)"),
    "share": N_("partage"),
    "unshare": N_("fin de partage"),
    "archive": N_("archivage"),
    "anonymise": N_("anonymisation"),
    "login": N_("connexion"),
    "logout": N_("déconnexion"),
    "login_failed": N_("échec de connexion"),
    "login_throttled": N_("connexion bloquée (trop d'essais)"),
    "password_change": N_("changement de mot de passe"),
    "password_reset": N_("réinitialisation du mot de passe"),
    "totp_enabled": N_("double authentification activée"),
    "totp_failed": N_("code de double authentification refusé"),
    "totp_disabled": N_("double authentification retirée"),
    "totp_recovery_used": N_("code de secours utilisé"),
    "plan_appointment": N_("rendez-vous planifié"),
    "cancel_appointment": N_("rendez-vous annulé"),
    "grant_sensitive": N_("accès aux données sensibles accordé"),
    "revoke_sensitive": N_("accès aux données sensibles retiré"),
    "enable": N_("activation"),
    "disable": N_("désactivation"),
    "audit_search": N_("recherche dans le journal"),
    "capture": N_("captation"),
    "return": N_("restitution"),
    "add_head_lease": N_("ajout d'un bail"),
    "add_vacancy": N_("ajout d'une vacance"),
    "add_intervention": N_("ajout d'une intervention"),
    "update_intervention": N_("modification d'une intervention"),
    "rent_calls": N_("appels de loyer"),
    "record_payment": N_("encaissement"),
    "arrears_step": N_("étape d'impayé"),
    "arrears_letter": N_("courrier d'impayé"),
    "arrears_threshold": N_("seuil d'impayé"),
    "repayment_plan": N_("plan d'apurement"),
    "committee_decision": N_("décision de comité"),
}

OBJECTS: dict[str, str] = {
    "programme_capacity": N_("places d'un programme"),
    "household": N_("ménage"),
    "household_list": N_("liste de ménages"),
    "dwelling_list": N_("liste de logements"),
    "arrears_list": N_("revue des impayés"),
    "due_date_list": N_("liste d'échéances"),
    "rental_agency_demand_list": N_("liste des demandes de logement"),
    "boarding_house_resident_list": N_("liste des résidents des pensions de famille"),
    "boarding_house_list": N_("liste des pensions de famille"),
    "person": N_("personne"),
    "enrolment": N_("accompagnement"),
    "document": N_("document"),
    "user": N_("compte"),
    "partner": N_("partenaire"),
    "share": N_("partage"),
    "report": N_("rapport"),
    "job": N_("travail en arrière-plan"),
    "audit": N_("journal d'audit"),
    "route": N_("page"),
    "housing_owner": N_("propriétaire"),
    "housing_dwelling": N_("logement"),
    "housing_occupancy": N_("occupation"),
    "housing_month": N_("mois de loyers"),
    "housing_settings": N_("réglages logement"),
    "boarding_house_house": N_("pension de famille"),
    "boarding_house_host": N_("hôte"),
    "boarding_house_unit": N_("logement de pension"),
    "boarding_house_activity": N_("activité collective"),
    "cllaj_desk_session": N_("permanence CLLAJ"),
    "cllaj_desk_intake": N_("accueil CLLAJ"),
    "cllaj_workshop": N_("atelier CLLAJ"),
    "cllaj_committee": N_("comité"),
    "cllaj_desk_place": N_("lieu de permanence CLLAJ"),
    "file": N_("fichier"),
    "funded_measures": N_("mesures financées"),
    "social_residence_unit": N_("logement de la résidence"),
    "rental_agency_session": N_("séance de la commission d'attribution"),
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
