"""Tripartite meetings of the youth IML: who attended is recorded, shown on the timeline, in
the enrolment panel and in the monthly coordination list, and shared with the Mission Locale
only when the worker says so."""

import datetime as dt
import re

from tests.core.test_access import _login_partner
from tests.plugins.iml_youth.helpers import housed, move
from tremplin.models import TimelineEvent
from tremplin.services.clock import today
from tremplin_iml_youth.agreement import update_cej

HX = {"HX-Request": "true"}


def _enrolment_url(enrolment_id: int) -> str:
    return f"/iml_youth/enrolments/{enrolment_id}/meetings"


async def test_a_meeting_records_who_attended(app, social_worker, users, host):
    household_id, enrolment_id = await housed(host, name="RENCONTRE Lina")
    await update_cej(enrolment_id, {"ml_counsellor": "Mme Conseil"}, None, "")

    # "Autre personne" ticked without a name: refused in French, everything typed kept.
    refused = await social_worker.post(
        _enrolment_url(enrolment_id),
        {
            "meeting_date": "2024-03-12",
            "attendees": ["young", "ml_counsellor", "other"],
            "notes": "Point sur la recherche d'emploi",
            "shared": "on",
        },
        headers=HX,
    )
    assert refused.status_code == 422
    assert "indiquez qui était l&#39;autre personne présente" in refused.text
    assert 'value="2024-03-12"' in refused.text
    for value in ("young", "ml_counsellor", "other"):
        assert f'value="{value}" checked' in refused.text, value
    assert 'value="social_worker" checked' not in refused.text
    assert "Point sur la recherche d&#39;emploi" in refused.text
    assert not await TimelineEvent.exists().where(TimelineEvent.kind == "tripartite_meeting")

    made = await social_worker.post(
        _enrolment_url(enrolment_id),
        {
            "meeting_date": "2024-03-12",
            "attendees": ["young", "ml_counsellor", "other"],
            "other_attendee": "M. Durand (employeur)",
            "notes": "Point sur la recherche d'emploi",
        },
        headers=HX,
    )
    assert made.status_code == 200 and made.headers["HX-Redirect"].endswith(
        f"#enrolment-{enrolment_id}"
    )
    event = (
        await TimelineEvent.select()
        .where(TimelineEvent.kind == "tripartite_meeting")
        .output(load_json=True)
        .first()
    )
    assert event["data"]["attendees"] == ["young", "ml_counsellor", "other"]
    assert event["data"]["other"] == "M. Durand (employeur)"
    assert event["occurred_at"].date() == dt.date(2024, 3, 12)
    assert event["visibility"] == "staff"

    page = (await social_worker.get(f"/households/{household_id}")).text
    timeline = page[page.index('id="timeline"') :]
    assert "Rendez-vous tripartite" in timeline
    assert (
        "Présents : Le ou la jeune, Conseiller·ère Mission Locale (Mme Conseil), "
        "M. Durand (employeur)."
    ) in timeline
    assert "12/03/2024 — présents : jeune, Mission Locale, autre" in page  # the panel


async def test_meeting_dates_and_states_are_checked(app, social_worker, users, host):
    _, enrolment_id = await housed(host, name="DATES Hugo")
    future = (today() + dt.timedelta(days=1)).isoformat()
    response = await social_worker.post(
        _enrolment_url(enrolment_id), {"meeting_date": future, "attendees": ["young"]}, headers=HX
    )
    assert response.status_code == 422 and "la date est dans le futur" in response.text
    response = await social_worker.post(
        _enrolment_url(enrolment_id),
        {"meeting_date": "2023-12-01", "attendees": ["young"]},
        headers=HX,
    )
    assert response.status_code == 422 and "la date précède l&#39;orientation" in response.text
    response = await social_worker.post(
        _enrolment_url(enrolment_id), {"meeting_date": "2024-03-01"}, headers=HX
    )
    assert response.status_code == 422 and "ce champ est obligatoire" in response.text
    await move(host, enrolment_id, "exit", exit_date="2024-04-30", exit_destination="family")
    response = await social_worker.post(
        _enrolment_url(enrolment_id),
        {"meeting_date": "2024-03-01", "attendees": ["young"]},
        headers=HX,
    )
    assert response.status_code == 422 and "L&#39;accompagnement est clos" in response.text
    assert not await TimelineEvent.exists().where(TimelineEvent.kind == "tripartite_meeting")


async def test_coordination_list_shows_the_last_meeting_and_who_attended(
    app, social_worker, users, host
):
    _, met = await housed(host, name="SUIVIE Anna")
    await housed(host, name="SANSRDV Paul")
    for day, who in (
        ("2024-03-05", ["young", "social_worker", "ml_counsellor"]),
        ("2024-04-09", ["young", "ml_counsellor"]),
        ("2024-02-01", ["social_worker"]),
    ):
        made = await social_worker.post(
            _enrolment_url(met), {"meeting_date": day, "attendees": who}
        )
        assert made.status_code == 303
    text = (await social_worker.get("/iml_youth/coordination")).text
    assert "Dernier rendez-vous tripartite" in text
    row = re.search(r"SUIVIE Anna.*?</tr>", text, re.S).group(0)
    assert "09/04/2024 (jeune, Mission Locale)" in row  # the latest, not the last recorded
    assert "aucun" in re.search(r"SANSRDV Paul.*?</tr>", text, re.S).group(0)


async def test_the_mission_locale_sees_only_the_meetings_shared_with_it(
    app, social_worker, users, host
):
    household_id, enrolment_id = await housed(host, name="PARTAGÉE Jade")
    for notes, shared in (("Compte rendu partagé", "on"), ("Compte rendu interne", "")):
        made = await social_worker.post(
            _enrolment_url(enrolment_id),
            {
                "meeting_date": "2024-03-05",
                "attendees": ["young", "ml_counsellor"],
                "notes": notes,
                "shared": shared,
            },
        )
        assert made.status_code == 303
    made = await social_worker.post(
        f"/households/{household_id}/shares",
        {
            "partner": str(users["partner"].partner),
            "programme": "iml_youth",
            "groups": ["identity", "shared_notes"],
            "consent_date": today().isoformat(),
            "consent_expires": (today() + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert made.status_code == 303, made.text
    partner, _ = await _login_partner(app)
    page = (await partner.get(f"/partner/households/{household_id}")).text
    assert "Rendez-vous tripartite" in page and "Compte rendu partagé" in page
    assert "Présents : Le ou la jeune, Conseiller·ère Mission Locale." in page
    assert "Compte rendu interne" not in page
    # The partner cannot record a meeting.
    assert (
        await partner.post(
            _enrolment_url(enrolment_id), data={"meeting_date": "2024-03-06", "attendees": "young"}
        )
    ).status_code in (403, 404)
    await partner.aclose()
