"""Every create form of issue 14's list, submitted twice with its one-time form id (a double
click, a retried request), creates one row: members, shares, partner notes, owners,
dwellings, arrears steps, inventories, interventions, desk intakes, activities, report
generation (and the report and import jobs of this session)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.conftest import login
from tests.core.test_access import _login_partner
from tests.plugins.housing import helpers as housing
from tremplin.models import (
    Enrolment,
    GeneratedReport,
    Job,
    Membership,
    Share,
    TimelineEvent,
)
from tremplin.services import households as hh
from tremplin.services import jobs
from tremplin.services.clock import now, today
from tremplin_boarding_house.houses import create_house
from tremplin_boarding_house.tables import Activity
from tremplin_cllaj import desk
from tremplin_cllaj.tables import DeskIntake, DeskPlace
from tremplin_housing.tables import ArrearsStep, Dwelling, Intervention, Inventory, Owner

ACTOR = hh.Actor(None)
DAY = (today() - dt.timedelta(days=3)).isoformat()


@dataclass
class Case:
    role: str
    url: str
    form: dict
    count: Callable[[], Awaitable[int]]
    #: Background work the submission started, awaited before the test ends.
    settle: Callable[[], Awaitable[None]] | None = None


async def _household(programme: str = "iml_sublease") -> int:
    household_id = await hh.create_household(
        ACTOR, {"name": "DOUBLE Clic"}, {"first_name": "Noa", "last_name": "Clic"}
    )
    await Enrolment.insert(
        Enrolment(
            household=household_id,
            programme=programme,
            state="referral",
            prescriber="other",
            created_at=now(),
            updated_at=now(),
        )
    )
    return household_id


async def members(users) -> Case:
    household_id = await _household()
    return Case(
        "social_worker",
        f"/households/{household_id}/members",
        {"first_name": "Léa", "last_name": "CLIC", "relation": "child", "start_date": DAY},
        lambda: Membership.count().where(Membership.household == household_id),
    )


async def shares(users) -> Case:
    household_id = await _household()
    return Case(
        "social_worker",
        f"/households/{household_id}/shares",
        {
            "partner": str(users["partner"].partner),
            "programme": "iml_sublease",
            "groups": ["identity"],
            "consent_date": today().isoformat(),
            "consent_expires": (today() + dt.timedelta(days=90)).isoformat(),
        },
        lambda: Share.count().where(Share.household == household_id),
    )


async def partner_notes(users) -> Case:
    household_id = await _household("iml_youth")  # a programme taking partners' notes
    await Share.insert(
        Share(
            household=household_id,
            partner=users["partner"].partner,
            programme="iml_youth",
            groups=["identity", "shared_notes"],
            consent_date=today(),
            consent_expires=today() + dt.timedelta(days=30),
            created_at=now(),
        )
    )
    return Case(
        "partner",
        f"/partner/households/{household_id}/notes",
        {"body": "Rendez-vous pris à la Mission Locale"},
        lambda: TimelineEvent.count().where(
            (TimelineEvent.household == household_id) & (TimelineEvent.visibility == "partner")
        ),
    )


async def owners(users) -> Case:
    return Case(
        "rental_manager",
        "/housing/owners/new",
        {"kind": "company", "name": "SCI Double Clic"},
        lambda: Owner.count().where(Owner.name == "SCI Double Clic"),
    )


async def dwellings(users) -> Case:
    return Case(
        "rental_manager",
        "/housing/dwellings/new",
        {
            "owner": str(await housing.owner()),
            "address": "9 rue du Double Clic",
            "postcode": "30100",
            "city": "Alès",
            "typology": "T2",
            "stock": "private",
            "status": "available",
            "programme": "iml_sublease",
            "dpe_class": "D",
            "dpe_date": "2022-05-01",
        },
        lambda: Dwelling.count().where(Dwelling.address == "9 rue du Double Clic"),
    )


async def arrears_steps(users) -> Case:
    _, household_id, _ = await housing.housed()
    return Case(
        "rental_manager",
        f"/housing/households/{household_id}/arrears-steps",
        {f"h{household_id}_step": "first_reminder", f"h{household_id}_done_on": DAY},
        lambda: ArrearsStep.count().where(ArrearsStep.household == household_id),
    )


async def inventories(users) -> Case:
    _, _, occupancy_id = await housing.housed()
    return Case(
        "rental_manager",
        f"/housing/occupancies/{occupancy_id}/inventories",
        {"inventory_kind": "entry", "inventory_done_on": DAY, "inventory_notes": "Bon état"},
        lambda: Inventory.count().where(Inventory.occupancy == occupancy_id),
    )


async def interventions(users) -> Case:
    dwelling_id = await housing.dwelling()
    return Case(
        "rental_manager",
        f"/housing/dwellings/{dwelling_id}/interventions",
        {
            "intervention_requested_on": DAY,
            "intervention_description": "Fuite sous l'évier",
            "intervention_liable": "owner",
            "intervention_done_by": "company",
            "intervention_cost": "120",
            "intervention_status": "requested",
        },
        lambda: Intervention.count().where(Intervention.dwelling == dwelling_id),
    )


async def desk_intakes(users) -> Case:
    place = await DeskPlace.select(DeskPlace.id).first()
    session_id = await desk.create_session(
        {"place": str(place["id"]), "held_on": DAY}, None, "127.0.0.1"
    )
    return Case(
        "social_worker",
        f"/cllaj/desk/sessions/{session_id}/intakes",
        {
            "initials": "K.B.",
            "age": "19",
            "sex": "M",
            "prescriber": "mission_locale",
            "resources": "below_rsa",
            "situation": "third_party",
        },
        lambda: DeskIntake.count().where(DeskIntake.session == session_id),
    )


async def activities(users) -> Case:
    house_id = await create_house(ACTOR, {"name": "Maison du Double Clic"})
    return Case(
        "social_worker",
        f"/boarding_house/houses/{house_id}/activities",
        {"held_on": DAY, "kind": "meal", "title": "Repas partagé", "participants": "6"},
        lambda: Activity.count().where(Activity.house == house_id),
    )


async def report_generation(users) -> Case:
    year = today().year - 1
    return Case(
        "head_of_service",
        f"/reports/all/{year}/generate",
        {},
        lambda: GeneratedReport.count().where(GeneratedReport.year == year),
    )


async def report_jobs(users) -> Case:
    return Case(
        "head_of_service",
        f"/reports/all/{today().year - 1}/json/job",
        {},
        lambda: Job.count().where(Job.kind == "report"),
        _jobs_finished,
    )


async def _jobs_finished() -> None:
    for row in await Job.select(Job.id):
        await jobs.wait(row["id"], 120)


CASES = (
    members,
    shares,
    partner_notes,
    owners,
    dwellings,
    arrears_steps,
    inventories,
    interventions,
    desk_intakes,
    activities,
    report_generation,
    report_jobs,
)


@pytest.mark.parametrize("build", CASES, ids=[c.__name__ for c in CASES])
async def test_a_double_submit_creates_one_row(build, app, users, host):
    case = await build(users)
    if case.role == "partner":
        client, csrf = await _login_partner(app)
    else:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 12)),
            base_url="http://t.local",
        )
        csrf = await login(client, f"{case.role}@test.fr")
    try:
        before = await case.count()
        body = {**case.form, "_csrf": csrf, "_form_id": secrets.token_hex(16)}
        first = await client.post(case.url, data=body)
        assert first.status_code == 303, (first.status_code, first.text[-800:])
        second = await client.post(case.url, data=body)
        assert second.status_code == 303
        # The twin is answered like the first (same place), and wrote nothing.
        assert second.headers["location"] == first.headers["location"]
        assert await case.count() == before + 1
        # A new form (a new id) records again: the id, not the content, tells twins apart.
        again = await client.post(case.url, data={**body, "_form_id": secrets.token_hex(16)})
        if again.status_code == 303:
            assert await case.count() == before + 2
    finally:
        if case.settle is not None:
            await case.settle()
        await client.aclose()
