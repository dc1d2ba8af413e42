"""The balance timeline (``housing_balance_span``) gives the same figures as the ledger, at
every date, after every kind of ledger write; the migration's backfill builds the same rows;
the arrears review sorts and pages it in SQL (issue 16, point 3)."""

from __future__ import annotations

import datetime as dt
import random

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import login
from tests.plugins.housing.helpers import ACTOR, d, dwelling, occupancy
from tremplin.services import households as hh
from tremplin.testing import Session
from tremplin_housing import aid
from tremplin_housing import occupancy as occ
from tremplin_housing.arrears import review_list
from tremplin_housing.balances import FAR_DAY, NEVER_PAID, balances_on, spans_of
from tremplin_housing.calc import compute_balance
from tremplin_housing.ledger import balances_by_household, record_entry, run_rent_calls
from tremplin_housing.tables import BalanceSpan, LedgerEntry

KINDS = st.sampled_from(["call", "benefit", "payment", "aid"])
DAYS = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2024, 3, 31))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(DAYS, KINDS, st.integers(min_value=1, max_value=200_000)), max_size=30),
    DAYS,
)
def test_the_span_in_force_is_the_balance_of_the_entries_up_to_that_day(entries, on):
    spans = spans_of(entries)
    in_force = [s for s in spans if s["from_day"] <= on < s["to_day"]]
    upto = [(kind, amount) for day, kind, amount in entries if day <= on]
    if not upto:
        assert in_force == []
        return
    assert len(in_force) == 1
    assert in_force[0]["balance_cents"] == compute_balance(upto)
    payments = [day for day, kind, _ in entries if kind == "payment" and day <= on]
    assert in_force[0]["last_payment"] == (max(payments) if payments else NEVER_PAID)
    # The spans tile the time from the first entry on, the last one open-ended.
    assert spans[-1]["to_day"] == FAR_DAY
    assert all(a["to_day"] == b["from_day"] for a, b in zip(spans, spans[1:], strict=False))


def _pay(amount: int, day: dt.date, form_id: str) -> dict:
    return {
        "kind": "payment",
        "entry_date": day.isoformat(),
        "amount": f"{amount / 100:.2f}".replace(".", ","),
        "means": "transfer",
        "_form_id": form_id,
    }


async def _varied_ledger() -> list[int]:
    """Seven households, rents from January to June 2024 with payments, benefits paid
    directly, a rent revision (re-pricing called months), an exit mid-month (prorated and
    later calls removed), a transfer, an aid paid to the account."""
    rng = random.Random(16)
    households, occupancies = [], []
    for number in range(7):
        household_id = await hh.create_household(ACTOR, {"name": f"MÉNAGE {number} Test"})
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 60))
        occupancy_id = await occupancy(
            await dwelling(),
            household_id,
            start.isoformat(),
            rent=str(rng.randrange(250, 700)),
            charges=str(rng.randrange(0, 80)),
            benefit=str(rng.choice([0, 0, 120, 210])),
        )
        households.append(household_id)
        occupancies.append(occupancy_id)
    for month in range(1, 7):
        await run_rent_calls(ACTOR, dt.date(2024, month, 1))
        for index, occupancy_id in enumerate(occupancies):
            if rng.random() < 0.6:
                day = dt.date(2024, month, rng.randrange(5, 28))
                row = await occ.get_occupancy(occupancy_id)
                if day >= row["start_date"] and (row["end_date"] is None or day <= row["end_date"]):
                    await record_entry(
                        ACTOR,
                        occupancy_id,
                        _pay(rng.randrange(5_000, 60_000), day, f"{index}-{month}"),
                    )
        if month == 3:
            await occ.add_revision(
                ACTOR,
                occupancies[0],
                {
                    "effective_from": "2024-02-01",
                    "rent": "610",
                    "charges": "40",
                    "benefit": "0",
                    "reason": "yearly",
                },
            )
            await occ.close_occupancy(
                ACTOR, occupancies[1], {"end_date": "2024-03-17", "exit_reason": "end"}
            )
    fsl = await aid.add_application(
        ACTOR, households[2], {"kind": "fsl", "applied_on": "2024-04-01", "requested": "500"}
    )
    await aid.decide(
        ACTOR, fsl, {"outcome": "granted", "decided_on": "2024-04-10", "granted": "300"}
    )
    await aid.record_paid(ACTOR, fsl, {"paid_on": "2024-04-12"})
    return households


async def _spans() -> list[tuple]:
    rows = await BalanceSpan.select(
        BalanceSpan.household,
        BalanceSpan.from_day,
        BalanceSpan.to_day,
        BalanceSpan.balance_cents,
        BalanceSpan.last_payment,
    )
    return sorted(tuple(r.values()) for r in rows)


async def test_the_timeline_gives_the_ledger_figures_every_day_and_the_backfill_agrees(database):
    await _varied_ledger()
    kinds = {r["kind"] for r in await LedgerEntry.select(LedgerEntry.kind).distinct()}
    assert kinds == {"call", "benefit", "payment", "aid"}
    day = dt.date(2023, 12, 30)
    while day <= dt.date(2024, 7, 2):
        assert await balances_on(day) == await balances_by_household(day), day
        day += dt.timedelta(days=1)
    # The review: the same households, balances and last payments as from the ledger.
    for on in (d("2024-02-29"), d("2024-04-15"), d("2024-06-30")):
        expected = {h: b for h, b in (await balances_by_household(on)).items() if b > 3000}
        rows = await review_list(on, threshold=3000)
        assert {r["household_id"]: r["balance_cents"] for r in rows} == expected
        assert [r["balance_cents"] for r in rows] == sorted(expected.values(), reverse=True)
        for r in rows:
            paid = await LedgerEntry.select(LedgerEntry.entry_date).where(
                (LedgerEntry.household == r["household_id"])
                & (LedgerEntry.kind == "payment")
                & (LedgerEntry.entry_date <= on)
            )
            assert r["last_payment"] == max((p["entry_date"] for p in paid), default=None)
    # The migration's backfill rebuilds exactly the rows the writes maintained.
    from tremplin_housing.migrations import housing_0016_balance_spans_fill as migration

    maintained = await _spans()
    assert maintained
    await BalanceSpan.delete(force=True)
    await migration.backfill()
    assert await _spans() == maintained


async def test_review_pages_sort_in_sql_with_ties_and_never_paid_first(app, users, database):
    ids = {}
    for name, rent in (("BERNARD Zoé", "500"), ("ADAM Yves", "500"), ("CLAUDE Xan", "700")):
        ids[name] = await hh.create_household(ACTOR, {"name": name})
        ids[name, "occ"] = await occupancy(await dwelling(), ids[name], "2024-01-01", rent=rent)
    await run_rent_calls(ACTOR, d("2024-01-01"))
    await record_entry(ACTOR, ids["CLAUDE Xan", "occ"], _pay(20_000, d("2024-01-05"), "c"))
    # Balances on 31/01 (rent and 50 € charges): BERNARD and ADAM 550 € (a tie), CLAUDE
    # 750 - 200 - 100 = 450 €.
    await record_entry(ACTOR, ids["CLAUDE Xan", "occ"], _pay(10_000, d("2024-01-20"), "c2"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 12)),
        base_url="http://testserver.local",
    ) as client:
        manager = Session(
            client, await login(client, "rental_manager@test.fr"), users["rental_manager"]
        )
        import re

        from tremplin_housing.routes import arrears as arrears_routes

        def names(html: str) -> list[str]:
            return re.findall(r'<td><a href="/households/\d+">([^<]+)</a>', html)

        original = arrears_routes.ARREARS_PAGE
        arrears_routes.ARREARS_PAGE = 1
        try:
            seen, url = [], "/housing/arrears?month=2024-01"
            while url:
                html = (await manager.get(url, headers={"HX-Request": "true"} if seen else {})).text
                seen += names(html)
                more = re.search(r'hx-get="(/housing/arrears\?[^"]*apres=[^"]+)"', html)
                url = more.group(1).replace("&amp;", "&") if more else ""
            # 550 and 550 tie (by household id: BERNARD was created first), then 450.
            assert seen == ["BERNARD Zoé", "ADAM Yves", "CLAUDE Xan"]
            paid = []
            url = "/housing/arrears?month=2024-01&tri=paiement"
            while url:
                html = (await manager.get(url, headers={"HX-Request": "true"} if paid else {})).text
                paid += names(html)
                more = re.search(r'hx-get="(/housing/arrears\?[^"]*apres=[^"]+)"', html)
                url = more.group(1).replace("&amp;", "&") if more else ""
            # Never paid first (by id), then the oldest last payment.
            assert paid == ["BERNARD Zoé", "ADAM Yves", "CLAUDE Xan"]
        finally:
            arrears_routes.ARREARS_PAGE = original
        response = await manager.get("/housing/arrears/export?fmt=csv&month=2024-01&tri=paiement")
        lines = response.content.decode("utf-8-sig").splitlines()
        assert [line.split(";")[1] for line in lines[1:]] == [
            "BERNARD Zoé",
            "ADAM Yves",
            "CLAUDE Xan",
        ]
        assert lines[1:] == [
            "M-000001;BERNARD Zoé;550,00;;;",
            "M-000002;ADAM Yves;550,00;;;",
            "M-000003;CLAUDE Xan;450,00;20/01/2024;;",
        ]


async def test_the_review_sorts_walk_an_index(database):
    """The review by balance and by last payment: read in index order, no sort step."""
    from piccolo.engine.sqlite import SQLiteEngine

    from tremplin.db import current_engine

    await _varied_ledger()
    sqlite = isinstance(current_engine(), SQLiteEngine)
    where = "WHERE from_day <= '2024-04-30' AND to_day > '2024-04-30' AND balance_cents > 3000"
    for order, index in (
        ("balance_cents DESC, household", "housing_balance_span_balance"),
        ("last_payment, household", "housing_balance_span_payment"),
    ):
        sql = f"SELECT household FROM housing_balance_span {where} ORDER BY {order} LIMIT 51"
        if sqlite:
            plan = " ".join(str(r) for r in await BalanceSpan.raw("EXPLAIN QUERY PLAN " + sql))
            assert "TEMP B-TREE" not in plan, plan
        else:
            async with current_engine().transaction():
                await BalanceSpan.raw("SET LOCAL enable_seqscan = off")
                await BalanceSpan.raw("SET LOCAL enable_sort = off")
                plan = " ".join(str(r) for r in await BalanceSpan.raw("EXPLAIN " + sql))
            assert index in plan and "Sort Key" not in plan, plan


async def test_concurrent_payments_of_one_household_leave_one_timeline(database):
    """Payments recorded at the same moment (two staff, two workers): each rebuild sees the
    other's entry, so the timeline is still the ledger's (PostgreSQL: a lock per household)."""
    import asyncio

    household_id = await hh.create_household(ACTOR, {"name": "MÊME Instant"})
    occupancy_id = await occupancy(await dwelling(), household_id, "2024-01-01", rent="900")
    await run_rent_calls(ACTOR, d("2024-01-01"))
    await asyncio.gather(
        *(
            record_entry(ACTOR, occupancy_id, _pay(1_000 * (n + 1), d("2024-01-10"), f"p{n}"))
            for n in range(5)
        )
    )
    assert await LedgerEntry.count().where(LedgerEntry.kind == "payment") == 5
    spans = await BalanceSpan.select().where(BalanceSpan.household == household_id)
    assert [
        (s["from_day"], s["balance_cents"]) for s in sorted(spans, key=lambda s: s["from_day"])
    ] == [
        (d("2024-01-01"), 95_000),
        (d("2024-01-10"), 95_000 - 15_000),
    ]
    assert await balances_on(d("2024-01-31")) == await balances_by_household(d("2024-01-31"))
