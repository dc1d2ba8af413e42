"""Pure computations: balance, proration, terms in force, vacancy cost, DPE, masking."""

import datetime as dt
import random
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from tremplin_housing.access import MASKED_ADDRESS, mask_rows, shown_address
from tremplin_housing.calc import (
    Terms,
    compute_balance,
    dpe_alerts,
    month_bounds,
    overlaps,
    prorate,
    terms_on,
    vacancy_cost,
)

ENTRIES = st.lists(
    st.tuples(
        st.sampled_from(["call", "benefit", "payment", "aid"]),
        st.integers(min_value=1, max_value=2_000_000),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(entries=ENTRIES, seed=st.integers(0, 2**32 - 1))
def test_balance_is_calls_minus_benefits_minus_payments_in_any_order(entries, seed):
    shuffled = list(entries)
    random.Random(seed).shuffle(shuffled)
    expected = (
        sum(a for k, a in entries if k == "call")
        - sum(a for k, a in entries if k == "benefit")
        - sum(a for k, a in entries if k == "payment")
        - sum(a for k, a in entries if k == "aid")
    )  # an aid paid in is a credit
    assert compute_balance(entries) == compute_balance(shuffled) == expected
    # Sums per kind (what the database aggregates) give the same balance as single entries.
    per_kind = {}
    for kind, amount in entries:
        per_kind[kind] = per_kind.get(kind, 0) + amount
    assert compute_balance(per_kind.items()) == expected


@given(amount=st.integers(0, 500_000), month=st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 1)))
def test_prorated_days_of_a_month_add_up_to_the_monthly_amount(amount, month):
    _, last = month_bounds(month)
    days = last.day
    split = days // 2
    parts = prorate(amount, split, days) + prorate(amount, days - split, days)
    assert abs(parts - amount) <= 1  # two roundings of half a cent at most
    assert prorate(amount, days, days) == amount
    assert prorate(amount, 0, days) == 0


def test_proration_rounds_half_up_to_the_cent():
    assert prorate(45_000, 15, 30) == 22_500
    assert prorate(100, 1, 31) == 3  # 3.2 cents
    assert prorate(31, 1, 62) == 1  # exactly half a cent rounds up


def test_terms_in_force_follow_revisions_by_effective_date():
    history = [
        Terms(dt.date(2024, 1, 1), 40_000, 5_000),
        Terms(dt.date(2025, 1, 1), 41_000, 5_000, 20_000),
    ]
    assert terms_on(history, dt.date(2023, 12, 31)) is None
    assert terms_on(history, dt.date(2024, 12, 31)).rent_cents == 40_000
    assert terms_on(list(reversed(history)), dt.date(2025, 1, 1)).rent_cents == 41_000
    assert history[1].residual_cents == 26_000


def test_overlaps_with_inclusive_ends_and_open_periods():
    d = dt.date
    assert overlaps(d(2024, 1, 1), d(2024, 1, 31), d(2024, 1, 31), None)
    assert not overlaps(d(2024, 1, 1), d(2024, 1, 30), d(2024, 1, 31), None)
    assert overlaps(d(2024, 1, 1), None, d(2023, 1, 1), None)
    assert not overlaps(d(2024, 2, 1), None, d(2023, 1, 1), d(2024, 1, 31))


def test_vacancy_cost_is_the_rent_paid_for_the_empty_days():
    leases = [(dt.date(2024, 1, 1), None, 31_000)]
    assert vacancy_cost(dt.date(2024, 1, 1), dt.date(2024, 1, 31), leases) == 31_000
    assert vacancy_cost(dt.date(2024, 1, 1), dt.date(2024, 1, 10), leases) == 10_000
    # Three months of notice = three rents lost (La Clède).
    assert vacancy_cost(dt.date(2024, 4, 1), dt.date(2024, 6, 30), leases) == 93_000
    assert vacancy_cost(dt.date(2023, 12, 1), dt.date(2023, 12, 31), leases) == 0


def test_dpe_alerts_for_f_g_and_old_or_undated_certificates():
    today = dt.date(2025, 6, 1)
    assert dpe_alerts("C", dt.date(2020, 1, 1), today) == []
    assert dpe_alerts("G", dt.date(2020, 1, 1), today) == [
        "Classe G : passoire énergétique, travaux à prévoir"
    ]
    assert dpe_alerts("F", None, today)[1] == "Date du DPE inconnue"
    assert dpe_alerts("B", dt.date(2015, 5, 31), today) == ["DPE de plus de 10 ans : à refaire"]
    assert dpe_alerts("B", dt.date(2015, 6, 1), today) == []
    assert dpe_alerts("", None, today) == ["DPE non renseigné"]


def test_confidential_address_is_shown_only_to_the_programme_staff_by_name():
    row = {
        "id": 1,
        "address": "12 rue Cachée",
        "postcode": "42000",
        "city": "Saint-Étienne",
        "confidential": True,
        "programme": "alter_logement",
        "search_text": "12 rue cachee",
        # As marked by access.protect(): no household with hidden contacts lives there.
        "occupant_hidden": False,
    }
    full = "12 rue Cachée, 42000 Saint-Étienne"
    for role in (
        "admin",
        "head_of_service",
        "social_worker",
        "rental_manager",
        "technician",
        "partner",
    ):
        user = SimpleNamespace(role=role, programmes=[])
        assert shown_address(row, user) == MASKED_ADDRESS
        masked = mask_rows([row], user)[0]
        assert "12 rue" not in str(masked) and "cachee" not in str(masked)
        other = SimpleNamespace(role=role, programmes=["iml_sublease"])
        assert shown_address(row, other) == MASKED_ADDRESS
    for role in ("admin", "social_worker", "rental_manager"):
        assigned = SimpleNamespace(role=role, programmes=["iml_sublease", "alter_logement"])
        assert shown_address(row, assigned) == full
    assert (
        shown_address(row, SimpleNamespace(role="partner", programmes=["alter_logement"]))
        == MASKED_ADDRESS
    )
    unused = {**row, "programme": ""}
    for role in ("admin", "head_of_service"):
        assert shown_address(unused, SimpleNamespace(role=role, programmes=[])) == full
    assert shown_address(unused, SimpleNamespace(role="technician")) == MASKED_ADDRESS
    public = {**row, "confidential": False}
    assert shown_address(public, SimpleNamespace(role="technician")).startswith("12 rue Cachée")
    # A row nobody checked against its occupants is masked (fail closed), and so is one
    # where a household lives whose contact details the user may not see.
    unchecked = {k: v for k, v in public.items() if k != "occupant_hidden"}
    assert shown_address(unchecked, SimpleNamespace(role="admin")) == MASKED_ADDRESS
    occupied = {**public, "occupant_hidden": True}
    assert shown_address(occupied, SimpleNamespace(role="admin")) == MASKED_ADDRESS
