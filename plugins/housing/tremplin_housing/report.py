"""The housing report section (issue item 9): for a programme and a period, the stock of
dwellings, captations and returns, vacancy, arrears and the procedure table.

A dwelling belongs to the programme that uses it (``Dwelling.programme``); a household
belongs through an occupancy of the programme. Money is computed in cents and shown in
euros with two decimals (``unit="euros"``).

Definitions (inclusive dates):

* in use at the start: captured before the first day, not returned before it;
* in use at the end: captured on or before the last day, not returned on or before it;
  so *start + captured − returned = end*;
* captation: owners contacted in the period (``contacted_on`` inside it), and the dwellings
  captured in the period by typology;
* vacancy: the days of each vacancy period inside the period (an open one runs to the end
  of the period, or today if earlier), and what the head lease cost for those days;
* arrears: households of the programme whose balance at the end of the period exceeds the
  association's threshold (30 € by default, see ``settings``), and their total debt;
* procedure: the steps dated inside the period, for occupancies of the programme;
* interventions: those carried out in the period in the programme's dwellings, by provider;
* repayment plans: plans of the programme's occupancies signed on or before the last day
  and with an instalment due on or after the first day, judged at the end of the period
  (kept: every instalment due and kept; broken: an instalment not kept; else ongoing);
* help applications: those made in the period (FSL, VISALE, fund, other), their outcome
  today, and the amounts granted;
* claims: damages that happened in the period in the programme's dwellings, by kind, with
  the amounts claimed and received.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import Counter
from functools import reduce
from typing import Any

from tremplin.api import (
    N_,
    IndicatorRow,
    IndicatorTable,
    ReportContext,
    ReportSection,
    domain,
    format_date,
    rows_from_counts,
    today,
)
from tremplin_housing.calc import ARREARS_THRESHOLD_CENTS, vacancy_cost
from tremplin_housing.fields import (
    AID_KINDS,
    AID_OUTCOMES,
    ARREARS_STEPS,
    CLAIM_KINDS,
    PLAN_STATUSES,
    RETURN_REASONS,
    TYPOLOGIES,
    VACANCY_CAUSES,
)
from tremplin_housing.ledger import balances_by_household
from tremplin_housing.maintenance import intervention_tables
from tremplin_housing.plans import plans_for
from tremplin_housing.settings import arrears_threshold
from tremplin_housing.tables import (
    AidApplication,
    ArrearsStep,
    Claim,
    Dwelling,
    HeadLease,
    Occupancy,
    RepaymentPlan,
    Vacancy,
)

gettext = domain(__name__).gettext

SECTION_KEY = "housing"
SECTION_TITLE = N_("Logement et gestion locative")
#: The chapter of the whole stock, in the association's report.
STOCK_KEY = "housing_stock"
STOCK_TITLE = N_("Parc de logements de l'association")


def euros(amount_cents: int) -> float:
    """Cents → euros with two decimals, as a number (the report tables hold numbers)."""
    return round(amount_cents / 100, 2)


def section_for(programme: str) -> list[ReportSection]:
    """The housing section of ``programme``'s report (its own dwellings and occupancies:
    no table when it has none), and the whole-stock chapter of the association's report
    (``scope="association"``: every dwelling, including those of no programme), so that
    each housing figure is printed once."""
    return [
        ReportSection(SECTION_KEY, SECTION_TITLE, programme, housing_tables, order=60),
        ReportSection(
            STOCK_KEY,
            STOCK_TITLE,
            "*",
            housing_tables,
            order=60,
            scope="association",
        ),
    ]


def _in_use_at_start(d: dict[str, Any], start: dt.date) -> bool:
    captured = d["captured_on"]
    return (
        captured is not None
        and captured < start
        and (d["returned_on"] is None or d["returned_on"] >= start)
    )


def _in_use_at_end(d: dict[str, Any], end: dt.date) -> bool:
    captured = d["captured_on"]
    return (
        captured is not None
        and captured <= end
        and (d["returned_on"] is None or d["returned_on"] > end)
    )


def _between(day: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return day is not None and start <= day <= end


def stock_tables(
    dwellings: list[dict[str, Any]], start: dt.date, end: dt.date
) -> list[IndicatorTable]:
    """Stock at start and end, captured and returned in the period, return reasons."""
    at_start = sum(_in_use_at_start(d, start) for d in dwellings)
    at_end = sum(_in_use_at_end(d, end) for d in dwellings)
    captured = sum(_between(d["captured_on"], start, end) for d in dwellings)
    returned = [d for d in dwellings if _between(d["returned_on"], start, end)]
    reasons = Counter(d["return_reason"] or "unknown" for d in returned)
    return [
        IndicatorTable(
            "housing_stock",
            N_("Parc de logements en gestion"),
            (
                IndicatorRow(N_("En gestion au début de la période"), at_start, key="stock_start"),
                IndicatorRow(N_("Captés dans la période"), captured, key="captured"),
                IndicatorRow(
                    N_("Rendus au propriétaire dans la période"), len(returned), key="returned"
                ),
                IndicatorRow(N_("En gestion à la fin de la période"), at_end, key="stock_end"),
            ),
            unit="logements",
        ),
        IndicatorTable(
            "housing_returns",
            N_("Motifs de retour au propriétaire"),
            rows_from_counts(reasons, RETURN_REASONS, len(returned), keep_empty=False),
            total=len(returned),
            unit="logements",
        ),
    ]


def captation_tables(
    dwellings: list[dict[str, Any]], start: dt.date, end: dt.date
) -> list[IndicatorTable]:
    """Prospection (owners contacted) and dwellings captured in the period by typology."""
    contacted = [d for d in dwellings if _between(d["contacted_on"], start, end)]
    captured = [d for d in dwellings if _between(d["captured_on"], start, end)]
    by_typology = Counter(d["typology"] for d in captured)
    return [
        IndicatorTable(
            "housing_prospection",
            N_("Prospection : propriétaires contactés"),
            (
                IndicatorRow(
                    N_("Logements proposés (propriétaire contacté) dans la période"),
                    len(contacted),
                    key="contacted",
                ),
                IndicatorRow(
                    N_("dont captés au plus tard à la fin de la période"),
                    sum(
                        d["captured_on"] is not None and d["captured_on"] <= end for d in contacted
                    ),
                    key="contacted_captured",
                ),
            ),
            unit="logements",
        ),
        IndicatorTable(
            "housing_captured_typology",
            N_("Logements captés dans la période, par typologie"),
            rows_from_counts(by_typology, TYPOLOGIES, len(captured)),
            total=len(captured),
            unit="logements",
        ),
    ]


def vacancy_tables(
    vacancies: list[dict[str, Any]], leases: list[dict[str, Any]], start: dt.date, end: dt.date
) -> list[IndicatorTable]:
    """Vacancy days and cost by cause, clipped to the period."""
    terms: dict[int, list[tuple[dt.date, dt.date | None, int]]] = {}
    for lease in leases:
        terms.setdefault(lease["dwelling"], []).append(
            (lease["start_date"], lease["end_date"], lease["rent_cents"] + lease["charges_cents"])
        )
    days: Counter = Counter()
    cost: Counter = Counter()
    open_end = min(end, today())
    for v in vacancies:
        first = max(v["start_date"], start)
        last = min(v["end_date"] or open_end, end)
        if last < first:
            continue
        days[v["cause"]] += (last - first).days + 1
        cost[v["cause"]] += vacancy_cost(first, last, terms.get(v["dwelling"], []))
    total_days = sum(days.values())
    total_cost = sum(cost.values())
    causes = [(c.value, c.label) for c in VACANCY_CAUSES]
    cost_rows = tuple(
        IndicatorRow(label, euros(cost[value]), key=value) for value, label in causes if days[value]
    )
    return [
        IndicatorTable(
            "housing_vacancy_days",
            N_("Vacance : jours sans occupant, par cause"),
            rows_from_counts(days, causes, total_days, keep_empty=False),
            total=total_days,
            unit="jours",
        ),
        IndicatorTable(
            "housing_vacancy_cost",
            N_("Vacance : coût pour l'association (loyer versé au propriétaire)"),
            cost_rows,
            total=euros(total_cost),
            unit="euros",
        ),
    ]


def arrears_tables(
    balances: dict[int, int],
    steps: list[dict[str, Any]],
    end: dt.date,
    threshold_cents: int = ARREARS_THRESHOLD_CENTS,
) -> list[IndicatorTable]:
    """Households in arrears at the end of the period, their debt, the procedure table."""
    owing = {h: b for h, b in balances.items() if b > threshold_cents}
    counts = Counter(s["step"] for s in steps)
    threshold = euros(threshold_cents)
    label = f"{threshold:.0f}" if threshold == int(threshold) else f"{threshold:.2f}"
    return [
        IndicatorTable(
            "housing_arrears_households",
            gettext("Impayés au {date} : ménages concernés").format(date=format_date(end)),
            (
                IndicatorRow(
                    gettext("Ménages dont la dette dépasse {amount} €").format(amount=label),
                    len(owing),
                    key="households",
                ),
            ),
            unit="ménages",
        ),
        IndicatorTable(
            "housing_arrears_debt",
            gettext("Impayés au {date} : dette totale").format(date=format_date(end)),
            (
                IndicatorRow(
                    N_("Dette totale des ménages concernés"), euros(sum(owing.values())), key="debt"
                ),
            ),
            unit="euros",
        ),
        IndicatorTable(
            "housing_arrears_steps",
            N_("Procédure d'impayés : étapes dans la période"),
            rows_from_counts(counts, ARREARS_STEPS, len(steps)),
            total=len(steps),
            unit="étapes",
            empty=N_("Aucune étape de procédure d'impayés sur la période."),
        ),
    ]


def plan_tables(plans: list[dict[str, Any]], start: dt.date) -> list[IndicatorTable]:
    """Plans running in the period, by status at its end (``plans`` judged at the end)."""
    running = [
        p for p in plans if p["instalments"] and max(i["due_on"] for i in p["instalments"]) >= start
    ]
    counts = Counter(p["status"] for p in running)
    return [
        IndicatorTable(
            "housing_repayment_plans",
            N_("Plans d'apurement : respectés et non respectés"),
            rows_from_counts(counts, PLAN_STATUSES, len(running)),
            total=len(running),
            unit="plans",
            note=N_("Plans ayant une échéance dans la période, jugés à la fin de la période."),
        )
    ]


def aid_tables(applications: list[dict[str, Any]]) -> list[IndicatorTable]:
    """Applications for help made in the period: by kind, by outcome, amounts granted."""
    by_kind = Counter(a["kind"] for a in applications)
    by_outcome = Counter(a["outcome"] for a in applications)
    granted: Counter = Counter()
    for a in applications:
        if a["outcome"] == "granted":
            granted[a["kind"]] += a["granted_cents"]
    return [
        IndicatorTable(
            "housing_aid_kinds",
            N_("Demandes d'aide (FSL, VISALE…) dans la période"),
            rows_from_counts(by_kind, AID_KINDS, len(applications)),
            total=len(applications),
            unit="demandes",
        ),
        IndicatorTable(
            "housing_aid_outcomes",
            N_("Demandes d'aide : décisions"),
            rows_from_counts(by_outcome, AID_OUTCOMES, len(applications)),
            total=len(applications),
            unit="demandes",
        ),
        IndicatorTable(
            "housing_aid_granted",
            N_("Demandes d'aide : montants accordés"),
            tuple(IndicatorRow(c.label, euros(granted[c.value]), key=c.value) for c in AID_KINDS),
            total=euros(sum(granted.values())),
            unit="euros",
        ),
    ]


def claim_tables(claims: list[dict[str, Any]]) -> list[IndicatorTable]:
    """Damages that happened in the period, by kind; amounts claimed and received."""
    counts = Counter(c["kind"] for c in claims)
    return [
        IndicatorTable(
            "housing_claims",
            N_("Sinistres par nature"),
            rows_from_counts(counts, CLAIM_KINDS, len(claims), keep_empty=False),
            total=len(claims),
            unit="sinistres",
            empty=N_("Aucun sinistre déclaré sur la période."),
        ),
        IndicatorTable(
            "housing_claims_amounts",
            N_("Sinistres : montants"),
            (
                IndicatorRow(
                    N_("Réclamé aux assureurs"),
                    euros(sum(c["claimed_cents"] for c in claims)),
                    key="claimed",
                ),
                IndicatorRow(
                    N_("Indemnités reçues"),
                    euros(sum(c["received_cents"] for c in claims)),
                    key="received",
                ),
            ),
            unit="euros",
        ),
    ]


def _all(*conditions: Any) -> Any:
    """The conditions joined by AND, ``None`` ones left out."""
    return reduce(operator.and_, [c for c in conditions if c is not None])


async def housing_tables(ctx: ReportContext) -> list[IndicatorTable]:
    """The housing tables of ``ctx.programme``'s own dwellings and occupancies, or of the
    whole stock (every dwelling, with or without a programme) when it is empty."""
    start, end = ctx.period.start, ctx.period.end
    programme = ctx.programme
    dwellings = await Dwelling.select(
        Dwelling.id,
        Dwelling.captured_on,
        Dwelling.returned_on,
        Dwelling.return_reason,
        Dwelling.contacted_on,
        Dwelling.typology,
    ).where(Dwelling.programme == programme if programme else Dwelling.id.is_not_null())
    occupancies = await Occupancy.select(Occupancy.id, Occupancy.household).where(
        _all(Occupancy.programme == programme if programme else None, Occupancy.start_date <= end)
    )
    if not dwellings and not occupancies:
        return []
    ids = [d["id"] for d in dwellings] or [0]
    vacancies = await Vacancy.select().where(
        Vacancy.dwelling.is_in(ids)
        & (Vacancy.start_date <= end)
        & (Vacancy.end_date.is_null() | (Vacancy.end_date >= start))
    )
    leases = await HeadLease.select().where(HeadLease.dwelling.is_in(ids))
    households = sorted({o["household"] for o in occupancies})
    balances = await balances_by_household(end, households) if households else {}
    steps = await ArrearsStep.select(ArrearsStep.step).where(
        _all(
            ArrearsStep.occupancy.programme == programme if programme else None,
            ArrearsStep.done_on >= start,
            ArrearsStep.done_on <= end,
        )
    )
    tables = stock_tables(dwellings, start, end)
    tables += captation_tables(dwellings, start, end)
    tables += vacancy_tables(vacancies, leases, start, end)
    tables += arrears_tables(balances, steps, end, await arrears_threshold())
    tables += await intervention_tables(ids, start, end)
    plan_rows = await RepaymentPlan.select(RepaymentPlan.id, RepaymentPlan.household).where(
        _all(
            RepaymentPlan.occupancy.programme == programme if programme else None,
            RepaymentPlan.start_date <= end,
        )
    )
    plan_ids = {r["id"] for r in plan_rows}
    plans = await plans_for(sorted({r["household"] for r in plan_rows}), end, end)
    tables += plan_tables([p for p in plans if p["id"] in plan_ids], start)
    applications = await AidApplication.select(
        AidApplication.kind, AidApplication.outcome, AidApplication.granted_cents
    ).where(
        _all(
            AidApplication.occupancy.programme == programme if programme else None,
            AidApplication.applied_on >= start,
            AidApplication.applied_on <= end,
        )
    )
    tables += aid_tables(applications)
    claims = await Claim.select(Claim.kind, Claim.claimed_cents, Claim.received_cents).where(
        Claim.dwelling.is_in(ids) & (Claim.occurred_on >= start) & (Claim.occurred_on <= end)
    )
    tables += claim_tables(claims)
    return tables
