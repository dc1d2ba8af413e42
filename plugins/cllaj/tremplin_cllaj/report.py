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
    LANDLORD_ROWS,
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
                        LANDLORD_ROWS[c.value], kinds.get(c.value, 0), len(signed), c.value
                    )
                    for c in LANDLORD_KINDS
                ),
                *(
                    (
                        indicator_row(
                            N_("dont bailleur non renseigné"),
                            kinds["unknown"],
                            len(signed),
                            "unknown",
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
                indicator_row(N_("Jeunes maintenus dans leur logement"), kept, len(ended), "kept"),
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
            N_("dont accès au logement autonome"), exits_mainstream, len(exits), "exits_mainstream"
        ),
    ]
    cumulative = [
        IndicatorRow(N_("Jeunes accompagnés depuis l'ouverture"), len(rows), key="accompanied"),
        IndicatorRow(N_("Jeunes sortis"), len(all_exits), key="exits"),
        indicator_row(
            N_("dont accès à un logement de droit commun"), mainstream, len(all_exits), "mainstream"
        ),
        *(
            indicator_row(label, sum(destinations.get(k, 0) for k in keys), mainstream, park)
            for park, label, keys in PARKS
        ),
        indicator_row(N_("— dont via un glissement de bail"), sliding, mainstream, "sliding"),
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
                indicator_row(N_("dont bail glissé au jeune"), total_slid, total_rehoused, "slid"),
            ),
            total=total_rehoused,
            unit="jeunes",
        ),
    ]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
