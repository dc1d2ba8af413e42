"""Narratives on every chapter: a group of programmes (« IML ») and the whole association's
chapters (the housing stock) take a Markdown text too, written on the report page of the
whole association, warned about names, rendered in the PDF, the DOCX and the web page, and
started from last year's text."""

import io
from dataclasses import replace

import pypdf
import pytest
from docx import Document

from tests.plugins.housing.helpers import dwelling
from tremplin.reports.docx import to_docx
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_pdf
from tremplin.reports.narratives import (
    ASSOCIATION,
    group_key,
    narrative_scope,
    save_narrative,
)
from tremplin.types import Period

GROUPS = (("IML", ("iml_sublease", "iml_youth")),)
GROUP = "groupe-iml_sublease-iml_youth"
TEXT = "Le **parc** a grandi.\n\n- un #set et $x$\n- une <b>balise</b>"


@pytest.fixture
def app(settings, host):
    from tremplin.web.app import create_app

    return create_app(replace(settings, report_groups=GROUPS), host)


async def _enrol(host, name: str, programme: str) -> int:
    from tremplin.services import enrolments as enr
    from tremplin.services import households as hh

    first, last = name.split()
    household = await hh.create_household(
        hh.Actor(None),
        {"name": f"{last.upper()} {first}"},
        {"first_name": first, "last_name": last},
    )
    return await enr.create_enrolment(
        host,
        hh.Actor(None),
        household,
        programme,
        {
            "referral_date": "2024-01-10",
            "prescriber": host.programmes[programme].prescribers[0].value,
        },
    )


def test_narrative_keys_name_a_chapter_and_the_programmes_it_covers():
    programmes = ["iml_sublease", "iml_youth", "alter_logement"]
    assert group_key(("iml_sublease", "iml_youth")) == GROUP
    assert narrative_scope(GROUP, programmes, GROUPS) == ["iml_sublease", "iml_youth"]
    assert narrative_scope(ASSOCIATION, programmes, GROUPS) == programmes
    assert narrative_scope("alter_logement", programmes, GROUPS) == ["alter_logement"]
    assert narrative_scope("groupe-x-y", programmes, GROUPS) is None
    assert narrative_scope("cllaj", programmes, GROUPS) is None
    # A group of many programmes still fits the column (50 characters), and stays its own.
    many = tuple(f"programme_{i}" for i in range(9))
    assert len(group_key(many)) <= 50 and group_key(many) != group_key(many[:8])


async def test_group_and_stock_chapters_carry_a_narrative_everywhere(database, host):
    await dwelling(captured_on="2023-01-01")
    await save_narrative(GROUP, 2024, "indicators", "Groupe : " + TEXT, None)
    await save_narrative(ASSOCIATION, 2024, "housing_stock", "Parc : " + TEXT, None)
    report = await build_report(host, "all", Period.year(2024), "Asso", GROUPS)
    chapters = {c["key"]: c for c in report["programmes"]}
    group, stock = chapters[GROUP], chapters["housing_stock"]
    assert group["kind"] == "group" and group["narrative_key"] == GROUP
    assert stock["kind"] == "association" and stock["narrative_key"] == ASSOCIATION
    section = next(s for s in group["sections"] if s["key"] == "indicators")
    assert section["narrative"].startswith("Groupe : ")
    assert section["narrative_blocks"][0]["type"] == "paragraph"
    assert stock["sections"][0]["narrative"].startswith("Parc : ")
    # A member programme's own section does not take the group's text.
    member = chapters["iml_sublease"]
    assert all(s.get("narrative") is None for s in member["sections"])

    # PDF: the Markdown formats, the special characters print as they are.
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages)
    for line in ("Groupe : Le parc a grandi.", "Parc : Le parc a grandi.", "un #set et $x$"):
        assert line in text, line
    assert "**" not in text

    # DOCX: both texts, bold where the Markdown says, the list as a list.
    document = Document(io.BytesIO(to_docx(report)))
    paragraphs = [p.text for p in document.paragraphs]
    assert "Groupe : Le parc a grandi." in paragraphs
    assert "Parc : Le parc a grandi." in paragraphs
    assert not any("**" in p for p in paragraphs)
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert bold.count("parc") == 2
    assert (
        sum(
            p.style.name == "List Bullet" and p.text == "une <b>balise</b>"
            for p in document.paragraphs
        )
        == 2
    )


async def test_group_and_stock_narratives_are_written_on_the_report_page(
    social_worker, host, client, users
):
    from tests.conftest import login
    from tremplin.testing import make_user

    await dwelling(captured_on="2023-01-01")
    await _enrol(host, "Éléonore Nguyen", "iml_youth")
    await save_narrative(GROUP, 2023, "indicators", "Texte de 2023 du groupe", None)

    page = await social_worker.get("/reports?programme=all&year=2024")
    assert page.status_code == 200
    html = page.text
    assert f'hx-post="/reports/{GROUP}/2024/narratives/indicators"' in html
    assert 'hx-post="/reports/association/2024/narratives/housing_stock"' in html
    # The programme chapters' texts are written on each programme's own page.
    assert 'hx-post="/reports/iml_sublease/2024/narratives/' not in html
    # Last year's text of the group is the draft to start from.
    assert "Texte de 2023 du groupe</textarea>" in html
    assert "Brouillon repris du texte de 2023" in html

    # The name-leak warning covers every member of the group.
    saved = await social_worker.post(
        f"/reports/{GROUP}/2024/narratives/indicators",
        {"text": "Madame Nguyen a trouvé un **emploi**."},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and "Éléonore Nguyen" in saved.text
    stock = await social_worker.post(
        "/reports/association/2024/narratives/housing_stock",
        {"text": "Le parc s'agrandit."},
        headers={"HX-Request": "true"},
    )
    assert stock.status_code == 200 and "Attention" not in stock.text
    html = (await social_worker.get("/reports?programme=all&year=2024")).text
    assert "Madame Nguyen a trouvé un <strong>emploi</strong>." in html
    assert "<p>Le parc s&#39;agrandit.</p>" in html or "<p>Le parc s'agrandit.</p>" in html
    docx = await social_worker.get("/reports/all/2024/docx")
    paragraphs = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert "Le parc s'agrandit." in paragraphs

    # No chapter by that key, or a user who does not work in every programme it covers.
    unknown = await social_worker.post(
        "/reports/groupe-x-y/2024/narratives/indicators", {"text": "x"}
    )
    assert unknown.status_code == 404
    await make_user("social_worker", email="iml@test.fr", programmes=["iml_sublease"])
    csrf = await login(client, "iml@test.fr")
    refused = await client.post(
        "/reports/association/2024/narratives/housing_stock",
        data={"text": "y", "_csrf": csrf},
    )
    assert refused.status_code == 404
    own = await client.post(
        "/reports/iml_sublease/2024/narratives/indicators", data={"text": "z", "_csrf": csrf}
    )
    assert own.status_code == 200
    from tremplin.reports.narratives import load_narratives

    assert (await load_narratives(ASSOCIATION, 2024)) == {"housing_stock": "Le parc s'agrandit."}
