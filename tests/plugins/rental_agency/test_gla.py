"""GLA: actions for tenants of the stock only; the arrears commission takes the tenants
over the threshold, records a decision, a cause (extendable list) and an outcome."""

import pytest

from tests.plugins.rental_agency.helpers import ACTOR, d, dwelling, household
from tremplin.api import FormErrors
from tremplin.models import TimelineEvent
from tremplin_housing import occupancy as occ
from tremplin_rental_agency import gla
from tremplin_rental_agency.tables import ArrearsCase


async def _tenant(name: str, rent: str = "400") -> int:
    household_id = await household(name)
    dwelling_id = await dwelling()
    await occ.create_occupancy(
        ACTOR,
        dwelling_id,
        {"household": str(household_id), "kind": "lease", "start_date": "2024-01-01", "rent": rent},
        {},
    )
    return household_id


async def test_gla_action_only_for_a_tenant(database):
    tenant = await _tenant("LOCATAIRE Un")
    stranger = await household("AUTRE Deux")
    await gla.record_gla(ACTOR, tenant, {"kind": "gla_home_visit", "on_date": "2024-03-01"})
    with pytest.raises(FormErrors) as exc:
        await gla.record_gla(ACTOR, stranger, {"kind": "gla_home_visit", "on_date": "2024-03-01"})
    assert "locataire" in exc.value.errors["household"]
    with pytest.raises(FormErrors) as exc:
        await gla.record_gla(ACTOR, tenant, {"kind": "nope", "on_date": ""})
    assert set(exc.value.errors) == {"kind", "on_date"}
    events = await TimelineEvent.select().where(TimelineEvent.kind == "gla_home_visit")
    assert [e["household"] for e in events] == [tenant]


async def test_arrears_commission_takes_tenants_over_the_threshold(database):
    # The housing ledger calls the rent month by month: a tenant who never paid owes two
    # months on 2024-03-15; one with no rent owes nothing.
    from tremplin_housing.ledger import run_rent_calls

    owing = await _tenant("DETTE Ménage", rent="400")
    await _tenant("AJOUR Ménage", rent="0")
    for month in ("2024-01-01", "2024-02-01"):
        await run_rent_calls(ACTOR, d(month))
    commission_id = await gla.open_commission(ACTOR, {"held_on": "2024-03-15"})
    cases = await gla.commission_cases(commission_id)
    assert [c["household"] for c in cases] == [owing]
    assert cases[0]["balance_cents"] == 80000
    key = await gla.add_cause(ACTOR, {"label": "Surendettement"})
    with pytest.raises(FormErrors):
        await gla.add_cause(ACTOR, {"label": "surendettement"})
    await gla.record_case(
        ACTOR,
        cases[0]["id"],
        {"cause": key, "decision": "Plan d'apurement proposé", "outcome": "solved"},
        cases[0]["version"],
    )
    with pytest.raises(FormErrors) as exc:
        await gla.record_case(ACTOR, cases[0]["id"], {"outcome": "solved"}, cases[0]["version"])
    assert "_version" in exc.value.errors
    row = await ArrearsCase.select().where(ArrearsCase.id == cases[0]["id"]).first()
    assert row["cause"] == key and row["outcome"] == "solved"


async def test_gla_pages(social_worker):
    tenant = await _tenant("PAGE Locataire")
    page = await social_worker.get("/rental_agency/gla")
    assert page.status_code == 200 and "PAGE Locataire" in page.text
    response = await social_worker.post(
        "/rental_agency/gla", {"household": str(tenant), "kind": "gla_technical", "on_date": ""}
    )
    assert response.status_code == 422 and "ce champ est obligatoire" in response.text
    response = await social_worker.post(
        "/rental_agency/gla",
        {"household": str(tenant), "kind": "gla_technical", "on_date": "2024-03-01"},
    )
    assert response.status_code == 303
    assert await TimelineEvent.count().where(TimelineEvent.kind == "gla_technical") == 1
    response = await social_worker.post("/rental_agency/commissions", {"held_on": "2024-03-15"})
    assert response.status_code == 303
    page = await social_worker.get(response.headers["location"])
    assert page.status_code == 200 and "Commission de suivi des impayés" in page.text
