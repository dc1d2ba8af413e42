"""The web pages: login, access, forms that keep what was typed, CSRF, htmx fragments,
conflicts, double submissions, documents and security headers."""

import hashlib
import re

import pytest

from tests.conftest import login
from tremplin.models import AuditEntry, Document, FormSubmission, Household, TimelineEvent
from tremplin.services import households as hh

ACTOR = hh.Actor(user_id=None)


async def test_every_page_but_login_needs_a_session(client, users):
    for url in ["/", "/households", "/households/new", "/households/1"]:
        response = await client.get(url)
        assert response.status_code == 303 and response.headers["location"] == "/login"
    api = await client.get("/api/households")
    assert api.status_code == 401 and api.json()["detail"] == "authentification requise"
    assert (await client.get("/login")).status_code == 200
    assert (await client.get("/healthz")).text == "ok"


async def test_failed_login_says_the_same_thing_whether_or_not_the_account_exists(client, users):
    page = await client.get("/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    wrong = await client.post(
        "/login",
        data={
            "_csrf": token,
            "email": "social_worker@test.fr",
            "password": "not the right password",
        },
    )
    ghost = await client.post(
        "/login",
        data={"_csrf": token, "email": "nobody@test.fr", "password": "not the right password"},
    )
    assert wrong.status_code == ghost.status_code == 400
    message = "Adresse ou mot de passe incorrect, ou trop de tentatives récentes sur ce compte"
    assert message in wrong.text and message in ghost.text
    failures = await AuditEntry.select(AuditEntry.user_id).where(
        AuditEntry.action == "login_failed"
    )
    assert len(failures) == 2


async def test_login_without_csrf_token_is_refused(client, users):
    await client.get("/login")
    response = await client.post(
        "/login",
        data={"email": "social_worker@test.fr", "password": "correct-horse-battery-staple"},
    )
    assert response.status_code == 403


async def test_partner_cannot_open_staff_pages(client, users):
    await client.get("/login")
    await login_partner(client)
    household_id = await hh.create_household(ACTOR, {"name": "CACHÉ Foyer"})
    for url in ["/", "/households", f"/households/{household_id}", "/api/households"]:
        assert (await client.get(url)).status_code == 403, url
    assert await AuditEntry.count().where(AuditEntry.action == "denied") == 4


async def login_partner(client):
    page = await client.get("/login")
    token = re.search(r'name="_csrf" value="([^"]+)"', page.text).group(1)
    response = await client.post(
        "/login",
        data={
            "_csrf": token,
            "email": "partner@test.fr",
            "password": "correct-horse-battery-staple",
        },
    )
    assert response.status_code == 303


async def test_invalid_household_form_keeps_what_was_typed(social_worker):
    response = await social_worker.post(
        "/households/new",
        {
            "_form_id": "f1",
            "name": "",
            "phone": "06 12 34 56 78",
            "composition": "couple",
            "person_first_name": "Zoé",
            "person_birth_date": "2099-01-01",
        },
    )
    assert response.status_code == 422
    html = response.text
    assert (
        "Le formulaire n&#39;a pas été enregistré." in html
        or "Le formulaire n'a pas été enregistré." in html
    )
    assert "ce champ est obligatoire" in html
    assert "la date de naissance est dans le futur" in html
    assert 'value="06 12 34 56 78"' in html and 'value="Zoé"' in html
    assert '<option value="couple" selected>' in html
    assert await Household.count() == 0


async def test_double_submitted_form_creates_one_household(social_worker):
    form = {
        "_form_id": "0123456789abcdef",
        "name": "DOUBLON Jean",
        "person_first_name": "Jean",
        "person_last_name": "Doublon",
    }
    first = await social_worker.post("/households/new", form)
    second = await social_worker.post("/households/new", form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await Household.count() == 1
    assert await FormSubmission.count() == 1


async def test_unsafe_requests_need_the_session_csrf_token(social_worker):
    client = social_worker.client
    data = {"name": "SANS JETON", "person_first_name": "Ali", "person_last_name": "Jeton"}
    assert (await client.post("/households/new", data=data)).status_code == 403
    assert (
        await client.post("/households/new", data={**data, "_csrf": "forged"})
    ).status_code == 403
    # htmx sends the token in a header instead of the form
    ok = await client.post(
        "/households/new", data=data, headers={"X-CSRF-Token": social_worker.csrf}
    )
    assert ok.status_code == 303
    assert await Household.count() == 1


async def test_household_page_shows_members_and_is_audited(social_worker):
    household_id = await hh.create_household(
        ACTOR,
        {"name": "NGUYEN Éléonore", "composition": "single_mother"},
        {"first_name": "Éléonore", "last_name": "Nguyen", "birth_date": "1990-04-02", "sex": "F"},
    )
    page = await social_worker.get(f"/households/{household_id}")
    assert page.status_code == 200
    assert "NGUYEN Éléonore" in page.text and "Femme isolée avec enfant(s)" in page.text
    assert "Personne de référence" in page.text
    reads = await AuditEntry.select().where(
        (AuditEntry.action == "read") & (AuditEntry.object_id == household_id)
    )
    assert [r["user_id"] for r in reads] == [social_worker.user.id]
    assert (await social_worker.get("/households/999999")).status_code == 404


async def test_live_search_returns_a_fragment_and_names_stay_out_of_urls(social_worker):
    await hh.create_household(ACTOR, {"name": "LEFÈVRE Éléonore"})
    await hh.create_household(ACTOR, {"name": "ROUX Paul"})
    response = await social_worker.post(
        "/households/search", {"q": "eleonore"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "LEFÈVRE Éléonore" in response.text and "ROUX" not in response.text
    full = await social_worker.get("/households")
    assert 'hx-post="/households/search"' in full.text


async def test_note_added_with_htmx_comes_back_as_fragments(social_worker):
    household_id = await hh.create_household(ACTOR, {"name": "PETIT Anne"})
    response = await social_worker.post(
        f"/households/{household_id}/timeline",
        {
            "_form_id": "note-1",
            "kind": "home_visit",
            "occurred_on": "2024-05-02",
            "body": "Visite : logement bien entretenu.",
            "visibility": "staff",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="timeline" hx-swap-oob="afterbegin"' in response.text
    assert "Visite : logement bien entretenu." in response.text
    assert "<html" not in response.text
    events = await TimelineEvent.select().where(TimelineEvent.household == household_id)
    assert [(e["kind"], e["author"]) for e in events] == [("home_visit", social_worker.user.id)]


async def test_invalid_note_is_refused_in_french_and_keeps_the_text(social_worker):
    household_id = await hh.create_household(ACTOR, {"name": "PETIT Anne"})
    response = await social_worker.post(
        f"/households/{household_id}/timeline",
        {"kind": "note", "occurred_on": "2090-01-01", "body": "Texte à garder"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "la date est dans le futur" in response.text and "Texte à garder" in response.text
    assert await TimelineEvent.count() == 0


async def test_concurrent_edit_shows_both_versions(social_worker):
    household_id = await hh.create_household(ACTOR, {"name": "GIRARD Luc", "phone": "0600000000"})
    await hh.update_household(ACTOR, household_id, 1, {"name": "GIRARD Luc", "phone": "0611111111"})
    response = await social_worker.post(
        f"/households/{household_id}/edit",
        {"version": "1", "name": "GIRARD Lucas", "phone": "0622222222"},
    )
    assert response.status_code == 409
    assert (
        "modifié par quelqu&#39;un d&#39;autre" in response.text
        or "modifié par quelqu'un d'autre" in response.text
    )
    assert "0611111111" in response.text and "0622222222" in response.text
    assert 'name="version" value="2"' in response.text
    assert (await hh.get_household(household_id))["phone"] == "0611111111"
    retry = await social_worker.post(
        f"/households/{household_id}/edit",
        {"version": "2", "name": "GIRARD Lucas", "phone": "0622222222"},
    )
    assert retry.status_code == 303
    assert (await hh.get_household(household_id))["name"] == "GIRARD Lucas"


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


async def test_document_upload_then_download(social_worker, settings):
    household_id = await hh.create_household(ACTOR, {"name": "FAURE Inès"})
    response = await social_worker.post(
        f"/households/{household_id}/documents",
        {"kind": "insurance"},
        files={"file": ("attestation assurance.pdf", PDF, "application/octet-stream")},
    )
    assert response.status_code == 303
    doc = await Document.select().where(Document.household == household_id).first()
    assert doc["mime"] == "application/pdf" and doc["size"] == len(PDF)
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest()
    stored = (
        settings.data_dir / "documents" / doc["sha256"][:2] / doc["sha256"][2:4] / doc["sha256"]
    )
    assert stored.read_bytes() == PDF
    download = await social_worker.get(f"/documents/{doc['id']}/download")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["cache-control"] == "no-store"
    assert await AuditEntry.count().where(AuditEntry.action == "download") == 1


@pytest.mark.parametrize(
    "filename, content, message",
    [
        ("../../etc/passwd.pdf", PDF, "nom de fichier refusé"),
        ("rapport\x00.pdf", PDF, "nom de fichier refusé"),
        ("page.html", b"<html><script>alert(1)</script></html>", "type de fichier non accepté"),
        ("faux.pdf", b"MZ\x90\x00 executable", "type de fichier non accepté"),
        ("gros.pdf", b"%PDF-1.4\n" + b"0" * 250_000, "fichier trop volumineux"),
        ("vide.pdf", b"", "le fichier est vide"),
    ],
)
async def test_bad_uploads_are_refused_and_nothing_is_stored(
    social_worker, settings, filename, content, message
):
    household_id = await hh.create_household(ACTOR, {"name": "FAURE Inès"})
    response = await social_worker.post(
        f"/households/{household_id}/documents",
        {"kind": "other"},
        files={"file": (filename, content, "application/pdf")},
    )
    assert response.status_code in (413, 422)
    if response.status_code == 422:
        assert message in response.text
    assert await Document.count() == 0
    assert not (settings.data_dir / "documents").exists() or not any(
        p.is_file() for p in (settings.data_dir / "documents").rglob("*")
    )


async def test_security_headers_on_every_response(social_worker):
    page = await social_worker.get("/households")
    csp = page.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "object-src 'none'" in csp
        and "frame-ancestors 'none'" in csp
    )
    assert "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "same-origin"
    static = await social_worker.get("/static/htmx.min.js")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")
    cookie_page = await social_worker.client.get("/login")
    assert "HttpOnly" in cookie_page.headers["set-cookie"]


async def test_logout_revokes_the_session(social_worker):
    response = await social_worker.post("/logout")
    assert response.status_code == 303
    assert (await social_worker.get("/households")).status_code == 303


async def test_internal_errors_show_no_stack_trace(social_worker, monkeypatch):
    from tremplin.web.pages import households as pages

    async def broken(*args, **kwargs):
        raise ValueError("Éléonore NGUYEN secret detail")

    monkeypatch.setattr(pages.hh, "list_households", broken)
    response = await social_worker.get("/households")
    assert response.status_code == 500
    assert "Erreur interne" in response.text
    assert "Traceback" not in response.text and "secret detail" not in response.text


async def test_user_restricted_to_a_programme_sees_only_its_households(client, users):
    from tremplin.models import User

    await User.update({User.programmes: ["iml_sublease"]}).where(
        User.email == "social_worker@test.fr"
    )
    await login(client, "social_worker@test.fr")
    hidden = await hh.create_household(ACTOR, {"name": "INVISIBLE Foyer"})
    listing = await client.get("/households")
    assert "INVISIBLE" not in listing.text
    assert (await client.get(f"/households/{hidden}")).status_code == 404
