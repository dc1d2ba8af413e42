"""The common indicators every programme's report carries, computed from the files.

Rules (also in ``docs/reports.md``):

- *accompanied in the period*: enrolments with an entry date on or before the end of the
  period and no exit before its start (referrals that never entered are not counted);
- *ongoing at the end*: accompanied and not exited by the end of the period;
- *entries* / *exits*: entry / exit dates inside the period;
- *length of stay* in months (days ÷ 30.4375): for the exits of the period (entry → exit),
  and, second rule, for every accompanied stay with open stays counted up to the period's end;
- *ages* of adults (18 and over) at the end of the period (or at their exit), among the
  members present on that date;
- *contacts*: timeline events of a "contact" kind (visits, appointments…) in the period.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from tremplin.dates import age_on
from tremplin.i18n import N_
from tremplin.models import Enrolment, Household, Membership, TimelineEvent
from tremplin.services.clock import PARIS
from tremplin.types import Choice, IndicatorRow, IndicatorTable, Period, ReportContext
from tremplin.vocabulary import COMPOSITIONS, RESOURCES, SEXES, SITUATIONS

__all__ = ["AGE_BRACKETS", "common_indicators", "rows_from_counts"]

DAYS_PER_MONTH = 30.4375
AGE_BRACKETS = (
    (18, 25, N_("18 – 25 ans")),
    (26, 40, N_("26 – 40 ans")),
    (41, 60, N_("41 – 60 ans")),
    (61, 200, N_("Plus de 60 ans")),
)


def age_bracket(age: int) -> str:
    """The label of the :data:`AGE_BRACKETS` bracket of an adult's ``age``."""
    for low, high, label in AGE_BRACKETS:
        if low <= age <= high:
            return label
    return "unknown"


#: Age → :func:`age_bracket` label, for the ages the brackets cover (0 to 200).
_BRACKET_OF = tuple(age_bracket(age) for age in range(AGE_BRACKETS[-1][1] + 1))


def percent(count: float, total: float) -> float | None:
    return round(count * 100 / total, 1) if total else None


def rows_from_counts(
    counts: Counter,
    choices: tuple[Choice, ...] | Sequence[tuple[str, str]],
    total: float,
    *,
    unknown: str = "Non renseigné",
    keep_empty: bool = True,
) -> tuple[IndicatorRow, ...]:
    """Rows in the order of ``choices`` (then unknown values), with percentages of ``total``."""
    pairs = [(c.value, c.label) if isinstance(c, Choice) else c for c in choices]
    rows = [
        IndicatorRow(label, counts.get(value, 0), percent(counts.get(value, 0), total), value)
        for value, label in pairs
        if keep_empty or counts.get(value)
    ]
    known = {value for value, _ in pairs}
    other = sum(n for value, n in counts.items() if value not in known)
    if other:
        rows.append(IndicatorRow(unknown, other, percent(other, total), "unknown"))
    return tuple(rows)


def _drill(
    drill,
    household_ids,
    households,
    people,
    enrolments,
    entries,
    exits,
    ongoing,
    adults,
    minors,
    unknown_age,
    reference,
) -> None:
    """Which households stand behind each figure: (table, row key or raw value) → ids."""

    def put(table: str, key: str, household: int) -> None:
        drill.setdefault((table, key), set()).add(household)

    for h in household_ids:
        put("overview", "households", h)
        put("composition", households[h]["composition"] or "unknown", h)
        put("situation_before_entry", households[h]["situation_before_entry"] or "unknown", h)
        for r in households[h]["resources"] or ["unknown"]:
            put("resources", r, h)
    for name, rows in (("ongoing", ongoing), ("entries", entries), ("exits", exits)):
        for e in rows:
            put("overview", name, e["household"])
    for e in enrolments:
        put("prescribers", e["prescriber"] or "unknown", e["household"])
    for e in exits:
        put("exit_destinations", e["exit_destination"] or "unknown", e["household"])
    for m in people:
        put("overview", "people", m["household"])
    for key, members in (("adults", adults), ("minors", minors), ("unknown", unknown_age)):
        for m in members:
            put("people", key, m["household"])
    for m in adults:
        put("ages", age_bracket(age_on(m["birth_date"], reference[m["household"]])), m["household"])
        put("sex", m["sex"] or "unknown", m["household"])


def reference_dates(period: Period, enrolments: list[dict[str, Any]]) -> dict[int, dt.date]:
    """Each household's age reference date: the last day it was accompanied in ``period``.

    That is the period's end if one of its stays is still open then, else its latest exit.
    Taken over all the household's stays, so the order of the rows never matters (a
    household with two stays in the year used to get the date of whichever came last).
    """
    out: dict[int, dt.date] = {}
    for e in enrolments:
        day = min(period.end, e["exit_date"] or period.end)
        if day > out.get(e["household"], dt.date.min):
            out[e["household"]] = day
    return out


def months(start: dt.date, end: dt.date) -> float:
    return (end - start).days / DAYS_PER_MONTH


def _accompanied_where(ctx: ReportContext) -> Any:
    p = ctx.period
    return (
        (Enrolment.programme == ctx.programme)
        & Enrolment.entry_date.is_not_null()
        & (Enrolment.entry_date <= p.end)
        & (Enrolment.exit_date.is_null() | (Enrolment.exit_date >= p.start))
    )


def accompanied_households(ctx: ReportContext) -> Any:
    """The households of :func:`accompanied` as a sub-query, for ``column.is_in(…)``: a
    list of thousands of ids costs more to send than to select again."""
    return Enrolment.select(Enrolment.household).where(_accompanied_where(ctx))


async def accompanied(ctx: ReportContext) -> list[dict[str, Any]]:
    """Enrolments of the programme accompanied during the period (see the module rules):
    ``id``, ``household``, ``entry_date``, ``exit_date``, ``exit_destination``,
    ``prescriber`` and ``data``. While a report is built, read from the rows it preloaded."""
    pre = PRELOADED.get()
    if pre is not None and pre.covers(ctx):
        return await pre.with_data(ctx.programme, ctx.period)
    return await _accompanied_rows(ctx.programme, ctx.period.start, ctx.period.end)


async def _accompanied_rows(programme: str, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    return (
        await Enrolment.select(
            Enrolment.id,
            Enrolment.household,
            Enrolment.entry_date,
            Enrolment.exit_date,
            Enrolment.exit_destination,
            Enrolment.prescriber,
            Enrolment.data,
        )
        .where(
            (Enrolment.programme == programme)
            & Enrolment.entry_date.is_not_null()
            & (Enrolment.entry_date <= end)
            & (Enrolment.exit_date.is_null() | (Enrolment.exit_date >= start))
        )
        .output(load_json=True)
    )


async def _accompanied_rows_fast(
    programme: str, start: dt.date, end: dt.date
) -> list[dict[str, Any]]:
    """:func:`_accompanied_rows` read by :func:`rows.fetch` (the same rows and values)."""
    from tremplin.reports.rows import DAY, INT, TEXT, fetch

    rows = await fetch(
        [
            ("e.id", "id", INT),
            ("e.household", "household", INT),
            ("e.entry_date", "entry_date", DAY),
            ("e.exit_date", "exit_date", DAY),
            ("e.exit_destination", "exit_destination", TEXT),
            ("e.prescriber", "prescriber", TEXT),
            ("e.data", "data", TEXT),
        ],
        "FROM enrolment e WHERE e.programme = {} AND e.entry_date IS NOT NULL "
        "AND e.entry_date <= {} AND (e.exit_date IS NULL OR e.exit_date >= {})",
        programme,
        end,
        start,
    )
    for row in rows:
        data = row["data"]
        if data == "{}":  # most enrolments: no programme data (json.loads costs 10 times more)
            row["data"] = {}
        elif isinstance(data, str):
            row["data"] = json.loads(data)
    return rows


@dataclass
class Base:
    """What a programme's figures of one period start from (see :meth:`Preloaded.base`)."""

    enrolments: list[dict[str, Any]]
    household_ids: list[int]
    #: Household → its age reference date (:func:`reference_dates`).
    reference: dict[int, dt.date]
    #: Memberships present on their household's reference date.
    people: list[dict[str, Any]]


@dataclass
class Preloaded:
    """The rows the common indicators and the key figures of a whole report read, loaded
    once for every programme and both years (see :func:`preload`)."""

    programmes: frozenset[str]
    start: dt.date
    end: dt.date
    #: Entered enrolments overlapping [start, end] or ended in it, by programme (no ``data``).
    enrolments: dict[str, list[dict[str, Any]]]
    households: dict[int, dict[str, Any]]
    #: Memberships (with the person's birth date and sex), by household.
    members: dict[int, list[dict[str, Any]]]
    #: (period start, period end) → programme → Counter of contact kinds.
    contacts: dict[tuple[dt.date, dt.date], dict[str, Counter]] = field(default_factory=dict)
    _bases: dict[tuple[str, dt.date, dt.date], Base] = field(default_factory=dict)
    _with_data: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: Key figures already computed in this build (see :func:`keyfigures.key_figures`).
    figures: dict[Any, dict[str, Any]] = field(default_factory=dict)

    def covers(self, ctx: ReportContext) -> bool:
        return (
            ctx.programme in self.programmes
            and self.start <= ctx.period.start
            and ctx.period.end <= self.end
        )

    def stays(self) -> dict[str, Any]:
        """The shape :func:`tremplin.reports.keyfigures.load_stays` returns."""
        return {
            "enrolments": [e for rows in self.enrolments.values() for e in rows],
            "members": self.members,
            "by_programme": self.enrolments,
            "preloaded": self,
        }

    def base(self, programme: str, period: Period) -> Base:
        """The accompanied stays of ``programme`` in ``period`` and the people present on each
        household's reference date, computed once per build (the common indicators and the
        key figures of the programme both read them)."""
        key = (programme, period.start, period.end)
        found = self._bases.get(key)
        if found is None:
            start, end = period.start, period.end
            enrolments = [
                e
                for e in self.enrolments.get(programme, ())
                if e["entry_date"] <= end and (e["exit_date"] is None or e["exit_date"] >= start)
            ]
            reference = reference_dates(period, enrolments)
            people = []
            for h in sorted(reference):
                day = reference[h]
                for m in self.members.get(h, ()):
                    if m["start_date"] <= day and (m["end_date"] is None or m["end_date"] >= day):
                        people.append(m)
            found = self._bases[key] = Base(enrolments, sorted(reference), reference, people)
        return found

    async def with_data(self, programme: str, period: Period) -> list[dict[str, Any]]:
        """The rows :func:`accompanied` returns (``data`` included) for ``programme`` in
        ``period``: the programme's rows of the whole preloaded span are fetched once, the
        year and the year before read them (each call gets its own row dicts)."""
        rows = self._with_data.get(programme)
        if rows is None:
            rows = self._with_data[programme] = await _accompanied_rows_fast(
                programme, self.start, self.end
            )
        start, end = period.start, period.end
        return [
            dict(e)
            for e in rows
            if e["entry_date"] <= end and (e["exit_date"] is None or e["exit_date"] >= start)
        ]

    async def contact_counts(self, period: Period) -> dict[str, Counter]:
        """Contact events of each programme in ``period``, for households the programme
        accompanied in it: one grouped query per period for every programme."""
        key = (period.start, period.end)
        if key not in self.contacts:
            start = dt.datetime.combine(period.start, dt.time(), tzinfo=PARIS)
            end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)
            programmes = sorted(self.programmes)
            marks = ", ".join("{}" for _ in programmes)
            rows = await TimelineEvent.raw(
                "SELECT t.programme AS programme, t.kind AS kind, COUNT(*) AS n "
                "FROM timeline_event t "
                f"WHERE t.programme IN ({marks}) AND t.occurred_at >= {{}} "
                "AND t.occurred_at < {} AND EXISTS (SELECT 1 FROM enrolment e "
                "WHERE e.household = t.household AND e.programme = t.programme "
                "AND e.entry_date IS NOT NULL AND e.entry_date <= {} "
                "AND (e.exit_date IS NULL OR e.exit_date >= {})) "
                "GROUP BY t.programme, t.kind",
                *programmes,
                start,
                end,
                period.end,
                period.start,
            )
            counts: dict[str, Counter] = {}
            for r in rows:
                counts.setdefault(r["programme"], Counter())[r["kind"]] += r["n"]
            self.contacts[key] = counts
        return self.contacts[key]


#: The rows preloaded for the report being built (set by the engine, read by
#: :func:`common_indicators` instead of querying programme by programme).
PRELOADED: ContextVar[Preloaded | None] = ContextVar("tremplin_report_preloaded", default=None)


async def preload(programmes: list[str], start: dt.date, end: dt.date) -> Preloaded:
    """Enrolments, households and members of ``programmes`` for [start, end], in three
    queries whatever the number of programmes and years (read by :func:`rows.fetch`,
    without Piccolo's per-value conversions on SQLite).

    The entered enrolments that overlap [start, end], and those that ended in it (an exit
    recorded before a later entry, a data error, still counts among the exits of
    :func:`~tremplin.reports.plugin_queries.exited_in_period`); readers filter each period."""
    from tremplin.reports.rows import DAY, INT, TEXT, fetch

    keys = list(programmes) or [""]
    marks = ", ".join("{}" for _ in keys)
    where = (
        f"e.programme IN ({marks}) AND e.entry_date IS NOT NULL AND "
        "((e.entry_date <= {} AND (e.exit_date IS NULL OR e.exit_date >= {})) "
        "OR (e.exit_date >= {} AND e.exit_date <= {}))"
    )
    args = (*keys, end, start, start, end)
    enrolments = await fetch(
        [
            ("e.id", "id", INT),
            ("e.household", "household", INT),
            ("e.programme", "programme", TEXT),
            ("e.state", "state", TEXT),
            ("e.entry_date", "entry_date", DAY),
            ("e.exit_date", "exit_date", DAY),
            ("e.exit_destination", "exit_destination", TEXT),
            ("e.prescriber", "prescriber", TEXT),
        ],
        f"FROM enrolment e WHERE {where}",
        *args,
    )
    by_programme: dict[str, list[dict[str, Any]]] = {}
    for e in enrolments:
        by_programme.setdefault(e["programme"], []).append(e)
    households = {}
    # A few combinations of resources recur across thousands of households: each text is
    # decoded once (the lists are only read).
    decoded: dict[str, Any] = {}
    for h in await fetch(
        [
            ("h.id", "id", INT),
            ("h.composition", "composition", TEXT),
            ("h.resources", "resources", TEXT),
            ("h.situation_before_entry", "situation_before_entry", TEXT),
        ],
        f"FROM household h WHERE h.id IN (SELECT e.household FROM enrolment e WHERE {where})",
        *args,
    ):
        text = h["resources"]
        if isinstance(text, str):
            found = decoded.get(text)
            if found is None:
                found = decoded[text] = json.loads(text) if text else None
            h["resources"] = found
        households[h["id"]] = h
    members: dict[int, list[dict[str, Any]]] = {}
    for m in await fetch(
        [
            ("m.id", "id", INT),
            ("m.household", "household", INT),
            ("m.person", "person", INT),
            ("m.relation", "relation", TEXT),
            ("m.start_date", "start_date", DAY),
            ("m.end_date", "end_date", DAY),
            ("p.birth_date", "birth_date", DAY),
            ("p.sex", "sex", TEXT),
        ],
        "FROM membership m LEFT JOIN person p ON p.id = m.person "
        f"WHERE m.household IN (SELECT e.household FROM enrolment e WHERE {where})",
        *args,
    ):
        members.setdefault(m["household"], []).append(m)
    return Preloaded(frozenset(programmes), start, end, by_programme, households, members)


async def common_indicators(
    ctx: ReportContext, drill: dict[tuple[str, str], set[int]] | None = None
) -> list[IndicatorTable]:
    """Every common table for one programme and period, in a fixed number of queries (none
    when the engine preloaded the report's rows)."""
    p = ctx.period
    pre = PRELOADED.get()
    if pre is not None and pre.covers(ctx):
        base = pre.base(ctx.programme, p)
        enrolments, household_ids = base.enrolments, base.household_ids
        reference, people = base.reference, base.people
        households = pre.households
        counts = (await pre.contact_counts(p)).get(ctx.programme, Counter())
        contacts = _contact_rows(counts, ctx.contact_kinds)
    else:
        enrolments = await accompanied(ctx)
        household_ids = sorted({e["household"] for e in enrolments})
        households = {
            h["id"]: h
            for h in await Household.select(
                Household.id,
                Household.composition,
                Household.resources,
                Household.situation_before_entry,
            )
            .where(Household.id.is_in(accompanied_households(ctx)))
            .output(load_json=True)
        }
        memberships = await Membership.select(
            Membership.household,
            Membership.start_date,
            Membership.end_date,
            Membership.person.birth_date.as_alias("birth_date"),
            Membership.person.sex.as_alias("sex"),
        ).where(Membership.household.is_in(accompanied_households(ctx)))
        contacts = await contact_counts(ctx, household_ids, ctx.contact_kinds)
        reference = reference_dates(p, enrolments)
        people = [
            m
            for m in memberships
            if m["start_date"] <= reference[m["household"]]
            and (m["end_date"] is None or m["end_date"] >= reference[m["household"]])
        ]

    # One pass over the stays (the rules of the module's docstring; ``months`` inlined).
    start, end = p.start, p.end
    entries, exits, ongoing, exit_stays, all_stays = [], [], [], [], []
    for e in enrolments:
        entry, left = e["entry_date"], e["exit_date"]
        if start <= entry <= end:
            entries.append(e)
        if left is None or left > end:
            ongoing.append(e)
            all_stays.append((end - entry).days / DAYS_PER_MONTH)
        else:
            all_stays.append((left - entry).days / DAYS_PER_MONTH)
        if left and start <= left <= end:
            exits.append(e)
    exit_stays = [(e["exit_date"] - e["entry_date"]).days / DAYS_PER_MONTH for e in exits]

    # No stay to measure: « — », never a misleading 0 months.
    def avg(values: list[float]) -> float | None:
        return round(statistics.fmean(values), 1) if values else None

    def med(values: list[float]) -> float | None:
        return round(statistics.median(values), 1) if values else None

    overview = IndicatorTable(
        "overview",
        N_("Vue d'ensemble"),
        (
            IndicatorRow(N_("Places"), ctx.places, key="places"),
            IndicatorRow(N_("Ménages accompagnés"), len(household_ids), key="households"),
            IndicatorRow(N_("Personnes accompagnées"), len(people), key="people"),
            IndicatorRow(N_("Ménages en cours en fin de période"), len(ongoing), key="ongoing"),
            IndicatorRow(N_("Entrées"), len(entries), key="entries"),
            IndicatorRow(N_("Sorties"), len(exits), key="exits"),
            IndicatorRow(
                N_("Durée moyenne de séjour des sortants (mois)"),
                avg(exit_stays),
                key="stay_exits_mean",
                unit="months",
            ),
            IndicatorRow(
                N_("Durée médiane de séjour des sortants (mois)"),
                med(exit_stays),
                key="stay_exits_median",
            ),
            IndicatorRow(
                N_("Durée moyenne, séjours en cours compris jusqu'à la fin de période (mois)"),
                avg(all_stays),
                key="stay_all_mean",
            ),
            IndicatorRow(
                N_("Durée médiane, séjours en cours compris (mois)"),
                med(all_stays),
                key="stay_all_median",
            ),
        ),
        unit="",
        note=N_("Séjours en cours comptés jusqu'à la fin de la période dans la seconde règle."),
    )

    adults, minors, unknown_age = [], [], []
    brackets = []
    for m in people:
        birth = m["birth_date"]
        if not birth:
            unknown_age.append(m)
            continue
        day = reference[m["household"]]
        # age_on, inlined: whole years from the birth date to the reference day.
        age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
        if age < 18:
            minors.append(m)
        else:
            adults.append(m)
            brackets.append(_BRACKET_OF[age] if age < len(_BRACKET_OF) else "unknown")
    ages = Counter(brackets)
    age_rows = rows_from_counts(ages, [(label, label) for _, _, label in AGE_BRACKETS], len(adults))
    people_table = IndicatorTable(
        "people",
        N_("Personnes accompagnées"),
        (
            IndicatorRow(N_("Adultes"), len(adults), percent(len(adults), len(people)), "adults"),
            IndicatorRow(
                N_("Enfants mineurs"), len(minors), percent(len(minors), len(people)), "minors"
            ),
            IndicatorRow(
                N_("Âge non renseigné"),
                len(unknown_age),
                percent(len(unknown_age), len(people)),
                "unknown",
            ),
        ),
        total=len(people),
        unit="personnes",
    )
    sexes = Counter([m["sex"] or "unknown" for m in adults])
    rows = [households[h] for h in household_ids]
    compositions = Counter([h["composition"] or "unknown" for h in rows])
    resources = Counter([r for h in rows for r in (h["resources"] or ["unknown"])])
    situations = Counter([h["situation_before_entry"] or "unknown" for h in rows])
    prescriber_counts = Counter([e["prescriber"] or "unknown" for e in enrolments])
    destination_counts = Counter([e["exit_destination"] or "unknown" for e in exits])
    n = len(household_ids)
    if drill is not None:
        _drill(
            drill,
            household_ids,
            households,
            people,
            enrolments,
            entries,
            exits,
            ongoing,
            adults,
            minors,
            unknown_age,
            reference,
        )
    return [
        overview,
        people_table,
        IndicatorTable(
            "ages", N_("Âge des adultes"), age_rows, total=len(adults), unit="adultes", chart="bar"
        ),
        IndicatorTable(
            "sex",
            N_("Sexe des adultes"),
            rows_from_counts(sexes, SEXES, len(adults)),
            total=len(adults),
            unit="adultes",
        ),
        IndicatorTable(
            "composition",
            N_("Composition familiale"),
            rows_from_counts(compositions, COMPOSITIONS, n),
            total=n,
            chart="bar",
        ),
        IndicatorTable(
            "resources",
            N_("Ressources"),
            rows_from_counts(resources, RESOURCES, n, keep_empty=False),
            total=n,
            chart="bar",
            note=N_("Un ménage peut cumuler plusieurs ressources."),
        ),
        IndicatorTable(
            "prescribers",
            N_("Origine des prescriptions"),
            rows_from_counts(prescriber_counts, ctx.prescribers, len(enrolments), keep_empty=False),
            total=len(enrolments),
            chart="bar",
        ),
        IndicatorTable(
            "situation_before_entry",
            N_("Situation avant l'entrée"),
            rows_from_counts(situations, SITUATIONS, n, keep_empty=False),
            total=n,
        ),
        IndicatorTable(
            "exit_destinations",
            N_("Destination à la sortie"),
            rows_from_counts(destination_counts, ctx.exit_destinations, len(exits)),
            total=len(exits),
            chart="bar",
        ),
        IndicatorTable(
            "contacts",
            N_("Visites et rendez-vous"),
            contacts,
            total=sum(r.count or 0 for r in contacts),  # contact counts are never None
            unit="contacts",
        ),
    ]


async def contact_counts(
    ctx: ReportContext, household_ids: list[int], kinds: dict[str, str]
) -> tuple[IndicatorRow, ...]:
    p = ctx.period
    start = dt.datetime.combine(p.start, dt.time(), tzinfo=PARIS)
    end = dt.datetime.combine(p.end + dt.timedelta(days=1), dt.time(), tzinfo=PARIS)
    if not household_ids:
        return rows_from_counts(Counter(), list(kinds.items()), 0)
    rows = await TimelineEvent.select(TimelineEvent.kind).where(
        TimelineEvent.household.is_in(accompanied_households(ctx))
        & TimelineEvent.kind.is_in(list(kinds) or [""])
        & (TimelineEvent.programme == ctx.programme)
        & (TimelineEvent.occurred_at >= start)
        & (TimelineEvent.occurred_at < end)
    )
    return _contact_rows(Counter(r["kind"] for r in rows), kinds)


def _contact_rows(counts: Counter, kinds: dict[str, str]) -> tuple[IndicatorRow, ...]:
    """Rows of the contacts table: the programme's contact kinds only."""
    counts = Counter({k: n for k, n in counts.items() if k in kinds})
    return rows_from_counts(counts, list(kinds.items()), sum(counts.values()))
