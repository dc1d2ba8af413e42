"""Per-role event types (issue 16, point 2): a programme declares which event kinds a role
may add (``EventType.roles``); the house mistress (IML sublease, boarding houses) and
technicians record their visits on the households of their programmes, see only their own
kinds, and never read the social notes."""

from __future__ import annotations

from tremplin import testing
from tremplin.models import AuditEntry, TimelineEvent
from tremplin.services import visits

SOCIAL_NOTE = "Entretien social : dettes et démarches CAF en cours"


async def _household_with_note(host, name: str, programme: str) -> int:
    household_id = await testing.make_household(name)
    await testing.enrol(host, household_id, programme)
    await TimelineEvent.insert(
        TimelineEvent(
            household=household_id,
            kind="note",
            occurred_at=_now(),
            title="Note",
            body=SOCIAL_NOTE,
            programme=programme,
            created_at=_now(),
        )
    )
    return household_id


def _soon() -> str:
    import datetime as dt

    from tremplin.services.clock import today

    return (today() + dt.timedelta(days=5)).isoformat()


def _now():
    from tremplin.services.clock import now

    return now()


def test_the_declared_kinds_per_role(host):
    keys = {e.key for e in visits.role_kinds(host, "technician", host.programme_keys)}
    assert {"house_mistress_visit", "host_note", "technical_visit"} <= keys
    assert "note" not in keys and "home_visit" not in keys
    # Restricted to one programme: only that programme's kinds and the general ones.
    only_iml = {e.key for e in visits.role_kinds(host, "technician", ["iml_sublease"])}
    assert "host_note" not in only_iml and "house_mistress_visit" in only_iml
    assert visits.role_kinds(host, "social_worker", host.programme_keys) == []


async def test_house_mistress_records_her_visit_without_reading_social_notes(client, host):
    mistress = await testing.make_user(
        "technician", name="Maîtresse de maison", programmes=["iml_sublease"]
    )
    mine = await _household_with_note(host, "VISITE Julie", "iml_sublease")
    other = await _household_with_note(host, "AILLEURS Marc", "boarding_house")
    session = await testing.login(client, mistress)
    home = await session.get("/")
    assert 'href="/passages"' in home.text
    listing = await session.get("/passages")
    assert listing.status_code == 200
    assert "VISITE Julie" in listing.text and "AILLEURS Marc" not in listing.text
    # The social file stays closed.
    assert (await session.get(f"/households/{mine}")).status_code == 403
    page = await session.get(f"/passages/{mine}")
    assert page.status_code == 200
    assert SOCIAL_NOTE not in page.text
    assert 'value="house_mistress_visit"' in page.text
    for foreign in ("note", "home_visit", "host_note", "technical_visit_x"):
        assert f'value="{foreign}"' not in page.text
    # Her own kind is added, audited; another kind is refused with the input kept.
    refused = await session.post(
        f"/passages/{mine}",
        {"kind": "note", "occurred_on": "2024-05-02", "programme": "iml_sublease", "body": "x"},
    )
    assert refused.status_code == 422 and "choix inconnu" in refused.text
    bad = await session.post(
        f"/passages/{mine}",
        {"kind": "house_mistress_visit", "occurred_on": _soon(), "body": ""},
    )
    assert bad.status_code == 422
    assert "la date est dans le futur" in bad.text and "ce champ est obligatoire" in bad.text
    done = await session.post(
        f"/passages/{mine}",
        {
            "kind": "house_mistress_visit",
            "occurred_on": "2024-05-02",
            "programme": "iml_sublease",
            "body": "Logement bien tenu, chaudière à vérifier",
        },
    )
    assert done.status_code == 303
    event = await TimelineEvent.select().where(TimelineEvent.kind == "house_mistress_visit").first()
    assert event["household"] == mine and event["author"] == mistress.id
    assert event["visibility"] == "staff"
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "add_event") & (AuditEntry.object_id == mine)
    )
    page = await session.get(f"/passages/{mine}")
    assert "Logement bien tenu" in page.text and SOCIAL_NOTE not in page.text
    # A household outside her programmes: 404, nothing written.
    before = await TimelineEvent.count().where(TimelineEvent.household == other)
    assert (await session.get(f"/passages/{other}")).status_code == 404
    outside = await session.post(
        f"/passages/{other}",
        {"kind": "house_mistress_visit", "occurred_on": "2024-05-02", "body": "x"},
    )
    assert outside.status_code == 404
    assert await TimelineEvent.count().where(TimelineEvent.household == other) == before


async def test_boarding_house_host_and_technician_add_only_their_kinds(client, host):
    house = await _household_with_note(host, "PENSION Ali", "boarding_house")
    host_user = await testing.make_user("technician", programmes=["boarding_house"])
    session = await testing.login(client, host_user)
    page = await session.get(f"/passages/{house}")
    assert page.status_code == 200 and SOCIAL_NOTE not in page.text
    assert 'value="host_note"' in page.text and 'value="technical_visit"' in page.text
    assert 'value="house_mistress_visit"' not in page.text
    wrong = await session.post(
        f"/passages/{house}",
        {"kind": "house_mistress_visit", "occurred_on": "2024-05-02", "body": "x"},
    )
    assert wrong.status_code == 422
    for kind in ("host_note", "technical_visit"):
        response = await session.post(
            f"/passages/{house}",
            {"kind": kind, "occurred_on": "2024-05-03", "body": f"passage {kind}"},
        )
        assert response.status_code == 303, response.text
    kinds = {
        r["kind"]
        for r in await TimelineEvent.select(TimelineEvent.kind).where(
            TimelineEvent.household == house
        )
    }
    assert {"note", "host_note", "technical_visit"} <= kinds
    assert "house_mistress_visit" not in kinds


async def test_roles_without_declared_kinds_get_no_page(client, host):
    manager = await testing.make_user("rental_manager")
    session = await testing.login(client, manager)
    assert 'href="/passages"' not in (await session.get("/")).text
    page = await session.get("/passages")
    assert page.status_code == 200 and 'id="no-visit-kinds"' in page.text
    household_id = await _household_with_note(host, "VISITE Julie", "iml_sublease")
    assert (await session.get(f"/passages/{household_id}")).status_code == 404
