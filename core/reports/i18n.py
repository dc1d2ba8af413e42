"""The report in English: the static words of the template and the core's labels.

Labels a plugin declares only in French stay in French (a plugin may add its own through
:data:`EXTRA`); narratives are printed as their authors wrote them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LANGUAGES", "translate_report"]

LANGUAGES = ("fr", "en")

EN: dict[str, str] = {
    # Tables of the common indicators
    "Indicateurs": "Indicators",
    "Vue d'ensemble": "Overview",
    "Places": "Places",
    "Ménages accompagnés": "Households supported",
    "Personnes accompagnées": "People supported",
    "Ménages en cours en fin de période": "Households still supported at the end of the period",
    "Entrées": "Entries",
    "Sorties": "Exits",
    "Durée moyenne de séjour des sortants (mois)": "Average length of stay of those who left (months)",
    "Durée médiane de séjour des sortants (mois)": "Median length of stay of those who left (months)",
    "Durée moyenne, séjours en cours compris jusqu'à la fin de période (mois)":
        "Average length of stay, ongoing stays counted to the end of the period (months)",
    "Durée médiane, séjours en cours compris (mois)": "Median length of stay, ongoing stays included (months)",
    "Séjours en cours comptés jusqu'à la fin de la période dans la seconde règle.":
        "Ongoing stays are counted up to the end of the period in the second rule.",
    "Adultes": "Adults",
    "Enfants mineurs": "Minor children",
    "Âge non renseigné": "Age unknown",
    "Âge des adultes": "Age of adults",
    "18 – 25 ans": "18–25", "26 – 40 ans": "26–40", "41 – 60 ans": "41–60", "Plus de 60 ans": "Over 60",
    "Sexe des adultes": "Sex of adults",
    "Femme": "Woman", "Homme": "Man",
    "Composition familiale": "Family composition",
    "Ressources": "Resources",
    "Un ménage peut cumuler plusieurs ressources.": "A household may have several resources.",
    "Origine des prescriptions": "Referrals by prescriber",
    "Situation avant l'entrée": "Situation before entry",
    "Destination à la sortie": "Destination at exit",
    "Visites et rendez-vous": "Visits and appointments",
    "Non renseigné": "Not recorded",
    # Vocabulary
    "Homme isolé": "Single man", "Femme isolée": "Single woman",
    "Homme isolé avec enfant(s)": "Single father", "Femme isolée avec enfant(s)": "Single mother",
    "Couple sans enfant": "Couple without children", "Couple avec enfant(s)": "Couple with children",
    "Autre (groupe, cohabitation…)": "Other (group, shared housing…)",
    "RSA": "RSA (minimum income)", "AAH": "AAH (disability allowance)", "Salaire": "Salary",
    "Allocation chômage (ARE)": "Unemployment benefit", "Allocation CEJ": "CEJ allowance",
    "Formation / stage rémunéré": "Paid training", "Retraite / pension": "Pension",
    "Prestations familiales": "Family benefits",
    "Allocation pour demandeur d'asile (ADA)": "Asylum seeker allowance (ADA)",
    "Sans ressources": "No income", "Autres ressources": "Other income",
    "Hébergement d'urgence": "Emergency shelter", "Hébergement d'insertion (CHRS)": "Insertion shelter (CHRS)",
    "Hébergement asile (CADA, CPH, HUDA)": "Asylum accommodation (CADA, CPH, HUDA)",
    "Hébergé chez des tiers": "Hosted by third parties", "Hébergé dans la famille": "Hosted by family",
    "Hôtel / nuitées": "Hotel nights", "Sans abri / rue": "Homeless / street",
    "Institution, ASE, établissement de soins": "Institution, child welfare, care facility",
    "Logement autonome": "Own housing", "Autre": "Other",
    "SIAO": "SIAO", "Pôle asile / CPH / CADA": "Asylum services (CPH, CADA)", "CHRS": "CHRS",
    "Mission Locale": "Mission Locale (youth employment office)",
    "CCAS / service social de secteur": "CCAS / local social services", "DALO / PDALHPD": "DALO / PDALHPD",
    "Association partenaire": "Partner association", "Démarche personnelle": "Self-referral",
    "Logement secteur privé": "Private-sector housing",
    "Logement secteur privé (bail glissant)": "Private-sector housing (sliding lease)",
    "Logement secteur public": "Social housing",
    "Logement secteur public (bail glissant)": "Social housing (sliding lease)",
    "Retour dans la famille": "Back to family", "Hébergé chez un tiers": "Hosted by a third party",
    "Abandon du logement": "Left the dwelling", "CHRS ou autre structure": "CHRS or other facility",
    "Rendez-vous au bureau": "Office appointment", "Visite à domicile": "Home visit",
    "Rencontre tripartite": "Tripartite meeting",
    "Passage de la maîtresse de maison": "House mistress visit",
}

#: Translations plugins may add at import time (``EXTRA.update({...})`` is not part of the
#: public API yet: plugin labels otherwise stay French).
EXTRA: dict[str, str] = {}


def _t(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    return EXTRA.get(text) or EN.get(text, text)


def translate_report(report: dict[str, Any], programme_names_en: dict[str, str]) -> dict[str, Any]:
    """A copy of a built report with labels in English and ``lang`` set for the template."""
    out = {**report, "lang": "en", "programmes": []}
    for chapter in report["programmes"]:
        sections = []
        for section in chapter["sections"]:
            tables = [{**t, "title": _t(t["title"]), "note": _t(t["note"]),
                       "rows": [{**r, "label": _t(r["label"])} for r in t["rows"]]}
                      for t in section["tables"]]
            sections.append({**section, "title": _t(section["title"]), "tables": tables})
        out["programmes"].append({**chapter, "name": programme_names_en.get(chapter["key"], chapter["name"]),
                                  "sections": sections})
    return out
