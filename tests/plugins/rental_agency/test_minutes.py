"""The minutes PDF and the partners' view render the shared projection only: a partner
present sees the session's files without names, references or amounts; a partner not
present sees nothing; a staff member downloads the minutes."""

import io

import pypdf

from tests.conftest import Session, login
from tests.plugins.rental_agency.helpers import ACTOR, household, received
from tremplin.models import User
from tremplin_rental_agency import committee


async def _session(users, with_partner: bool) -> tuple[int, int]:
    partner_org = (await User.select(User.partner).where(User.id == users["partner"].id).first())[
        "partner"
    ]
    household_id = await household("SECRET Nom")
    demand_id = await received(household_id, monthly_resources="1234,56", unique_number="042XYZ")
    session_id = await committee.create_session(
        ACTOR, {"held_on": "2024-02-05"}, [str(partner_org)] if with_partner else []
    )
    await committee.present(ACTOR, session_id, demand_id)
    await committee.decide(
        ACTOR, session_id, demand_id, {"decision": "refused", "reason": "Dossier incomplet"}, []
    )
    # A file of another session, never shown with this one.
    other = await received(await household("AUTRE Séance"))
    other_session = await committee.create_session(ACTOR, {"held_on": "2024-03-05"}, [])
    await committee.present(ACTOR, other_session, other)
    return session_id, household_id


async def test_partner_present_sees_only_shared_fields(client, users):
    session_id, _ = await _session(users, with_partner=True)
    partner = Session(client, await login(client, "partner@test.fr"), users["partner"])
    page = await partner.get(f"/rental_agency/partner/sessions/{session_id}")
    assert page.status_code == 200
    assert "Refusée" in page.text and "Dossier incomplet" in page.text
    assert "Hébergé chez des tiers" in page.text
    for secret in ("SECRET", "1234", "042XYZ", "AUTRE", "M-0"):
        assert secret not in page.text, secret
    # Staff pages stay closed to partners.
    assert (await partner.get(f"/rental_agency/sessions/{session_id}")).status_code == 403


async def test_partner_reaches_the_sessions_attended_from_the_menu(client, users):
    present, _ = await _session(users, with_partner=True)
    absent = await committee.create_session(ACTOR, {"held_on": "2024-04-05"}, [])
    partner = Session(client, await login(client, "partner@test.fr"), users["partner"])
    home = await partner.get("/partner")
    assert 'href="/rental_agency/partner/sessions"' in home.text
    page = await partner.get("/rental_agency/partner/sessions")
    assert page.status_code == 200
    assert f'href="/rental_agency/partner/sessions/{present}"' in page.text
    assert "05/02/2024" in page.text or "5 février 2024" in page.text
    assert f"/rental_agency/partner/sessions/{absent}" not in page.text
    # Staff do not get the partners' entry, nor the page.
    await client.post("/logout", data={"_csrf": partner.csrf})
    client.cookies.clear()
    worker = Session(client, await login(client, "social_worker@test.fr"), users["social_worker"])
    assert 'href="/rental_agency/partner/sessions"' not in (await worker.get("/")).text
    assert (await worker.get("/rental_agency/partner/sessions")).status_code == 403


async def test_partner_not_present_is_refused(client, users):
    session_id, _ = await _session(users, with_partner=False)
    partner = Session(client, await login(client, "partner@test.fr"), users["partner"])
    assert (await partner.get(f"/rental_agency/partner/sessions/{session_id}")).status_code == 403


async def test_minutes_pdf_without_partner_restricted_data(social_worker, users):
    session_id, _ = await _session(users, with_partner=True)
    response = await social_worker.get(f"/rental_agency/sessions/{session_id}/minutes")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/pdf")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Commission d’examen des demandes de logement du 05/02/2024" in text
    assert "Mission Locale test" in text and "Dossier incomplet" in text
    for secret in ("SECRET", "1234", "042XYZ", "AUTRE"):
        assert secret not in text, secret


async def test_minutes_template_can_be_overridden(database, tmp_path):
    from tremplin_rental_agency.minutes import TEMPLATE, compile_minutes, template_for

    folder = tmp_path / "overrides" / "rental_agency"
    folder.mkdir(parents=True)
    assert template_for(tmp_path / "overrides") == TEMPLATE  # no override yet
    (folder / "minutes.typ").write_text(
        "#let data = json(bytes(sys.inputs.data))\n= Procès-verbal maison du #data.date\n"
    )
    chosen = template_for(tmp_path / "overrides")
    assert chosen == folder / "minutes.typ"
    pdf = compile_minutes(chosen, {"date": "05/02/2024", "files": []})
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Procès-verbal maison du 05/02/2024" in text
