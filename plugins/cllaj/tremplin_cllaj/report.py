"""The CLLAJ programmes' report sections: the supported lease (leases signed, outcomes at
6 months), J'APPART (the year, then cumulative figures since the programme opened, seed 003)
and the young workers' sliding-lease path (seed 004). The desk's sections are in
:mod:`tremplin_cllaj.report_desk` and re-exported here.

Every figure is computed from the data; percentages are of the stated total, rounded to
one decimal.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from tremplin.api import (
    N_,
    Enrolments,
    IndicatorRow,
    IndicatorTable,
    ReportContext,
    accompanied_enrolments,
    domain,
    format_date,
    rows_from_counts,
)
from tremplin_cllaj.report_desk import desk_tables, indicator_row, workshop_tables
from tremplin_cllaj.rules import (
    BAIL,
    BAIL_OUTCOMES,
    GLISSANT,
    JAPPART,
    LANDLORD_KINDS,
    MAINSTREAM,
    PARKS,
    SLIDING,
)
from tremplin_cllaj.tables import CommitteeDecision, CommitteeMeeting

gettext = domain(__name__).gettext

__all__ = ["bail_tables", "desk_tables", "glissant_tables", "jappart_tables", "workshop_tables"]


# --- Supported lease --------------------------------------------------------------------------


async def bail_tables(ctx: ReportContext) -> list[IndicatorTable]:
    """Leases signed in the period (public / private landlord) and the outcomes at 6 months
    of the presences ended in the period."""
    start, end = ctx.period.start, ctx.period.end
    signed = (
        await Enrolments.select(Enrolments.data)
        .where(
            (Enrolments.programme == BAIL)
            & (Enrolments.entry_date >= start)
            & (Enrolments.entry_date <= end)
        )
        .output(load_json=True)
    )
    kinds = Counter((r["data"] or {}).get("landlord_kind") or "unknown" for r in signed)
    ended = await Enrolments.select(Enrolments.exit_destination).where(
        (Enrolments.programme == BAIL)
        & (Enrolments.state == "exited")
        & Enrolments.entry_date.is_not_null()
        & (Enrolments.exit_date >= start)
        & (Enrolments.exit_date <= end)
    )
    outcomes = Counter(r["exit_destination"] or "unknown" for r in ended)
    kept = outcomes.get("maintained", 0) + outcomes.get("maintained_plan", 0)
    return [
        IndicatorTable(
            "cllaj_bail_signed",
            N_("Baux accompagnés signés"),
            (
                IndicatorRow(N_("Baux accompagnés signés"), len(signed), key="signed"),
                *(
                    indicator_row(
                        f"dont {c.label.lower()}", kinds.get(c.value, 0), len(signed), c.value
                    )
                    for c in LANDLORD_KINDS
                ),
                *(
                    (
                        indicator_row(
                            "dont bailleur non renseigné", kinds["unknown"], len(signed), "unknown"
                        ),
                    )
                    if kinds.get("unknown")
                    else ()
                ),
            ),
            total=len(signed),
            unit="baux",
        ),
        IndicatorTable(
            "cllaj_bail_outcomes",
            N_("Situation à l'issue des 6 mois de présence"),
            (
                *rows_from_counts(outcomes, BAIL_OUTCOMES, len(ended)),
                indicator_row("Jeunes maintenus dans leur logement", kept, len(ended), "kept"),
            ),
            total=len(ended),
            unit="jeunes",
        ),
    ]


# --- J'APPART ---------------------------------------------------------------------------------


async def jappart_tables(ctx: ReportContext) -> list[IndicatorTable]:
    """The year's figures, then the cumulative ones since the first entry in J'APPART."""
    start, end = ctx.period.start, ctx.period.end
    rows = await Enrolments.select(
        Enrolments.household,
        Enrolments.entry_date,
        Enrolments.exit_date,
        Enrolments.exit_destination,
        Enrolments.state,
    ).where(
        (Enrolments.programme == JAPPART)
        & Enrolments.entry_date.is_not_null()
        & (Enrolments.entry_date <= end)
    )
    accompanied = len(await accompanied_enrolments(ctx))
    entries = [r for r in rows if r["entry_date"] >= start]
    exits = [r for r in rows if r["exit_date"] and start <= r["exit_date"] <= end]
    exits_mainstream = sum(1 for r in exits if r["exit_destination"] in MAINSTREAM)
    all_exits = [r for r in rows if r["exit_date"] and r["exit_date"] <= end]
    destinations = Counter(r["exit_destination"] for r in all_exits)
    mainstream = sum(destinations.get(k, 0) for k in MAINSTREAM)
    sliding = sum(destinations.get(k, 0) for k in SLIDING)
    first = min((r["entry_date"] for r in rows), default=None)
    cumulative_title = (
        gettext("J'APPART depuis l'ouverture (depuis le {date})").format(date=format_date(first))
        if first
        else gettext("J'APPART depuis l'ouverture")
    )
    year = [
        IndicatorRow(N_("Logements J'APPART (places)"), ctx.places, key="places"),
        IndicatorRow(N_("Jeunes accompagnés"), accompanied, key="accompanied"),
        IndicatorRow(N_("Entrées"), len(entries), key="entries"),
        IndicatorRow(N_("Jeunes sortis"), len(exits), key="exits"),
        indicator_row(
            "dont accès au logement autonome", exits_mainstream, len(exits), "exits_mainstream"
        ),
    ]
    cumulative = [
        IndicatorRow(N_("Jeunes accompagnés depuis l'ouverture"), len(rows), key="accompanied"),
        IndicatorRow(N_("Jeunes sortis"), len(all_exits), key="exits"),
        indicator_row(
            "dont accès à un logement de droit commun", mainstream, len(all_exits), "mainstream"
        ),
        *(
            indicator_row(f"— {label}", sum(destinations.get(k, 0) for k in keys), mainstream, park)
            for park, label, keys in PARKS
        ),
        indicator_row("— dont via un glissement de bail", sliding, mainstream, "sliding"),
    ]
    return [
        IndicatorTable(
            "cllaj_jappart_year",
            N_("J'APPART dans l'année"),
            tuple(year),
            total=len(exits),
            unit="jeunes",
            note=N_("Pourcentage des jeunes sortis dans l'année."),
        ),
        IndicatorTable(
            "cllaj_jappart_cumulative",
            cumulative_title,
            tuple(cumulative),
            total=len(all_exits),
            unit="jeunes",
            note=N_("Les parcs sont des pourcentages des sorties vers le droit commun."),
        ),
    ]


# --- Young workers' sliding-lease path ------------------------------------------------------------


async def glissant_tables(ctx: ReportContext) -> list[IndicatorTable]:
    start, end = ctx.period.start, ctx.period.end
    rows = (
        await Enrolments.select(
            Enrolments.id,
            Enrolments.referral_date,
            Enrolments.decision_date,
            Enrolments.entry_date,
            Enrolments.exit_date,
            Enrolments.exit_destination,
            Enrolments.state,
            Enrolments.data,
        )
        .where(Enrolments.programme == GLISSANT)
        .output(load_json=True)
    )

    def within(day) -> bool:
        return day is not None and start <= day <= end

    referrals = sum(1 for r in rows if within(r["referral_date"]))
    diagnostics = sum(
        1
        for r in rows
        if (r["data"] or {}).get("diagnostic_date")
        and within(_date((r["data"] or {})["diagnostic_date"]))
    )
    # Only the committee's "retain" and a refusal set the decision date.
    retained = sum(1 for r in rows if within(r["decision_date"]) and r["state"] != "refused")
    rehoused = sum(1 for r in rows if within(r["entry_date"]))
    slid = [
        r
        for r in rows
        if within(r["exit_date"])
        and r["exit_destination"] in SLIDING
        and r["entry_date"] is not None
    ]
    meetings = await CommitteeMeeting.select(CommitteeMeeting.id).where(
        (CommitteeMeeting.held_on >= start) & (CommitteeMeeting.held_on <= end)
    )
    decisions = await CommitteeDecision.select(CommitteeDecision.enrolment).where(
        CommitteeDecision.meeting.is_in([m["id"] for m in meetings] or [-1])
    )
    total_rehoused = sum(1 for r in rows if r["entry_date"] and r["entry_date"] <= end)
    total_slid = sum(
        1
        for r in rows
        if r["exit_date"]
        and r["exit_date"] <= end
        and r["entry_date"]
        and r["exit_destination"] in SLIDING
    )
    return [
        IndicatorTable(
            "cllaj_glissant_year",
            N_("Parcours bail glissant des jeunes actifs"),
            (
                IndicatorRow(N_("Fiches de liaison reçues"), referrals, key="referrals"),
                IndicatorRow(N_("Diagnostics réalisés"), diagnostics, key="diagnostics"),
                IndicatorRow(N_("Comités de pilotage tenus"), len(meetings), key="committees"),
                IndicatorRow(N_("Situations examinées en comité"), len(decisions), key="reviews"),
                IndicatorRow(
                    N_("Jeunes examinés en comité"),
                    len({d["enrolment"] for d in decisions}),
                    key="young_reviewed",
                ),
                IndicatorRow(N_("Jeunes retenus par le comité"), retained, key="retained"),
                IndicatorRow(N_("Jeunes relogés"), rehoused, key="rehoused"),
                IndicatorRow(N_("Baux glissés au jeune"), len(slid), key="slid"),
            ),
            unit="",
            note=N_("Un jeune présenté à plusieurs comités compte pour chaque examen."),
        ),
        IndicatorTable(
            "cllaj_glissant_cumulative",
            N_("Depuis l'ouverture du dispositif"),
            (
                IndicatorRow(N_("Jeunes relogés"), total_rehoused, key="rehoused"),
                indicator_row("dont bail glissé au jeune", total_slid, total_rehoused, "slid"),
            ),
            total=total_rehoused,
            unit="jeunes",
        ),
    ]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


#: The English of the CLLAJ's report labels (``ReportSection.labels_en``), for the desk,
#: the workshops and the three programmes, their choices included; place names stay as
#: they are.
LABELS_EN = {
    # Section titles
    "La permanence d'accueil-information-orientation (AIO)": "The reception, information and guidance desk (AIO)",
    "Les ateliers collectifs": "Group workshops",
    "Le bail accompagné": "The supported lease",
    "Le dispositif J'APPART": "The J'APPART scheme",
    "Parcours bail glissant des jeunes actifs": "Sliding-lease pathway for young workers",
    # Desk
    "Permanence d'accueil-information-orientation": "Reception, information and guidance desk",
    "Permanences tenues": "Desk sessions held",
    "Jeunes reçus": "Young people received",
    "dont femmes": "of whom women",
    "dont hommes": "of whom men",
    "orientés par la Mission Locale": "referred by the Mission Locale",
    "ressources inférieures au RSA": "income below the RSA (minimum income)",
    "sans ressources": "no income",
    "hébergés chez des tiers, en famille ou en institution": "staying with third parties, with family or in an institution",
    "Hébergés chez des tiers, en famille ou en institution": "Staying with third parties, with family or in an institution",
    "Âge des jeunes reçus": "Age of the young people received",
    "Moins de 18 ans": "Under 18",
    "18 – 25 ans": "18–25",
    "26 – 30 ans": "26–30",
    "Plus de 30 ans": "Over 30",
    "Sexe des jeunes reçus": "Sex of the young people received",
    "Ressources des jeunes reçus": "Income of the young people received",
    "Sans ressources": "No income",
    "Ressources inférieures au RSA": "Income below the RSA (minimum income)",
    "Entre le RSA et le SMIC": "Between the RSA and the minimum wage (SMIC)",
    "SMIC ou plus": "Minimum wage (SMIC) or more",
    "Situation de logement des jeunes reçus": "Housing situation of the young people received",
    "Hébergé chez des tiers": "Staying with third parties",
    "Hébergé en famille": "Staying with family",
    "En institution (foyer, ASE, FJT…)": "In an institution (hostel, child welfare, FJT…)",
    "Hébergement d'urgence, hôtel": "Emergency shelter, hotel",
    "La dernière ligne regroupe les trois premières.": "The last line adds up the first three.",
    "Prescripteurs des jeunes reçus": "Who referred the young people received",
    "Service social, CCAS": "Social services, CCAS",
    "Foyer, ASE, établissement": "Hostel, child welfare, institution",
    "Démarche personnelle, bouche-à-oreille": "Self-referral, word of mouth",
    "Permanences et jeunes reçus par lieu": "Desk sessions and young people received by place",
    "{place} : permanences": "{place}: desk sessions",
    "{place} : jeunes reçus": "{place}: young people received",
    "Pourcentages des jeunes reçus dans l'année.": "Percentages of the young people received in the year.",
    "Suivi des jeunes reçus (à la date du rapport)": "Follow-up of the young people received (at the report date)",
    "Suivi en cours": "Follow-up ongoing",
    "Entré en logement ou hébergement": "Moved into housing or accommodation",
    "Relais pris par un partenaire": "Handed over to a partner",
    "Sans nouvelles / fin du suivi": "Lost contact / follow-up ended",
    # Workshops
    "Ateliers collectifs": "Group workshops",
    "dont co-animés avec un partenaire": "of which co-led with a partner",
    "dont destinés aux professionnels des structures partenaires": "of which for professionals of partner organisations",
    "Participants (total)": "Total participants",
    # Supported lease
    "Baux accompagnés signés": "Supported leases signed",
    "Bailleur public": "Social landlord",
    "Bailleur privé": "Private landlord",
    "dont bailleur public": "of which social landlord",
    "dont bailleur privé": "of which private landlord",
    "dont bailleur non renseigné": "of which landlord not recorded",
    "Situation à l'issue des 6 mois de présence": "Situation after the 6 months of support",
    "Maintien dans le logement, obligations locatives assumées": "Stayed in the dwelling, meeting tenancy obligations",
    "Maintien avec un plan d'apurement ou des difficultés en cours": "Stayed, with a repayment plan or ongoing difficulties",
    "Départ vers un autre logement": "Moved to another dwelling",
    "Départ du logement (retour famille, tiers…)": "Left the dwelling (back to family, third party…)",
    "Rupture du bail, expulsion": "Lease terminated, eviction",
    "Jeunes maintenus dans leur logement": "Young people who kept their home",
    # J'APPART
    "J'APPART dans l'année": "J'APPART in the year",
    "J'APPART depuis l'ouverture": "J'APPART since opening",
    "J'APPART depuis l'ouverture (depuis le {date})": "J'APPART since opening (since {date})",
    "Logements J'APPART (places)": "J'APPART dwellings (places)",
    "Jeunes accompagnés": "Young people supported",
    "Entrées": "Entries",
    "Jeunes sortis": "Young people who left",
    "dont accès au logement autonome": "of whom moved into independent housing",
    "Pourcentage des jeunes sortis dans l'année.": "Percentage of the young people who left in the year.",
    "Jeunes accompagnés depuis l'ouverture": "Young people supported since opening",
    "dont accès à un logement de droit commun": "of whom moved into mainstream housing",
    "— dans le parc public": "— in social housing",
    "— dans le parc privé": "— in private rented housing",
    "— dans le parc de l'association": "— in the association's housing",
    "— dont via un glissement de bail": "— of whom through a sliding lease",
    "Les parcs sont des pourcentages des sorties vers le droit commun.": "The housing sectors are percentages of the exits to mainstream housing.",
    # Sliding lease
    "Fiches de liaison reçues": "Referral forms received",
    "Diagnostics réalisés": "Assessments carried out",
    "Comités de pilotage tenus": "Steering committees held",
    "Situations examinées en comité": "Cases reviewed by the committee",
    "Jeunes examinés en comité": "Young people reviewed by the committee",
    "Jeunes retenus par le comité": "Young people accepted by the committee",
    "Jeunes relogés": "Young people rehoused",
    "Baux glissés au jeune": "Leases transferred to the young person",
    "Un jeune présenté à plusieurs comités compte pour chaque examen.": "A young person presented to several committees counts once per review.",
    "Depuis l'ouverture du dispositif": "Since the scheme opened",
    "dont bail glissé au jeune": "of whom the lease was transferred to them",
    # The programmes' prescribers and exit destinations (common tables)
    "Permanence CLLAJ": "CLLAJ desk",
    "Logement du parc de l'association": "The association's housing",
    "Parc de l'association (glissement du bail)": "The association's housing (sliding lease)",
    "Foyer de jeunes travailleurs, résidence sociale": "Young workers' hostel, social residence",
    # The programmes' contacts (common table of visits and appointments)
    "Médiation avec le bailleur (bail accompagné)": "Mediation with the landlord (supported lease)",
    "Rencontre avec le travailleur social (J'APPART)": "Meeting with the social worker (J'APPART)",
    "Accompagnement dans le logement (bail glissant)": "Support in the home (sliding lease)",
}
