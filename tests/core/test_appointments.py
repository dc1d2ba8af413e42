"""Appointments: planned with a household (all errors at once), shown on the calendar, the
dashboard and the household page, marked done into the timeline without retyping, and a
personal ICS feed read with a standard parser (``icalendar``)."""

from __future__ import annotations

import datetime as dt
import html
import re

import httpx
from icalendar import Calendar

from tests.conftest import Session, login
from tremplin.models import Appointment, AuditEntry, TimelineEvent
from tremplin.services import households as hh
from tremplin.services.clock import PARIS, today

ACTOR = hh.Actor(user_id=None)


async def _session(client, users, role="social_worker") -> Session:
    return Session(client, await login(client, f"{role}@test.fr"), users[role])


async def _plan(session: Session, household_id: int, **values) -> httpx.Response:
    data = {
        "kind": "office_appointment",
        "day": today().isoformat(),
        "time": "00:05",
        "duration": "45",
        "place": "Bureau de Quimper",
        "attendees": "Le ménage, Mme Lenoir (Mission Locale)",
        "worker": str(session.user.id),
        "notes": "Point sur le dossier CAF",
        **values,
    }
    return await session.post(f"/households/{household_id}/appointments", data)


async def test_plan_refuses_every_error_at_once_and_keeps_input(client, users):
    household_id = await hh.create_household(ACTOR, {"name": "Foyer Rendez-vous"})
    session = await _session(client, users)
    yesterday = today() - dt.timedelta(days=1)
    bad = await _plan(
        session, household_id, kind="", day=yesterday.isoformat(), time="25:90", duration="0"
    )
    assert bad.status_code == 422
    text = html.unescape(bad.text)
    assert "Erreur : Planifier un rendez-vous" in text
    for message in (
        "ce champ est obligatoire",  # the kind
        "un rendez-vous se planifie aujourd'hui ou plus tard",
        "heure invalide (format attendu : hh:mm)",
    ):
        assert message in text, message
    assert "Point sur le dossier CAF" in text and 'value="Bureau de Quimper"' in text
    assert await Appointment.count() == 0
    # A valid date and time with a wrong duration: still every message, no server error.
    bad = await _plan(session, household_id, duration="0", kind="")
    assert bad.status_code == 422
    assert "la valeur minimale est 5" in bad.text

    ok = await _plan(session, household_id)
    assert ok.status_code == 303
    row = await Appointment.select().first()
    start = dt.datetime.combine(today(), dt.time(0, 5), tzinfo=PARIS)
    assert row["starts_at"] == start.astimezone(dt.UTC)
    assert row["ends_at"] - row["starts_at"] == dt.timedelta(minutes=45)
    assert (row["kind"], row["status"], row["worker"]) == (
        "office_appointment",
        "planned",
        users["social_worker"].id,
    )
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "plan_appointment") & (AuditEntry.object_id == household_id)
    )


async def test_shown_then_marked_done_into_the_timeline(client, users):
    household_id = await hh.create_household(ACTOR, {"name": "Foyer Visite"})
    session = await _session(client, users)
    await _plan(session, household_id, kind="home_visit", time="00:10")
    later = today() + dt.timedelta(days=3)
    await _plan(session, household_id, day=later.isoformat(), time="14:30")
    first, second = await Appointment.select().order_by(Appointment.id)

    page = html.unescape((await session.get(f"/households/{household_id}")).text)
    assert "Rendez-vous prévus" in page and "Visite à domicile" in page
    assert f"{later:%d/%m/%Y} 14:30" in page
    dashboard = (await session.get("/")).text
    block = re.search(r'id="dash-appointments">(.*?)</section>', dashboard, re.S).group(1)
    assert block.count("Foyer Visite") == 2

    # Week and month calendars, the user's and the team's.
    week = (await session.get(f"/calendrier?date={later.isoformat()}")).text
    assert f'id="appointment-{second["id"]}"' in week
    month = (await session.get(f"/calendrier?vue=mois&qui=equipe&date={today():%Y-%m-%d}")).text
    assert f'id="appointment-{first["id"]}"' in month
    other = await session.get(f"/calendrier?qui={users['head_of_service'].id}")
    assert "Foyer Visite" not in other.text
    assert (await session.get("/calendrier?qui=999999&date=2026-13-40")).status_code == 400

    # A future appointment cannot be marked done yet; today's can, once.
    early = await session.post(
        f"/appointments/{second['id']}/done", {"version": "1", "report": "x"}
    )
    assert early.status_code == 422 and not await TimelineEvent.exists().where(
        TimelineEvent.kind == "office_appointment"
    )
    done = await session.post(
        f"/appointments/{first['id']}/done", {"version": "1", "report": "Logement en bon état."}
    )
    assert done.status_code == 303
    event = await TimelineEvent.select().where(TimelineEvent.kind == "home_visit").first()
    assert event["occurred_at"] == first["starts_at"]
    assert event["author"] == users["social_worker"].id
    assert "Point sur le dossier CAF" in event["body"] and "Logement en bon état." in event["body"]
    assert "Mme Lenoir" in event["body"]
    row = await Appointment.select().where(Appointment.id == first["id"]).first()
    assert (row["status"], row["timeline_event"], row["version"]) == ("done", event["id"], 2)
    again = await session.post(f"/appointments/{first['id']}/done", {"version": "1"})
    assert again.status_code == 409
    assert await TimelineEvent.count().where(TimelineEvent.kind == "home_visit") == 1

    cancelled = await session.post(f"/appointments/{second['id']}/cancel", {"version": "1"})
    assert cancelled.status_code == 303
    page = (await session.get(f"/households/{household_id}")).text
    assert "Aucun rendez-vous prévu." in page


async def _feed_url(session: Session, with_names: bool) -> str:
    page = await session.post("/compte/agenda", {"with_names": "on" if with_names else ""})
    assert page.status_code == 200
    return re.search(r'value="(http[^"]+/agenda/[^"]+\.ics)"', page.text).group(1)


async def _events(app, url: str) -> tuple[int, list]:
    # A calendar application: no session cookie, only the secret address.
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        response = await c.get(url.split("testserver.local", 1)[1])
    if response.status_code != 200:
        return response.status_code, []
    assert response.headers["content-type"].startswith("text/calendar")
    return 200, list(Calendar.from_ical(response.content).walk("VEVENT"))


async def test_ics_feed_without_names_then_with_then_revoked(app, client, users):
    household_id = await hh.create_household(ACTOR, {"name": "Foyer Discret"})
    session = await _session(client, users)
    day = today() + dt.timedelta(days=2)
    await _plan(session, household_id, day=day.isoformat(), time="09:30")

    url = await _feed_url(session, with_names=False)
    assert session.user.email not in url
    status, events = await _events(app, url)
    assert status == 200 and len(events) == 1
    event = events[0]
    assert str(event["summary"]) == "Rendez-vous au bureau"
    start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=PARIS)
    assert event.decoded("dtstart") == start.astimezone(dt.UTC)
    raw = event.to_ical().decode()
    assert "Foyer Discret" not in raw and "Quimper" not in raw and "Lenoir" not in raw

    named = await _feed_url(session, with_names=True)
    assert (await _events(app, url))[0] == 404  # the previous address stopped working
    status, events = await _events(app, named)
    assert str(events[0]["summary"]) == "Rendez-vous au bureau : Foyer Discret"
    assert str(events[0]["location"]) == "Bureau de Quimper"

    revoked = await session.post("/compte/agenda/revoquer")
    assert revoked.status_code == 200 and "Aucun abonnement actif" in revoked.text
    assert (await _events(app, named))[0] == 404
    assert (await _events(app, "http://testserver.local/agenda/nimportequoi.ics"))[0] == 404


async def test_partners_have_no_calendar(client, users):
    partner = await _session(client, users, "partner")
    for url in ("/calendrier", "/compte/agenda"):
        assert (await partner.get(url)).status_code in (403, 404)


async def test_restricted_users_and_confidential_households(app, client, users, host):
    """A user restricted to a programme sees no appointment of a household outside it (team
    calendar, feed); a household of a confidential programme is never named in a feed."""
    from tremplin.models import Enrolment, User
    from tremplin.services import appointments as ap
    from tremplin.services.clock import now

    worker = users["social_worker"]
    hidden = await hh.create_household(ACTOR, {"name": "Foyer Protégé"})
    await Enrolment.insert(
        Enrolment(
            household=hidden,
            programme="alter_logement",
            state="referral",
            referral_date=today(),
            data={},
            created_at=now(),
            updated_at=now(),
        )
    )
    plain = await hh.create_household(ACTOR, {"name": "Foyer Ordinaire"})
    day = (today() + dt.timedelta(days=1)).isoformat()
    for household_id, programme in ((hidden, "alter_logement"), (plain, "")):
        await ap.create_appointment(
            host,
            ACTOR,
            household_id,
            {
                "kind": "office_appointment",
                "day": day,
                "time": "10:00",
                "duration": "30",
                "programme": programme,
                "place": "Lieu secret",
                "worker": str(worker.id),
            },
            host.programme_keys,
        )

    session = await _session(client, users)
    status, events = await _events(app, await _feed_url(session, with_names=True))
    summaries = sorted(str(e["summary"]) for e in events)
    assert summaries == ["Rendez-vous au bureau", "Rendez-vous au bureau : Foyer Ordinaire"]
    raw = b"".join(e.to_ical() for e in events).decode()
    assert "Protégé" not in raw and raw.count("Lieu secret") == 1

    await User.update({User.programmes: ["iml_sublease"]}).where(User.id == worker.id)
    team = await session.get(f"/calendrier?qui=equipe&date={day}")
    assert "Foyer Ordinaire" not in team.text and "Foyer Protégé" not in team.text
    mine = await session.get(f"/calendrier?date={day}")
    assert "Foyer" not in mine.text
    status, events = await _events(app, await _feed_url(session, with_names=True))
    assert status == 200 and events == []
