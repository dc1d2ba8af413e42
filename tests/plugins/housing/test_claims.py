"""Damages and insurance claims, the follow-up of interventions, inventory photos, and the
confidential address of a dwelling of a confidential programme (Alter Logement)."""

import pytest

from tests.plugins.housing.helpers import ACTOR, dwelling, housed, household, owner
from tremplin.api import FormErrors
from tremplin.models import AuditEntry, Enrolment, TimelineEvent, User
from tremplin.services import enrolments as enr
from tremplin.services.documents import store_document
from tremplin_housing import claims
from tremplin_housing import occupancy as occ
from tremplin_housing.maintenance import add_intervention, update_intervention
from tremplin_housing.photos import attach_photo
from tremplin_housing.tables import (
    Claim,
    Dwelling,
    Intervention,
    Inventory,
    InventoryPhoto,
)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8"
    b"\xc5\x00\x00\x00\x00IEND\xaeB`\x82"
)
CLAIM = {
    "occurred_on": "2024-02-03",
    "kind": "water_damage",
    "description": "Fuite du ballon d'eau chaude",
    "insurer": "MAIF",
    "claim_reference": "S-2024-17",
    "claimed": "1200",
    "received": "",
    "status": "declared",
}


async def test_claims_on_the_dwelling_and_the_occupant_timeline(database):
    dwelling_id, household_id, _ = await housed("2024-01-01")
    claim_id = await claims.add_claim(ACTOR, dwelling_id, CLAIM)
    assert await claims.add_claim(ACTOR, dwelling_id, CLAIM) == claim_id  # double submit
    bad = [
        (
            {**CLAIM, "status": "compensated"},
            {"received": "un sinistre indemnisé a une indemnité reçue"},
        ),
        (
            {**CLAIM, "received": "100"},
            {"status": "une indemnité reçue : le sinistre est « Indemnisé » ou « Clos »"},
        ),
        (
            {**CLAIM, "kind": "meteor", "description": "", "claimed": "-1"},
            {
                "kind": "choix inconnu",
                "description": "ce champ est obligatoire",
                "claimed": "le montant ne peut pas être négatif",
            },
        ),
        ({**CLAIM, "occurred_on": "2099-01-01"}, {"occurred_on": "la date est dans le futur"}),
    ]
    for raw, errors in bad:
        with pytest.raises(FormErrors) as caught:
            await claims.add_claim(ACTOR, dwelling_id, raw)
        assert caught.value.errors == errors
    assert await Claim.count() == 1
    assert (
        await claims.update_claim(
            ACTOR,
            claim_id,
            {
                "status": "compensated",
                "claim_reference": "S-2024-17",
                "claimed": "1200",
                "received": "950,40",
            },
        )
        == dwelling_id
    )
    [row] = await claims.claims_of(dwelling_id)
    assert (row["status_label"], row["claimed_cents"], row["received_cents"], row["household"]) == (
        "Indemnisé",
        120000,
        95040,
        household_id,
    )
    titles = [
        r["title"]
        for r in await TimelineEvent.select(TimelineEvent.title).where(
            (TimelineEvent.household == household_id) & (TimelineEvent.kind == "housing_claim")
        )
    ]
    assert titles == [
        "Sinistre dans le logement L-00001 : dégât des eaux",
        "Sinistre du 03/02/2024 : indemnisé",
    ]


async def test_intervention_follow_up(database):
    dwelling_id, household_id, _ = await housed("2024-01-01")
    intervention_id = await add_intervention(
        ACTOR,
        dwelling_id,
        {
            "requested_on": "2024-02-01",
            "description": "Volet cassé",
            "liable": "occupant",
            "done_by": "insertion_workshop",
            "status": "requested",
        },
    )
    for raw, errors in (
        ({"status": "done", "cost": "80"}, {"done_on": "indiquez la date de réalisation"}),
        (
            {"status": "planned", "done_on": "2024-02-05"},
            {"status": "une intervention datée de sa réalisation est « Réalisée »"},
        ),
        (
            {"status": "done", "done_on": "2024-01-05"},
            {"done_on": "la réalisation précède la demande"},
        ),
        (
            {"status": "done", "done_on": "2024-02-05", "cost": "-1"},
            {"cost": "le montant ne peut pas être négatif"},
        ),
    ):
        with pytest.raises(FormErrors) as caught:
            await update_intervention(ACTOR, intervention_id, raw)
        assert caught.value.errors == errors
    await update_intervention(
        ACTOR, intervention_id, {"status": "done", "done_on": "2024-02-05", "cost": "80,25"}
    )
    row = await Intervention.select().where(Intervention.id == intervention_id).first()
    assert (row["status"], str(row["done_on"]), row["cost_cents"]) == ("done", "2024-02-05", 8025)
    events = await TimelineEvent.select(TimelineEvent.title).where(
        (TimelineEvent.household == household_id) & (TimelineEvent.kind == "intervention")
    )
    assert [e["title"] for e in events][-1] == "Intervention réalisée"


async def test_claim_and_intervention_pages(login_as):
    technician = await login_as("technician")
    dwelling_id, _, _ = await housed("2024-01-01")
    base = f"/housing/dwellings/{dwelling_id}"
    bad = await technician.post(
        f"{base}/claims",
        {
            f"claim_{k}": v
            for k, v in {**CLAIM, "status": "compensated", "description": "Fuite tapée"}.items()
        },
    )
    assert bad.status_code == 422 and "un sinistre indemnisé a une indemnité reçue" in bad.text
    assert "Fuite tapée" in bad.text
    ok = await technician.post(f"{base}/claims", {f"claim_{k}": v for k, v in CLAIM.items()})
    assert ok.status_code == 303 and ok.headers["location"].endswith("#claims")
    [claim] = await Claim.select(Claim.id)
    c = claim["id"]
    bad = await technician.post(
        f"/housing/claims/{c}/edit", {f"claim{c}_status": "compensated", f"claim{c}_received": ""}
    )
    assert bad.status_code == 422 and "un sinistre indemnisé a une indemnité reçue" in bad.text
    assert f'aria-describedby="e-claim{c}_received"' in bad.text
    assert (
        await technician.post(
            f"/housing/claims/{c}/edit",
            {
                f"claim{c}_status": "compensated",
                f"claim{c}_received": "950",
                f"claim{c}_claimed": "1200",
            },
        )
    ).status_code == 303
    page = (await technician.get(base)).text
    assert "Sinistres et assurance" in page and "MAIF" in page and "950,00\u00a0€" in page
    assert "Dégât des eaux" in page and "Indemnisé" in page
    assert (
        await technician.post(
            f"{base}/interventions",
            {
                "intervention_requested_on": "2024-02-01",
                "intervention_description": "Volet",
                "intervention_liable": "owner",
                "intervention_done_by": "team",
                "intervention_status": "requested",
            },
        )
    ).status_code == 303
    [row] = await Intervention.select(Intervention.id)
    i = row["id"]
    bad = await technician.post(
        f"/housing/interventions/{i}/edit",
        {f"intervention{i}_status": "done", f"intervention{i}_cost": "45"},
    )
    assert bad.status_code == 422 and "indiquez la date de réalisation" in bad.text
    assert 'value="45"' in bad.text
    assert (
        await technician.post(
            f"/housing/interventions/{i}/edit",
            {
                f"intervention{i}_status": "done",
                f"intervention{i}_done_on": "2024-02-03",
                f"intervention{i}_cost": "45",
            },
        )
    ).status_code == 303
    page = (await technician.get(base)).text
    assert "Réalisée le 03/02/2024" in page and "45,00\u00a0€" in page
    worker = await login_as("social_worker")
    assert (await worker.post(f"/housing/claims/{c}/edit", {})).status_code == 403
    assert (await technician.post("/housing/interventions/999999/edit", {})).status_code == 404


async def test_inventory_photos_are_documents_of_the_household(login_as, settings):
    manager = await login_as("rental_manager")
    _, household_id, occupancy_id = await housed("2024-01-01")
    await occ.add_inventory(
        ACTOR, occupancy_id, {"kind": "entry", "done_on": "2024-01-01", "notes": "Bon état"}
    )
    [inventory] = await Inventory.select(Inventory.id)
    photo = await store_document(
        ACTOR, settings.data_dir, household_id, "salon.png", PNG, "inventory", 100_000
    )
    other = await store_document(
        ACTOR, settings.data_dir, await household("AUTRE"), "autre.png", PNG, "inventory", 100_000
    )
    url = f"/housing/inventories/{inventory['id']}/photos"
    refused = await manager.post(url, {"document": str(other)})
    assert refused.status_code == 422
    assert "ce document n&#39;appartient pas au dossier de ce ménage" in refused.text
    for _ in range(2):
        assert (await manager.post(url, {"document": str(photo)})).status_code == 303
    assert await InventoryPhoto.count() == 1
    page = (await manager.get(f"/housing/occupancies/{occupancy_id}")).text
    assert f'href="/documents/{photo}/download">salon.png</a>' in page
    with pytest.raises(FormErrors):
        await attach_photo(ACTOR, inventory["id"], {"document": ""})
    assert (
        await manager.post("/housing/inventories/999999/photos", {"document": str(photo)})
    ).status_code == 404


async def test_a_dwelling_of_a_confidential_programme_is_confidential(login_as, host):
    """Alter Logement (core ``confidential_contacts``): its dwellings' addresses are masked
    for staff not assigned to it by name, whatever their role, and each view is audited."""
    manager = await login_as("rental_manager")
    owner_id = await owner()
    created = await manager.post(
        "/housing/dwellings/new",
        {
            "owner": str(owner_id),
            "address": "9 allée Secrète",
            "city": "Alès",
            "typology": "T2",
            "stock": "private",
            "status": "available",
            "programme": "alter_logement",
        },
    )  # no "confidential" box ticked
    assert created.status_code == 303
    row = (
        await Dwelling.select(Dwelling.id, Dwelling.confidential)
        .where(Dwelling.programme == "alter_logement")
        .first()
    )
    assert row["confidential"] is True
    # A dwelling entered by an Alter Logement household (its entry, through the enrolment's
    # transition) becomes confidential too.
    plain = await dwelling(owner_id, address="4 rue Claire", programme="")
    household_id = await household("VICTIME Anonyme")
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "alter_logement",
        {
            "referral_date": "2023-12-01",
            "prescriber": "sos_violences",
            "situation_before_entry": "emergency_shelter",
        },
    )
    for key, values in (
        ("accept", {"decision_date": "2023-12-10"}),
        ("enter", {"entry_date": "2024-01-01", "dwelling": str(plain), "rent": "300"}),
    ):
        version = (
            await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
        )["version"]
        await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)
    assert (await Dwelling.select(Dwelling.confidential).where(Dwelling.id == plain).first())[
        "confidential"
    ] is True
    for role in ("admin", "head_of_service", "rental_manager", "technician"):
        user = await login_as(role)
        for url in (
            "/housing/dwellings",
            f"/housing/dwellings/{row['id']}",
            f"/housing/dwellings/{plain}",
        ):
            text = (await user.get(url)).text
            assert "Secrète" not in text and "Claire" not in text, (role, url)
    before = await AuditEntry.count().where(AuditEntry.action == "read_confidential")
    await User.update({User.programmes: ["alter_logement"]}).where(
        User.email == "technician@test.fr"
    )
    technician = await login_as("technician")
    assert "9 allée Secrète" in (await technician.get(f"/housing/dwellings/{row['id']}")).text
    assert await AuditEntry.count().where(AuditEntry.action == "read_confidential") == before + 1
