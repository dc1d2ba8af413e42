"""The « Agence immobilière sociale » chapter: demands and CEDL decisions, the profile of the
households validated, GLA activity, arrears causes and outcomes, the agency-wide stock (every
dwelling, with or without a programme) and the works fund at departure.

Every figure is computed from the records; each table is a handful of queries, none per row.
The previous year beside each row (N-1) is the report engine's: it computes every section a
second time for the same dates one year earlier, from that year's records.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from tremplin.api import (
    N_,
    IndicatorRow,
    IndicatorTable,
    Period,
    ReportContext,
    TimelineEvents,
    domain,
    format_money,
    format_percent,
    vocabulary,
)
from tremplin_rental_agency import housing_link, territory
from tremplin_rental_agency.common import PARIS
from tremplin_rental_agency.grid import reference_ages
from tremplin_rental_agency.tables import (
    Allocation,
    ArrearsCase,
    ArrearsCause,
    Demand,
    DeskAppointment,
    FundGrant,
    Grid,
    Presentation,
)
from tremplin_rental_agency.vocab import (
    AGE_BRACKETS,
    DEFAULT_CAUSES,
    ENERGY_CAP_CENTS,
    FUND_FIELDS,
    GLA_KINDS,
    HOUSING_PROBLEMS,
    OUTCOMES,
    RESOURCE_LEVELS,
    SITUATIONS,
    STABLE_SITUATIONS,
)

gettext = domain(__name__).gettext


def _pct(count: float, total: float) -> float | None:
    return round(100 * count / total, 1) if total else None


def _rows(pairs: list[tuple[str, str, int]], total: int) -> tuple[IndicatorRow, ...]:
    return tuple(IndicatorRow(label, n, _pct(n, total), key) for key, label, n in pairs)


async def cedl_counts(period: Period) -> dict[str, int]:
    """The CEDL figures of a period (demands, desk, files examined and decisions, leases)."""
    start, end = period.start, period.end
    registered = await Demand.count().where(
        (Demand.registered_on >= start) & (Demand.registered_on <= end)
    )
    received = len(
        {
            r["household"]
            for r in await DeskAppointment.select(DeskAppointment.household).where(
                (DeskAppointment.on_date >= start)
                & (DeskAppointment.on_date <= end)
                & (DeskAppointment.attended == True)  # noqa: E712 (a SQL expression)
            )
        }
    )
    decided = await Presentation.select(Presentation.demand, Presentation.decision).where(
        (Presentation.decided_on >= start)
        & (Presentation.decided_on <= end)
        & (Presentation.decision != "")
    )
    decisions = Counter(r["decision"] for r in decided)
    accepted = {r["demand"] for r in decided if r["decision"] == "accepted"}
    cancelled = await Demand.count().where(
        Demand.id.is_in(list(accepted) or [0]) & (Demand.status == "cancelled_elsewhere")
    )
    leases = await Allocation.count().where(
        (Allocation.status == "signed")
        & (Allocation.lease_signed_on >= start)
        & (Allocation.lease_signed_on <= end)
    )
    return {
        "registered": registered,
        "received": received,
        "examined": len(decided),
        "accepted": decisions["accepted"],
        "adjourned": decisions["adjourned"],
        "refused": decisions["refused"],
        "cancelled_elsewhere": cancelled,
        "leases": leases,
    }


CEDL_LABELS = (
    ("registered", N_("Demandes enregistrées")),
    ("received", N_("Ménages reçus en permanence d'accueil")),
    ("examined", N_("Dossiers étudiés en CEDL")),
    ("accepted", N_("dont acceptés")),
    ("adjourned", N_("dont ajournés")),
    ("refused", N_("dont refusés")),
    ("cancelled_elsewhere", N_("Ménages validés ayant annulé (logés par un autre moyen)")),
    ("leases", "Baux signés"),
)


async def demands_tables(ctx: ReportContext) -> list[IndicatorTable]:
    counts = await cedl_counts(ctx.period)
    return [
        IndicatorTable(
            "cedl",
            gettext("Demandes et commission d'examen (CEDL) — {year}").format(
                year=ctx.period.label
            ),
            tuple(IndicatorRow(lbl, counts[k], None, k) for k, lbl in CEDL_LABELS),
            unit="dossiers",
        )
    ]


async def _validated(period: Period) -> list[dict[str, Any]]:
    """The demands accepted in the period (the latest acceptance each), with their data."""
    rows = await Presentation.select(
        Presentation.demand,
        Presentation.decided_on,
        Presentation.grid,
        Presentation.demand.household.as_alias("household"),
        Presentation.demand.situation.as_alias("situation"),
        Presentation.demand.problems.as_alias("problems"),
        Presentation.demand.monthly_resources_cents.as_alias("resources"),
        Presentation.demand.household.composition.as_alias("composition"),  # type: ignore[union-attr]  # a joined column: Piccolo types a ForeignKey's attribute Column | Any
    ).where(
        (Presentation.decision == "accepted")
        & (Presentation.decided_on >= period.start)
        & (Presentation.decided_on <= period.end)
    )
    latest: dict[int, dict[str, Any]] = {}
    for r in rows:
        if r["demand"] not in latest or r["decided_on"] > latest[r["demand"]]["decided_on"]:
            latest[r["demand"]] = r
    return list(latest.values())


def _age_bracket(age: int | None) -> str:
    if age is None:
        return "unknown"
    for limit, key in ((25, "u25"), (35, "25_34"), (45, "35_44"), (60, "45_59")):
        if age < limit:
            return key
    return "60"


async def profile_tables(ctx: ReportContext) -> list[IndicatorTable]:
    validated = await _validated(ctx.period)
    total = len(validated)
    problems = Counter(p for v in validated for p in set(filter(None, v["problems"].split(","))))
    situations = Counter(v["situation"] or "unknown" for v in validated)
    compositions = Counter(v["composition"] or "unknown" for v in validated)
    ages = await reference_ages([v["household"] for v in validated], ctx.period.end)
    brackets = Counter(_age_bracket(ages.get(v["household"])) for v in validated)
    smic = {
        g["id"]: g["smic_cents"]
        for g in await Grid.select(Grid.id, Grid.smic_cents).where(
            Grid.id.is_in([v["grid"] for v in validated if v["grid"]] or [0])
        )
    }

    def level(v: dict[str, Any]) -> str:
        reference = smic.get(v["grid"], 139869)
        resources = v["resources"] or 0
        if resources <= reference // 2:
            return "half"
        if resources <= reference:
            return "smic"
        return "smic_15" if resources <= reference * 3 // 2 else "above"

    levels = Counter(level(v) for v in validated)
    unstable = sum(
        1 for v in validated if v["situation"] and v["situation"] not in STABLE_SITUATIONS
    )
    at_most_smic = levels["half"] + levels["smic"]
    return [
        IndicatorTable(
            "validated_problems",
            N_("Principales problématiques liées au logement des ménages validés en CEDL"),
            _rows([(c.value, c.label, problems[c.value]) for c in HOUSING_PROBLEMS], total),
            total=total,
            chart="bar",
            note=N_("Plusieurs problématiques possibles par ménage."),
        ),
        IndicatorTable(
            "validated_situation",
            N_("Situation vis-à-vis du logement des ménages validés en CEDL"),
            _rows(
                [(c.value, c.label, situations[c.value]) for c in SITUATIONS]
                + [("unknown", N_("Non renseignée"), situations["unknown"])],
                total,
            ),
            total=total,
            chart="bar",
            note=gettext("{percent} sans logement pérenne.").format(
                percent=format_percent(_pct(unstable, total), 1)
            )
            if total
            else "",
        ),
        IndicatorTable(
            "validated_composition",
            N_("Composition familiale des ménages validés en CEDL"),
            _rows(
                [(c.value, c.label, compositions[c.value]) for c in vocabulary.COMPOSITIONS]
                + [("unknown", N_("Non renseignée"), compositions["unknown"])],
                total,
            ),
            total=total,
            chart="bar",
        ),
        IndicatorTable(
            "validated_age",
            N_("Âge de la personne de référence des ménages validés en CEDL"),
            _rows([(c.value, c.label, brackets[c.value]) for c in AGE_BRACKETS], total),
            total=total,
            chart="bar",
        ),
        IndicatorTable(
            "validated_resources",
            N_("Niveau de ressources des ménages validés en CEDL (rapport au SMIC net)"),
            _rows([(c.value, c.label, levels[c.value]) for c in RESOURCE_LEVELS], total)
            + (
                IndicatorRow(
                    N_("Ressources inférieures ou égales au SMIC"),
                    at_most_smic,
                    _pct(at_most_smic, total),
                    "at_most_smic",
                ),
            ),
            total=total,
            chart="bar",
        ),
    ]


def _utc_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(period.start, dt.time(0), tzinfo=PARIS).astimezone(dt.UTC)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), tzinfo=PARIS)
    return start, end.astimezone(dt.UTC)


async def gla_counts(period: Period) -> dict[str, int]:
    occupancies = await housing_link.tenants_between(period.start, period.end)
    tenants = {o.household_id for o in occupancies}
    # Where each household lives: the dwelling of its latest occupancy in the period.
    home: dict[int, int] = {}
    for o in sorted(occupancies, key=lambda o: (o.start_date, o.id)):
        home[o.household_id] = o.dwelling_id
    places = {d.id: d for d in await housing_link.stock()}
    area = await territory.metropolis()
    in_metropolis = sum(
        1
        for dwelling in home.values()
        if (d := places.get(dwelling)) and area.contains(d.postcode, d.city)
    )
    start, end = _utc_bounds(period)
    events = await TimelineEvents.select(TimelineEvents.household, TimelineEvents.kind).where(
        TimelineEvents.kind.is_in([c.value for c in GLA_KINDS])
        & (TimelineEvents.occurred_at >= start)
        & (TimelineEvents.occurred_at < end)
    )
    kinds = Counter(e["kind"] for e in events)
    helped = {e["household"] for e in events if e["kind"] == "gla_help_request"}
    return {
        "followed": len(tenants),
        "in_metropolis": in_metropolis,
        "home_visits": kinds["gla_home_visit"],
        "office": kinds["gla_office"],
        "technical": kinds["gla_technical"],
        "help_households": len(helped),
        "fsl": kinds["gla_fsl"],
        "mediations": kinds["gla_mediation_neighbours"] + kinds["gla_mediation_owner"],
        "mediations_owner": kinds["gla_mediation_owner"],
        "transfer_requests": kinds["gla_transfer_request"],
    }


GLA_LABELS_ROWS = (
    ("followed", N_("Ménages suivis en GLA (locataires du parc)")),
    ("in_metropolis", N_("dont sur le territoire de la métropole")),
    ("home_visits", N_("Visites à domicile")),
    ("office", N_("Entretiens à l'agence")),
    ("technical", N_("Interventions techniques")),
    ("help_households", N_("Ménages ayant sollicité une aide administrative ou financière")),
    ("fsl", N_("Dossiers FSL")),
    ("mediations", N_("Médiations individuelles")),
    ("mediations_owner", N_("dont avec le propriétaire")),
    ("transfer_requests", N_("Accompagnements liés à une demande de mutation")),
)


async def gla_tables(ctx: ReportContext) -> list[IndicatorTable]:
    counts = await gla_counts(ctx.period)
    area = await territory.metropolis()
    share = {"in_metropolis": _pct(counts["in_metropolis"], counts["followed"])}
    return [
        IndicatorTable(
            "gla",
            N_("Gestion locative adaptée (GLA)"),
            tuple(IndicatorRow(lbl, counts[k], share.get(k), k) for k, lbl in GLA_LABELS_ROWS),
            unit="",
            note=gettext("Métropole : {name} (logement occupé en dernier dans l'année).").format(
                name=gettext(area.label)
            ),
        )
    ]


async def arrears_tables(ctx: ReportContext) -> list[IndicatorTable]:
    """Each household's latest situation examined in a commission of the period."""
    from tremplin_rental_agency.tables import ArrearsCommission

    rows = (
        await ArrearsCase.select(
            ArrearsCase.id, ArrearsCase.household, ArrearsCase.cause, ArrearsCase.outcome
        )
        .where(
            ArrearsCase.commission.is_in(
                ArrearsCommission.select(ArrearsCommission.id).where(
                    (ArrearsCommission.held_on >= ctx.period.start)
                    & (ArrearsCommission.held_on <= ctx.period.end)
                )
            )
        )
        .order_by(ArrearsCase.id)
    )
    latest: dict[int, dict[str, Any]] = {}
    for r in rows:
        latest[r["household"]] = r
    total = len(latest)
    causes = Counter(r["cause"] or "unknown" for r in latest.values())
    outcomes = Counter(r["outcome"] for r in latest.values())
    extra = await ArrearsCause.select(ArrearsCause.key, ArrearsCause.label).order_by(
        ArrearsCause.id
    )
    cause_pairs = [(c.value, c.label) for c in DEFAULT_CAUSES] + [
        (r["key"], r["label"]) for r in extra
    ]
    decided = total - outcomes["pending"]
    return [
        IndicatorTable(
            "arrears_causes",
            gettext("Causes des impayés (situations examinées en commission, {year})").format(
                year=ctx.period.label
            ),
            _rows(
                [(k, lbl, causes[k]) for k, lbl in cause_pairs]
                + [("unknown", N_("Non renseignée"), causes["unknown"])],
                total,
            ),
            total=total,
            chart="bar",
        ),
        IndicatorTable(
            "arrears_outcomes",
            N_("Issue des situations d'impayé"),
            tuple(
                IndicatorRow(
                    c.label,
                    outcomes[c.value],
                    None if c.value == "pending" else _pct(outcomes[c.value], decided),
                    c.value,
                )
                for c in OUTCOMES
            ),
            total=decided,
            note=N_("Pourcentages calculés sur les situations dont l'issue est connue."),
        ),
    ]


DEPARTEMENTS = {
    "01": "Ain",
    "03": "Allier",
    "07": "Ardèche",
    "15": "Cantal",
    "26": "Drôme",
    "38": "Isère",
    "42": "Loire",
    "43": "Haute-Loire",
    "63": "Puy-de-Dôme",
    "69": "Rhône",
    "73": "Savoie",
    "74": "Haute-Savoie",
}


def departement(postcode: str) -> str:
    """The *département* number of a French postcode (``""`` when there is none)."""
    code = postcode.strip()
    if len(code) != 5 or not code.isdigit():
        return ""
    if code.startswith("20"):
        return "2A" if code < "20200" else "2B"
    if code.startswith("97") or code.startswith("98"):
        return code[:3]
    return code[:2]


def _in_stock(d: housing_link.StockFact, on: dt.date) -> bool:
    captured = d.captured_on is not None and d.captured_on <= on
    # A dwelling recorded as managed without a capture date counts from its record.
    legacy = d.captured_on is None and d.status not in ("prospect", "returned")
    returned = d.returned_on is not None and d.returned_on <= on
    return (captured or legacy) and not returned


async def stock_tables(ctx: ReportContext) -> list[IndicatorTable]:
    facts = await housing_link.stock()
    end = ctx.period.end
    stock = [d for d in facts if _in_stock(d, end)]
    total = len(stock)
    in_period = lambda day: day is not None and ctx.period.start <= day <= end  # noqa: E731
    contacted = {d.owner_id for d in facts if in_period(d.contacted_on)}
    captured = [d for d in facts if in_period(d.captured_on)]
    returned = [d for d in facts if in_period(d.returned_on)]
    typologies = Counter(d.typology for d in stock)
    deps = Counter(departement(d.postcode) for d in stock)
    history = await housing_link.dpe_history()
    labels_end = housing_link.dpe_class_on(history, end)
    dpe = Counter(labels_end.get(d.id, "") for d in stock)
    # A diagnostic done in the year (the same one recorded twice counts once).
    diagnostics = {
        (c.dwelling_id, c.dpe_date): c.dpe_class for c in history if in_period(c.dpe_date)
    }
    revealed = sum(1 for c in diagnostics.values() if c in ("F", "G"))
    reasons = Counter(d.return_reason or "other" for d in returned)
    without = sum(1 for d in stock if not d.programme)
    overview = (
        ("dwellings", "Logements gérés au 31/12", total),
        ("owners", "Propriétaires (comptés une fois)", len({d.owner_id for d in stock})),
        ("without_programme", "dont logements hors programme", without),
        ("owners_contacted", "Propriétaires contactés dans l'année", len(contacted)),
        ("captured", "Logements captés dans l'année", len(captured)),
        (
            "owners_captured",
            N_("Propriétaires ayant confié un logement"),
            len({d.owner_id for d in captured}),
        ),
        ("returned", N_("Logements rendus dans l'année"), len(returned)),
        ("balance", N_("Solde (captés − rendus)"), len(captured) - len(returned)),
    )
    dep_keys = sorted(k for k in deps if k)
    return [
        IndicatorTable(
            "stock",
            gettext("Parc de l'agence (tous logements, avec ou sans programme) — {period}").format(
                period=ctx.period.label
            ),
            tuple(IndicatorRow(lbl, n, None, k) for k, lbl, n in overview),
            unit="logements",
        ),
        IndicatorTable(
            "stock_typology",
            N_("Parc par typologie"),
            _rows([(k, lbl, typologies[k]) for k, lbl in housing_link.TYPOLOGIES.items()], total),
            total=total,
            unit="logements",
            chart="bar",
        ),
        IndicatorTable(
            "stock_departement",
            N_("Parc par département"),
            _rows(
                [(k, f"{k} — {DEPARTEMENTS.get(k, 'département')}", deps[k]) for k in dep_keys]
                + [("unknown", N_("Code postal non renseigné"), deps[""])],
                total,
            ),
            total=total,
            unit="logements",
        ),
        IndicatorTable(
            "stock_dpe",
            N_("Étiquettes énergétiques (DPE) du parc"),
            tuple(
                IndicatorRow(
                    gettext("Classe {dpe}").format(dpe=c) if c else N_("Non renseignée"),
                    dpe[c],
                    _pct(dpe[c], total),
                    c or "unknown",
                )
                for c in ("A", "B", "C", "D", "E", "F", "G", "")
            ),
            total=total,
            unit="logements",
            chart="bar",
        ),
        IndicatorTable(
            "stock_dpe_change",
            N_("Logements classés F et G : évolution sur un an"),
            (
                IndicatorRow(N_("Classe G au 31/12"), dpe["G"], _pct(dpe["G"], total), "G"),
                IndicatorRow(N_("Classe F au 31/12"), dpe["F"], _pct(dpe["F"], total), "F"),
                IndicatorRow(N_("DPE réalisés dans l'année"), len(diagnostics), None, "done"),
                IndicatorRow(
                    N_("dont logements classés F ou G"),
                    revealed,
                    _pct(revealed, len(diagnostics)),
                    "done_fg",
                ),
            ),
            unit="logements",
            note=N_(
                "Étiquette en vigueur au 31/12 de chaque année, d'après l'historique des "
                "diagnostics ; pourcentages du parc géré à cette date."
            ),
        ),
        IndicatorTable(
            "stock_returns",
            N_("Logements rendus par motif"),
            _rows(
                [(k, lbl, reasons[k]) for k, lbl in housing_link.RETURN_REASONS.items()],
                len(returned),
            ),
            total=len(returned),
            unit="logements",
        ),
    ]


async def works_fund_counts(period: Period) -> dict[str, float]:
    """The works fund at departure in a period: exit inventories, those the fund helped, and
    what it granted (euros)."""
    exits = await housing_link.exit_inventories(period.start, period.end)
    helped = [e for e in exits if e.fund_cents > 0]
    return {
        "exits": len(exits),
        "exits_with_fund": len(helped),
        "fund": sum(e.fund_cents for e in helped) / 100,
    }


async def fund_grants(period: Period) -> dict[str, tuple[int, float]]:
    """The fund's other grants of a period, by field of intervention: (files, euros)."""
    rows = await FundGrant.select(FundGrant.field, FundGrant.amount_cents).where(
        (FundGrant.granted_on >= period.start) & (FundGrant.granted_on <= period.end)
    )
    files = Counter(r["field"] for r in rows)
    cents: Counter[str] = Counter()
    for r in rows:
        cents[r["field"]] += r["amount_cents"]
    return {c.value: (files[c.value], cents[c.value] / 100) for c in FUND_FIELDS}


async def works_fund_tables(ctx: ReportContext) -> list[IndicatorTable]:
    counts = await works_fund_counts(ctx.period)
    grants = await fund_grants(ctx.period)
    energy_files, energy = grants["energy"]
    by_field = [("departure", "Travaux au départ d'un locataire", counts["fund"])] + [
        (c.value, c.label, grants[c.value][1]) for c in FUND_FIELDS
    ]
    granted = sum(amount for _, _, amount in by_field)
    return [
        IndicatorTable(
            "works_fund",
            gettext("Travaux au départ d'un locataire — {year}").format(year=ctx.period.label),
            (
                IndicatorRow(
                    N_("États des lieux de sortie réalisés"), counts["exits"], None, "exits"
                ),
                IndicatorRow(
                    N_("Sorties ayant nécessité la participation du fonds mutualisé"),
                    counts["exits_with_fund"],
                    _pct(int(counts["exits_with_fund"]), int(counts["exits"])),
                    "exits_with_fund",
                ),
                IndicatorRow(
                    N_("Montant total accordé par le fonds"), counts["fund"], None, "fund", "euros"
                ),
            ),
            unit="count",
        ),
        IndicatorTable(
            "works_fund_energy",
            gettext("Amélioration des performances énergétiques des logements — {period}").format(
                period=ctx.period.label
            ),
            (
                IndicatorRow(N_("Dossiers « maîtrise de l'énergie »"), energy_files, None, "files"),
                IndicatorRow(
                    N_("Montant total des aides accordées par le fonds"),
                    energy,
                    None,
                    "amount",
                    "euros",
                ),
                IndicatorRow(
                    N_("Montant moyen par dossier"),
                    round(energy / energy_files, 2) if energy_files else None,
                    None,
                    "average",
                    "euros",
                ),
            ),
            unit="count",
            note=gettext(
                "Le fonds contribue aux travaux énergétiques d'un logement à hauteur de "
                "{cap} au plus."
            ).format(cap=format_money(ENERGY_CAP_CENTS, whole=True)),
        ),
        IndicatorTable(
            "works_fund_fields",
            N_("Aides du fonds mutualisé par champ d'intervention"),
            tuple(
                IndicatorRow(label, amount, _pct(amount, granted), key)
                for key, label, amount in by_field
            ),
            total=granted,
            unit="euros",
            chart="bar",
        ),
    ]


SECTIONS = (
    ("demands", N_("Accueil de la demande et CEDL"), demands_tables),
    ("profile", N_("Profil des ménages validés en CEDL"), profile_tables),
    ("gla", N_("Gestion locative adaptée"), gla_tables),
    ("arrears", N_("Suivi des impayés"), arrears_tables),
    ("stock", N_("Parc de l'agence"), stock_tables),
    ("works_fund", N_("Fonds mutualisé pour travaux"), works_fund_tables),
)
