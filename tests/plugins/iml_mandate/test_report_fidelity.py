"""Fidelity: files rebuilt from the ASL activity reports (2018, seed 001; 2024, seed 003) give
back the published figures of the IML under mandate and of the simple and reinforced
support measures."""

import datetime as dt
import json

from tremplin.models import Enrolment, Household, TimelineEvent
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_json
from tremplin.services.clock import now
from tremplin.types import Period
from tremplin_iml_mandate.funding import set_funded

D = dt.date


_made = {"n": 0}


async def _households(n: int) -> list[int]:
    first = _made["n"]
    _made["n"] += n
    rows = await Household.insert(
        *[
            Household(reference=f"A-{i:06d}", name=f"FOYER {i}", created_at=now(), updated_at=now())
            for i in range(first, first + n)
        ]
    ).returning(Household.id)
    return [r["id"] for r in rows]


async def _enrolments(programme: str, items: list[dict]) -> list[int]:
    households = await _households(len(items))
    await Enrolment.insert(
        *[
            Enrolment(
                household=h,
                programme=programme,
                referral_date=D(2015, 1, 1),
                prescriber="siao",
                created_at=now(),
                updated_at=now(),
                **item,
            )
            for h, item in zip(households, items)
        ]
    )
    return households


def _tables(report, programme):
    data = json.loads(to_json(report))
    prog = next(p for p in data["programmes"] if p["key"] == programme)
    return {
        t["key"]: {r["key"] or r["label"]: r["count"] for r in t["rows"]}
        for s in prog["sections"]
        for t in s["tables"]
    }


async def test_asl_2018(database, host):
    # IML under mandate: 28 households, of which 8 started in 2018; 8 ends (6 stayed in
    # their dwelling, 1 moved to another dwelling, 1 went to a care home).
    items = []
    outcomes = ["stayed"] * 6 + ["other", "care_home"]
    for n in range(28):
        started_2018 = n < 8
        start = D(2018, 1 + n, 3) if started_2018 else D(2017, 1 + n % 12, 20)
        item = {"decision_date": start, "entry_date": start + dt.timedelta(days=20)}
        if n >= 20:  # the 8 ends, all in 2018 and within the 12 months
            item.update(
                state="exited",
                exit_date=D(2018, 12, 1) if started_2018 else D(2018, 1 + n % 12, 1),
                exit_destination=outcomes[n - 20],
            )
        else:
            item["state"] = "housed"
        items.append(item)
    households = await _enrolments("iml_mandate", items)
    # 133 home visits and 204 appointments at the agency.
    events = [("home_visit", i) for i in range(133)] + [
        ("office_appointment", i) for i in range(204)
    ]
    await TimelineEvent.insert(
        *[
            TimelineEvent(
                household=households[i % 28],
                kind=kind,
                programme="iml_mandate",
                title=kind,
                occurred_at=dt.datetime(2018, 1 + i % 12, 10, 10, tzinfo=dt.UTC),
                created_at=now(),
            )
            for kind, i in events
        ]
    )
    await set_funded({"programme": "iml_mandate", "year": "2018", "funded": "20"}, None, "")

    # Simple support: 39 households, 235 months-measures (38 × 6 + 1 × 7), about 6 months.
    simple = [
        {
            "state": "exited",
            "entry_date": D(2018, 1, 1),
            "exit_date": D(2018, 6, 30),
            "data": {"measure_kind": "simple"},
        }
        for _ in range(38)
    ]
    simple.append(
        {
            "state": "exited",
            "entry_date": D(2018, 1, 1),
            "exit_date": D(2018, 7, 31),
            "data": {"measure_kind": "simple"},
        }
    )
    # Reinforced: 15 households, 80 months-measures (10 × 5 + 5 × 6), about 5 months.
    reinforced = [
        {
            "state": "exited",
            "entry_date": D(2018, 2, 1),
            "exit_date": D(2018, 6, 30),
            "data": {"measure_kind": "reinforced"},
        }
        for _ in range(10)
    ]
    reinforced += [
        {
            "state": "exited",
            "entry_date": D(2018, 2, 1),
            "exit_date": D(2018, 7, 31),
            "data": {"measure_kind": "reinforced"},
        }
        for _ in range(5)
    ]
    await _enrolments("housing_support", simple + reinforced)

    report = await build_report(host, ["iml_mandate", "housing_support"], Period.year(2018), "ASL")
    mandate = _tables(report, "iml_mandate")
    overview = mandate["mandate_overview"]
    assert (overview["households"], overview["starts"], overview["ends"]) == (28, 8, 8)
    assert mandate["mandate_contacts"] == {"home_visit": 133, "office_appointment": 204}
    assert (mandate["mandate_funding"]["funded"], mandate["mandate_funding"]["starts"]) == (20, 8)
    assert mandate["mandate_outcomes"] == {
        "stayed": 6,
        "agency_stock": 0,
        "public_housing": 0,
        "family": 0,
        "care_home": 1,
        "other": 1,
    }
    support = _tables(report, "housing_support")
    assert support["measures_simple"] == {
        "households": 39,
        "measures": 39,
        "months_measures": 235,
        "average_duration": 6.0,
    }
    assert support["measures_reinforced"] == {
        "households": 15,
        "measures": 15,
        "months_measures": 80,
        "average_duration": 5.3,
    }


async def test_asl_2024(database, host):
    # IML under mandate: 53 households; 13 ends: 9 stayed, 2 moved within the agency's
    # stock, 1 to public housing, 1 back to the family.
    outcomes = ["stayed"] * 9 + ["agency_stock"] * 2 + ["public_housing", "family"]
    items = []
    for n in range(53):
        start = D(2023, 1 + n % 12, 5) if n < 30 else D(2024, 1 + n % 12, 5)
        item = {
            "decision_date": start,
            "state": "housed",
            "entry_date": start + dt.timedelta(days=25),
        }
        if n < 13:
            item.update(
                state="exited",
                exit_date=D(2024, 1 + n % 12, 1) if start.year == 2023 else D(2024, 12, 20),
                exit_destination=outcomes[n],
            )
        items.append(item)
    await _enrolments("iml_mandate", items)

    # Simple support: 60 households, 3 months each on average.
    simple = [
        {
            "state": "exited",
            "entry_date": D(2024, 3, 1),
            "exit_date": D(2024, 5, 31),
            "data": {"measure_kind": "simple"},
        }
        for _ in range(60)
    ]
    # Reinforced: 22 households for 6 to 12 months; 14 with a rent debt at entry: 3 have
    # none left, 10 nearly none and keep a repayment plan, 1 does not keep it but owes 13 %
    # less on 31/12/2024.
    reinforced = []
    for n in range(22):
        data = {"measure_kind": "reinforced"}
        if n < 3:
            data.update(debt_at_entry=120_000, debt_latest=0)
        elif n < 13:
            data.update(debt_at_entry=90_000, debt_latest=4_000, plan_kept=True)
        elif n == 13:
            data.update(debt_at_entry=250_000, debt_latest=217_500, plan_kept=False)
        months = 6 + n % 7  # 6 … 12
        start = D(2024, 1, 1) if months == 12 else D(2024, 12 - months + 1, 1)
        reinforced.append(
            {"state": "active", "entry_date": start, "data": data, "decision_date": start}
        )
    await _enrolments("housing_support", simple + reinforced)

    report = await build_report(host, ["iml_mandate", "housing_support"], Period.year(2024), "ASL")
    mandate = _tables(report, "iml_mandate")
    assert (mandate["mandate_overview"]["households"], mandate["mandate_overview"]["ends"]) == (
        53,
        13,
    )
    assert mandate["mandate_outcomes"] == {
        "stayed": 9,
        "agency_stock": 2,
        "public_housing": 1,
        "family": 1,
        "care_home": 0,
        "other": 0,
    }
    support = _tables(report, "housing_support")
    assert (
        support["measures_simple"]["households"],
        support["measures_simple"]["average_duration"],
    ) == (60, 3.0)
    assert support["measures_reinforced"]["households"] == 22
    assert support["debt_evolution"] == {
        "with_debt": 14,
        "cleared": 3,
        "nearly_cleared": 10,
        "plan_not_kept": 1,
        "plan_not_kept_change": -13.0,
    }
