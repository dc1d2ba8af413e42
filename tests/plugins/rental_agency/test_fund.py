"""The pooled works fund (ASL 2024 report): its grants to energy and other improvement works
of the stock's dwellings (4 000 € at most per dwelling for energy works), beside its
contributions at a tenant's departure (exit inventories); the report's tables, with the
engine's N-1, and the page."""

import asyncio
import contextlib
import datetime as dt

import pytest

from tests.conftest import Session, login
from tests.plugins.rental_agency.helpers import ACTOR, dwelling, household
from tremplin.api import FormErrors
from tremplin.models import AuditEntry
from tremplin.reports.engine import build_report
from tremplin.services.clock import now, today
from tremplin.types import Period
from tremplin_housing import occupancy as occ
from tremplin_housing import stock
from tremplin_housing.tables import Occupancy
from tremplin_rental_agency import fund
from tremplin_rental_agency.tables import FundGrant


def _grant(dwelling_id: int, field: str, day: str, amount: str, works: str = "") -> dict:
    return {
        "dwelling": str(dwelling_id),
        "field": field,
        "granted_on": day,
        "amount": amount,
        "works": works,
    }


def _section(report) -> dict:
    chapter = next(p for p in report["programmes"] if p["key"] == "rental_agency")
    return {t["key"]: t for s in chapter["sections"] for t in s["tables"]}


async def test_energy_and_other_grants_in_the_report(database, host):
    """2024: three energy files (2 850 + 1 900 + 3 400 €), one self-renovation site, and a
    departure the fund paid 1 200 €; 2023: two energy files (2 100 + 1 250 €). The energy
    table gives the files, the total and the average, with 2023 beside them (N-1)."""
    places = [await dwelling() for _ in range(5)]
    for dwelling_id, field, day, amount in (
        (places[0], "energy", "2024-03-10", "2850"),
        (places[1], "energy", "2024-06-01", "1900"),
        (places[2], "energy", "2024-11-20", "3400"),
        (places[3], "self_renovation", "2024-05-05", "650"),
        (places[3], "energy", "2023-04-15", "2100"),
        (places[4], "energy", "2023-09-15", "1250"),
        (places[4], "improvement", "2022-12-31", "900"),  # outside both years
    ):
        await fund.record_grant(ACTOR, _grant(dwelling_id, field, day, amount))
    row = await Occupancy.insert(
        Occupancy(
            dwelling=places[0],
            household=await household("SORTANT Un"),
            kind="lease",
            start_date=dt.date(2022, 1, 1),
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Occupancy.id)
    await occ.add_inventory(
        ACTOR, row[0]["id"], {"kind": "exit", "done_on": "2024-02-10", "fund": "1200"}
    )

    tables = _section(await build_report(host, ["rental_agency"], Period.year(2024), "ASL"))
    energy = {r["key"]: r for r in tables["works_fund_energy"]["rows"]}
    assert (energy["files"]["count"], energy["files"]["previous"]) == (3, 2)
    assert (energy["amount"]["count"], energy["amount"]["previous"]) == (8150.0, 3350.0)
    assert (energy["average"]["count"], energy["average"]["previous"]) == (2716.67, 1675.0)
    assert "4\u202f000\u00a0€ au plus" in tables["works_fund_energy"]["note"]  # Babel's French
    fields = {r["key"]: r for r in tables["works_fund_fields"]["rows"]}
    assert {k: r["count"] for k, r in fields.items()} == {
        "departure": 1200.0,
        "energy": 8150.0,
        "self_renovation": 650.0,
        "improvement": 0.0,
    }
    assert tables["works_fund_fields"]["total"] == 10000.0
    assert fields["energy"]["percent"] == 81.5
    assert fields["energy"]["previous"] == 3350.0 and fields["improvement"]["previous"] == 0.0


async def test_grant_rules(database, host):
    place, other = await dwelling(), await dwelling()
    await fund.record_grant(ACTOR, _grant(place, "energy", "2024-03-10", "2500"))
    # Energy works: 4 000 € at most per dwelling, all its grants together.
    with pytest.raises(FormErrors) as caught:
        await fund.record_grant(ACTOR, _grant(place, "energy", "2024-09-10", "1500,01"))
    # The money as Babel writes it (narrow no-break space between thousands, no-break before €).
    assert "4\u202f000,00\xa0€ au plus" in caught.value.errors["amount"]
    assert "2\u202f500,00\xa0€" in caught.value.errors["amount"]
    await fund.record_grant(ACTOR, _grant(place, "energy", "2024-09-10", "1500"))
    # The cap is per dwelling and for energy works only.
    await fund.record_grant(ACTOR, _grant(place, "self_renovation", "2024-09-11", "800"))
    await fund.record_grant(ACTOR, _grant(other, "energy", "2024-09-12", "4000"))
    # Every error at once, nothing written: no dwelling, a date in the future, no amount.
    tomorrow = (today() + dt.timedelta(days=2)).isoformat()
    with pytest.raises(FormErrors) as caught:
        await fund.record_grant(ACTOR, _grant(0, "energy", tomorrow, "0") | {"dwelling": ""})
    assert set(caught.value.errors) >= {"dwelling", "granted_on"}
    with pytest.raises(FormErrors) as caught:
        await fund.record_grant(ACTOR, _grant(other, "improvement", "2024-01-02", "0"))
    assert "supérieur à zéro" in caught.value.errors["amount"]
    # A prospect (not yet managed) is not a dwelling of the stock.
    owner_id = await stock.create_owner(ACTOR, {"kind": "private_person", "name": "P"})
    prospect = await stock.create_dwelling(
        ACTOR,
        {
            "owner": str(owner_id),
            "address": "3 rue Neuve",
            "city": "Firminy",
            "typology": "T2",
            "stock": "private",
            "status": "prospect",
        },
        {},
    )
    with pytest.raises(FormErrors) as caught:
        await fund.record_grant(ACTOR, _grant(prospect, "energy", "2024-01-02", "100"))
    assert "dwelling" in caught.value.errors
    assert await FundGrant.count() == 4
    assert await AuditEntry.count().where(AuditEntry.object_type == "rental_agency_fund_grant") == 4


async def test_fund_page(social_worker, client, users):
    place = await dwelling()
    page = await social_worker.get("/rental_agency/fund")
    assert page.status_code == 200 and "Enregistrer une aide du fonds" in page.text
    # Errors in French, the input kept, nothing written.
    response = await social_worker.post(
        "/rental_agency/fund",
        _grant(place, "energy", today().isoformat(), "4000,50", "Isolation des combles"),
    )
    assert response.status_code == 422
    assert "au plus" in response.text and "Isolation des combles" in response.text
    assert await FundGrant.count() == 0
    response = await social_worker.post(
        "/rental_agency/fund",
        _grant(place, "energy", today().isoformat(), "2850", "Isolation des combles"),
    )
    assert response.status_code == 303
    page = await social_worker.get("/rental_agency/fund")
    assert "Isolation des combles" in page.text and "2850.00 €" in page.text
    last_year = await social_worker.get(f"/rental_agency/fund?year={today().year - 1}")
    assert last_year.status_code == 200 and "Isolation des combles" not in last_year.text
    assert (await social_worker.get("/rental_agency/fund?year=99999")).status_code == 400
    partner = Session(client, await login(client, "partner@test.fr"), users["partner"])
    assert (await partner.get("/rental_agency/fund")).status_code == 403


async def test_two_energy_grants_at_once_cannot_pass_the_cap(database, monkeypatch):
    """Two grants of 2 500 € to the same dwelling saved at once: one is refused. Each saver
    is held after the lock, before reading what was granted, until the other arrives (1 s at
    most): without the lock both would read 0 € and both be written."""
    place = await dwelling()
    real = fund._energy_given
    arrived = {"n": 0}
    both = asyncio.Event()

    async def held(dwelling_id: int) -> int:
        arrived["n"] += 1
        if arrived["n"] >= 2:
            both.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both.wait(), 1.0)
        return await real(dwelling_id)

    monkeypatch.setattr(fund, "_energy_given", held)
    results = await asyncio.gather(
        fund.record_grant(ACTOR, _grant(place, "energy", "2024-03-10", "2500")),
        fund.record_grant(ACTOR, _grant(place, "energy", "2024-03-11", "2500")),
        return_exceptions=True,
    )
    assert sum(isinstance(r, FormErrors) for r in results) == 1, results
    assert await FundGrant.count() == 1
