"""The report's documents read back: DOCX (tables, narratives, charts), XLSX (sheets and
number formats), and the demo association's PDF (page count, pages rendered to PNG)."""

import io
import subprocess
import zipfile

import pypdf
from docx import Document
from openpyxl import load_workbook

from tremplin.demo import load_demo
from tremplin.reports.docx import to_docx
from tremplin.reports.engine import build_report
from tremplin.reports.export import to_pdf, to_xlsx
from tremplin.reports.markdown import parse
from tremplin.reports.narratives import save_narrative
from tremplin.services.clock import today
from tremplin.types import Period

NARRATIVE = (
    "## Faits marquants\n\n"
    "Une **hausse nette** des entrées, *surtout* des jeunes.\n\n"
    "- premier point\n- second point avec #set et $x$ et <b>balise</b>\n\n"
    "1. étape un\n2. étape deux"
)


async def _demo_report(host):
    await load_demo(host, households=60)
    # Last year; the narrative on a programme the demo fills then (dates spread around today).
    year = today().year - 1
    groups = (("IML", ("iml_sublease", "iml_youth")),)
    await save_narrative("alter_logement", year, "indicators", NARRATIVE, None)
    return await build_report(host, "all", Period.year(year), "Association démo", groups), year


async def test_demo_documents_docx_xlsx_and_pdf(database, host, tmp_path):
    report, year = await _demo_report(host)

    # DOCX: chapters, key figures, real tables, the narrative formatted, chart images.
    document = Document(io.BytesIO(to_docx(report)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Synthèse de l’association" in headings and "Chiffres clés" in headings
    assert {c["name"] for c in report["programmes"]} <= set(headings)
    texts = [p.text for p in document.paragraphs]
    assert not any("**" in t for t in texts)  # Markdown marks are rendered, never printed
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "hausse nette" in bold
    assert any(
        p.style.name == "List Bullet" and "<b>balise</b>" in p.text for p in document.paragraphs
    )
    assert any(
        p.style.name == "List Number" and p.text == "étape deux" for p in document.paragraphs
    )
    cells = {t.rows[0].cells[0].text for t in document.tables}
    assert "Indicateur" in cells and "Programme" in cells
    key = next(t for t in document.tables if t.rows[0].cells[0].text == "Indicateur")
    assert key.rows[0].cells[1].text == str(year) and key.rows[0].cells[2].text == str(year - 1)
    with zipfile.ZipFile(io.BytesIO(to_docx(report))) as docx_zip:
        images = [n for n in docx_zip.namelist() if n.startswith("word/media/")]
        assert images and all(docx_zip.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in images)
        assert "TOC \\o" in docx_zip.read("word/document.xml").decode()

    # XLSX: a summary then one sheet per programme, not one per table.
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    assert book.sheetnames[0] == "Synthèse"
    assert len(book.sheetnames) == 1 + len(report["programmes"])
    assert book.sheetnames[1] == report["programmes"][0]["name"][:31]
    assert not any(set(name) & set("[]:*?/\\") for name in book.sheetnames)
    assert len(book.sheetnames) <= 15
    formats = {
        c.number_format for s in book.worksheets for row in s.iter_rows() for c in row if c.value
    }
    assert {"#,##0", "0.0 %"} <= formats

    # PDF: under 30 pages for the whole demo association; two pages rendered, not blank.
    pdf = to_pdf(report)
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) < 30, len(pages)
    text = "\n".join(p.extract_text() for p in pages)
    assert "**" not in text and "hausse nette" in text and "<b>balise</b>" in text
    for page, ink in _render(pdf, tmp_path, (1, 4)).items():
        assert ink > 0.002, f"page {page} is blank"


def _render(pdf: bytes, tmp_path, pages) -> dict[int, float]:
    """Render ``pages`` to PNG with pdftoppm; each page's share of dark pixels."""
    (tmp_path / "r.pdf").write_bytes(pdf)
    out = {}
    for page in pages:
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "40",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(tmp_path / "r.pdf"),
                str(tmp_path / f"p{page}"),
            ],
            check=True,
        )
        png = (tmp_path / f"p{page}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        out[page] = _ink(tmp_path / f"p{page}.png")
    return out


def _ink(path) -> float:
    """Share of dark pixels of a PNG (decoded with pdftoppm's PPM output instead of a
    library: render the same page as PGM and count)."""
    pgm = path.with_suffix(".pgm")
    page = path.stem.removeprefix("p")
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            "40",
            "-f",
            page,
            "-l",
            page,
            "-singlefile",
            str(path.parent / "r.pdf"),
            str(pgm.with_suffix("")),
        ],
        check=True,
    )
    data = pgm.read_bytes()
    # P5 header: magic, width, height, maxval, then one byte per pixel.
    parts = data.split(maxsplit=4)
    pixels = parts[4]
    return sum(1 for b in pixels if b < 128) / len(pixels)


def test_markdown_narratives_parse_and_keep_special_characters_literal():
    blocks = parse("# Titre\n\nTexte **gras** et _italique_ #set $x$ <i>\n\n* un\n* deux")
    assert blocks[0] == {
        "type": "heading",
        "level": 1,
        "runs": [{"text": "Titre", "bold": False, "italic": False}],
    }
    runs = blocks[1]["runs"]
    assert {"text": "gras", "bold": True, "italic": False} in runs
    assert {"text": "italique", "bold": False, "italic": True} in runs
    assert runs[-1]["text"] == " #set $x$ <i>"
    assert blocks[2]["type"] == "list" and len(blocks[2]["items"]) == 2
    assert parse("") == [] and parse(None) == []
    # A lone star or underscore in a word is text, not markup.
    assert parse("3 * 4 et snake_case_name")[0]["runs"] == [
        {"text": "3 * 4 et snake_case_name", "bold": False, "italic": False}
    ]


async def test_web_report_page_contents_charts_and_speed(social_worker, host, settings):
    import time

    await load_demo(host, households=60)
    # Last year, on a programme the demo fills then (its dates are spread around today).
    year = today().year - 1
    await save_narrative(
        "alter_logement", year, "indicators", "Une **hausse** <script>x</script>", None
    )
    url = f"/reports?programme=alter_logement&year={year}"
    page = await social_worker.get(url)
    assert page.status_code == 200
    html = page.text
    assert 'href="#synthese"' in html and 'id="chapitre-alter_logement"' in html
    assert "<details" in html and "Chiffres clés" in html
    assert '<svg class="chart"' in html
    # Markdown rendered, HTML in the text escaped (printed literally).
    assert (
        '<div class="narrative-text"><p>Une <strong>hausse</strong> '
        "&lt;script&gt;x&lt;/script&gt;</p></div>"
    ) in html
    assert "<script>x</script>" not in html
    assert f"/reports/alter_logement/{year}/docx" in html
    # Last year's text is offered as a draft for a section without one.
    await save_narrative("alter_logement", year - 1, "housing", "Texte de l'an dernier", None)
    assert "Texte de l&#39;an dernier" in (await social_worker.get(url)).text
    # The whole association answers in under 300 ms (best of three, warm). CPU time of
    # this process (app, SQLite and client all run in it): wall time on a shared 2-core
    # machine measures the neighbours' load as much as the page.
    timings = []
    for _ in range(3):
        started = time.process_time()
        response = await social_worker.get(f"/reports?programme=all&year={year}")
        timings.append(time.process_time() - started)
        assert response.status_code == 200
    # The demo runs on SQLite (`make run`); on PostgreSQL the ~200 queries of the page
    # (housing sections: ~12 per programme) cost more driver time: a looser bound there.
    assert min(timings) < (0.3 if settings.is_sqlite else 0.6), timings
