"""Arrears letters: first reminder, second reminder and formal notice compiled by Typst from
the shipped template or the association's own, with the household, the dwelling and the
balance at the step's date."""

import dataclasses
import io

import pypdf

from tests.plugins.housing.helpers import ACTOR, d, dwelling, household, occupancy
from tremplin_housing.arrears import record_step
from tremplin_housing.ledger import record_entry, run_rent_calls
from tremplin_housing.tables import ArrearsStep

NAME = "DUPONT #strong[x] $y$ _z_ <lbl>"


def pdf_text(content: bytes) -> str:
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)
    return text.replace("\u00a0", " ")


async def _steps() -> dict[str, int]:
    """January and February called (900 €), 100 € paid on 20/01; three steps recorded."""
    dwelling_id = await dwelling()
    household_id = await household(NAME)
    occupancy_id = await occupancy(
        dwelling_id, household_id, "2024-01-01", rent="400", charges="50"
    )
    for month in ("2024-01-01", "2024-02-01", "2024-03-01"):
        await run_rent_calls(ACTOR, d(month))
    await record_entry(
        ACTOR,
        occupancy_id,
        {"kind": "payment", "entry_date": "2024-01-20", "amount": "100", "means": "cash"},
    )
    out = {}
    for step, day in (
        ("first_reminder", "2024-02-05"),
        ("second_reminder", "2024-02-20"),
        ("formal_notice", "2024-03-05"),
        ("order_to_pay", "2024-04-05"),
    ):
        await record_step(ACTOR, household_id, {"step": step, "done_on": day})
        out[step] = (
            await ArrearsStep.select(ArrearsStep.id).where(ArrearsStep.step == step).first()
        )["id"]
    out["occupancy"] = occupancy_id
    return out


async def test_letters_are_real_pdfs_with_the_balance_at_the_date(login_as):
    manager = await login_as("rental_manager")
    steps = await _steps()
    first = await manager.get(f"/housing/arrears-steps/{steps['first_reminder']}/letter")
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    text = pdf_text(first.content)
    # On 05/02: 900 € called − 100 € paid = 800 €; January 350 € and February 450 € due.
    for expected in (
        "Relance pour loyer impayé",
        NAME,
        "L-00001",
        "3 rue des Lilas",
        "800,00 €",
        "05/02/2024",
        "avant le 20/02/2024",
        "janvier 2024",
        "350,00 €",
        "février 2024",
        "450,00 €",
        "Test rental_manager",
    ):
        assert expected in text, expected
    assert "mars 2024" not in text  # called later
    notice = pdf_text(
        (await manager.get(f"/housing/arrears-steps/{steps['formal_notice']}/letter")).content
    )
    # On 05/03: 1 350 € called − 100 € = 1 250 €; 8 days to pay.
    for expected in (
        "Mise en demeure de payer",
        "recommandée",
        "1\u202f250,00 €",
        "05/03/2024",
        "avant le 13/03/2024",
        "mettons en demeure",
    ):
        assert expected in notice, expected
    second = pdf_text(
        (await manager.get(f"/housing/arrears-steps/{steps['second_reminder']}/letter")).content
    )
    assert "Deuxième relance pour loyer impayé" in second and "800,00 €" in second
    # No letter for a bailiff's step, nor for an unknown one.
    assert (
        await manager.get(f"/housing/arrears-steps/{steps['order_to_pay']}/letter")
    ).status_code == 404
    assert (await manager.get("/housing/arrears-steps/999999/letter")).status_code == 404
    review = (await manager.get("/housing/arrears")).text  # last step: no letter
    assert "Commandement de payer (huissier) (05/04/2024)</td>" in review.replace("\n", "")
    await record_step(
        ACTOR,
        (await ArrearsStep.select(ArrearsStep.household).first())["household"],
        {"step": "formal_notice", "done_on": "2024-04-06"},
    )
    review = (await manager.get("/housing/arrears")).text
    last = (
        await ArrearsStep.select(ArrearsStep.id).order_by(ArrearsStep.id, ascending=False).first()
    )["id"]
    assert f'href="/housing/arrears-steps/{last}/letter">courrier</a>' in review
    page = (await manager.get(f"/housing/occupancies/{steps['occupancy']}")).text
    assert f"/housing/arrears-steps/{steps['first_reminder']}/letter" in page
    assert f"/housing/arrears-steps/{steps['order_to_pay']}/letter" not in page
    for role in ("technician", "social_worker"):
        user = await login_as(role)
        assert (
            await user.get(f"/housing/arrears-steps/{steps['first_reminder']}/letter")
        ).status_code == 403


async def test_the_association_template_replaces_the_shipped_one(app, login_as, tmp_path):
    folder = tmp_path / "templates" / "housing"
    folder.mkdir(parents=True)
    (folder / "arrears_letter.typ").write_text(
        "#let data = json(bytes(sys.inputs.data))\n"
        '#set text(font: "Libertinus Serif", lang: "fr")\n'
        "Courrier de l’association #data.association pour #data.household : "
        "#data.title, solde #data.balance au #data.date.\n",
        encoding="utf-8",
    )
    context = app.state.tremplin
    context.settings = dataclasses.replace(context.settings, templates_dir=tmp_path / "templates")
    manager = await login_as("rental_manager")
    steps = await _steps()
    text = pdf_text(
        (await manager.get(f"/housing/arrears-steps/{steps['first_reminder']}/letter")).content
    )
    assert "Courrier de l’association" in text and NAME in text
    assert "Relance pour loyer impayé, solde 800,00 € au 05/02/2024" in text
