"""The register of processing activities (RGPD art. 30) and a DPIA template, generated from
the enabled plugins' declarations, so they follow the installation as it is configured."""

from __future__ import annotations

from tremplin.config import Settings
from tremplin.forms import HOUSEHOLD_FIELDS, MEMBERSHIP_FIELDS, PERSON_FIELDS
from tremplin.plugins import PluginHost
from tremplin.services.shares import shareable_groups
from tremplin.types import Field

__all__ = ["dpia_template", "processing_register"]


def _fields(fields: list[Field] | tuple[Field, ...]) -> list[str]:
    return [f"  - {f.label}{' — **donnée sensible**' if f.sensitive else ''}" for f in fields]


def processing_register(host: PluginHost, settings: Settings) -> str:
    lines = [
        f"# Registre des activités de traitement — {settings.association_name}",
        "",
        "Généré par Tremplin à partir des programmes activés. Responsable de traitement, DPO et "
        "coordonnées sont à compléter par l'association.",
        "",
        "## Données communes à tous les programmes",
        "",
        "- Ménage :",
        *_fields(HOUSEHOLD_FIELDS),
        "- Personnes :",
        *_fields(PERSON_FIELDS + MEMBERSHIP_FIELDS),
        "- Minimisation : nationalité limitée à France / UE / hors UE ; aucun numéro de sécurité "
        "sociale ; l'asile n'est enregistré que comme « demande déposée oui/non » lorsqu'un "
        "programme le demande.",
        "- Traçabilité : journal d'audit de chaque consultation et modification, conservé "
        f"{settings.audit_retention_months} mois.",
        "",
    ]
    for key, programme in host.programmes.items():
        fields = host.fields(key)
        groups = shareable_groups(host, key)
        retention = programme.retention_years or settings.retention_years
        archive = (
            programme.archive_years
            if programme.archive_years is not None
            else settings.archive_years
        )
        lines += [
            f"## {programme.name_fr}",
            "",
            f"- **Finalité** : accompagnement social lié au logement — {programme.public or programme.name_fr}.",
            f"- **Personnes concernées** : ménages accompagnés et leurs membres, y compris mineurs"
            f"{f' ; {programme.places} places' if programme.places else ''}.",
            "- **Base légale** : mission d'intérêt public / obligation légale de l'accompagnement "
            "social (à confirmer par l'association).",
            "- **Données propres au programme** :",
            *(_fields(fields) or ["  - aucune"]),
            "- **Destinataires** : équipe du programme ; partenaires uniquement avec le consentement "
            "écrit et daté du ménage, pour les groupes : "
            + (", ".join(g.label for g in groups) or "aucun")
            + ".",
            f"- **Durée de conservation** : base active jusqu'à {retention} an(s) sans contact après "
            f"la fin de l'accompagnement, puis archive {archive} an(s), puis anonymisation.",
            "- **Sécurité** : comptes nominatifs, mots de passe Argon2id, double authentification "
            "des administrateurs, contrôle d'accès par programme et par rôle, chiffrement TLS, "
            "journal d'audit chaîné.",
            "",
        ]
    return "\n".join(lines)


def dpia_template(host: PluginHost, settings: Settings) -> str:
    sensitive = [
        (host.programmes[k].name_fr, f.label)
        for k in host.programmes
        for f in host.fields(k)
        if f.sensitive
    ]
    lines = [
        f"# Analyse d'impact relative à la protection des données (AIPD) — {settings.association_name}",
        "",
        "Modèle pré-rempli par Tremplin ; l'AIPD est obligatoire pour l'accompagnement social "
        "(personnes vulnérables, données sensibles). Complétez chaque rubrique marquée ⟶.",
        "",
        "## 1. Description du traitement",
        "",
        processing_register(host, settings).split("\n", 4)[-1],
        "## 2. Données sensibles traitées",
        "",
        *([f"- {prog} : {label}" for prog, label in sensitive] or ["- aucune déclarée"]),
        "",
        "## 3. Nécessité et proportionnalité",
        "",
        "- ⟶ Justifier chaque donnée au regard de la finalité.",
        "- Minimisation appliquée par Tremplin : voir « Données communes ».",
        "",
        "## 4. Risques",
        "",
        "| risque | sources | mesures dans Tremplin | mesures à compléter ⟶ |",
        "|---|---|---|---|",
        "| accès illégitime | compte compromis, erreur de partage | Argon2id, verrouillage après 6 échecs, limitation par adresse, double authentification, contrôle d'accès serveur, partage avec consentement et expiration | |",
        "| modification non désirée | erreur, malveillance | versions et conflits de modification, journal d'audit chaîné | |",
        "| disparition | panne, suppression | transactions, sauvegardes (voir guide d'administration) | |",
        "",
        "## 5. Avis du DPO et validation ⟶",
        "",
    ]
    return "\n".join(lines)
