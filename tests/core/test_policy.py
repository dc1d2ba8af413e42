"""The access policy (issue 14), each finding written as the reproduction that failed: a
household in Alter Logement (confidential contacts, sensitive fields) AND in the IML
sub-lease, read and shared through every output."""

from __future__ import annotations

import datetime as dt
import io
import json

import pypdf

from tests.conftest import login
from tests.core.test_access import _login_partner
from tests.plugins.housing import helpers as housing
from tremplin.models import AuditEntry, Enrolment, Household, Share, TimelineEvent, User
from tremplin.policy import contact_kinds_allowed, household_access
from tremplin.services import households as hh
from tremplin.services.clock import now, today
from tremplin.services.retention import RetentionPlan, apply_plan

ADDRESS = "7 chemin Caché"
PHONE = "0611112222"
PREVIOUS = "ancienne adresse 4 rue Quittée"
AL_NOTE = "rendez-vous avocate, ne pas transmettre"
SENSITIVE = {
    "complaint_filed": True,
    "protection_order": True,
    "protection_order_date": "2024-02-17",
    "serious_danger_phone": True,
    "eviction_of_spouse": True,
}


async def two_programmes() -> tuple[int, int, int]:
    """A household in Alter Logement and in the sub-lease: (household, AL enrolment,
    sub-lease enrolment) ids."""
    household_id = await hh.create_household(
        hh.Actor(None),
        {"name": "DOUBLE Clara", "address": ADDRESS, "phone": PHONE},
        {"first_name": "Clara", "last_name": "Double", "birth_date": "1991-03-04"},
    )
    ids = []
    for programme, data in (
        ("alter_logement", {"situation_before_entry": "marital_home", **SENSITIVE}),
        ("iml_sublease", {}),
    ):
        row = await Enrolment.insert(
            Enrolment(
                household=household_id,
                programme=programme,
                state="housed" if programme == "alter_logement" else "referral",
                prescriber="other",
                referral_date=dt.date(2024, 1, 10),
                entry_date=dt.date(2024, 2, 1) if programme == "alter_logement" else None,
                data=data,
                created_at=now(),
                updated_at=now(),
            )
        ).returning(Enrolment.id)
        ids.append(row[0]["id"])
    await TimelineEvent.insert(
        TimelineEvent(
            household=household_id,
            kind="note",
            occurred_at=now(),
            programme="alter_logement",
            visibility="staff",
            title="Note",
            body=AL_NOTE,
            created_at=now(),
        )
    )
    return household_id, ids[0], ids[1]


def _share_form(partner_id: int, programme: str, groups: list[str]) -> dict:
    return {
        "partner": str(partner_id),
        "programme": programme,
        "groups": groups,
        "consent_date": today().isoformat(),
        "consent_expires": (today() + dt.timedelta(days=90)).isoformat(),
    }


async def test_c1_unassigned_worker_cannot_share_masked_contacts_with_the_mission_locale(
    app, social_worker, users, host
):
    """C1: share as an unassigned worker under the household's other programme, with the
    « coordonnées » group, then read as the Mission Locale partner."""
    household_id, _, _ = await two_programmes()
    page = await social_worker.get(f"/households/{household_id}")
    assert ADDRESS not in page.text  # the worker sees the contacts masked…
    assert 'value="contact"' not in page.text  # …and is not offered to share them
    refused = await social_worker.post(
        f"/households/{household_id}/shares",
        _share_form(users["partner"].partner, "iml_sublease", ["identity", "contact"]),
    )
    assert refused.status_code == 422
    assert "confidentielles" in refused.text
    assert not await Share.exists().where(Share.household == household_id)

    # Even a worker assigned to Alter Logement (who sees them) cannot send them to a kind of
    # partner Alter Logement does not allow, whichever programme the share names.
    await User.update({User.programmes: ["alter_logement", "iml_sublease"]}).where(
        User.id == users["social_worker"].id
    )
    refused = await social_worker.post(
        f"/households/{household_id}/shares",
        _share_form(users["partner"].partner, "iml_sublease", ["identity", "contact"]),
    )
    assert refused.status_code == 422 and "SOS Violences Conjugales" in refused.text
    made = await social_worker.post(
        f"/households/{household_id}/shares",
        _share_form(users["partner"].partner, "iml_sublease", ["identity"]),
    )
    assert made.status_code == 303

    # A share written before the rule existed (contacts to the Mission Locale) leaks nothing.
    await Share.insert(
        Share(
            household=household_id,
            partner=users["partner"].partner,
            programme="iml_sublease",
            groups=["identity", "contact"],
            consent_date=today(),
            consent_expires=today() + dt.timedelta(days=30),
            created_at=now(),
        )
    )
    partner, _ = await _login_partner(app)
    read = await partner.get(f"/partner/households/{household_id}")
    assert read.status_code == 200 and "Clara" in read.text
    assert ADDRESS not in read.text and PHONE not in read.text
    await partner.aclose()


async def test_contact_kinds_allowed_is_the_strictest_rule(host):
    assert contact_kinds_allowed(host, ["iml_sublease"]) is None
    assert contact_kinds_allowed(host, ["alter_logement", "iml_sublease"]) == {"sos_vc"}


async def test_c3_api_never_returns_sensitive_fields_without_the_permission(client, users, host):
    household_id, al_id, _ = await two_programmes()
    csrf = await login(client, "social_worker@test.fr")
    listed = await client.get(f"/api/households/{household_id}/enrolments")
    assert listed.status_code == 200
    al = next(e for e in listed.json() if e["programme"] == "alter_logement")
    assert al["data"] == {"situation_before_entry": "marital_home"}
    assert "protection_order_date" not in listed.text and "2024-02-17" not in listed.text
    version = (await Enrolment.select(Enrolment.version).where(Enrolment.id == al_id).first())[
        "version"
    ]
    moved = await client.post(
        f"/api/enrolments/{al_id}/transitions/exit",
        json={
            "version": version,
            "exit_date": today().isoformat(),
            "exit_destination": "family",
            "complaint_filed": False,
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert moved.status_code == 200, moved.text
    assert "complaint_filed" not in moved.text and "2024-02-17" not in moved.text
    stored = await Enrolment.select(Enrolment.data).where(Enrolment.id == al_id).first()
    assert json.loads(stored["data"])["complaint_filed"] is True  # not written either
    await login(client, "head_of_service@test.fr")
    seen = await client.get(f"/api/households/{household_id}/enrolments")
    assert "2024-02-17" in seen.text  # the permission shows them


async def test_c4_person_export_keeps_to_the_worker_programmes(client, users, host):
    household_id, _, _ = await two_programmes()
    person_id = (await hh.household_members(household_id))[0]["person_id"]
    await User.update({User.programmes: ["iml_sublease"]}).where(
        User.id == users["social_worker"].id
    )
    await login(client, "social_worker@test.fr")
    export = await client.get(f"/people/{person_id}/export.json")
    assert export.status_code == 200
    assert AL_NOTE not in export.text and "Alter Logement" not in export.text
    assert "IML" in export.text
    pdf = await client.get(f"/people/{person_id}/export.pdf")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "avocate" not in text
    await login(client, "head_of_service@test.fr")
    assert AL_NOTE in (await client.get(f"/people/{person_id}/export.json")).text


async def test_c5_archiving_and_anonymising_end_the_shares(app, client, users, host, settings):
    household_id, _, _ = await two_programmes()
    other_id, _, _ = await two_programmes()
    for h in (household_id, other_id):
        await Share.insert(
            Share(
                household=h,
                partner=users["partner"].partner,
                programme="iml_sublease",
                groups=["identity", "shared_notes"],
                consent_date=today(),
                consent_expires=today() + dt.timedelta(days=30),
                created_at=now(),
            )
        )
    partner, csrf = await _login_partner(app)
    assert (await partner.get(f"/partner/households/{household_id}")).status_code == 200
    await apply_plan(RetentionPlan(archive=[household_id]), settings.data_dir, host=host)
    assert (await partner.get(f"/partner/households/{household_id}")).status_code == 404
    listing = (await partner.get("/partner")).text
    assert f"/partner/households/{household_id}" not in listing
    assert f"/partner/households/{other_id}" in listing
    # An archived file whose share was left open (a crash, an import) is not readable either.
    await Household.update({Household.archived_at: now()}).where(Household.id == other_id)
    assert (await partner.get(f"/partner/households/{other_id}")).status_code == 404
    note = await partner.post(
        f"/partner/households/{other_id}/notes",
        data={"body": "x"},
        headers={"X-CSRF-Token": csrf},
    )
    assert note.status_code == 404
    await apply_plan(RetentionPlan(anonymise=[other_id]), settings.data_dir, host=host)
    assert not await Share.exists().where(
        (Share.household.is_in([household_id, other_id])) & Share.ended_at.is_null()
    )
    await partner.aclose()


async def test_c6_anonymisation_coarsens_declared_enrolment_fields(database, host, settings):
    household_id, al_id, _ = await two_programmes()
    await Enrolment.update({Enrolment.data: {**SENSITIVE, "sos_referent": "Mme Vidal"}}).where(
        Enrolment.id == al_id
    )
    await Household.update({Household.archived_at: now()}).where(Household.id == household_id)
    await apply_plan(RetentionPlan(anonymise=[household_id]), settings.data_dir, host=host)
    data = (
        await Enrolment.select(Enrolment.data)
        .where(Enrolment.id == al_id)
        .output(load_json=True)
        .first()
    )["data"]
    assert data["protection_order_date"] == "2024-02-01"  # the month only
    assert data["complaint_filed"] is True and data["protection_order"] is True  # counted
    assert data["sos_referent"] == "Mme Vidal"  # neither sensitive nor identifying


async def test_c7_creation_form_hides_sensitive_inputs(client, users, host):
    household_id = await hh.create_household(hh.Actor(None), {"name": "FORMULAIRE Léa"})
    await login(client, "social_worker@test.fr")
    form = await client.get(
        f"/households/{household_id}/enrolments/new", params={"programme": "alter_logement"}
    )
    assert form.status_code == 200
    assert 'name="complaint_filed"' not in form.text
    assert 'name="protection_order_date"' not in form.text
    assert 'name="situation_before_entry"' in form.text
    await login(client, "head_of_service@test.fr")
    form = await client.get(
        f"/households/{household_id}/enrolments/new", params={"programme": "alter_logement"}
    )
    assert 'name="complaint_filed"' in form.text


async def test_c2_agreement_pdf_masks_prints_the_dwelling_and_is_audited(client, users, host):
    household_id, _, sublease_id = await two_programmes()
    await Household.update({Household.address: PREVIOUS}).where(Household.id == household_id)
    dwelling_id = await housing.dwelling(address="15 impasse du Logement", city="Alès")
    await housing.occupancy(dwelling_id, household_id, start="2024-02-01")
    await Enrolment.update(
        {Enrolment.state: "housed", Enrolment.entry_date: dt.date(2024, 2, 1)}
    ).where(Enrolment.id == sublease_id)
    url = f"/iml_sublease/enrolments/{sublease_id}/convention"
    await login(client, "head_of_service@test.fr")  # unassigned: contacts masked
    pdf = await client.get(url)
    assert pdf.status_code == 200
    assert pdf.headers["content-disposition"].startswith("attachment")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "impasse du Logement" not in text and "Coordonnées confidentielles" in text
    assert "Quittée" not in text
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "export")
        & (AuditEntry.object_id == sublease_id)
        & (AuditEntry.user_id == users["head_of_service"].id)
    )
    await User.update({User.programmes: ["alter_logement", "iml_sublease"]}).where(
        User.id == users["social_worker"].id
    )
    await login(client, "social_worker@test.fr")
    pdf = await client.get(url)
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "15 impasse du Logement" in text and "Quittée" not in text
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "read_confidential")
        & (AuditEntry.object_id == household_id)
        & (AuditEntry.user_id == users["social_worker"].id)
    )


async def test_household_access_projection(database, users, host):
    household_id, _, _ = await two_programmes()
    worker = users["social_worker"]
    access = await household_access(host, worker, household_id)
    assert access.visible and not access.contacts and not access.sensitive
    assert access.programmes == {"alter_logement", "iml_sublease"}
    masked = access.project_household({"id": household_id, "address": ADDRESS, "phone": ""})
    assert masked["address"] == "Coordonnées confidentielles" and masked["phone"] == ""
    worker.programmes = ["iml_sublease"]
    access = await household_access(host, worker, household_id)
    assert access.programmes == {"iml_sublease"} and not access.contacts
    worker.programmes = ["alter_logement"]
    assert (await household_access(host, worker, household_id)).contacts
    await Household.update({Household.archived_at: now()}).where(Household.id == household_id)
    assert not (await household_access(host, worker, household_id)).visible
