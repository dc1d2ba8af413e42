"""Ranked list, allocation and lease: refused for a dwelling that is not free or a demand
that is not accepted; the lease opens the housing occupancy in the same transaction."""

import pytest

from tests.plugins.rental_agency.helpers import ACTOR, accepted, d, dwelling, household, received
from tremplin.api import FormErrors
from tremplin_housing import api as housing
from tremplin_rental_agency import allocation, committee
from tremplin_rental_agency.tables import Allocation, Demand, Presentation

LEASE = {"signed_on": "2024-03-01", "rent": "450", "charges": "50", "deposit": "450"}


async def test_ranked_list_matches_typology_sector_rent_and_sorts_by_score(database):
    dwelling_id = await dwelling()
    low = await accepted(await household("BAS Score"))
    high = await accepted(await household("HAUT Score", children=3))
    await accepted(await household("AUTRE Typo"), wanted_typology="T4")
    await accepted(await household("AUTRE Secteur"), wanted_sector="Lyon")
    await accepted(await household("LOYER Bas"), max_rent="300")
    ranked = await allocation.ranked_for(dwelling_id, d("2024-02-10"))
    assert [r["id"] for r in ranked] == [high, low]
    assert ranked[0]["score"] > ranked[1]["score"]
    assert ranked[0]["effort"] == round(100 * 500 / 900)


async def test_allocation_refused_for_a_demand_not_accepted_or_a_dwelling_not_free(database):
    dwelling_id = await dwelling()
    pending = await received()
    with pytest.raises(FormErrors) as exc:
        await allocation.allocate(ACTOR, pending, dwelling_id, {"allocated_on": "2024-02-10"})
    assert "acceptée" in exc.value.errors["demand"]
    works = await dwelling(status="works")
    ok = await accepted(await household("MARTIN Jo"))
    with pytest.raises(FormErrors) as exc:
        await allocation.allocate(ACTOR, ok, works, {"allocated_on": "2024-02-10"})
    assert "pas libre" in exc.value.errors["dwelling"]
    await allocation.allocate(ACTOR, ok, dwelling_id, {"allocated_on": "2024-02-10"})
    other = await accepted(await household("DURAND Al"))
    with pytest.raises(FormErrors) as exc:
        await allocation.allocate(ACTOR, other, dwelling_id, {"allocated_on": "2024-02-11"})
    assert "pas libre" in exc.value.errors["dwelling"]
    assert await Allocation.count() == 1


async def test_lease_signature_opens_the_occupancy(database):
    dwelling_id = await dwelling()
    household_id = await household()
    demand_id = await accepted(household_id)
    allocation_id = await allocation.allocate(
        ACTOR, demand_id, dwelling_id, {"allocated_on": "2024-02-10"}
    )
    occupancy_id = await allocation.sign_lease(ACTOR, allocation_id, LEASE)
    occupancy = await housing.current_occupancy(household_id, d("2024-03-02"))
    assert occupancy is not None and occupancy.id == occupancy_id
    assert occupancy.kind == "lease" and occupancy.dwelling_id == dwelling_id
    demand = await Demand.select().where(Demand.id == demand_id).first()
    assert demand["status"] == "housed" and demand["housed_on"] == d("2024-03-01")
    with pytest.raises(FormErrors):
        await allocation.sign_lease(ACTOR, allocation_id, LEASE)
    # The dwelling is no longer free: it is not offered again.
    assert dwelling_id not in {x.id for x in await allocation.free_dwellings(d("2024-03-05"))}


async def test_lease_refused_by_housing_rolls_everything_back(database):
    dwelling_id = await dwelling()
    household_id = await household()
    demand_id = await accepted(household_id)
    allocation_id = await allocation.allocate(
        ACTOR, demand_id, dwelling_id, {"allocated_on": "2024-02-10"}
    )
    # Someone else entered the dwelling meanwhile through the housing pages.
    from tremplin_housing import occupancy as occ

    squatter = await household("AUTRE Ménage")
    await occ.create_occupancy(
        ACTOR,
        dwelling_id,
        {"household": str(squatter), "kind": "lease", "start_date": "2024-02-20", "rent": "450"},
        {},
    )
    with pytest.raises(FormErrors):
        await allocation.sign_lease(ACTOR, allocation_id, LEASE)
    row = await Allocation.select().where(Allocation.id == allocation_id).first()
    assert row["status"] == "allocated" and row["occupancy_id"] is None
    demand = await Demand.select(Demand.status).where(Demand.id == demand_id).first()
    assert demand["status"] == "accepted"
    assert await housing.current_occupancy(household_id, d("2024-03-02")) is None


async def test_lease_form_errors_all_at_once(database):
    with pytest.raises(FormErrors) as exc:
        await allocation.sign_lease(ACTOR, 1, {"signed_on": "", "rent": "x"})
    assert set(exc.value.errors) == {"signed_on", "rent"}


async def test_presentation_unique_on_both_engines(database):
    demand_id = await received()
    session_id = await committee.create_session(ACTOR, {"held_on": "2024-02-05"}, [])
    await committee.present(ACTOR, session_id, demand_id)
    with pytest.raises(Exception):
        await Presentation.insert(Presentation(session=session_id, demand=demand_id))
