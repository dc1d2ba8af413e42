"""The chapter's other tables, computed from records: the profile of the households
validated, GLA activity, arrears causes and outcomes, the agency-wide stock (with and
without a programme, by département, DPE, captation, returns by reason)."""

import datetime as dt

import pytest

from tests.plugins.rental_agency.helpers import ACTOR, household, received
from tremplin.api import ConflictError, FormErrors
from tremplin.models import TimelineEvent
from tremplin.reports.engine import build_report
from tremplin.services.clock import now
from tremplin.types import Period
from tremplin_housing import occupancy as occ
from tremplin_housing import stock
from tremplin_housing.tables import DpeRecord, Dwelling, Occupancy
from tremplin_rental_agency import committee, territory
from tremplin_rental_agency.report import departement
from tremplin_rental_agency.tables import ArrearsCase, ArrearsCommission

D = dt.date


def _tables(report) -> dict:
    chapter = next(p for p in report["programmes"] if p["key"] == "rental_agency")
    return {
        t["key"]: {r["key"]: (r["count"], r["percent"]) for r in t["rows"]}
        for s in chapter["sections"]
        for t in s["tables"]
    }


def _previous(report) -> dict:
    """Each row's N-1 (the engine's previous-year column), by table and row key."""
    chapter = next(p for p in report["programmes"] if p["key"] == "rental_agency")
    return {
        t["key"]: {r["key"]: r.get("previous") for r in t["rows"]}
        for s in chapter["sections"]
        for t in s["tables"]
    }


async def test_profile_of_validated_households(database, host):
    session_id = await committee.create_session(ACTOR, {"held_on": "2024-02-05"}, [])
    # 4 accepted: 3 without stable housing (hosted, street, hotel), 1 in own housing; 3 at
    # or below the SMIC (139869 cents); one refused, not in the profile.
    for name, situation, resources in (
        ("A Un", "third_party", "600"),
        ("B Deux", "street", "1000"),
        ("C Trois", "hotel", "1398,69"),
        ("D Quatre", "own_housing", "2000"),
        ("E Refus", "street", "100"),
    ):
        demand_id = await received(
            await household(name), situation=situation, monthly_resources=resources
        )
        await committee.present(ACTOR, session_id, demand_id)
        decision = (
            {"decision": "refused", "reason": "x"}
            if name == "E Refus"
            else {"decision": "accepted"}
        )
        await committee.decide(ACTOR, session_id, demand_id, decision, [])
    tables = _tables(await build_report(host, ["rental_agency"], Period.year(2024), "ASL"))
    situation = tables["validated_situation"]
    assert situation["third_party"] == (1, 25.0) and situation["own_housing"] == (1, 25.0)
    resources = tables["validated_resources"]
    assert resources["half"] == (1, 25.0)  # 600 ≤ 699,34
    assert resources["smic"] == (2, 50.0)  # 1000 and exactly the SMIC
    assert resources["smic_15"] == (1, 25.0)  # 2000 ≤ 1,5 SMIC (2098,03)
    assert resources["at_most_smic"] == (3, 75.0)
    assert tables["validated_age"]["25_34"][0] == 4  # born 1990, on 31/12/2024


async def test_gla_and_arrears_tables(database, host):
    a, b = await household("GLA Un"), await household("GLA Deux")
    owner = await stock.create_owner(ACTOR, {"kind": "private_person", "name": "P"})
    dwellings = []
    # One in the metropolis (its commune, written loosely), one in Lyon.
    for city, postcode in (("St-Etienne", "42000"), ("Lyon", "69003")):
        dwellings.append(
            await stock.create_dwelling(
                ACTOR,
                {
                    "owner": str(owner),
                    "address": "1 rue Neuve",
                    "city": city,
                    "postcode": postcode,
                    "typology": "T2",
                    "stock": "private",
                    "status": "available",
                    "programme": "",
                },
                {},
            )
        )
    for h, d in zip((a, b), dwellings, strict=True):
        await Occupancy.insert(
            Occupancy(
                dwelling=d,
                household=h,
                kind="lease",
                start_date=D(2023, 5, 1),
                created_at=now(),
                updated_at=now(),
            )
        )
    at = lambda day: dt.datetime(2024, day, 10, 12, tzinfo=dt.UTC)  # noqa: E731
    await TimelineEvent.insert(
        *[
            TimelineEvent(household=h, kind=k, occurred_at=at(m), created_at=now())
            for h, k, m in (
                (a, "gla_home_visit", 1),
                (a, "gla_home_visit", 2),
                (b, "gla_technical", 3),
                (a, "gla_help_request", 3),
                (a, "gla_help_request", 4),
                (b, "gla_mediation_neighbours", 5),
                (b, "gla_mediation_owner", 5),
                (b, "gla_fsl", 6),
            )
        ],
        # Out of the year: not counted.
        TimelineEvent(
            household=a,
            kind="gla_home_visit",
            occurred_at=dt.datetime(2023, 12, 31, 12, tzinfo=dt.UTC),
            created_at=now(),
        ),
    )
    commissions = [
        r["id"]
        for r in await ArrearsCommission.insert(
            ArrearsCommission(held_on=D(2024, 3, 1), created_at=now()),
            ArrearsCommission(held_on=D(2024, 4, 1), created_at=now()),
        ).returning(ArrearsCommission.id)
    ]
    await ArrearsCase.insert(
        ArrearsCase(commission=commissions[0], household=a, cause="budget", outcome="pending"),
        # The household's latest situation in the year is the one that counts.
        ArrearsCase(commission=commissions[1], household=a, cause="budget", outcome="solved"),
        ArrearsCase(
            commission=commissions[1], household=b, cause="rights_break", outcome="litigation"
        ),
    )
    tables = _tables(await build_report(host, ["rental_agency"], Period.year(2024), "ASL"))
    gla = {k: v[0] for k, v in tables["gla"].items()}
    assert gla == {
        "followed": 2,
        "in_metropolis": 1,
        "home_visits": 2,
        "office": 0,
        "technical": 1,
        "help_households": 1,
        "fsl": 1,
        "mediations": 2,
        "mediations_owner": 1,
        "transfer_requests": 0,
    }
    assert tables["gla"]["in_metropolis"] == (1, 50.0)
    # The administrator adds Lyon's postcode to the metropolis: both households are in it.
    await territory.save_metropolis(ACTOR, "Métropoles", "Saint-Étienne\n69003", 0)
    again = _tables(await build_report(host, ["rental_agency"], Period.year(2024), "ASL"))
    assert again["gla"]["in_metropolis"] == (2, 100.0)
    assert tables["arrears_causes"]["budget"] == (1, 50.0)
    assert tables["arrears_causes"]["rights_break"] == (1, 50.0)
    outcomes = tables["arrears_outcomes"]
    assert outcomes["solved"] == (1, 50.0) and outcomes["litigation"] == (1, 50.0)
    assert outcomes["pending"] == (0, None)


async def test_agency_wide_stock(database, host):
    owners = [
        await stock.create_owner(ACTOR, {"kind": "private_person", "name": f"P{n}"})
        for n in range(3)
    ]
    rows = (
        # owner, postcode, typology, dpe, programme, contacted, captured, returned, reason
        (0, "42000", "T2", "G", "", D(2024, 2, 1), D(2024, 3, 1), None, ""),
        (0, "42100", "T3", "F", "iml_mandate", None, D(2020, 1, 1), None, ""),
        (1, "69003", "T1", "F", "", None, D(2019, 1, 1), None, ""),
        (1, "38000", "studio", "D", "", None, D(2019, 1, 1), None, ""),
        (2, "42000", "T2", "G", "", None, D(2018, 1, 1), D(2024, 6, 1), "sale"),
        (2, "42000", "T4", "", "", D(2024, 9, 1), None, None, ""),  # a prospect only
    )
    ids = []
    for n, (
        o,
        postcode,
        typology,
        dpe,
        programme,
        contacted,
        captured,
        returned,
        reason,
    ) in enumerate(rows):
        row = await Dwelling.insert(
            Dwelling(
                reference=f"L-{n:04d}",
                owner=owners[o],
                postcode=postcode,
                typology=typology,
                dpe_class=dpe,
                programme=programme,
                status="returned"
                if returned
                else ("prospect" if captured is None else "available"),
                contacted_on=contacted,
                captured_on=captured,
                returned_on=returned,
                return_reason=reason,
                created_at=now(),
                updated_at=now(),
            )
        ).returning(Dwelling.id)
        ids.append(row[0]["id"])
    # The DPE history: each label from its diagnostic's date. No. 1 was G until its new
    # diagnostic of May 2024 (F); no. 0's first one is of March 2024; no. 3 redone (D).
    history = (
        (0, "G", D(2024, 3, 1)),
        (1, "G", D(2019, 6, 1)),
        (1, "F", D(2024, 5, 1)),
        (2, "F", D(2019, 6, 1)),
        (3, "D", D(2019, 6, 1)),
        (3, "D", D(2024, 7, 1)),
        (4, "G", D(2018, 6, 1)),
    )
    await DpeRecord.insert(
        *[
            DpeRecord(dwelling=ids[n], dpe_class=c, dpe_date=day, valid_from=day, created_at=now())
            for n, c, day in history
        ]
    )
    report = await build_report(host, ["rental_agency"], Period.year(2024), "ASL")
    tables, previous = _tables(report), _previous(report)
    overview = {k: v[0] for k, v in tables["stock"].items()}
    assert overview["dwellings"] == 4  # the returned one and the prospect are out
    assert previous["stock"]["dwellings"] == 4  # end of 2023: not yet the G, still the returned
    assert overview["owners"] == 2
    assert overview["without_programme"] == 3
    assert overview["owners_contacted"] == 2 and overview["captured"] == 1
    assert overview["owners_captured"] == 1
    assert overview["returned"] == 1 and overview["balance"] == 0
    deps = {k: v[0] for k, v in tables["stock_departement"].items()}
    assert deps["42"] == 2 and deps["69"] == 1 and deps["38"] == 1
    change = {k: v[0] for k, v in tables["stock_dpe_change"].items()}
    # End of 2024: G = no. 0; F = nos. 1 and 2. End of 2023 (nos. 1 to 4 in the stock):
    # G = nos. 1 and 4, F = no. 2. Three diagnostics in 2024, two of them F or G.
    assert change == {"G": 1, "F": 2, "done": 3, "done_fg": 2}
    assert (previous["stock_dpe_change"]["G"], previous["stock_dpe_change"]["F"]) == (2, 1)
    assert tables["stock_dpe_change"]["G"] == (1, 25.0)
    assert tables["stock_dpe"]["D"] == (1, 25.0) and tables["stock_dpe"]["F"] == (2, 50.0)
    assert tables["stock_returns"]["sale"] == (1, 100.0)
    assert tables["stock_typology"]["T2"] == (1, 25.0)


def test_departement_from_postcode():
    assert departement("42000") == "42"
    assert departement("69003") == "69"
    assert departement("20090") == "2A" and departement("20200") == "2B"
    assert departement("97400") == "974"
    assert departement("4200") == "" and departement("") == ""


async def test_dpe_history_is_written_by_the_dwelling_edit(database, host):
    owner = await stock.create_owner(ACTOR, {"kind": "private_person", "name": "P"})
    form = {
        "owner": str(owner),
        "address": "3 rue Neuve",
        "city": "Saint-Étienne",
        "postcode": "42000",
        "typology": "T2",
        "stock": "private",
        "status": "available",
        "programme": "",
        "captured_on": "2020-01-01",
        "dpe_class": "G",
        "dpe_date": "2021-04-01",
    }
    dwelling = await stock.create_dwelling(ACTOR, form, {})
    # A change of notes only writes no label; a new diagnostic does, with its date.
    await stock.update_dwelling(ACTOR, dwelling, form | {"notes": "Relancé"}, {}, 1)
    await stock.update_dwelling(
        ACTOR, dwelling, form | {"dpe_class": "E", "dpe_date": "2024-02-01"}, {}, 2
    )
    rows = (
        await DpeRecord.select(DpeRecord.dpe_class, DpeRecord.valid_from)
        .where(DpeRecord.dwelling == dwelling)
        .order_by(DpeRecord.id)
    )
    assert [(r["dpe_class"], r["valid_from"]) for r in rows] == [
        ("G", D(2021, 4, 1)),
        ("E", D(2024, 2, 1)),
    ]
    # A conflicting save writes neither the dwelling nor a label (one transaction).
    with pytest.raises(ConflictError):
        await stock.update_dwelling(ACTOR, dwelling, form | {"dpe_class": "A"}, {}, 2)
    assert await DpeRecord.count().where(DpeRecord.dwelling == dwelling) == 2
    report = await build_report(host, ["rental_agency"], Period.year(2024), "ASL")
    change, before = _tables(report)["stock_dpe_change"], _previous(report)["stock_dpe_change"]
    assert (change["G"][0], before["G"], change["done"][0]) == (0, 1, 1)


async def test_works_fund_at_departure(database, host):
    owner = await stock.create_owner(ACTOR, {"kind": "private_person", "name": "P"})
    occupancies = []
    for n in range(3):
        dwelling = await stock.create_dwelling(
            ACTOR,
            {
                "owner": str(owner),
                "address": f"{n} rue Haute",
                "city": "Firminy",
                "typology": "T2",
                "stock": "private",
                "status": "available",
                "programme": "",
            },
            {},
        )
        row = await Occupancy.insert(
            Occupancy(
                dwelling=dwelling,
                household=await household(f"SORTANT{n} Un"),
                kind="lease",
                start_date=D(2022, 1, 1),
                created_at=now(),
                updated_at=now(),
            )
        ).returning(Occupancy.id)
        occupancies.append(row[0]["id"])
    for occupancy, kind, day, fund in (
        (occupancies[0], "exit", "2024-03-10", "1 200,50"),
        (occupancies[1], "exit", "2024-06-10", ""),
        (occupancies[2], "exit", "2023-11-10", "800"),
        (occupancies[2], "entry", "2024-01-10", ""),  # an entry is no departure
    ):
        await occ.add_inventory(ACTOR, occupancy, {"kind": kind, "done_on": day, "fund": fund})
    # The fund pays only at a departure: refused on an entry inventory, nothing written.
    with pytest.raises(FormErrors) as caught:
        await occ.add_inventory(
            ACTOR, occupancies[0], {"kind": "entry", "done_on": "2024-01-02", "fund": "100"}
        )
    assert "fund" in caught.value.errors
    report = await build_report(host, ["rental_agency"], Period.year(2024), "ASL")
    fund, before = _tables(report)["works_fund"], _previous(report)["works_fund"]
    assert fund["exits"] == (2, None)
    assert fund["exits_with_fund"] == (1, 50.0)
    assert fund["fund"] == (1200.5, None) and before["fund"] == 800.0
    assert before["exits"] == 1 and before["exits_with_fund"] == 1
