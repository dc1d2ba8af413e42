"""Report sections reproducing the ASL tables (activity reports 2018 and 2024).

IML under mandate (``iml_mandate``), counted from the *start of the global support* (which
comes before the lease), unlike the core's common tables which count from the entry in the
dwelling:

- *accompanied*: support started on or before the period's end, not ended before its start
  (refused referrals never count; withdrawn after a start do);
- *people*: members of these households on the period's end (or on the end of support);
- *months-measures*: :func:`~tremplin.api.measure_months` of each support inside the period;
- *measures used*: months-measures ÷ months of the period (12 for a year): the average number
  of measures running at once, compared with the measures funded for the period's year;
- *average duration of ended supports*: months-measures from start to end, averaged.

Support measures (``housing_support``): per kind, households followed, months-measures inside
the period and the average duration (months-measures ÷ measures followed); the debt of the
reinforced measures with a debt at entry, by category, with the % change of the total debt of
the households who do not keep their repayment plan.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from tremplin.api import (
    N_,
    Enrolments,
    IndicatorRow,
    IndicatorTable,
    Memberships,
    ReportContext,
    TimelineEvents,
    accompanied_enrolments,
    domain,
    format_date,
    measure_months,
    rows_from_counts,
)
from tremplin_iml_mandate.axes import AXES
from tremplin_iml_mandate.funding import funded_measures
from tremplin_iml_mandate.measures import (
    DEBT_CATEGORIES,
    debt_category,
    debt_change_percent,
    months_in_period,
)
from tremplin_iml_mandate.tables import StabilisationAxis
from tremplin_iml_mandate.workflow import KEY, OUTCOMES

PARIS = ZoneInfo("Europe/Paris")
gettext = domain(__name__).gettext

CONTACT_KINDS = (
    ("home_visit", N_("Visites à domicile")),
    ("office_appointment", "Rendez-vous au bureau"),
)


def _pct(count: float, total: float) -> float | None:
    return round(count * 100 / total, 1) if total else None


def _supported_where(ctx: ReportContext) -> Any:
    p = ctx.period
    return (
        (Enrolments.programme == KEY)
        & (Enrolments.state != "refused")
        & Enrolments.decision_date.is_not_null()
        & (Enrolments.decision_date <= p.end)
        & (Enrolments.exit_date.is_null() | (Enrolments.exit_date >= p.start))
    )


async def supported(ctx: ReportContext) -> list[dict[str, Any]]:
    """IML enrolments whose global support overlaps the period."""
    return await Enrolments.select(
        Enrolments.id,
        Enrolments.household,
        Enrolments.state,
        Enrolments.decision_date,
        Enrolments.entry_date,
        Enrolments.exit_date,
        Enrolments.exit_destination,
    ).where(_supported_where(ctx))


async def people_count(reference: dict[int, dt.date], ctx: ReportContext | None = None) -> int:
    """Members of each household present on its reference day (``ctx``: the households
    are those :func:`supported` selects, chosen again in the query rather than sent as a
    list of thousands of ids)."""
    households: Any = (
        Enrolments.select(Enrolments.household).where(_supported_where(ctx))
        if ctx is not None
        else list(reference) or [-1]
    )
    rows = await Memberships.select(
        Memberships.household,
        Memberships.start_date,
        Memberships.end_date,
    ).where(Memberships.household.is_in(households))
    return sum(
        1
        for m in rows
        if m["start_date"] <= reference[m["household"]]
        and (m["end_date"] is None or m["end_date"] >= reference[m["household"]])
    )


async def contact_table(ctx: ReportContext, key: str) -> IndicatorTable:
    """Home visits and office appointments of the programme recorded in the period."""
    p = ctx.period
    # The days of the period in Paris (events are entered as local days): from the first
    # day's midnight to the midnight after the last, counted in the database.
    start = dt.datetime.combine(p.start, dt.time(), tzinfo=PARIS)
    end = dt.datetime.combine(p.end + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)
    rows = (
        await TimelineEvents.select(TimelineEvents.kind, Count(alias="n"))
        .where(
            (TimelineEvents.programme == ctx.programme)
            & TimelineEvents.kind.is_in([k for k, _ in CONTACT_KINDS])
            & (TimelineEvents.occurred_at >= start)
            & (TimelineEvents.occurred_at < end)
        )
        .group_by(TimelineEvents.kind)
    )
    counts = Counter({r["kind"]: r["n"] for r in rows})
    total = sum(counts.values())
    return IndicatorTable(
        key,
        N_("Visites à domicile et rendez-vous au bureau"),
        rows_from_counts(counts, CONTACT_KINDS, total),
        total=total,
        unit="contacts",
    )


async def funding_rows(
    ctx: ReportContext, months_measures: int, starts: int | None = None
) -> tuple[tuple[IndicatorRow, ...], str]:
    p = ctx.period
    funded = await funded_measures(ctx.programme, p.end.year)
    period_months = measure_months(p.start, p.end)
    used = round(months_measures / period_months, 1) if period_months else 0
    rows = [
        IndicatorRow(
            gettext("Mesures financées ({year})").format(year=p.end.year), funded or 0, key="funded"
        )
    ]
    if starts is not None:
        rows.append(IndicatorRow(N_("Entrées dans le dispositif"), starts, key="starts"))
    rows += [
        IndicatorRow(N_("Mesures utilisées (moyenne sur la période)"), used, key="used"),
        IndicatorRow(N_("Taux d'utilisation (%)"), _pct(used, funded or 0) or 0, key="rate"),
    ]
    if starts is not None:
        rows.append(IndicatorRow(N_("Entrées dans le dispositif"), starts, key="starts"))
    rows += [
        IndicatorRow(N_("Mesures utilisées (moyenne sur la période)"), used, key="used"),
        IndicatorRow(N_("Taux d'utilisation (%)"), _pct(used, funded or 0) or 0, key="rate"),
    ]
    note = (
        N_("Mesures utilisées : mois-mesures de la période ÷ nombre de mois de la période.")
        if funded is not None
        else N_(
            "Mesures utilisées : mois-mesures de la période ÷ nombre de mois de la période. "
            "Nombre de mesures financées non renseigné pour cette année."
        )
    )
    return tuple(rows), note


async def mandate_tables(ctx: ReportContext) -> list[IndicatorTable]:
    p = ctx.period
    enrolments = await supported(ctx)
    households = sorted({e["household"] for e in enrolments})
    reference = {e["household"]: min(p.end, e["exit_date"] or p.end) for e in enrolments}
    starts = [e for e in enrolments if p.start <= e["decision_date"] <= p.end]
    leases = [e for e in enrolments if e["entry_date"] and p.start <= e["entry_date"] <= p.end]
    ends = [
        e
        for e in enrolments
        if e["state"] == "exited" and e["exit_date"] and p.start <= e["exit_date"] <= p.end
    ]
    pre_entry = [
        e
        for e in enrolments
        if (e["entry_date"] is None or e["entry_date"] > p.end)
        and (e["exit_date"] is None or e["exit_date"] > p.end)
    ]
    months = sum(months_in_period(e["decision_date"], e["exit_date"], p) for e in enrolments)
    durations = [measure_months(e["decision_date"], e["exit_date"]) for e in ends]
    average = round(statistics.fmean(durations), 1) if durations else 0
    overview = IndicatorTable(
        "mandate_overview",
        N_("Ménages accompagnés en IML (mandat de gestion)"),
        (
            IndicatorRow(N_("Ménages accompagnés"), len(households), key="households"),
            IndicatorRow(
                N_("Personnes accompagnées"), await people_count(reference, ctx), key="people"
            ),
            IndicatorRow(
                N_("Ménages en accompagnement avant l'entrée (fin de période)"),
                len(pre_entry),
                key="pre_entry",
            ),
            IndicatorRow(
                N_("Entrées dans le dispositif (début d'accompagnement)"), len(starts), key="starts"
            ),
            IndicatorRow(N_("Baux signés"), len(leases), key="leases"),
            IndicatorRow(N_("Fins d'accompagnement"), len(ends), key="ends"),
            IndicatorRow(N_("Mois-mesures"), months, key="months_measures"),
            IndicatorRow(
                N_("Durée moyenne des accompagnements terminés (mois)"),
                average,
                key="average_duration",
            ),
        ),
        unit="",
    )
    funding, note = await funding_rows(ctx, months, len(starts))
    outcomes = Counter(e["exit_destination"] or "unknown" for e in ends)
    axes_rows = await StabilisationAxis.select(
        StabilisationAxis.enrolment, StabilisationAxis.axis, StabilisationAxis.progress
    ).where(
        StabilisationAxis.enrolment.is_in(
            Enrolments.select(Enrolments.id).where(_supported_where(ctx))
        )
    )
    worked = Counter(r["axis"] for r in axes_rows if r["progress"] != "not_started")
    achieved = Counter(r["axis"] for r in axes_rows if r["progress"] == "achieved")
    return [
        overview,
        IndicatorTable(
            "mandate_funding",
            N_("Mesures financées et mesures utilisées"),
            funding,
            unit="mesures",
            note=note,
        ),
        IndicatorTable(
            "mandate_outcomes",
            N_("Situation à la fin de l'accompagnement"),
            rows_from_counts(outcomes, OUTCOMES, len(ends)),
            total=len(ends),
        ),
        await contact_table(ctx, "mandate_contacts"),
        IndicatorTable(
            "mandate_axes",
            N_("Axes de stabilisation travaillés"),
            tuple(
                IndicatorRow(
                    c.label,
                    worked.get(c.value, 0),
                    _pct(worked.get(c.value, 0), len(enrolments)),
                    c.value,
                )
                for c in AXES
            ),
            total=len(enrolments),
            note=gettext(
                "Accompagnements ayant un objectif sur l'axe ; dont atteint : {achieved}."
            ).format(
                achieved=", ".join(
                    f"{gettext(c.label).lower()} {achieved.get(c.value, 0)}" for c in AXES
                )
            ),
        ),
    ]


def _kind_table(
    key: str, title: str, measures: list[dict[str, Any]], ctx: ReportContext
) -> tuple[IndicatorTable, int]:
    months = sum(months_in_period(e["entry_date"], e["exit_date"], ctx.period) for e in measures)
    average = round(months / len(measures), 1) if measures else 0
    return IndicatorTable(
        key,
        title,
        (
            IndicatorRow(
                N_("Ménages suivis"), len({e["household"] for e in measures}), key="households"
            ),
            IndicatorRow(N_("Mesures suivies"), len(measures), key="measures"),
            IndicatorRow(N_("Mois-mesures"), months, key="months_measures"),
            IndicatorRow(
                N_("Durée moyenne d'accompagnement (mois)"), average, key="average_duration"
            ),
        ),
        unit="",
    ), months


def debt_table(reinforced: list[dict[str, Any]], ctx: ReportContext) -> IndicatorTable:
    with_debt = [e for e in reinforced if (e["data"].get("debt_at_entry") or 0) > 0]
    n = len(with_debt)
    categories = {
        e["id"]: debt_category(
            e["data"].get("debt_at_entry"),
            e["data"].get("debt_latest"),
            bool(e["data"].get("plan_kept")),
        )
        for e in with_debt
    }
    counts = Counter(categories.values())
    rows = [IndicatorRow(N_("Ménages ayant une dette locative à l'entrée"), n, key="with_debt")]
    rows += [
        IndicatorRow(c.label, counts.get(c.value, 0), _pct(counts.get(c.value, 0), n), c.value)
        for c in DEBT_CATEGORIES
    ]
    if counts.get("unknown"):
        rows.append(
            IndicatorRow(
                N_("Montant actuel non renseigné"),
                counts["unknown"],
                _pct(counts["unknown"], n),
                "unknown",
            )
        )
    not_kept = [e for e in with_debt if categories[e["id"]] == "plan_not_kept"]
    if not_kept:
        change = debt_change_percent(
            sum(e["data"]["debt_at_entry"] for e in not_kept),
            sum(e["data"]["debt_latest"] for e in not_kept),
        )
        rows.append(
            IndicatorRow(
                N_("Évolution de la dette des ménages ne respectant pas le plan (%)"),
                change,
                key="plan_not_kept_change",
            )
        )
    return IndicatorTable(
        "debt_evolution",
        gettext(
            "Dette locative à l'entrée en accompagnement renforcé (situation au {date})"
        ).format(date=format_date(ctx.period.end)),
        tuple(rows),
        total=n,
        note=N_(
            "Dernier montant connu : celui de la fin de la mesure, ou le dernier point "
            "enregistré pour une mesure en cours."
        ),
    )


async def measures_tables(ctx: ReportContext) -> list[IndicatorTable]:
    measures = await accompanied_enrolments(ctx)
    simple = [e for e in measures if e["data"].get("measure_kind") == "simple"]
    reinforced = [e for e in measures if e["data"].get("measure_kind") == "reinforced"]
    simple_table, simple_months = _kind_table(
        "measures_simple", N_("Accompagnement social « simple »"), simple, ctx
    )
    reinforced_table, reinforced_months = _kind_table(
        "measures_reinforced", N_("Accompagnement social « renforcé »"), reinforced, ctx
    )
    funding, note = await funding_rows(ctx, simple_months + reinforced_months)
    return [
        simple_table,
        reinforced_table,
        debt_table(reinforced, ctx),
        IndicatorTable(
            "measures_funding",
            N_("Mesures financées (CAF) et mesures utilisées"),
            funding,
            unit="mesures",
            note=note,
        ),
        await contact_table(ctx, "measures_contacts"),
    ]
