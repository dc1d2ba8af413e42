"""The demo shows the product at its best (issue 16, point 9): the generated data respects
every programme rule, read back from the database and checked with the programmes' own
rules (not the generator's constants): ages, CEJ dates, durations, date order; due dates
around today; shares for each partner; residents in the boarding houses and the residence;
appointments this week."""

from __future__ import annotations

import datetime as dt

from tremplin.dates import add_months, age_on
from tremplin.demo import load_demo
from tremplin.models import (
    Appointment,
    DueDate,
    Enrolment,
    Membership,
    PartnerOrganisation,
    Person,
    Share,
)
from tremplin.services.clock import today
from tremplin.services.enrolments import cross_field_errors
from tremplin_cllaj.rules import BAIL_MAX_AGE
from tremplin_iml_youth.rules import age_refusal


async def _reference_births() -> dict[int, dt.date | None]:
    rows = await Membership.select(
        Membership.household, Membership.person.birth_date.as_alias("birth")
    ).where(Membership.relation == "reference")
    return {r["household"]: r["birth"] for r in rows}


async def test_the_demo_respects_every_programme_rule(database, host):
    await load_demo(host)
    on = today()
    births = await _reference_births()
    enrolments = await Enrolment.select().output(load_json=True)
    assert enrolments
    for e in enrolments:
        where = f"{e['programme']} n° {e['id']}"
        # Dates in order, no orientation in the future.
        dates = [e["referral_date"], e["decision_date"], e["entry_date"], e["exit_date"]]
        present = [d for d in dates if d is not None]
        assert present == sorted(present), (where, dates)
        assert e["referral_date"] <= on, where
        # The programme's own cross-field checks (CEJ end after its start, SIAO validation
        # after the orientation…), as the forms run them.
        values = {**(e["data"] or {}), "referral_date": e["referral_date"].isoformat()}
        assert cross_field_errors(host, e["programme"], values) == {}, (where, values)
        # Durations: never longer than the programme's maximum.
        months = host.programmes[e["programme"]].max_duration_months
        if months and e["entry_date"]:
            end = e["exit_date"] or on
            assert end <= add_months(e["entry_date"], months), (where, e["entry_date"], end)
        # Ages: the youth IML admits 18-25 year-olds (its own rule), the CLLAJ under 30.
        birth = births.get(e["household"])
        if e["programme"] == "iml_youth":
            for day in (e["referral_date"], e["decision_date"] or on):
                assert age_refusal(birth, day) is None, (where, birth, day)
        if e["programme"].startswith("cllaj_"):
            assert birth is not None and age_on(birth, e["referral_date"]) <= BAIL_MAX_AGE, where
    assert await Person.count().where(Person.birth_date > on) == 0


async def test_the_demo_is_alive_around_today(database, host):
    await load_demo(host)
    on = today()
    # Due dates around today: some to watch, most still ahead, not all overdue.
    due = [r["due_on"] for r in await DueDate.select(DueDate.due_on)]
    assert len(due) >= 10
    ahead = sum(d >= on for d in due)
    assert ahead >= len(due) / 2, due
    # Every partner sees households at its first login: an active share on a household
    # still followed in the shared programme.
    for partner in await PartnerOrganisation.select(PartnerOrganisation.id):
        shares = await Share.select().where(
            (Share.partner == partner["id"])
            & Share.ended_at.is_null()
            & (Share.consent_expires > on)
        )
        assert shares, partner
        for s in shares:
            assert await Enrolment.exists().where(
                (Enrolment.household == s["household"])
                & (Enrolment.programme == s["programme"])
                & Enrolment.exit_date.is_null()
            )
    # The boarding houses and the residence have residents.
    for programme in ("boarding_house", "social_residence"):
        residents = await Enrolment.count().where(
            (Enrolment.programme == programme)
            & Enrolment.entry_date.is_not_null()
            & Enrolment.exit_date.is_null()
        )
        assert residents >= 2, programme
    # A few appointments this week.
    week = await Appointment.count().where(
        (Appointment.starts_at >= dt.datetime.combine(on, dt.time(), tzinfo=dt.UTC))
        & (
            Appointment.starts_at
            < dt.datetime.combine(on + dt.timedelta(days=8), dt.time(), tzinfo=dt.UTC)
        )
    )
    assert week >= 3
