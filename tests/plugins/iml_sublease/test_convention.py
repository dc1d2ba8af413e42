"""IML sub-lease: the occupancy agreement PDF (Typst), with an installation override."""

import io
from dataclasses import replace

import pypdf

from tests.plugins.housing.helpers import entry_values, renew
from tremplin.models import Enrolment
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin_iml_sublease.checklists import ENTRY, ENTRY_ITEMS, save_checklist
from tremplin_iml_sublease.convention import template_path

ACTOR = hh.Actor(user_id=None)


def text_of(pdf: bytes) -> str:
    return " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages
    )


async def move(host, enrolment_id, key, **values):
    version = (
        await Enrolment.select(Enrolment.version).where(Enrolment.id == enrolment_id).first()
    )["version"]
    return await enr.apply_transition(host, ACTOR, enrolment_id, key, values, version)


async def housed(host, name="Famille #set text(red) $x$") -> tuple[int, int]:
    household_id = await hh.create_household(
        ACTOR, {"name": name}, {"first_name": "Awa", "last_name": "Diallo*"}
    )
    await hh.add_member(
        ACTOR,
        household_id,
        {
            "first_name": "Moussa",
            "last_name": "Diallo",
            "relation": "child",
            "start_date": "2024-01-05",
        },
    )
    enrolment_id = await enr.create_enrolment(
        host,
        ACTOR,
        household_id,
        "iml_sublease",
        {"referral_date": "2024-01-10", "prescriber": "siao", "siao_validation_date": "2024-01-11"},
    )
    await move(host, enrolment_id, "accept", decision_date="2024-01-12")
    await save_checklist(enrolment_id, ENTRY, {f.name: "on" for f in ENTRY_ITEMS}, None, "")
    await move(host, enrolment_id, "enter", entry_date="2024-01-15", **await entry_values())
    return household_id, enrolment_id


async def test_convention_pdf_prints_the_household_term_and_signatures(social_worker, host):
    _, enrolment_id = await housed(host)
    await renew(host, enrolment_id, decided_on="2024-04-01")
    response = await social_worker.get(f"/iml_sublease/enrolments/{enrolment_id}/convention")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/pdf")
    text = text_of(response.content)
    assert "Convention d" in text and "occupation temporaire" in text
    assert "Famille #set text(red) $x$" in text  # printed as is, not interpreted
    assert "Awa Diallo*" in text and "Moussa Diallo" in text
    assert "15/01/2024" in text and "du 15/04/2024 au 15/07/2024" in text
    assert "Le ménage" in text and "référent(e)" in text and "Le chef de service" in text


async def test_convention_override_and_missing(social_worker, host, settings, tmp_path, app):
    custom = tmp_path / "custom"
    (custom / "iml_sublease").mkdir(parents=True)
    (custom / "iml_sublease" / "convention.typ").write_text(
        '#let data = json(bytes(sys.inputs.data))\n#set text(font: "Libertinus Serif")\n'
        "Convention maison pour #data.household\n",
        encoding="utf-8",
    )
    assert template_path(custom, "convention.typ") == custom / "iml_sublease" / "convention.typ"
    assert template_path(tmp_path / "none", "convention.typ").name == "convention.typ"
    _, enrolment_id = await housed(host, name="Famille Martin")
    state = app.state.tremplin
    app.state.tremplin = replace(state, settings=replace(state.settings, templates_dir=custom))
    try:
        response = await social_worker.get(f"/iml_sublease/enrolments/{enrolment_id}/convention")
    finally:
        app.state.tremplin = state
    assert "Convention maison pour Famille Martin" in text_of(response.content)
    missing = await social_worker.get("/iml_sublease/enrolments/999999/convention")
    assert missing.status_code == 404
