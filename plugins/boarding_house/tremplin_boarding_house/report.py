"""The boarding-house report section, as the ASL 2024 publishes it: units per house, people
housed (isolated people, single parents, children), entries, exits and where to, average age
and length of stay — every figure computed from the data.

Rules (also in ``docs/programmes/boarding_house.md``):

- a household is *housed in the period* when it entered on or before the last day and had not
  left before the first day;
- each person is counted once, as a member of the household on the last day it was housed in
  the period (the period's end, or the exit date); a child is a person under 18 that day;
- the average age is that of the people aged 18 or more, on that same day;
- a length of stay counts whole months from the entry to the exit inclusive (15 March →
  14 June is 3 months); it is averaged over the exits of the period;
- a household is counted in the house of its unit (its last unit if it moved);
- collective life counts the activities held in the period, their participants (residents
  and guests) and the distinct residents ticked as present.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from tremplin.api import (
    N_,
    Households,
    IndicatorRow,
    IndicatorTable,
    ReportContext,
    accompanied_enrolments,
    accompanied_households,
    age_on,
    exited_in_period,
    members_on_last_day,
    rows_from_counts,
    whole_months,
)
from tremplin_boarding_house.activities import ACTIVITY_KINDS
from tremplin_boarding_house.tables import Activity, House, Unit
from tremplin_boarding_house.workflow import EXIT_DESTINATIONS, KEY

ISOLATED = frozenset({"isolated_man", "isolated_woman"})
SINGLE_PARENTS = frozenset({"single_father", "single_mother"})


def _mean(values: list[int] | list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


async def people_of(ctx: ReportContext, enrolments: list[dict[str, Any]]) -> dict[int, int | None]:
    """Each person of the housed households → age on the last day housed (``None``: unknown)."""
    people = await members_on_last_day(ctx.period, enrolments)
    return {
        person: age_on(m["birth_date"], m["day"]) if m["birth_date"] else None
        for person, m in people.items()
    }


async def units_per_house(end: dt.date) -> list[tuple[str, str, int]]:
    """(house id, house name, units) of the houses open on ``end``."""
    houses = await House.select(House.id, House.name, House.opened_on).order_by(House.name)
    counts = Counter(u["house"] for u in await Unit.select(Unit.house))
    return [
        (str(h["id"]), h["name"], counts.get(h["id"], 0))
        for h in houses
        if h["opened_on"] is None or h["opened_on"] <= end
    ]


async def boarding_house_tables(ctx: ReportContext) -> list[IndicatorTable]:
    p = ctx.period
    enrolments = await accompanied_enrolments(ctx)
    ids = sorted({e["household"] for e in enrolments})
    compositions = Counter(
        h["composition"]
        for h in await Households.select(Households.composition).where(
            Households.id.is_in(accompanied_households(ctx))
        )
    )
    ages = await people_of(ctx, enrolments)
    children = sum(1 for a in ages.values() if a is not None and a < 18)
    adult_ages = [a for a in ages.values() if a is not None and a >= 18]
    entries = [e for e in enrolments if p.start <= e["entry_date"] <= p.end]
    exits = await exited_in_period(KEY, p, entered_only=True)
    stays = [whole_months(e["entry_date"], e["exit_date"]) for e in exits]
    houses = await units_per_house(p.end)
    n_units = sum(n for _, _, n in houses)
    destinations = Counter(e["exit_destination"] or "unknown" for e in exits)
    unit_house = {u["id"]: u["house"] for u in await Unit.select(Unit.id, Unit.house)}
    per_house = Counter(
        str(unit_house.get(int((e["data"] or {}).get("unit") or 0), "unknown"))
        for e in {e["household"]: e for e in enrolments}.values()
    )
    names = [
        (str(h["id"]), h["name"])
        for h in await House.select(House.id, House.name).order_by(House.name)
    ]
    activities = (
        await Activity.select(
            Activity.kind,
            Activity.participants,
            Activity.households,
        )
        .where((Activity.held_on >= p.start) & (Activity.held_on <= p.end))
        .output(load_json=True)
    )
    kinds = Counter(a["kind"] for a in activities)
    residents_present = {h for a in activities for h in (a["households"] or [])}
    return [
        IndicatorTable(
            "bh_units",
            N_("Logements par pension de famille"),
            tuple(IndicatorRow(name, n, key=key) for key, name, n in houses),
            total=n_units,
            unit="logements",
        ),
        IndicatorTable(
            "bh_people",
            N_("Personnes logées en pension de famille"),
            (
                IndicatorRow(N_("Nombre total de logements"), n_units, key="units"),
                IndicatorRow(N_("Ménages logés"), len(ids), key="households"),
                IndicatorRow(
                    N_("dont personnes isolées"),
                    sum(n for c, n in compositions.items() if c in ISOLATED),
                    key="isolated",
                ),
                IndicatorRow(
                    N_("dont foyers monoparentaux"),
                    sum(n for c, n in compositions.items() if c in SINGLE_PARENTS),
                    key="single_parents",
                ),
                IndicatorRow(N_("Personnes logées"), len(ages), key="people"),
                IndicatorRow(N_("dont enfants (moins de 18 ans)"), children, key="children"),
                IndicatorRow(N_("Entrées"), len(entries), key="entries"),
                IndicatorRow(N_("Sorties"), len(exits), key="exits"),
                IndicatorRow(
                    N_("Âge moyen des résidents (ans)"), _mean(adult_ages) or 0, key="average_age"
                ),
                IndicatorRow(
                    N_("Durée moyenne de séjour des sortants (mois)"),
                    _mean(stays) or 0,
                    key="average_stay",
                ),
            ),
            unit="",
        ),
        IndicatorTable(
            "bh_houses",
            N_("Ménages logés par pension de famille"),
            rows_from_counts(
                per_house, names, len(ids), unknown=N_("Logement non renseigné"), keep_empty=False
            ),
            total=len(ids),
            unit="ménages",
        ),
        IndicatorTable(
            "bh_collective",
            N_("Vie collective"),
            rows_from_counts(kinds, ACTIVITY_KINDS, len(activities), keep_empty=False)
            + (
                IndicatorRow(
                    N_("Participants (résidents et invités, cumul)"),
                    sum(a["participants"] for a in activities),
                    key="participants",
                ),
                IndicatorRow(
                    N_("Résidents ayant participé au moins une fois"),
                    len(residents_present),
                    key="residents",
                ),
            ),
            total=len(activities),
            unit="activités",
        ),
        IndicatorTable(
            "bh_destinations",
            N_("Destination des résidents sortis"),
            rows_from_counts(destinations, EXIT_DESTINATIONS, len(exits), keep_empty=False),
            total=len(exits),
            unit="ménages",
            chart="bar",
        ),
    ]
