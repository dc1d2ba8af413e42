"""Supported lease: under-30s (with a recorded exception), landlord before the lease, the
association present 6 months after entry, the tripartite agreement PDF, the report table."""

import datetime as dt

import pytest

from tests.plugins.cllaj.helpers import move, text_of, young
from tremplin.forms import FormErrors
from tremplin.models import Enrolment
from tremplin.services import enrolments as enr
from tremplin.types import Period, ReportContext
from tremplin_cllaj import report
from tremplin_cllaj.bail import template_path
from tremplin_cllaj.rules import BAIL
from tremplin_cllaj.workflows import BAIL_WORKFLOW

LANDLORD = {
    "landlord_kind": "public",
    "landlord_name": "Bailleur #set text(red) Loire Habitat",
    "landlord_address": "12 rue du Bailleur, Saint-Étienne",
    "dwelling_address": "5 place Carnot, Saint-Étienne",
    "rent": "412,50",
}


async def signed(host, entry="2024-03-01", **data):
    early = entry < "2024"
    household_id, enrolment_id = await young(
        host, BAIL, referral="2023-09-01" if early else "2024-01-10", **{**LANDLORD, **data}
    )
    await move(host, enrolment_id, "accept", decision_date="2023-09-15" if early else "2024-01-12")
    await move(host, enrolment_id, "enter", entry_date=entry, agreement_signed_on="2024-02-28")
    return household_id, enrolment_id


async def test_under_30_on_the_decision_date_or_a_recorded_exception(database, host):
    # Born 1994-02-01: 30 on 2024-02-01, 29 the day before.
    _, enrolment_id = await young(host, BAIL, birth="1994-02-01")
    assert await move(host, enrolment_id, "accept", decision_date="2024-01-31") == "admitted"
    _, enrolment_id = await young(host, BAIL, birth="1994-02-01")
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "accept", decision_date="2024-02-01")
    assert "réservé aux jeunes de moins de 30 ans" in caught.value.errors["_transition"]
    assert (
        await move(
            host,
            enrolment_id,
            "accept",
            decision_date="2024-02-01",
            age_override_reason="Accord du bailleur, parcours engagé à 29 ans",
        )
        == "admitted"
    )


async def test_the_landlord_is_known_before_the_lease(database, host):
    _, enrolment_id = await young(host, BAIL, landlord_kind="private")
    await move(host, enrolment_id, "accept", decision_date="2024-02-01")
    with pytest.raises(FormErrors) as caught:
        await move(
            host, enrolment_id, "enter", entry_date="2024-03-01", agreement_signed_on="2024-02-28"
        )
    assert "Indiquez le bailleur" in caught.value.errors["_transition"]
    with pytest.raises(FormErrors) as caught:
        await move(host, enrolment_id, "enter", entry_date="2024-03-01")
    assert caught.value.errors == {"agreement_signed_on": "ce champ est obligatoire"}


async def test_six_months_of_presence_then_the_outcome(database, host):
    _, enrolment_id = await signed(host, entry="2024-03-31")
    view = enr.to_view(await enr.get_enrolment(enrolment_id, [BAIL]))
    assert BAIL_WORKFLOW.deadlines[0].due(view) == dt.date(2024, 9, 30)  # 31/03 + 6 months
    with pytest.raises(FormErrors) as caught:
        await move(
            host, enrolment_id, "exit", exit_date="2024-09-29", exit_destination="maintained"
        )
    assert "jusqu'au 30/09/2024" in caught.value.errors["_transition"]
    assert (
        await move(
            host, enrolment_id, "exit", exit_date="2024-09-30", exit_destination="maintained"
        )
        == "exited"
    )


async def test_an_early_end_needs_its_reason(database, host):
    _, enrolment_id = await signed(host)
    with pytest.raises(FormErrors):
        await move(host, enrolment_id, "exit", exit_date="2024-05-01", exit_destination="left")
    assert (
        await move(
            host,
            enrolment_id,
            "exit",
            exit_date="2024-05-01",
            exit_destination="left",
            early_end_reason="Retour en famille",
        )
        == "exited"
    )
    data = (await enr.get_enrolment(enrolment_id, [BAIL]))["data"]
    assert data["early_end_reason"] == "Retour en famille"


async def test_tripartite_agreement_pdf(social_worker, host):
    household_id, enrolment_id = await signed(host)
    page = await social_worker.get(f"/households/{household_id}")
    assert "Présence de l'association jusqu'au 01/09/2024" in page.text
    response = await social_worker.get(f"/cllaj/enrolments/{enrolment_id}/convention")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/pdf")
    text = text_of(response.content)
    assert "Convention tripartite" in text and "bail accompagné" in text
    assert "Enzo JEUNE" in text and "né(e) le 01/05/2003" in text
    assert "Bailleur #set text(red) Loire Habitat" in text  # printed as is
    assert "Bailleur public" in text and "5 place Carnot" in text
    assert "412,50 €" in text
    assert "6 mois" in text and "01/09/2024" in text and "28/02/2024" in text
    assert "Le jeune locataire" in text and "Le bailleur" in text and "L’association" in text


async def test_agreement_template_override(social_worker, host, tmp_path):
    custom = tmp_path / "custom"
    (custom / "cllaj").mkdir(parents=True)
    (custom / "cllaj" / "convention_bail.typ").write_text(
        '#let data = json(bytes(sys.inputs.data))\n#set text(font: "Libertinus Serif")\n'
        "Convention maison avec #data.landlord\n",
        encoding="utf-8",
    )
    assert template_path(custom) == custom / "cllaj" / "convention_bail.typ"
    assert template_path(tmp_path / "nothing").name == "convention_bail.typ"
    assert template_path(None).parent.name == "cllaj"


async def test_agreement_of_another_programme_is_not_found(social_worker, host):
    _, enrolment_id = await young(host, "cllaj_jappart")
    assert (
        await social_worker.get(f"/cllaj/enrolments/{enrolment_id}/convention")
    ).status_code == 404


async def test_bail_report_tables(database, host):
    # Signed in 2024: 3 public, 1 private (one signed in 2023 is left out of "signed").
    for kind, entry in (
        ("public", "2024-01-15"),
        ("public", "2024-03-01"),
        ("public", "2024-07-01"),
        ("private", "2024-09-01"),
        ("private", "2023-10-01"),
    ):
        await signed(host, entry=entry, landlord_kind=kind)
    ids = [r["id"] for r in await Enrolment.select(Enrolment.id).order_by(Enrolment.entry_date)]
    # Outcomes in 2024: maintained (2023-10 → 2024-04), maintained with a plan, terminated.
    await move(host, ids[0], "exit", exit_date="2024-04-01", exit_destination="maintained")
    await move(host, ids[1], "exit", exit_date="2024-07-15", exit_destination="maintained_plan")
    await move(
        host,
        ids[2],
        "exit",
        exit_date="2024-06-01",
        exit_destination="terminated",
        early_end_reason="Impayés, rupture",
    )
    p = host.programmes[BAIL]
    signed_t, outcomes = await report.bail_tables(ReportContext(BAIL, p.name_fr, Period.year(2024)))
    assert {r.key: (r.count, r.percent) for r in signed_t.rows} == {
        "signed": (4, None),
        "public": (3, 75.0),
        "private": (1, 25.0),
    }
    assert {r.key: (r.count, r.percent) for r in outcomes.rows} == {
        "maintained": (1, 33.3),
        "maintained_plan": (1, 33.3),
        "moved": (0, 0.0),
        "left": (0, 0.0),
        "terminated": (1, 33.3),
        "kept": (2, 66.7),
    }
