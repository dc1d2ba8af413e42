"""Key figures of a programme (or a group of programmes) for a year and the year before.

Computed from the enrolments in two queries for the whole association (enrolments, then
the members of their households), whatever the number of programmes: the same rules as the
common indicators (:mod:`tremplin.reports.indicators`, ``docs/reports.md``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from typing import Any

from tremplin.i18n import N_, gettext
from tremplin.models import Enrolment, Membership
from tremplin.reports.capacity import Capacity
from tremplin.reports.indicators import DAYS_PER_MONTH, reference_dates
from tremplin.types import Period

__all__ = ["HOUSING_DESTINATIONS", "compare", "key_figures", "load_stays", "previous_period"]

#: Exit destinations that count as « sorties vers le logement » in the key figures: an
#: ordinary dwelling (private or public, sliding lease included), the association's own
#: stock, or staying in the dwelling at the end of a support measure.
HOUSING_DESTINATIONS = frozenset(
    {
        "private_housing",
        "private_sliding",
        "public_housing",
        "public_sliding",
        "sliding_lease",
        "agency_mutation",
        "agency_stock",
        "association_housing",
        "association_sliding",
        "iml_support",
        "rehoused",
        "stayed",
        "maintained",
        "maintained_plan",
        "moved",
    }
)

#: (key, French label, unit) of each key figure, in print order.
FIGURES = (
    ("places", N_("Places"), "count"),
    ("households", N_("Ménages accompagnés"), "count"),
    ("people", N_("Personnes accompagnées"), "people"),
    ("ongoing", N_("Ménages en cours en fin de période"), "count"),
    ("entries", N_("Entrées"), "count"),
    ("exits", N_("Sorties"), "count"),
    ("exits_to_housing", N_("Sorties vers le logement"), "count"),
    ("exits_to_housing_rate", N_("Part des sorties vers le logement"), "percent"),
    ("stay_exits_mean", N_("Durée moyenne de séjour des sortants"), "months"),
    ("occupancy_rate", N_("Taux d'occupation"), "percent"),
)


def previous_period(period: Period) -> Period:
    """The same dates one year earlier (29 February becomes the 28th)."""

    def back(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    return Period(back(period.start), back(period.end))


async def load_stays(programmes: list[str], start: dt.date, end: dt.date) -> dict[str, Any]:
    """The entered enrolments of ``programmes`` that overlap ``[start, end]``, and the
    members of their households (two queries)."""
    enrolments = await Enrolment.select(
        Enrolment.household,
        Enrolment.programme,
        Enrolment.entry_date,
        Enrolment.exit_date,
        Enrolment.exit_destination,
    ).where(
        Enrolment.programme.is_in(programmes or [""])
        & Enrolment.entry_date.is_not_null()
        & (Enrolment.entry_date <= end)
        & (Enrolment.exit_date.is_null() | (Enrolment.exit_date >= start))
    )
    households = sorted({e["household"] for e in enrolments})
    members = await Membership.select(
        Membership.household,
        Membership.person,
        Membership.start_date,
        Membership.end_date,
    ).where(Membership.household.is_in(households or [-1]))
    by_household: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for m in members:
        by_household[m["household"]].append(m)
    by_programme: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in enrolments:
        by_programme[e["programme"]].append(e)
    return {"enrolments": enrolments, "members": by_household, "by_programme": by_programme}


def key_figures(
    stays: dict[str, Any], programmes: list[str], period: Period, capacity: Capacity | None
) -> dict[str, float | None]:
    """The key figures of ``programmes`` taken together for ``period`` (key → value;
    ``None`` where a figure has no meaning: no places, nobody left).

    Within one build (``stays`` from :meth:`Preloaded.stays`) the figures of a set of
    programmes and a period are counted once, whatever the capacity asked with them (a
    programme's chapter, its line in the summary), and a single programme reads the stays
    and people its common indicators already selected."""
    keys = tuple(dict.fromkeys(programmes))
    pre = stays.get("preloaded")
    memo_key = (keys, period.start, period.end)
    counts = pre.figures.get(memo_key) if pre is not None else None
    if counts is None:
        counts = _counts(stays, keys, period)
        if pre is not None:
            pre.figures[memo_key] = counts
    days = (period.end - period.start).days + 1
    places = capacity.places if capacity else None
    occupied = counts["_occupied"]
    return {
        "places": places,
        "sub_places": capacity.sub_places if capacity else None,
        **{k: v for k, v in counts.items() if k != "_occupied"},
        "occupancy_rate": round(max(occupied, 0) * 100 / (places * days), 1) if places else None,
    }


def _counts(stays: dict[str, Any], keys: tuple[str, ...], period: Period) -> dict[str, Any]:
    """The figures of :func:`key_figures` that do not depend on the places."""
    p = period
    pre = stays.get("preloaded")
    if pre is not None and len(keys) == 1 and pre.start <= p.start and p.end <= pre.end:
        base = pre.base(keys[0], p)
        rows = base.enrolments
        people = {m["person"] for m in base.people}
    else:
        rows = [
            e
            for key in keys
            for e in stays["by_programme"].get(key, ())
            if e["entry_date"] <= p.end and (e["exit_date"] is None or e["exit_date"] >= p.start)
        ]
        reference = reference_dates(p, rows)
        members = stays["members"]
        people = set()
        for h, day in reference.items():
            for m in members.get(h, ()):
                if m["start_date"] <= day and (m["end_date"] is None or m["end_date"] >= day):
                    people.add(m["person"])
    households = {e["household"] for e in rows}
    # One pass over the stays. Exits: ended in the period (every row ended on or after its
    # start). Occupied days: each stay from its entry (or the period's start) to the day
    # before its exit (or the period's end, included), over place-days.
    start, end = p.start, p.end
    after = end + dt.timedelta(days=1)
    entries = exits = to_housing = occupied = 0
    ongoing = set()
    stays_out = []
    for e in rows:
        entry, left = e["entry_date"], e["exit_date"]
        if entry >= start:
            entries += 1
        first = entry if entry > start else start
        if left is None or left > end:
            ongoing.add(e["household"])
            occupied += (after - first).days
        else:
            exits += 1
            if e["exit_destination"] in HOUSING_DESTINATIONS:
                to_housing += 1
            stays_out.append((left - entry).days / DAYS_PER_MONTH)
            occupied += (left - first).days
    return {
        "_occupied": occupied,
        "households": len(households),
        "people": len(people),
        "ongoing": len(ongoing),
        "entries": entries,
        "exits": exits,
        "exits_to_housing": to_housing,
        "exits_to_housing_rate": round(to_housing * 100 / exits, 1) if exits else None,
        "stay_exits_mean": round(statistics.fmean(stays_out), 1) if stays_out else None,
    }


def compare(
    current: dict[str, float | None],
    previous: dict[str, float | None] | None,
    capacity: Capacity | None,
    previous_label: str,
) -> list[dict[str, Any]]:
    """Rows of the key-figures table: value, previous value and change, with their unit."""
    out = []
    for key, label, unit in FIGURES:
        value = current.get(key)
        before = previous.get(key) if previous else None
        change = None
        if value is not None and before is not None:
            change = round(value - before, 1)
        label = gettext(label)
        if key == "places" and capacity and capacity.sub_places is not None:
            label = gettext("{label} (dont {n} {what})").format(
                label=label, n=capacity.sub_places, what=capacity.sub_label
            )
        out.append(
            {
                "key": key,
                "label": label,
                "unit": unit,
                "value": value,
                "previous": before,
                "change": change,
                "previous_label": previous_label,
            }
        )
    return out
