"""housing.api.rent_status: what a partner may be told — "à jour" / "en impayé", never an
amount — from one programme's occupancies only."""

from tests.plugins.housing.helpers import ACTOR, d, housed
from tremplin_housing import api
from tremplin_housing.ledger import record_entry, run_rent_calls


async def test_rent_status_follows_the_threshold_and_the_programme(database):
    _, household_id, occupancy_id = await housed("2024-01-01", rent="400", charges="50")
    assert await api.rent_status(household_id, "iml_sublease") == "à jour"
    await run_rent_calls(ACTOR, d("2024-01-01"))  # 450 € called, nothing paid
    assert await api.rent_status(household_id, "iml_sublease") == "en impayé"
    # A debt of 30 € or less is not arrears (the threshold is "more than 30 €").
    await record_entry(
        ACTOR,
        occupancy_id,
        {"kind": "payment", "entry_date": "2024-01-10", "amount": "420", "means": "transfer"},
    )
    assert await api.household_balance(household_id, d("2024-01-31")) == 3000
    assert await api.rent_status(household_id, "iml_sublease") == "à jour"
    # Another programme never had a dwelling for this household: nothing to say.
    assert await api.rent_status(household_id, "iml_youth") is None
