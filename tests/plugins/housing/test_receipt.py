"""Rent receipts (quittances) as PDF through Typst, only for fully paid months."""

import io

import httpx
import pypdf
import pytest

from tests.conftest import Session, login
from tests.plugins.housing.helpers import ACTOR, d, dwelling, household, occupancy
from tremplin_housing.ledger import record_entry, run_rent_calls
from tremplin_housing.receipt import unpaid_by_month


def test_credits_settle_the_oldest_month_first():
    entries = [
        {
            "kind": "call",
            "month": d("2024-01-01"),
            "entry_date": d("2024-01-01"),
            "amount_cents": 450,
        },
        {
            "kind": "call",
            "month": d("2024-02-01"),
            "entry_date": d("2024-02-01"),
            "amount_cents": 450,
        },
        {"kind": "payment", "month": None, "entry_date": d("2024-02-10"), "amount_cents": 500},
        {"kind": "payment", "month": None, "entry_date": d("2024-03-10"), "amount_cents": 400},
    ]
    assert unpaid_by_month(entries, d("2024-02-28")) == {d("2024-01-01"): 0, d("2024-02-01"): 400}
    assert unpaid_by_month(entries, d("2024-03-31")) == {d("2024-01-01"): 0, d("2024-02-01"): 0}


@pytest.fixture
async def manager(app, users):
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 7)),
        base_url="http://testserver.local",
    )
    yield Session(client, await login(client, "rental_manager@test.fr"), users["rental_manager"])
    await client.aclose()


async def test_receipt_pdf_for_a_fully_paid_month_only(manager):
    dwelling_id = await dwelling()
    household_id = await household("DUPONT #strong[x] $y$ _z_ <lbl>")
    occupancy_id = await occupancy(
        dwelling_id, household_id, "2024-01-01", rent="400", charges="50", benefit="100"
    )
    await run_rent_calls(ACTOR, d("2024-01-01"))
    await run_rent_calls(ACTOR, d("2024-02-01"))
    await record_entry(
        ACTOR,
        occupancy_id,
        {"kind": "payment", "entry_date": "2024-01-05", "amount": "350", "means": "cash"},
    )
    base = f"/housing/occupancies/{occupancy_id}/receipts"
    response = await manager.get(f"{base}/2024-01")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        "Quittance de loyer",
        "janvier 2024",
        "DUPONT #strong[x] $y$ _z_ <lbl>",
        "400,00\u00a0€",
        "50,00\u00a0€",
        "450,00\u00a0€",
        "100,00\u00a0€",
        "350,00\u00a0€",
        "du 01/01/2024 au 31/01/2024",
        "3 rue des Lilas",
    ):
        assert expected in text, expected
    # February: 450 € called, 100 € of benefit, nothing paid by the household yet.
    unpaid = await manager.get(f"{base}/2024-02")
    assert unpaid.status_code == 422
    assert unpaid.text == (
        "Le loyer de février 2024 n'est pas entièrement payé : il reste 350,00\u00a0€ à régler."
    )
    not_called = await manager.get(f"{base}/2024-03")
    assert not_called.status_code == 404
    assert not_called.text == "Aucun loyer n'a été appelé pour mars 2024."
    assert (await manager.get(f"{base}/2024-13")).status_code == 404
    assert (await manager.get("/housing/occupancies/999999/receipts/2024-01")).status_code == 404
    # The occupancy page links the receipts of the paid months.
    page = (await manager.get(f"/housing/occupancies/{occupancy_id}")).text
    assert f"{base}/2024-01" in page and f"{base}/2024-02" not in page
