"""Maintenance interventions (issue item 6): French validation, nothing written on bad
input, the occupant's timeline, the page form for technicians, the report table."""

import httpx
import pytest

from tests.conftest import Session, login
from tests.plugins.housing.helpers import ACTOR, dwelling, housed, owner
from tremplin.api import FormErrors, Period
from tremplin.models import TimelineEvent
from tremplin.reports.engine import build_report
from tremplin_housing.maintenance import add_intervention, interventions_of
from tremplin_housing.tables import Intervention

GOOD = {
    "requested_on": "2024-02-01",
    "description": "Fuite sous l'évier",
    "liable": "owner",
    "done_by": "company",
    "cost": "120,50",
    "status": "done",
    "done_on": "2024-02-10",
}


async def test_bad_input_gives_french_errors_and_writes_nothing(database):
    dwelling_id = await dwelling()
    with pytest.raises(FormErrors) as caught:
        await add_intervention(
            ACTOR,
            dwelling_id,
            {
                "requested_on": "",
                "description": "",
                "liable": "voisin",
                "done_by": "",
                "cost": "-5",
                "status": "requested",
            },
        )
    assert caught.value.errors == {
        "requested_on": "ce champ est obligatoire",
        "description": "ce champ est obligatoire",
        "liable": "choix inconnu",
        "done_by": "ce champ est obligatoire",
        "cost": "le montant ne peut pas être négatif",
    }
    with pytest.raises(FormErrors) as caught:
        await add_intervention(ACTOR, dwelling_id, {**GOOD, "done_on": "2024-01-15"})
    assert caught.value.errors == {"done_on": "la réalisation précède la demande"}
    with pytest.raises(FormErrors) as caught:
        await add_intervention(ACTOR, dwelling_id, {**GOOD, "done_on": ""})
    assert caught.value.errors == {"done_on": "indiquez la date de réalisation"}
    with pytest.raises(FormErrors) as caught:
        await add_intervention(
            ACTOR,
            dwelling_id,
            {**GOOD, "requested_on": "2099-01-01", "done_on": "", "status": "requested"},
        )
    assert caught.value.errors == {"requested_on": "la date est dans le futur"}
    with pytest.raises(FormErrors) as caught:
        await add_intervention(ACTOR, dwelling_id, {**GOOD, "status": "planned"})
    assert caught.value.errors == {
        "status": "une intervention datée de sa réalisation est « Réalisée »"
    }
    assert await Intervention.count() == 0


async def test_intervention_goes_on_the_occupant_timeline(database):
    dwelling_id, household_id, _ = await housed("2024-01-01")
    empty = await dwelling()
    first = await add_intervention(ACTOR, dwelling_id, GOOD)
    await add_intervention(ACTOR, empty, {**GOOD, "description": "Peinture"})
    row = await Intervention.select().where(Intervention.id == first).first()
    assert (row["household"], row["cost_cents"], row["liable"]) == (household_id, 12050, "owner")
    events = await TimelineEvent.select(
        TimelineEvent.household, TimelineEvent.title, TimelineEvent.body
    ).where(TimelineEvent.kind == "intervention")
    assert len(events) == 1  # the empty dwelling has no occupant
    assert events[0]["household"] == household_id
    assert events[0]["body"] == "Fuite sous l'évier"
    assert events[0]["title"].startswith("Intervention dans le logement L-")
    [shown] = await interventions_of(dwelling_id)
    assert (shown["liable_label"], shown["done_by_label"], shown["status_label"]) == (
        "Propriétaire",
        "Entreprise",
        "Réalisée",
    )


async def test_report_counts_interventions_done_in_the_period_by_provider(database, host):
    o = await owner()
    a = await dwelling(o, captured_on="2023-01-01")
    b = await dwelling(o, captured_on="2023-01-01")
    await add_intervention(ACTOR, a, GOOD)  # company, 120,50\u00a0€
    await add_intervention(
        ACTOR, b, {**GOOD, "done_by": "insertion_workshop", "cost": "80", "done_on": "2024-03-01"}
    )
    await add_intervention(
        ACTOR, b, {**GOOD, "done_by": "team", "cost": "10", "done_on": "2024-12-31"}
    )
    # Not counted: done in 2025, not done yet.
    await add_intervention(ACTOR, a, {**GOOD, "done_by": "team", "done_on": "2025-01-02"})
    await add_intervention(ACTOR, a, {**GOOD, "status": "planned", "done_on": ""})
    report = await build_report(host, ["iml_sublease"], Period.year(2024), "Asso")
    section = next(s for s in report["programmes"][0]["sections"] if s["key"] == "housing")
    tables = {t["key"]: t for t in section["tables"]}
    counts = {r["key"]: r["count"] for r in tables["housing_interventions"]["rows"]}
    assert counts == {"team": 1, "company": 1, "insertion_workshop": 1}
    assert tables["housing_interventions"]["title"] == "Interventions par type de prestataire"
    assert tables["housing_interventions"]["total"] == 3
    costs = {r["key"]: r["count"] for r in tables["housing_interventions_cost"]["rows"]}
    assert costs == {"team": 10.0, "company": 120.5, "insertion_workshop": 80.0}
    assert tables["housing_interventions_cost"]["total"] == 210.5


@pytest.fixture
async def login_as(app, users):
    clients = []

    async def make(role: str) -> Session:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("127.0.0.1", 7)),
            base_url="http://testserver.local",
        )
        clients.append(client)
        return Session(client, await login(client, f"{role}@test.fr"), users[role])

    yield make
    for client in clients:
        await client.aclose()


async def test_technician_records_an_intervention_on_the_dwelling_page(login_as):
    dwelling_id = await dwelling()
    technician = await login_as("technician")
    page = await technician.get(f"/housing/dwellings/{dwelling_id}")
    assert page.status_code == 200
    assert "Enregistrer une intervention" in page.text
    url = f"/housing/dwellings/{dwelling_id}/interventions"
    bad = await technician.post(
        url,
        {
            "intervention_requested_on": "2024-02-01",
            "intervention_description": "Volet cassé",
            "intervention_liable": "occupant",
            "intervention_done_by": "team",
            "intervention_status": "done",
            "intervention_cost": "35",
        },
    )
    assert bad.status_code == 422
    assert "indiquez la date de réalisation" in bad.text
    assert "Volet cassé" in bad.text  # what was typed is kept
    assert await Intervention.count() == 0
    ok = await technician.post(
        url,
        {
            "intervention_requested_on": "2024-02-01",
            "intervention_description": "Volet cassé",
            "intervention_liable": "occupant",
            "intervention_done_by": "team",
            "intervention_status": "done",
            "intervention_done_on": "2024-02-03",
            "intervention_cost": "35",
        },
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == f"/housing/dwellings/{dwelling_id}#interventions"
    page = await technician.get(f"/housing/dwellings/{dwelling_id}")
    assert "Volet cassé" in page.text and "35,00\u00a0€" in page.text
    social = await login_as("social_worker")
    denied = await social.post(url, {"intervention_description": "x"})
    assert denied.status_code == 403
    assert await Intervention.count() == 1
