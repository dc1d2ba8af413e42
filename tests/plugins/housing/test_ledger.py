"""The rent account: idempotent and atomic rent-call runs, payments recorded once,
balances equal to calls − benefits − payments whatever the order of recording."""

import asyncio
import datetime as dt
import random
import sqlite3

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.plugins.housing.helpers import ACTOR, d, housed
from tremplin.api import FormErrors
from tremplin.models import TimelineEvent
from tremplin_housing import api, ledger
from tremplin_housing import occupancy as occ
from tremplin_housing.calc import Terms, compute_balance, terms_on
from tremplin_housing.ledger import record_entry, run_rent_calls
from tremplin_housing.tables import LedgerEntry, Occupancy


def pay(amount: str, day: str = "2024-01-10", kind: str = "payment", form_id: str | None = None):
    return {
        "kind": kind,
        "entry_date": day,
        "amount": amount,
        "means": "transfer",
        **({"_form_id": form_id} if form_id else {}),
    }


def collect(max_examples: int, strategy=None) -> list[dict]:
    """Draw scenarios with hypothesis (sync), to replay them against the async database:
    hypothesis cannot drive an async test whose database lives across examples."""
    found: list[dict] = []

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy if strategy is not None else scenarios())
    def draw(scenario):
        found.append(scenario)

    draw()
    return found[-max_examples:]


async def _calls(month: dt.date) -> list[dict]:
    return await LedgerEntry.select().where(
        (LedgerEntry.kind == "call") & (LedgerEntry.month == month)
    )


async def test_rent_call_run_is_idempotent(database):
    occupancies = [(await housed("2024-01-01"))[2] for _ in range(3)]
    first = await run_rent_calls(ACTOR, d("2024-02-01"))
    again = await run_rent_calls(ACTOR, d("2024-02-17"))  # any day of the month names the month
    assert first == {"created": 3, "already": 0, "total": 3}
    assert again == {"created": 0, "already": 3, "total": 3}
    calls = await _calls(d("2024-02-01"))
    assert sorted(c["occupancy"] for c in calls) == occupancies
    assert {c["amount_cents"] for c in calls} == {45_000}
    # A household entering later in the month is called on the next run, prorated.
    _, _, late = await housed("2024-02-15", rent="290", charges="0")
    assert (await run_rent_calls(ACTOR, d("2024-02-01")))["created"] == 1
    late_call = next(c for c in await _calls(d("2024-02-01")) if c["occupancy"] == late)
    assert (late_call["entry_date"], late_call["amount_cents"]) == (d("2024-02-15"), 15_000)
    # The database itself refuses a second call of the same month.
    with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
        await LedgerEntry.insert(
            LedgerEntry(
                occupancy=late,
                household=late_call["household"],
                kind="call",
                entry_date=d("2024-02-15"),
                month=d("2024-02-01"),
                amount_cents=1,
                created_at=dt.datetime.now(dt.UTC),
            )
        )


async def test_concurrent_runs_of_one_month_call_once(database):
    for _ in range(4):
        await housed("2024-01-01")
    results = await asyncio.gather(*(run_rent_calls(ACTOR, d("2024-03-01")) for _ in range(3)))
    assert sum(r["created"] for r in results) == 4
    assert len(await _calls(d("2024-03-01"))) == 4


@st.composite
def interruptions(draw):
    """How many occupancies join, at which call the run breaks, and how."""
    joining = draw(st.integers(1, 3))
    return {
        "joining": joining,
        "failing": draw(st.integers(1, 6)),
        "error": draw(st.sampled_from([RuntimeError, asyncio.CancelledError, OSError])),
    }


async def test_an_interrupted_run_leaves_no_partial_month(database, monkeypatch):
    """Whatever occupancy the run breaks on, and however (error, cancelled task, lost
    connection), the month has no call at all; the next run then calls every occupancy."""
    real = ledger._insert_call
    for index, case in enumerate(collect(8, interruptions())):
        for _ in range(case["joining"]):
            await housed("2024-01-01", benefit="100")
        month, total = dt.date(2024, 1 + index, 1), await Occupancy.count()
        failing = min(case["failing"], total)
        seen = {"n": 0}

        async def flaky(*args, failing=failing, error=case["error"], seen=seen):
            seen["n"] += 1
            if seen["n"] == failing:
                raise error("coupure pendant l'appel")
            await real(*args)

        monkeypatch.setattr(ledger, "_insert_call", flaky)
        with pytest.raises(case["error"]):
            await run_rent_calls(ACTOR, month)
        assert await LedgerEntry.count().where(LedgerEntry.month == month) == 0, case
        monkeypatch.setattr(ledger, "_insert_call", real)
        assert (await run_rent_calls(ACTOR, month))["created"] == total
        assert await LedgerEntry.count().where(LedgerEntry.month == month) == 2 * total


async def test_a_double_submitted_payment_is_recorded_once(database):
    _, household_id, occupancy_id = await housed("2024-01-01")
    first = await record_entry(ACTOR, occupancy_id, pay("120,50", form_id="f1"))
    second = await record_entry(ACTOR, occupancy_id, pay("120,50", form_id="f1"))
    racing = await asyncio.gather(
        *(record_entry(ACTOR, occupancy_id, pay("80", form_id="f2")) for _ in range(3))
    )
    assert first == second and len(set(racing)) == 1
    assert await LedgerEntry.count().where(LedgerEntry.kind == "payment") == 2
    assert await api.balance(occupancy_id) == -20_050
    events = await TimelineEvent.select(TimelineEvent.title, TimelineEvent.body).where(
        (TimelineEvent.household == household_id) & (TimelineEvent.kind == "housing_payment")
    )
    assert len(events) == 2 and events[0]["body"] == "120,50\u00a0€ (virement)"


async def test_payment_bad_input_and_closed_occupancy_are_refused(database):
    _, _, occupancy_id = await housed("2024-01-01")
    cases = [
        (pay("-5"), {"amount": "le montant ne peut pas être négatif"}),
        (pay("0"), {"amount": "le montant doit être supérieur à zéro"}),
        (pay("250000"), {"amount": "montant trop élevé"}),
        (pay("abc"), {"amount": "montant invalide (exemple : 350,00)"}),
        (pay("10", day="2099-01-01"), {"entry_date": "la date est dans le futur"}),
        ({**pay("10"), "means": ""}, {"means": "indiquez le moyen de paiement"}),
    ]
    for raw, errors in cases:
        with pytest.raises(FormErrors) as caught:
            await record_entry(ACTOR, occupancy_id, raw)
        assert caught.value.errors == errors
    with pytest.raises(FormErrors) as caught:
        await record_entry(ACTOR, occupancy_id, pay("10", day="2023-12-31"))
    assert caught.value.errors == {
        "entry_date": "la date précède l'entrée dans le logement (01/01/2024)"
    }
    await occ.close_occupancy(ACTOR, occupancy_id, {"end_date": "2024-05-31", "exit_reason": "end"})
    with pytest.raises(FormErrors) as caught:
        await record_entry(ACTOR, occupancy_id, pay("100", form_id="late"))
    assert caught.value.errors == {
        "_entry": "Cette occupation est close (sortie le 31/05/2024) "
        "et son compte est soldé : aucun paiement ne peut plus y être "
        "enregistré."
    }
    assert await LedgerEntry.count() == 0


async def test_a_household_that_left_still_pays_its_debt_and_no_more(database):
    _, household_id, occupancy_id = await housed("2024-01-01", rent="400", charges="50")
    await run_rent_calls(ACTOR, d("2024-01-01"))  # 450 € owed
    await occ.close_occupancy(ACTOR, occupancy_id, {"end_date": "2024-01-31", "exit_reason": "end"})
    with pytest.raises(FormErrors) as caught:
        await record_entry(ACTOR, occupancy_id, pay("450,01", day="2024-03-01"))
    assert caught.value.errors == {
        "amount": "Cette occupation est close (sortie le 31/01/2024) : "
        "le ménage ne doit plus que 450,00\u00a0€ sur ce compte"
    }
    first = await record_entry(ACTOR, occupancy_id, pay("200", day="2024-03-01", form_id="a"))
    assert (
        await record_entry(ACTOR, occupancy_id, pay("200", day="2024-03-01", form_id="a")) == first
    )
    await record_entry(ACTOR, occupancy_id, pay("250", day="2024-04-01", form_id="b"))
    assert await api.household_balance(household_id) == 0
    with pytest.raises(FormErrors):
        await record_entry(ACTOR, occupancy_id, pay("1", day="2024-04-02", form_id="c"))
    assert await LedgerEntry.count().where(LedgerEntry.kind == "payment") == 2


async def test_balance_is_calls_minus_benefits_minus_payments(database):
    _, household_id, occupancy_id = await housed(
        "2024-01-01", rent="400", charges="50", benefit="250"
    )
    for month in ("2024-01-01", "2024-02-01"):
        await run_rent_calls(ACTOR, d(month))
    await record_entry(ACTOR, occupancy_id, pay("150", day="2024-01-05"))
    await record_entry(ACTOR, occupancy_id, pay("30", day="2024-02-20", kind="benefit"))
    # calls 2 × 450 € − benefits (2 × 250 € + 30 €) − payments 150 € = 220 €
    assert await api.balance(occupancy_id) == 22_000
    assert await api.household_balance(household_id) == 22_000
    assert await api.balance(occupancy_id, d("2024-01-31")) == 45_000 - 25_000 - 15_000
    assert await api.in_arrears(household_id)
    rows = await ledger.statement(occupancy_id)
    assert rows[-1]["balance"] == 22_000


# --- property: whatever the order of recording, the database balance is the formula --------

MONTHS = st.integers(1, 12)
AMOUNTS = st.integers(1, 90_000)


@st.composite
def scenarios(draw):
    rent, charges = draw(st.integers(0, 120_000)), draw(st.integers(0, 15_000))
    benefit = draw(st.integers(0, rent + charges))
    ops = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("call"), MONTHS),
                st.tuples(
                    st.sampled_from(["payment", "benefit"]), MONTHS, AMOUNTS, st.integers(1, 28)
                ),
            ),
            max_size=10,
        )
    )
    revisions = draw(
        st.lists(
            st.tuples(st.integers(2, 12), st.integers(0, 120_000)),
            max_size=2,
            unique_by=lambda r: r[0],
        )
    )
    return {
        "terms": (rent, charges, benefit),
        "ops": ops,
        "revisions": revisions,
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


async def test_database_balance_equals_the_formula_whatever_the_order(database):
    for index, scenario in enumerate(collect(12)):
        year = 2001 + index
        rent, charges, benefit = scenario["terms"]
        _, household_id, occupancy_id = await housed(
            f"{year}-01-01", rent=euros(rent), charges=euros(charges), benefit=euros(benefit)
        )
        history = [Terms(dt.date(year, 1, 1), rent, charges, benefit)]
        steps = list(scenario["ops"])
        for month, new_rent in scenario["revisions"]:
            new_benefit = min(benefit, new_rent + charges)
            history.append(Terms(dt.date(year, month, 1), new_rent, charges, new_benefit))
            steps.append(("revision", month, new_rent, new_benefit))
        random.Random(scenario["seed"]).shuffle(steps)
        for n, step in enumerate(steps):
            if step[0] == "call":
                await run_rent_calls(ACTOR, dt.date(year, step[1], 1))
            elif step[0] == "revision":
                await occ.add_revision(
                    ACTOR,
                    occupancy_id,
                    {
                        "effective_from": f"{year}-{step[1]:02d}-01",
                        "rent": euros(step[2]),
                        "charges": euros(charges),
                        "benefit": euros(step[3]),
                        "reason": "yearly",
                    },
                )
            else:
                kind, month, amount, day = step
                await record_entry(
                    ACTOR,
                    occupancy_id,
                    pay(
                        euros(amount), f"{year}-{month:02d}-{day:02d}", kind, form_id=f"{year}-{n}"
                    ),
                )
        called = {s[1] for s in steps if s[0] == "call"}
        in_force = [terms_on(history, dt.date(year, m, 1)) for m in called]
        expected = (
            sum(t.rent_cents + t.charges_cents for t in in_force)
            - sum(t.benefit_cents for t in in_force)
            - sum(s[2] for s in steps if s[0] in ("payment", "benefit"))
        )
        end = dt.date(year, 12, 31)
        rows = await LedgerEntry.select(LedgerEntry.kind, LedgerEntry.amount_cents).where(
            LedgerEntry.occupancy == occupancy_id
        )
        assert await api.balance(occupancy_id, end) == expected, scenario
        assert await api.household_balance(household_id, end) == expected
        assert compute_balance((r["kind"], r["amount_cents"]) for r in rows) == expected
        assert await LedgerEntry.count().where(
            (LedgerEntry.occupancy == occupancy_id) & (LedgerEntry.kind == "call")
        ) == len(called)
        await occ.close_occupancy(
            ACTOR, occupancy_id, {"end_date": end.isoformat(), "exit_reason": "end"}
        )
        assert await api.balance(occupancy_id, end) == expected  # a full last month: unchanged
