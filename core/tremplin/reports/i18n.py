"""The report in English: the static words of the template and the core's labels.

A plugin gives the English of its own labels in ``ReportSection.labels_en``: those are
used for that section first, then the core's dictionary :data:`EN`; a label neither knows
stays in French. Narratives are printed as their authors wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["LANGUAGES", "translate_report"]

LANGUAGES = ("fr", "en")

EN: dict[str, str] = {
    # Key figures, units and the one sentence of an empty table
    "Ménages en cours au 31 décembre": "Households still supported on 31 December",
    "Sorties vers le logement": "Exits to housing",
    "Part des sorties vers le logement": "Share of exits to housing",
    "Durée moyenne de séjour des sortants": "Average length of stay of those who left",
    "Taux d'occupation": "Occupancy rate",
    "Ménages": "Households",
    "Vers le logement": "To housing",
    "Nombre": "Count",
    "Personnes": "People",
    "Montant (€)": "Amount (€)",
    "Mois": "Months",
    "Jours": "Days",
    "Valeur": "Value",
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
    "Durée moyenne, séjours en cours compris jusqu'à la fin de période (mois)": "Average length of stay, ongoing stays counted to the end of the period (months)",
    "Durée médiane, séjours en cours compris (mois)": "Median length of stay, ongoing stays included (months)",
    "Séjours en cours comptés jusqu'à la fin de la période dans la seconde règle.": "Ongoing stays are counted up to the end of the period in the second rule.",
    "Adultes": "Adults",
    "Enfants mineurs": "Minor children",
    "Âge non renseigné": "Age unknown",
    "Âge des adultes": "Age of adults",
    "18 – 25 ans": "18–25",
    "26 – 40 ans": "26–40",
    "41 – 60 ans": "41–60",
    "Plus de 60 ans": "Over 60",
    "Sexe des adultes": "Sex of adults",
    "Femme": "Woman",
    "Homme": "Man",
    "Composition familiale": "Family composition",
    "Ressources": "Resources",
    "Un ménage peut cumuler plusieurs ressources.": "A household may have several resources.",
    "Origine des prescriptions": "Referrals by prescriber",
    "Situation avant l'entrée": "Situation before entry",
    "Destination à la sortie": "Destination at exit",
    "Visites et rendez-vous": "Visits and appointments",
    "Non renseigné": "Not recorded",
    # Vocabulary
    "Homme isolé": "Single man",
    "Femme isolée": "Single woman",
    "Homme isolé avec enfant(s)": "Single father",
    "Femme isolée avec enfant(s)": "Single mother",
    "Couple sans enfant": "Couple without children",
    "Couple avec enfant(s)": "Couple with children",
    "Autre (groupe, cohabitation…)": "Other (group, shared housing…)",
    "RSA": "RSA (minimum income)",
    "AAH": "AAH (disability allowance)",
    "Salaire": "Salary",
    "Allocation chômage (ARE)": "Unemployment benefit",
    "Allocation CEJ": "CEJ allowance",
    "Formation / stage rémunéré": "Paid training",
    "Retraite / pension": "Pension",
    "Prestations familiales": "Family benefits",
    "Allocation pour demandeur d'asile (ADA)": "Asylum seeker allowance (ADA)",
    "Sans ressources": "No income",
    "Autres ressources": "Other income",
    "Hébergement d'urgence": "Emergency shelter",
    "Hébergement d'insertion (CHRS)": "Insertion shelter (CHRS)",
    "Hébergement asile (CADA, CPH, HUDA)": "Asylum accommodation (CADA, CPH, HUDA)",
    "Hébergé chez des tiers": "Hosted by third parties",
    "Hébergé dans la famille": "Hosted by family",
    "Hôtel / nuitées": "Hotel nights",
    "Sans abri / rue": "Homeless / street",
    "Institution, ASE, établissement de soins": "Institution, child welfare, care facility",
    "Logement autonome": "Own housing",
    "Autre": "Other",
    "SIAO": "SIAO",
    "Pôle asile / CPH / CADA": "Asylum services (CPH, CADA)",
    "CHRS": "CHRS",
    "Mission Locale": "Mission Locale (youth employment office)",
    "CCAS / service social de secteur": "CCAS / local social services",
    "DALO / PDALHPD": "DALO / PDALHPD",
    "Association partenaire": "Partner association",
    "Démarche personnelle": "Self-referral",
    "Logement secteur privé": "Private-sector housing",
    "Logement secteur privé (bail glissant)": "Private-sector housing (sliding lease)",
    "Logement secteur public": "Social housing",
    "Logement secteur public (bail glissant)": "Social housing (sliding lease)",
    "Retour dans la famille": "Back to family",
    "Hébergé chez un tiers": "Hosted by a third party",
    "Abandon du logement": "Left the dwelling",
    "CHRS ou autre structure": "CHRS or other facility",
    "Rendez-vous au bureau": "Office appointment",
    "Visite à domicile": "Home visit",
    "Rencontre tripartite": "Tripartite meeting",
    "Passage de la maîtresse de maison": "House mistress visit",
}

#: The core's labels with variable parts (see :class:`Translator`).
EN_PATTERNS: dict[str, str] = {
    "section indisponible (erreur du plugin {plugin})": "section unavailable (plugin {plugin} failed)",
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class Translator:
    """French → English for one section: its plugin's labels, then the core's, then as is.

    A key of ``labels`` holding ``{name}`` placeholders matches any text with something in
    their place, and the English gets the same parts (``"Impayés au {date}"``).
    """

    def __init__(self, labels: Mapping[str, str] | None = None) -> None:
        self.labels = dict(labels or {})
        self.patterns: list[tuple[re.Pattern[str], str]] = []
        for french, english in [*self.labels.items(), *EN_PATTERNS.items()]:
            if _PLACEHOLDER.search(french):
                pieces = _PLACEHOLDER.split(french)
                regex = "".join(
                    re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(pieces)
                )
                try:
                    self.patterns.append((re.compile(f"^{regex}$", re.S), english))
                except re.error:  # a name used twice, or not a name: the key is ignored
                    continue

    def __call__(self, text: Any) -> Any:
        if not isinstance(text, str) or not text:
            return text
        if text in self.labels:
            return self.labels[text]
        if text in EN:
            return EN[text]
        for regex, english in self.patterns:
            match = regex.match(text)
            if match:
                return _fill(english, match.groupdict())
        return text


def _fill(english: str, parts: dict[str, str]) -> str:
    """``english`` with each ``{name}`` replaced by the matching part of the French."""
    return _PLACEHOLDER.sub(lambda m: parts.get(m.group(1), m.group(0)), english)


_CORE = Translator()


def translate_report(
    report: dict[str, Any],
    programme_names_en: dict[str, str],
    section_labels: Mapping[tuple[str, str], Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """A copy of a built report with labels in English and ``lang`` set for the template.

    ``section_labels`` maps (programme key, section key) to that section's ``labels_en``.
    """
    section_labels = section_labels or {}
    out = {**report, "lang": "en", "programmes": []}
    for chapter in report["programmes"]:
        sections = []
        for section in chapter["sections"]:
            labels = section_labels.get((chapter["key"], section["key"]))
            _t = Translator(labels) if labels else _CORE
            tables = [
                {
                    **t,
                    "title": _t(t["title"]),
                    "note": _t(t["note"]),
                    "value_heading": _CORE(t.get("value_heading", "Nombre")),
                    "empty_text": _empty_en(t, _t),
                    "rows": [{**r, "label": _t(r["label"])} for r in t["rows"]],
                    "chart_spec": _chart_en(t.get("chart_spec"), _t),
                }
                for t in section["tables"]
            ]
            sections.append(
                {
                    **section,
                    "title": _t(section["title"]),
                    "error": _t(section.get("error")),
                    "tables": tables,
                }
            )
        out["programmes"].append(
            {
                **chapter,
                "name": programme_names_en.get(chapter["key"], chapter["name"]),
                "sections": sections,
                "key_figures": _figures_en(chapter.get("key_figures", [])),
                "compare_chart": _chart_en(chapter.get("compare_chart"), _CORE),
            }
        )
    if "summary" in report:
        out["summary"] = {
            "groups": [
                {**g, "name": programme_names_en.get(g["programmes"][0], g["name"])}
                if not g.get("is_group")
                else g
                for g in report["summary"]["groups"]
            ],
            "total": _figures_en(report["summary"]["total"]),
        }
    return out


def _figures_en(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for f in figures:
        label = f["label"]
        base, sep, sub = label.partition(" (dont ")
        label = _CORE(base) + (f" (of which {sub}" if sep else "")
        out.append({**f, "label": label})
    return out


def _chart_en(chart: dict[str, Any] | None, t: Any) -> dict[str, Any] | None:
    if not chart:
        return chart
    return {
        **chart,
        "title": t(chart["title"]),
        "items": [{**i, "label": t(i["label"])} for i in chart["items"]],
    }


def _empty_en(table: dict[str, Any], t: Any) -> str:
    if not table.get("is_empty"):
        return table.get("empty_text", "")
    if table.get("empty"):
        return t(table["empty"])
    return f"{t(table['title'])}: no data for this period."
