"""Housing outputs through the access policy (issue 14, what session 3 left): the address of
a dwelling is its occupants' address. A household in Alter Logement AND in the IML sub-lease
lives in a sub-lease dwelling that is *not* flagged confidential: every housing output
(dwelling page, stock list and search, captation, occupancy and ledger, household panel,
receipt, reminder letter, agreement PDF) masks its address to whoever the policy does not let
see the household's contact details; lists of restricted users keep to their programmes."""

from __future__ import annotations

import datetime as dt
import io

import httpx
import pypdf

from tests.conftest import login
from tests.core.test_policy import two_programmes
from tests.plugins.housing import helpers as housing
from tremplin.models import AuditEntry, Enrolment, User
from tremplin_housing import occupancy as occ
from tremplin_housing import stock
from tremplin_housing.arrears import record_step
from tremplin_housing.ledger import record_entry, run_rent_calls

STREET = "15 impasse du Logement"


def _pdf_text(content: bytes) -> str:
    return " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)


async def _protected_dwelling() -> dict[str, int]:
    """The household of two programmes in an unflagged sub-lease dwelling, with a paid
    month and a reminder (so that the receipt and the letter exist)."""
    household_id, al_id, sublease_id = await two_programmes()
    dwelling_id = await housing.dwelling(address=STREET, city="Alès")
    occupancy_id = await housing.occupancy(dwelling_id, household_id, start="2024-01-01")
    await Enrolment.update(
        {Enrolment.state: "housed", Enrolment.entry_date: dt.date(2024, 1, 1)}
    ).where(Enrolment.id == sublease_id)
    await run_rent_calls(housing.ACTOR, dt.date(2024, 1, 1))
    await record_entry(
        housing.ACTOR,
        occupancy_id,
        {"kind": "payment", "entry_date": "2024-01-05", "amount": "450", "means": "cash"},
    )
    step_id = await record_step(
        housing.ACTOR, household_id, {"step": "first_reminder", "done_on": "2024-02-05"}
    )
    return {
        "household": household_id,
        "dwelling": dwelling_id,
        "occupancy": occupancy_id,
        "sublease": sublease_id,
        "step": step_id,
    }


async def _outputs(client: httpx.AsyncClient, csrf: str, ids: dict[str, int]) -> dict[str, str]:
    """Every housing output of that dwelling, as the client's user: name → text seen."""
    seen: dict[str, str] = {}
    for name, url in (
        ("dwelling", f"/housing/dwellings/{ids['dwelling']}"),
        ("stock", "/housing/dwellings"),
        ("captation", "/housing/captation"),
        ("occupancy", f"/housing/occupancies/{ids['occupancy']}"),
        ("household", f"/households/{ids['household']}"),
        ("receipt", f"/housing/occupancies/{ids['occupancy']}/receipts/2024-01"),
        ("letter", f"/housing/arrears-steps/{ids['step']}/letter"),
        ("agreement", f"/iml_sublease/enrolments/{ids['sublease']}/convention"),
    ):
        response = await client.get(url)
        if response.headers.get("content-type", "").startswith("application/pdf"):
            seen[name] = _pdf_text(response.content)
        else:
            seen[name] = f"{response.status_code} {response.text}"
    response = await client.post(
        "/housing/dwellings/search",
        data={"q": "impasse Logement", "_csrf": csrf},
        headers={"HX-Request": "true"},
    )
    seen["search"] = response.text
    return seen


async def test_a_dwelling_of_a_household_in_alter_logement_is_masked_everywhere(app, users, host):
    ids = await _protected_dwelling()
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 9))
    seen: dict[str, dict[str, str]] = {}
    for role in ("admin", "head_of_service", "rental_manager", "social_worker"):
        async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as c:
            seen[role] = await _outputs(c, await login(c, f"{role}@test.fr"), ids)
    # Unassigned to Alter Logement (the administrator included): masked on every output
    # they reach, whatever the dwelling's own programme; a search by the address finds
    # nothing.
    for role, texts in seen.items():
        for name, text in texts.items():
            assert "impasse du Logement" not in text, (role, name)
    for role in ("admin", "head_of_service"):
        assert "Adresse confidentielle" in seen[role]["dwelling"], role
        assert "Coordonnées confidentielles" in seen[role]["agreement"], role
    for role in ("admin", "head_of_service", "rental_manager"):
        assert "Quittance de loyer" in seen[role]["receipt"], role  # the PDF was built
        assert "confidentielle" in seen[role]["receipt"].lower(), role
        assert "confidentielle" in seen[role]["letter"].lower(), role
        assert seen[role]["occupancy"].startswith("200"), role  # the ledger page
        assert "Adresse confidentielle" in seen[role]["occupancy"], role
    # Assigned by name to Alter Logement (and the sub-lease): shown, each print audited.
    await User.update({User.programmes: ["alter_logement", "iml_sublease"]}).where(
        User.id == users["rental_manager"].id
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as c:
        allowed = await _outputs(c, await login(c, "rental_manager@test.fr"), ids)
    for name in ("dwelling", "occupancy", "receipt", "letter", "stock", "search"):
        assert "impasse du Logement" in allowed[name], name
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "read_confidential")
        & (AuditEntry.object_type == "housing_dwelling")
        & (AuditEntry.object_id == ids["dwelling"])
        & (AuditEntry.user_id == users["rental_manager"].id)
    )
    # Once the household has left, the dwelling's address is no longer anyone's secret.
    await Enrolment.delete().where(
        (Enrolment.household == ids["household"]) & (Enrolment.programme == "alter_logement")
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as c:
        await login(c, "admin@test.fr")
        assert STREET in (await c.get(f"/housing/dwellings/{ids['dwelling']}")).text


async def test_lists_keep_a_restricted_user_to_their_programmes(app, users, host):
    ids = await _protected_dwelling()
    cllaj = {"cllaj_glissant": "CLLAJ bail glissant"}
    form = {
        "owner": str(await housing.owner("Autre propriétaire")),
        "address": "2 rue Ailleurs",
        "postcode": "30100",
        "city": "Alès",
        "typology": "T1",
        "stock": "private",
        "status": "available",
        "programme": "cllaj_glissant",
    }
    other = await stock.create_dwelling(housing.ACTOR, form, cllaj)
    other_household = await housing.household("AUTRE Programme")
    await occ.create_occupancy(
        housing.ACTOR,
        other,
        {
            "household": str(other_household),
            "kind": "lease",
            "programme": "cllaj_glissant",
            "start_date": "2024-01-01",
            "rent": "300",
            "charges": "0",
            "benefit": "0",
        },
        cllaj,
    )
    await Enrolment.insert(
        Enrolment(
            household=other_household,
            programme="cllaj_glissant",
            state="housed",
            prescriber="other",
            created_at=dt.datetime.now(dt.UTC),
            updated_at=dt.datetime.now(dt.UTC),
        )
    )
    await run_rent_calls(housing.ACTOR, dt.date(2024, 2, 1))  # both in arrears afterwards
    references = {}
    for dwelling_id in (ids["dwelling"], other):
        from tremplin_housing.tables import Dwelling

        row = await Dwelling.select(Dwelling.reference).where(Dwelling.id == dwelling_id).first()
        references[dwelling_id] = row["reference"]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 9))
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as c:
        csrf = await login(c, "rental_manager@test.fr")  # not restricted: both
        listed = (await c.get("/housing/dwellings")).text
        assert references[ids["dwelling"]] in listed and references[other] in listed
        arrears = (await c.get("/housing/arrears?month=2024-02")).text
        assert "DOUBLE Clara" in arrears and "AUTRE Programme" in arrears
        await User.update({User.programmes: ["cllaj_glissant"]}).where(
            User.id == users["rental_manager"].id
        )
        listed = (await c.get("/housing/dwellings")).text
        assert references[other] in listed and references[ids["dwelling"]] not in listed
        found = (
            await c.post(
                "/housing/dwellings/search",
                data={"q": references[ids["dwelling"]], "_csrf": csrf},
                headers={"HX-Request": "true"},
            )
        ).text
        assert "Aucun logement" in found
        assert f'/housing/dwellings/{ids["dwelling"]}"' not in found
        captation = (await c.get("/housing/captation")).text
        assert references[other] in captation and references[ids["dwelling"]] not in captation
        arrears = (await c.get("/housing/arrears?month=2024-02")).text
        assert "AUTRE Programme" in arrears and "DOUBLE Clara" not in arrears
        # The object pages answer 404, as the lists say nothing of them.
        assert (await c.get(f"/housing/dwellings/{ids['dwelling']}")).status_code == 404
        # Rent calls: the restricted manager calls (and counts) their programme's only.
        response = await c.post("/housing/rent-calls", data={"month": "2024-03", "_csrf": csrf})
        assert response.status_code == 200
    from tremplin_housing.tables import LedgerEntry

    called = await LedgerEntry.select(LedgerEntry.occupancy).where(
        (LedgerEntry.kind == "call") & (LedgerEntry.month == dt.date(2024, 3, 1))
    )
    assert [r["occupancy"] for r in called] != [] and ids["occupancy"] not in {
        r["occupancy"] for r in called
    }
