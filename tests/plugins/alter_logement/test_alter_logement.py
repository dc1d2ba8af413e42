"""Alter Logement: workflow, the ASL report table on a hand-computed fixture, the
confidentiality panel, SOS Violences Conjugales as a partner writing notes."""

import datetime as dt
import json

import pytest

from tests.core.test_access import _client
from tests.plugins.housing.helpers import entry_values
from tremplin.api import Period, ReportContext
from tremplin.forms import FormErrors
from tremplin.models import AuditEntry, Enrolment, Membership, User
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin_alter_logement.report import alter_logement_tables, person_kind

ACTOR = hh.Actor(user_id=None)
KEY = "alter_logement"


async def move(host, enrolment_id, key, **values):
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)


async def sheltered(
    host,
    name,
    born,
    children=(),
    situation="emergency_shelter",
    entry="2024-02-01",
    exit=None,
    destination=None,
    **household,
):
    """A household of Alter Logement; ``children`` are birth dates. Returns its id."""
    household_id = await hh.create_household(
        ACTOR,
        {"name": name, **household},
        {
            "first_name": name.split()[-1],
            "last_name": name.split()[0],
            "birth_date": born,
            "sex": "F",
        },
    )
    for i, birth in enumerate(children):
        await hh.add_member(
            ACTOR,
            household_id,
            {
                "relation": "child",
                "start_date": "2020-01-01",
                "first_name": f"Enfant{i}",
                "last_name": name.split()[0],
                "birth_date": birth,
            },
        )
    # The reference person joined when the household was created (today); back-date it.
    await Membership.update({Membership.start_date: dt.date(2020, 1, 1)}).where(
        Membership.household == household_id
    )
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        KEY,
        {
            "referral_date": "2023-01-10",
            "prescriber": "sos_violences",
            "situation_before_entry": situation,
            "complaint_filed": "on",
        },
    )
    if entry:
        await move(host, enrolment_id, "accept", decision_date="2023-01-20")
        await move(host, enrolment_id, "enter", entry_date=entry, **await entry_values(KEY))
    if exit:
        await move(host, enrolment_id, "exit", exit_date=exit, exit_destination=destination)
    return household_id


def test_person_kinds():
    on = dt.date(2024, 12, 31)
    assert person_kind("reference", dt.date(1990, 1, 1), on) == "adult"
    assert person_kind("child", dt.date(2004, 1, 1), on) == "adult_child"
    assert person_kind("child", dt.date(2010, 1, 1), on) == "minor_child"
    assert person_kind("child", None, on) == "unknown"
    assert person_kind("reference", None, on) == "adult"


async def test_workflow_refusal_needs_a_reason(database, host):
    household_id = await hh.create_household(ACTOR, {"name": "REFUS Ana"})
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        KEY,
        {
            "referral_date": "2024-01-10",
            "prescriber": "sos_violences",
            "situation_before_entry": "hotel",
        },
    )
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "refuse", decision_date="2024-01-20")
    assert caught.value.errors == {"_transition": "Indiquez le motif du refus."}
    with pytest.raises(FormErrors) as caught:
        await enr.create_enrolment(
            host,
            ACTOR,
            household_id,
            KEY,
            {"referral_date": "2024-01-10", "prescriber": "sos_violences"},
        )
    assert "situation_before_entry" in caught.value.errors


async def test_report_counts_on_a_hand_computed_fixture(database, host):
    # 3 adults, 1 adult child, 3 minor children in the households accompanied in 2024.
    await sheltered(
        host,
        "UN Alice",
        "1985-03-01",
        children=("2004-06-01", "2015-02-01"),
        exit="2024-10-01",
        destination="sliding_lease",
    )
    await sheltered(
        host,
        "DEUX Binta",
        "1992-07-01",
        children=("2018-01-01", "2020-05-05"),
        situation="hotel",
        entry="2023-06-01",
    )
    await sheltered(
        host,
        "TROIS Chloé",
        "1999-09-09",
        situation="third_party",
        entry="2024-03-01",
        exit="2024-11-15",
        destination="third_party",
    )
    await sheltered(host, "QUATRE Dina", "1990-01-01", entry=None)  # still a referral
    await sheltered(
        host,
        "CINQ Eva",
        "1990-01-01",
        children=("2019-01-01",),
        entry="2023-01-25",
        exit="2023-12-01",
        destination="public_housing",
    )  # left before 2024
    ctx = ReportContext(programme=KEY, programme_name="Alter Logement", period=Period.year(2024))
    tables = {t.key: t for t in await alter_logement_tables(ctx)}
    people = {r.key: r.count for r in tables["al_people"].rows}
    assert people == {"adult": 3, "adult_child": 1, "minor_child": 3}
    situations = {r.key: r.count for r in tables["al_situation"].rows}
    assert situations == {"emergency_shelter": 1, "hotel": 1, "third_party": 1}
    exits = {r.key: r.count for r in tables["al_exits"].rows}
    assert exits == {"exits": 2, "mainstream": 1}
    destinations = {r.key: r.count for r in tables["al_destinations"].rows}
    assert destinations["sliding_lease"] == 1 and destinations["third_party"] == 1
    assert destinations["agency_mutation"] == 0 and destinations["public_housing"] == 0


async def test_report_and_exports_never_print_the_address(client, users, host, app):
    await sheltered(
        host, "SECRET Fanny", "1990-01-01", address="7 impasse Cachée", phone="0611223344"
    )
    head, _ = await _client(app, "head_of_service@test.fr")
    for fmt in ("json", "xlsx"):
        response = await head.get(f"/reports/{KEY}/2024/{fmt}")
        assert response.status_code == 200, response.text
        assert b"Cach" not in response.content and b"0611223344" not in response.content
    report = json.loads((await head.get(f"/reports/{KEY}/2024/json")).content)
    assert "Personnes accompagnées" in json.dumps(report, ensure_ascii=False)
    await head.aclose()


async def test_household_page_warns_and_masks_the_contacts(social_worker, host):
    household_id = await sheltered(
        host, "PANNEAU Gina", "1990-01-01", address="5 chemin Discret", phone="0655443322"
    )
    page = await social_worker.get(f"/households/{household_id}")
    assert "Adresse confidentielle" in page.text
    # This worker is not assigned to Alter Logement: the core masks the contacts.
    assert "chemin Discret" not in page.text and "0655443322" not in page.text
    assert "Coordonnées confidentielles" in page.text
    api = await social_worker.get(f"/api/households/{household_id}")
    assert "Discret" not in api.text
    listing = await social_worker.get("/households")
    assert "PANNEAU Gina" in listing.text and "Discret" not in listing.text
    # Once assigned to Alter Logement by name, the worker sees them, and the view is audited.
    await User.update({User.programmes: [KEY]}).where(User.id == social_worker.user.id)
    page = await social_worker.get(f"/households/{household_id}")
    assert "5 chemin Discret" in page.text
    reads = await AuditEntry.select(AuditEntry.object_type).where(
        AuditEntry.action == "read_confidential"
    )
    # The household's contacts, and its dwelling's address (the entry opened the occupancy).
    assert sorted(r["object_type"] for r in reads) == ["household", "housing_dwelling"]
    other = await hh.create_household(ACTOR, {"name": "AUTRE Foyer"})
    assert "Adresse confidentielle" not in (await social_worker.get(f"/households/{other}")).text
    # Facts about the violence are sensitive: a social worker without the permission
    # does not see them.
    assert "Plainte déposée" not in page.text


def test_programme_definition(host):
    programme = host.programmes[KEY]
    assert programme.partner_notes and programme.retention_years == 1
    assert programme.confidential_contacts
    assert [c.value for c in programme.exit_destinations][:4] == [
        "sliding_lease",
        "agency_mutation",
        "public_housing",
        "private_housing",
    ]
