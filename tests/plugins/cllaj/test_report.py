"""Report tables of the CLLAJ on small fixtures, every expected figure computed by hand."""

import datetime as dt

from tests.plugins.cllaj.helpers import ACTOR, text_of
from tremplin.models import Enrolment
from tremplin.reports.engine import build_report
from tremplin.services import households as hh
from tremplin.services.clock import now
from tremplin.types import Period
from tremplin_cllaj import desk, report
from tremplin_cllaj.rules import BAIL, GLISSANT, JAPPART
from tremplin_cllaj.tables import (
    DeskPlace,
    Workshop,
)

YEAR = Period.year(2024)


def table(tables, key):
    return next(t for t in tables if t.key == key)


def figures(t):
    """Row key → (count, percent)."""
    return {r.key: (r.count, r.percent) for r in t.rows}


async def ctx(host, programme):
    from tremplin.types import ReportContext

    p = host.programmes[programme]
    # The places an administrator set for the year (reports.capacity), passed by the engine.
    places = 20 if programme == JAPPART else None
    return ReportContext(programme, p.name_fr, YEAR, places, p.max_duration_months)


async def desk_fixture():
    places = {p["name"]: str(p["id"]) for p in await DeskPlace.select()}
    etienne, chamond = (
        places["Mission Locale Saint-Étienne"],
        places["Mission Locale Saint-Chamond"],
    )
    s1 = await desk.create_session({"place": etienne, "held_on": "2024-01-10"}, None, "")
    s2 = await desk.create_session({"place": etienne, "held_on": "2024-02-07"}, None, "")
    s3 = await desk.create_session({"place": chamond, "held_on": "2024-04-03"}, None, "")
    old = await desk.create_session({"place": etienne, "held_on": "2023-12-20"}, None, "")
    people = [
        (s1, "19", "M", "mission_locale", "below_rsa", "third_party", "open"),
        (s1, "22", "F", "mission_locale", "none", "family", "housed"),
        (s1, "17", "F", "self", "none", "street", "lost"),
        (s2, "25", "M", "mission_locale", "rsa_to_smic", "institution", "partner"),
        (s2, "27", "M", "social_service", "below_rsa", "own", "open"),
        (s3, "31", "F", "mission_locale", "above_smic", "third_party", "housed"),
        (s3, "", "M", "mission_locale", "below_rsa", "emergency", "open"),
        (old, "20", "F", "mission_locale", "none", "street", "open"),  # 2023: not counted
    ]
    for session, age, sex, prescriber, resources, situation, status in people:
        raw = {
            "age": age or "30",
            "sex": sex,
            "prescriber": prescriber,
            "resources": resources,
            "situation": situation,
        }
        intake = await desk.add_intake(session, raw, None, "")
        if status != "open" or not age:
            await desk.update_intake(
                intake, {**raw, "age": age, "status": status, "status_date": "2024-06-01"}, None, ""
            )


async def test_desk_tables(database, host):
    await desk_fixture()
    tables = await report.desk_tables(await ctx(host, BAIL))
    # 7 young people received in 2024 at 3 sessions (the December 2023 one is left out).
    assert figures(table(tables, "cllaj_desk_overview")) == {
        "sessions": (3, None),
        "people": (7, None),
        "women": (3, 42.9),
        "men": (4, 57.1),  # 3/7, 4/7
        "mission_locale": (5, 71.4),  # 5/7
        "below_rsa": (3, 42.9),
        "no_resources": (2, 28.6),
        "hosted": (4, 57.1),  # tiers 2 + famille 1 + institution 1
    }
    assert figures(table(tables, "cllaj_desk_ages")) == {
        "under_18": (1, 14.3),
        "18_25": (3, 42.9),
        "26_30": (1, 14.3),
        "over_30": (1, 14.3),
        "unknown": (1, 14.3),
    }
    assert figures(table(tables, "cllaj_desk_sex")) == {"F": (3, 42.9), "M": (4, 57.1)}
    assert figures(table(tables, "cllaj_desk_resources")) == {
        "none": (2, 28.6),
        "below_rsa": (3, 42.9),
        "rsa_to_smic": (1, 14.3),
        "above_smic": (1, 14.3),
    }
    situation = figures(table(tables, "cllaj_desk_situation"))
    assert situation == {
        "third_party": (2, 28.6),
        "family": (1, 14.3),
        "institution": (1, 14.3),
        "emergency": (1, 14.3),
        "street": (1, 14.3),
        "own": (1, 14.3),
        "other": (0, 0.0),
        "hosted": (4, 57.1),
    }
    assert figures(table(tables, "cllaj_desk_prescribers")) == {
        "mission_locale": (5, 71.4),
        "social_service": (1, 14.3),
        "partner_association": (0, 0.0),
        "institution": (0, 0.0),
        "self": (1, 14.3),
        "other": (0, 0.0),
    }
    assert figures(table(tables, "cllaj_desk_places")) == {
        "sessions:Mission Locale Saint-Chamond": (1, None),
        "people:Mission Locale Saint-Chamond": (2, 28.6),
        "sessions:Mission Locale Saint-Étienne": (2, None),
        "people:Mission Locale Saint-Étienne": (5, 71.4),
    }
    assert figures(table(tables, "cllaj_desk_followup")) == {
        "open": (3, 42.9),
        "housed": (2, 28.6),
        "partner": (1, 14.3),
        "lost": (1, 14.3),
    }


async def test_workshops_table(database, host):
    for day, audience, co, attendees in (
        ("2024-02-01", "young", "Référent logement ML", 8),
        ("2024-05-02", "young", "", 5),
        ("2024-10-10", "professionals", "Référent logement ML", 12),
        ("2023-11-30", "young", "ML", 20),  # previous year
    ):
        await Workshop.insert(
            Workshop(
                held_on=dt.date.fromisoformat(day),
                theme="Budget",
                audience=audience,
                co_facilitator=co,
                attendees=attendees,
                created_at=now(),
            )
        )
    (t,) = await report.workshop_tables(await ctx(host, BAIL))
    assert figures(t) == {
        "workshops": (3, None),
        "co_facilitated": (2, 66.7),
        "professionals": (1, 33.3),
        "attendees": (25, None),
    }


async def enrolment(
    programme,
    entry=None,
    exit_=None,
    destination="",
    state=None,
    data=None,
    referral="2022-01-10",
    decision=None,
):
    household_id = await hh.create_household(
        ACTOR, {"name": "JEUNE Test"}, {"first_name": "Test", "last_name": "Jeune"}
    )
    state = state or ("exited" if exit_ else "housed" if entry else "referral")
    row = await Enrolment.insert(
        Enrolment(
            household=household_id,
            programme=programme,
            state=state,
            referral_date=dt.date.fromisoformat(referral),
            prescriber="mission_locale",
            decision_date=dt.date.fromisoformat(decision) if decision else None,
            entry_date=dt.date.fromisoformat(entry) if entry else None,
            exit_date=dt.date.fromisoformat(exit_) if exit_ else None,
            exit_destination=destination,
            data=data or {},
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Enrolment.id)
    return row[0]["id"]


async def test_jappart_tables_year_and_since_opening(database, host):
    await enrolment(JAPPART, "2022-03-01", "2023-02-01", "public_housing")
    await enrolment(JAPPART, "2022-09-01", "2023-08-01", "family")
    await enrolment(JAPPART, "2023-05-01", "2024-03-01", "association_sliding")
    await enrolment(JAPPART, "2023-10-01", "2024-09-30", "private_housing")
    await enrolment(JAPPART, "2024-02-01", "2024-11-15", "third_party")
    await enrolment(JAPPART, "2024-06-01")
    await enrolment(JAPPART, "2025-01-10")  # after the period
    await enrolment(JAPPART)  # never entered
    year, cumulative = await report.jappart_tables(await ctx(host, JAPPART))
    # Year: accompanied = the 4 stays open on some day of 2024; entries 2; exits 3 of
    # which 2 to common-law housing (association sliding, private): 2/3 = 66.7 %.
    assert figures(year) == {
        "places": (20, None),
        "accompanied": (4, None),
        "entries": (2, None),
        "exits": (3, None),
        "exits_mainstream": (2, 66.7),
    }
    # Since opening: 6 entered, 5 left, 3 to common-law housing (3/5 = 60 %): one each in
    # the public, private and association parks (1/3 = 33.3 %), one by a sliding lease.
    assert cumulative.title == "J'APPART depuis l'ouverture (depuis le 01/03/2022)"
    assert figures(cumulative) == {
        "accompanied": (6, None),
        "exits": (5, None),
        "mainstream": (3, 60.0),
        "public": (1, 33.3),
        "private": (1, 33.3),
        "association": (1, 33.3),
        "sliding": (1, 33.3),
    }


async def test_seed_figures_69_52_35_give_67_percent(database, host):
    # The ASL's cumulative figures since 2016: 69 accompanied, 52 exits, 35 to common-law
    # housing (17 public, 13 private, 5 association of which 2 sliding) = 67 %.
    destinations = (
        ["public_housing"] * 17
        + ["private_housing"] * 13
        + ["association_housing"] * 3
        + ["association_sliding"] * 2
        + ["family"] * 10
        + ["third_party"] * 7
    )
    for i, destination in enumerate(destinations):
        await enrolment(
            JAPPART,
            "2016-09-01",
            (dt.date(2017, 1, 1) + dt.timedelta(days=i * 50)).isoformat(),
            destination,
        )
    for _ in range(69 - 52):
        await enrolment(JAPPART, "2024-03-01")
    _, cumulative = await report.jappart_tables(await ctx(host, JAPPART))
    assert figures(cumulative) == {
        "accompanied": (69, None),
        "exits": (52, None),
        "mainstream": (35, 67.3),
        "public": (17, 48.6),
        "private": (13, 37.1),
        "association": (5, 14.3),
        "sliding": (2, 5.7),
    }


async def test_desk_sections_are_in_the_cllaj_chapter_of_the_report(social_worker, host):
    await desk_fixture()
    built = await build_report(host, [BAIL], YEAR, "ASL")
    (chapter,) = built["programmes"]
    keys = [s["key"] for s in chapter["sections"]]
    assert {"cllaj_desk", "cllaj_workshops", "cllaj_bail"} <= set(keys)
    assert all(s["error"] is None for s in chapter["sections"])
    # No supported lease at all, but the desk worked: the chapter is not "no data".
    assert not await Enrolment.exists().where(Enrolment.programme == BAIL)
    assert chapter["empty"] is False
    quiet = await build_report(host, [BAIL], Period.year(2021), "ASL")
    assert quiet["programmes"][0]["empty"] is True
    pdf = await social_worker.get(f"/reports/{BAIL}/2024/pdf")
    assert pdf.status_code == 200
    text = text_of(pdf.content)
    assert "Permanence d" in text and "Jeunes reçus" in text
    assert "hébergés chez des tiers, en famille ou en institution" in text
    for fmt in ("xlsx", "json"):
        assert (await social_worker.get(f"/reports/{BAIL}/2024/{fmt}")).status_code == 200


async def test_jappart_and_sliding_lease_chapters_print(social_worker, host):
    await enrolment(JAPPART, "2023-05-01", "2024-03-01", "association_sliding")
    await enrolment(GLISSANT, "2024-02-01", state="housed", decision="2024-01-20")
    for programme, expected in ((JAPPART, "depuis l"), (GLISSANT, "Baux glissés au jeune")):
        pdf = await social_worker.get(f"/reports/{programme}/2024/pdf")
        assert pdf.status_code == 200
        assert expected in text_of(pdf.content)
