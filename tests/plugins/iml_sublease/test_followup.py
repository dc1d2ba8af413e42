"""IML sub-lease: entry and reinforced-support checklists, reviews and the sliding lease,
dashboard blocks (reviews due, house-mistress visits)."""

import datetime as dt
import io

import pypdf
import pytest

from tests.due import watched
from tests.plugins.housing.helpers import entry_values
from tremplin.forms import FormErrors
from tremplin.models import Enrolment, TimelineEvent
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin.types import DashboardContext
from tremplin_iml_sublease.checklists import ENTRY, ENTRY_ITEMS, REINFORCED, save_checklist
from tremplin_iml_sublease.followup import visits_overdue
from tremplin_iml_sublease.reviews import record_review

ACTOR = hh.Actor(user_id=None)


async def _version(enrolment_id: int) -> int:
    return (await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first())[
        "version"
    ]


async def move(host, enrolment_id, key, **values):
    return await enr.apply_transition(
        host, ACTOR, enrolment_id, key, values, await _version(enrolment_id)
    )


async def _admitted(host, **data) -> tuple[int, int]:
    household_id = await hh.create_household(ACTOR, {"name": "Foyer Entrée"})
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_sublease",
        {
            "referral_date": "2024-01-10",
            "prescriber": "siao",
            "siao_validation_date": "2024-01-11",
            **data,
        },
    )
    await move(host, enrolment_id, "accept", decision_date="2024-01-12")
    return household_id, enrolment_id


async def test_entry_refused_until_every_step_is_ticked(database, host):
    _, enrolment_id = await _admitted(host)
    partial = {f.name: "on" for f in ENTRY_ITEMS if f.name not in ("meters", "insurance")}
    await save_checklist(enrolment_id, ENTRY, partial, None, "")
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "enter", entry_date="2024-02-01", **await entry_values())
    message = caught.value.errors["_transition"]
    assert message.startswith("Étapes d'entrée non terminées")
    assert "Attestation d'assurance habitation" in message and "Ouverture des compteurs" in message
    assert "Convention signée par le chef de service" not in message
    await save_checklist(enrolment_id, ENTRY, {f.name: "on" for f in ENTRY_ITEMS}, None, "")
    assert (
        await move(host, enrolment_id, "enter", entry_date="2024-02-01", **await entry_values())
        == "housed"
    )


async def test_checklist_panel_and_route(social_worker, host):
    household_id, enrolment_id = await _admitted(host, reinforced_support=True)
    page = await social_worker.get(f"/households/{household_id}")
    assert "Étapes d&#39;entrée dans le logement" in page.text
    assert "Accompagnement renforcé (sortants asile)" in page.text
    saved = await social_worker.post(
        f"/iml_sublease/enrolments/{enrolment_id}/checklists/{ENTRY}",
        {"insurance": "on", "meters": "on"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and "(2/9)" in saved.text
    data = (
        await Enrolment.select(Enrolment.data)
        .where(Enrolment.id == enrolment_id)
        .output(load_json=True)
        .first()
    )["data"]
    assert data[ENTRY]["insurance"] is True and data[ENTRY]["inventory"] is False
    done = await social_worker.post(
        f"/iml_sublease/enrolments/{enrolment_id}/checklists/{REINFORCED}", {"schooling": "on"}
    )
    assert done.status_code == 303
    unknown = await social_worker.post(
        f"/iml_sublease/enrolments/{enrolment_id}/checklists/nope", {}
    )
    assert unknown.status_code == 404


async def test_reinforced_panel_hidden_without_reinforced_support(social_worker, host):
    household_id, _ = await _admitted(host)
    page = await social_worker.get(f"/households/{household_id}")
    assert "Étapes d&#39;entrée dans le logement" in page.text
    assert "Accompagnement renforcé (sortants asile)" not in page.text


# --- reviews, sliding lease, dashboards -------------------------------------------------


async def _housed(host, entry="2024-01-15") -> tuple[int, int]:
    household_id, enrolment_id = await _admitted(host)
    await save_checklist(enrolment_id, ENTRY, {f.name: "on" for f in ENTRY_ITEMS}, None, "")
    await move(host, enrolment_id, "enter", entry_date=entry, **await entry_values())
    return household_id, enrolment_id


def _ctx(on: dt.date) -> DashboardContext:
    return DashboardContext(
        user=None,
        programmes=("iml_sublease",),
        restricted_to=None,
        today=on,
        programme_names={},
        state_labels={},
    )


async def test_review_then_sliding_lease_closes_the_enrolment(database, host):
    _, enrolment_id = await _housed(host)
    with pytest.raises(FormErrors) as caught:
        await move(
            host, enrolment_id, "slide", exit_date="2024-07-15", exit_destination="public_sliding"
        )
    assert "décidé lors d'un bilan" in caught.value.errors["_transition"]
    first = await record_review(
        enrolment_id,
        {
            "review_date": "2024-07-10",
            "landlord_present": "on",
            "household_present": "on",
            "outcome": "continue",
        },
        None,
        "",
    )
    assert (first["milestone"], first["outcome"]) == (6, "continue")
    with pytest.raises(FormErrors) as caught:
        await record_review(
            enrolment_id, {"review_date": "2025-01-10", "outcome": "sliding"}, None, ""
        )
    assert "sliding_destination" in caught.value.errors
    second = await record_review(
        enrolment_id,
        {
            "review_date": "2025-01-10",
            "outcome": "sliding",
            "sliding_destination": "private_sliding",
        },
        None,
        "",
    )
    assert second["milestone"] == 10 and second["landlord_present"] is False
    with pytest.raises(FormErrors) as caught:
        await move(
            host, enrolment_id, "slide", exit_date="2025-01-11", exit_destination="private_sliding"
        )
    assert "10/01/2025" in caught.value.errors["_transition"]
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "slide", exit_date="2025-01-10", exit_destination="family")
    assert caught.value.errors == {"exit_destination": "choix inconnu"}
    assert (
        await move(
            host, enrolment_id, "slide", exit_date="2025-01-10", exit_destination="private_sliding"
        )
        == "exited"
    )
    final = await enr.get_enrolment(enrolment_id, ["iml_sublease"])
    assert (final["state"], final["exit_date"], final["exit_destination"]) == (
        "exited",
        dt.date(2025, 1, 10),
        "private_sliding",
    )
    assert await TimelineEvent.count().where(TimelineEvent.kind == "sublease_review") == 2


async def test_review_pages_and_sheet_pdf(social_worker, host):
    household_id, enrolment_id = await _housed(host)
    page = await social_worker.get(f"/households/{household_id}")
    assert "Bilans avec le bailleur" in page.text and "prochain bilan (6 mois)" in page.text
    bad = await social_worker.post(
        f"/iml_sublease/enrolments/{enrolment_id}/reviews",
        {"review_date": "2024-07-10", "outcome": "sliding"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 422 and "Indiquez le parc du logement" in bad.text
    ok = await social_worker.post(
        f"/iml_sublease/enrolments/{enrolment_id}/reviews",
        {
            "review_date": "2024-07-10",
            "landlord_present": "on",
            "outcome": "continue",
            "notes": "Loyer à jour #strong[x]",
        },
    )
    assert ok.status_code == 303
    pdf = await social_worker.get(f"/iml_sublease/enrolments/{enrolment_id}/reviews/1/pdf")
    assert pdf.status_code == 200
    text = " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    )
    assert "Fiche bilan" in text and "10/07/2024" in text and "6 mois" in text
    assert "Poursuite de la sous-location" in text and "Loyer à jour #strong[x]" in text
    assert (
        await social_worker.get(f"/iml_sublease/enrolments/{enrolment_id}/reviews/2/pdf")
    ).status_code == 404
    slide = await social_worker.get(
        f"/enrolments/{enrolment_id}/transitions/slide", headers={"HX-Request": "true"}
    )
    assert slide.status_code == 200 and "Date de sortie (date du bilan)" in slide.text


async def test_dashboard_reviews_due_and_house_mistress_visits(database, host):
    first, enrolment_id = await _housed(host, entry="2024-01-15")
    household_id, _ = await _housed(host, entry="2024-06-01")
    assert [
        (r["household"], r["due_on"])
        for r in await watched("iml_sublease", dt.date(2024, 6, 20), "review")
    ] == [(first, dt.date(2024, 7, 15))]  # the 6-month review
    assert await watched("iml_sublease", dt.date(2024, 6, 10), "review") == []
    await record_review(
        enrolment_id, {"review_date": "2024-07-10", "outcome": "continue"}, None, ""
    )
    assert [
        (r["household"], r["due_on"])
        for r in await watched("iml_sublease", dt.date(2024, 11, 1), "review")
    ] == [(first, dt.date(2024, 11, 15)), (household_id, dt.date(2024, 12, 1))]

    await TimelineEvent.insert(
        TimelineEvent(
            household=household_id,
            kind="house_mistress_visit",
            programme="iml_sublease",
            occurred_at=dt.datetime(2024, 6, 20, 10, tzinfo=dt.UTC),
            title="Passage",
            body="",
            data={},
            created_at=dt.datetime(2024, 6, 20, 10, tzinfo=dt.UTC),
        )
    )
    rows = await visits_overdue(_ctx(dt.date(2024, 7, 10)))
    assert [r.detail for r in rows] == ["aucun passage depuis l'entrée (15/01/2024)"]
    rows = await visits_overdue(_ctx(dt.date(2024, 7, 25)))
    assert [r.detail for r in rows] == [
        "aucun passage depuis l'entrée (15/01/2024)",
        "dernier passage le 20/06/2024",
    ]
