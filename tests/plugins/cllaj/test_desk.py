"""The youth housing desk: sessions, anonymous intakes with their follow-up, workshops,
places; pages with CSRF and htmx, French errors keeping what was typed, audit, pagination."""

import datetime as dt

import pytest

from tests.conftest import login
from tremplin.forms import FormErrors
from tremplin.models import AuditEntry
from tremplin_cllaj import desk
from tremplin_cllaj.tables import DeskIntake, DeskPlace, DeskSession

INTAKE = {
    "initials": "K.B.",
    "age": "19",
    "sex": "M",
    "prescriber": "mission_locale",
    "resources": "below_rsa",
    "situation": "third_party",
    "advice": "Demande HLM",
}


async def place_id(name: str = "Mission Locale Saint-Étienne") -> int:
    return (await DeskPlace.select(DeskPlace.id).where(DeskPlace.name == name).first())["id"]


async def test_default_places_come_with_the_migration(database):
    names = [p["name"] for p in await desk.places()]
    assert names == ["Mission Locale Saint-Chamond", "Mission Locale Saint-Étienne"]


async def test_intake_validation_and_follow_up_rules(database):
    session_id = await desk.create_session(
        {"place": str(await place_id()), "held_on": "2024-03-05"}, None, ""
    )
    with pytest.raises(FormErrors) as caught:
        await desk.add_intake(
            session_id, {**INTAKE, "age": "12", "sex": "X", "situation": ""}, None, ""
        )
    assert caught.value.errors == {
        "age": "la valeur minimale est 14",
        "sex": "choix inconnu",
        "situation": "ce champ est obligatoire",
    }
    intake_id = await desk.add_intake(session_id, INTAKE, None, "")
    row = await DeskIntake.select().where(DeskIntake.id == intake_id).first()
    assert (row["age"], row["status"], row["initials"]) == (19, "open", "K.B.")
    with pytest.raises(FormErrors) as caught:
        await desk.update_intake(intake_id, {**INTAKE, "status": "housed"}, None, "")
    assert "indiquez la date" in caught.value.errors["status_date"]
    with pytest.raises(FormErrors) as caught:
        await desk.update_intake(
            intake_id, {**INTAKE, "status": "partner", "status_date": "2024-03-01"}, None, ""
        )
    assert caught.value.errors["status_date"] == "la date précède celle de la permanence"
    await desk.update_intake(
        intake_id, {**INTAKE, "status": "housed", "status_date": "2024-04-02"}, 7, "10.0.0.1"
    )
    row = await DeskIntake.select().where(DeskIntake.id == intake_id).first()
    assert (row["status"], row["status_date"]) == ("housed", dt.date(2024, 4, 2))
    entry = (
        await AuditEntry.select()
        .where((AuditEntry.object_type == "cllaj_desk_intake") & (AuditEntry.action == "update"))
        .output(load_json=True)
        .first()
    )
    assert entry["user_id"] == 7 and entry["fields"] == ["status", "status_date"]
    assert "Demande HLM" not in str(entry)  # names of fields, never values


async def test_session_and_intakes_through_the_pages(social_worker):
    page = await social_worker.get("/cllaj/desk")
    assert page.status_code == 200 and "Mission Locale Saint-Chamond" in page.text
    bad = await social_worker.post(
        "/cllaj/desk/sessions", {"place": "", "held_on": "2024-03-05", "notes": "Permanence hebdo"}
    )
    assert bad.status_code == 422 and "ce champ est obligatoire" in bad.text
    assert "Permanence hebdo" in bad.text
    made = await social_worker.post(
        "/cllaj/desk/sessions",
        {"place": str(await place_id("Mission Locale Saint-Chamond")), "held_on": "2024-03-05"},
    )
    assert made.status_code == 303
    url = made.headers["location"]
    added = await social_worker.post(f"{url}/intakes", INTAKE, headers={"HX-Request": "true"})
    assert added.status_code == 200 and "Jeune ajouté" in added.text
    assert "K.B." in added.text and "Hébergé chez des tiers" in added.text
    assert "<html" not in added.text  # the fragment only
    refused = await social_worker.post(
        f"{url}/intakes",
        {**INTAKE, "initials": "Lina", "age": "dix-neuf"},
        headers={"HX-Request": "true"},
    )
    assert refused.status_code == 422 and "nombre entier attendu" in refused.text
    assert 'value="Lina"' in refused.text and 'value="dix-neuf"' in refused.text
    page = await social_worker.get(url)
    assert "Permanence du 05/03/2024 — Mission Locale Saint-Chamond" in page.text
    assert "Jeunes reçus (1)" in page.text
    intake_id = (await DeskIntake.select(DeskIntake.id).first())["id"]
    edit = await social_worker.get(f"/cllaj/desk/intakes/{intake_id}")
    assert edit.status_code == 200 and "Suivi" in edit.text
    failed = await social_worker.post(
        f"/cllaj/desk/intakes/{intake_id}", {**INTAKE, "status": "partner", "advice": "Relais FJT"}
    )
    assert failed.status_code == 422 and "indiquez la date de fin du suivi" in failed.text
    assert "Relais FJT" in failed.text
    ok = await social_worker.post(
        f"/cllaj/desk/intakes/{intake_id}",
        {**INTAKE, "status": "partner", "status_date": "2024-03-20"},
    )
    assert ok.status_code == 303
    assert "Relais pris par un partenaire (20/03/2024)" in (await social_worker.get(url)).text
    reads = await AuditEntry.count().where(
        (AuditEntry.action == "read")
        & AuditEntry.object_type.is_in(["cllaj_desk_session", "cllaj_desk_intake"])
    )
    assert reads == 3
    no_token = await social_worker.client.post(f"{url}/intakes", data=INTAKE)
    assert no_token.status_code == 403
    deleted = await social_worker.post(f"/cllaj/desk/intakes/{intake_id}/delete")
    assert deleted.status_code == 303 and deleted.headers["location"] == url
    assert await DeskIntake.count() == 0
    assert (
        await AuditEntry.count().where(
            (AuditEntry.action == "delete") & (AuditEntry.object_id == intake_id)
        )
        == 1
    )
    assert (await social_worker.post(f"/cllaj/desk/intakes/{intake_id}/delete")).status_code == 404


async def test_session_list_is_paginated_by_50(social_worker):
    from tremplin.services.clock import now

    place = await place_id()
    await DeskSession.insert(
        *[
            DeskSession(
                place=place, held_on=dt.date(2024, 1, 1) + dt.timedelta(days=i), created_at=now()
            )
            for i in range(51)
        ]
    )
    first = await social_worker.get("/cllaj/desk")
    assert first.text.count("/cllaj/desk/sessions/") == 50 and "Afficher plus" in first.text
    assert "20/02/2024" in first.text and "01/01/2024" not in first.text
    more = await social_worker.get("/cllaj/desk?after=2024-01-02_2", headers={"HX-Request": "true"})
    assert more.status_code == 200 and "01/01/2024" in more.text
    assert more.text.count("/cllaj/desk/sessions/") == 1


async def test_open_follow_ups_and_workshops_pages(social_worker):
    session_id = await desk.create_session(
        {"place": str(await place_id()), "held_on": "2024-03-05"}, None, ""
    )
    await desk.add_intake(session_id, INTAKE, None, "")
    closed = await desk.add_intake(session_id, {**INTAKE, "initials": "Z.Z."}, None, "")
    await desk.update_intake(
        closed,
        {**INTAKE, "initials": "Z.Z.", "status": "lost", "status_date": "2024-06-01"},
        None,
        "",
    )
    page = await social_worker.get("/cllaj/desk/followups")
    assert "K.B." in page.text and "Z.Z." not in page.text
    bad = await social_worker.post(
        "/cllaj/desk/workshops",
        {
            "held_on": "2024-05-02",
            "theme": "Combien coûte un logement ?",
            "audience": "young",
            "attendees": "-3",
        },
    )
    assert bad.status_code == 422 and "la valeur minimale est 0" in bad.text
    assert "Combien coûte un logement ?" in bad.text
    ok = await social_worker.post(
        "/cllaj/desk/workshops",
        {
            "held_on": "2024-05-02",
            "theme": "Combien coûte un logement ?",
            "audience": "young",
            "co_facilitator": "Référent logement Mission Locale",
            "attendees": "8",
        },
    )
    assert ok.status_code == 303
    listing = await social_worker.get("/cllaj/desk/workshops")
    assert "Référent logement Mission Locale" in listing.text and "<td>8</td>" in listing.text


async def test_places_are_managed_by_the_administrator(client, users, social_worker):
    assert (await social_worker.get("/cllaj/desk/places")).status_code == 403
    await client.post("/logout", data={"_csrf": social_worker.csrf})
    csrf = await login(client, "admin@test.fr")
    duplicate = await client.post(
        "/cllaj/desk/places", data={"_csrf": csrf, "name": "Mission Locale Saint-Étienne"}
    )
    assert duplicate.status_code == 422 and "ce lieu existe déjà" in duplicate.text
    made = await client.post(
        "/cllaj/desk/places", data={"_csrf": csrf, "name": "Mission Locale Firminy"}
    )
    assert made.status_code == 303
    chamond = await place_id("Mission Locale Saint-Chamond")
    await client.post(f"/cllaj/desk/places/{chamond}/toggle", data={"_csrf": csrf})
    names = [p["name"] for p in await desk.places()]
    assert names == ["Mission Locale Firminy", "Mission Locale Saint-Étienne"]


async def test_other_programmes_staff_never_see_the_desk(app, client, users, host):
    from tremplin.models import User

    await User.update({User.programmes: ["iml_sublease"]}).where(
        User.email == "social_worker@test.fr"
    )
    await login(client, "social_worker@test.fr")
    assert (await client.get("/cllaj/desk")).status_code == 404
    assert "Permanence CLLAJ" not in (await client.get("/households")).text


async def test_session_correction_keeps_a_deactivated_place(social_worker):
    chamond = await place_id("Mission Locale Saint-Chamond")
    session_id = await desk.create_session(
        {"place": str(chamond), "held_on": "2024-03-05"}, None, ""
    )
    await DeskPlace.update({DeskPlace.active: False}).where(DeskPlace.id == chamond)
    url = f"/cllaj/desk/sessions/{session_id}"
    page = await social_worker.get(url)
    assert "Modifier la permanence" in page.text and "Mission Locale Saint-Chamond" in page.text
    bad = await social_worker.post(
        url, {"place": str(chamond), "held_on": "", "notes": "Décalée d'une semaine"}
    )
    assert bad.status_code == 422 and "ce champ est obligatoire" in bad.text
    assert "Décalée d" in bad.text
    ok = await social_worker.post(
        url, {"place": str(chamond), "held_on": "2024-03-12", "notes": "Décalée d'une semaine"}
    )
    assert ok.status_code == 303
    row = await DeskSession.select().where(DeskSession.id == session_id).first()
    assert (row["held_on"], row["place"]) == (dt.date(2024, 3, 12), chamond)
    entry = (
        await AuditEntry.select()
        .where((AuditEntry.object_type == "cllaj_desk_session") & (AuditEntry.action == "update"))
        .output(load_json=True)
        .first()
    )
    assert entry["fields"] == ["held_on", "notes"]


async def test_dashboard_lists_follow_ups_open_for_over_three_months(social_worker):
    from tremplin.services.clock import today
    from tremplin_cllaj.rules import add_months

    old = await desk.create_session(
        {"place": str(await place_id()), "held_on": add_months(today(), -4).isoformat()}, None, ""
    )
    recent = await desk.create_session(
        {"place": str(await place_id()), "held_on": today().isoformat()}, None, ""
    )
    await desk.add_intake(old, {**INTAKE, "initials": "A.N."}, None, "")
    closed = await desk.add_intake(old, {**INTAKE, "initials": "C.L."}, None, "")
    await desk.update_intake(
        closed,
        {**INTAKE, "initials": "C.L.", "status": "housed", "status_date": today().isoformat()},
        None,
        "",
    )
    await desk.add_intake(recent, {**INTAKE, "initials": "R.E."}, None, "")
    page = await social_worker.get("/")
    assert "Permanence CLLAJ : suivis ouverts depuis plus de 3 mois" in page.text
    assert "A.N., 19 ans" in page.text
    assert "C.L." not in page.text and "R.E." not in page.text
