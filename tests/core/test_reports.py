"""Report pages, downloads, exports' safety and errors."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tremplin.models import AuditEntry
from tremplin.reports.engine import ReportError, build_report
from tremplin.reports.export import safe_cell, to_xlsx
from tremplin.types import Period


async def test_report_page_and_downloads(social_worker):
    page = await social_worker.get("/reports?programme=iml_sublease&year=2024")
    assert page.status_code == 200
    assert "Vue d&#39;ensemble" in page.text or "Vue d'ensemble" in page.text
    pdf = await social_worker.get("/reports/iml_sublease/2024/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("attachment;")
    xlsx = await social_worker.get("/reports/iml_sublease/2024/xlsx")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["Synthèse", "IML sous-location"]
    docx = await social_worker.get("/reports/iml_sublease/2024/docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert "wordprocessingml" in docx.headers["content-type"]
    assert (await social_worker.get("/reports/unknown/2024/pdf")).status_code == 404
    assert (await social_worker.get("/reports/iml_sublease/2024/odt")).status_code == 404
    assert await AuditEntry.count().where(AuditEntry.action == "export") == 3


async def test_disabled_or_unknown_programme_is_a_clear_error(database, host):
    with pytest.raises(ReportError, match="programme inconnu ou désactivé : « cllaj »"):
        await build_report(host, ["cllaj"], Period.year(2024), "Asso")


def test_spreadsheet_cells_that_look_like_formulas_are_neutralised():
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+33 6 00") == "'+33 6 00" and safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("Ménages") == "Ménages" and safe_cell(12) == 12
    report = {
        "association": "=cmd|' /C calc'!A0",
        "period": {"label": "2024"},
        "programmes": [
            {
                "key": "p",
                "name": "P",
                "sections": [
                    {
                        "tables": [
                            {
                                "key": "t",
                                "title": "T",
                                "total": 1,
                                "rows": [{"label": "-2+3", "count": 1, "percent": 100.0}],
                            }
                        ]
                    }
                ],
            }
        ],
    }
    sheet = load_workbook(io.BytesIO(to_xlsx(report)))["P"]
    assert sheet["A2"].value.startswith("'=") and sheet["A5"].value == "'-2+3"


def test_cli_report_formats(tmp_path):
    tremplin = str(Path(sys.executable).parent / "tremplin")
    env = {"TREMPLIN_DATABASE_URL": f"sqlite:///{tmp_path}/r.sqlite3", "PATH": "/usr/bin:/bin"}
    assert (
        subprocess.run([tremplin, "migrate"], env=env, cwd=tmp_path, capture_output=True).returncode
        == 0
    )
    for fmt in ("json", "xlsx", "pdf"):
        out = subprocess.run(
            [
                tremplin,
                "report",
                "--programme",
                "all",
                "--year",
                "2024",
                "--output",
                str(tmp_path / f"r.{fmt}"),
            ],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        assert (tmp_path / f"r.{fmt}").stat().st_size > 100
    bad = subprocess.run(
        [
            tremplin,
            "report",
            "--programme",
            "nope",
            "--year",
            "2024",
            "--output",
            str(tmp_path / "x.pdf"),
        ],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and "programme inconnu ou désactivé" in bad.stderr


async def test_narrative_autosave_warns_about_names_and_prints_literally(social_worker, host):
    from tremplin.services import enrolments as enr
    from tremplin.services import households as hh

    household = await hh.create_household(
        hh.Actor(None),
        {"name": "NGUYEN Éléonore"},
        {"first_name": "Éléonore", "last_name": "Nguyen"},
    )
    await enr.create_enrolment(
        host,
        hh.Actor(None),
        household,
        "iml_sublease",
        {"referral_date": "2024-01-10", "prescriber": "siao"},
    )
    url = "/reports/iml_sublease/2024/narratives/indicators"
    named = await social_worker.post(
        url, {"text": "Madame nguyen a trouvé un emploi."}, headers={"HX-Request": "true"}
    )
    assert named.status_code == 200
    assert "Brouillon enregistré" in named.text and "Éléonore Nguyen" in named.text
    hostile = "Objectifs #set page(width: 1cm) $x$ *gras* _it_ @ref <label> \\\\ fin"
    saved = await social_worker.post(url, {"text": hostile}, headers={"HX-Request": "true"})
    assert "Attention" not in saved.text
    pdf = await social_worker.get("/reports/iml_sublease/2024/pdf")
    import pypdf

    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    # Typst and HTML characters print as they are; the Markdown marks format the words.
    assert "Objectifs #set page(width: 1cm) $x$ gras it @ref <label>" in text
    assert "*gras*" not in text


async def test_data_quality_check_lists_what_makes_figures_wrong(social_worker, host):
    import datetime as dt

    from tremplin.models import Enrolment
    from tremplin.services import households as hh
    from tremplin.services.clock import now

    household = await hh.create_household(
        hh.Actor(None), {"name": "INCOMPLET Jean"}, {"first_name": "Jean", "last_name": "Incomplet"}
    )
    await Enrolment.insert(
        Enrolment(
            household=household,
            programme="iml_sublease",
            state="exited",
            prescriber="",
            entry_date=dt.date(2022, 1, 1),
            exit_date=dt.date(2024, 6, 1),
            exit_destination="",
            created_at=now(),
            updated_at=now(),
        )
    )
    page = await social_worker.get("/reports?programme=iml_sublease&year=2024")
    for message in [
        "prescripteur non renseigné",
        "sortie sans destination",
        "composition familiale non renseignée",
        "date de naissance manquante",
        "au-delà de la durée maximale (18 mois)",
    ]:
        assert message in page.text, message
    assert f'href="/households/{household}"' in page.text


async def test_generated_versions_are_kept_and_reproducible(social_worker, settings):
    from tremplin.models import GeneratedReport

    first = await social_worker.post("/reports/iml_sublease/2024/generate")
    second = await social_worker.post("/reports/iml_sublease/2024/generate")
    assert first.status_code == second.status_code == 303
    rows = await GeneratedReport.select().order_by(GeneratedReport.id)
    assert len(rows) == 2 and rows[0]["sha256"] == rows[1]["sha256"]  # same data, same bytes
    download = await social_worker.get(f"/reports/generated/{rows[0]['id']}")
    import hashlib

    assert hashlib.sha256(download.content).hexdigest() == rows[0]["sha256"]
    page = await social_worker.get("/reports?programme=iml_sublease&year=2024")
    assert f"/reports/generated/{rows[1]['id']}" in page.text


async def test_every_figure_links_to_the_households_behind_it(social_worker, client, users):
    from tests.conftest import login
    from tests.plugins.iml_sublease.test_report_fidelity import la_clede_2024

    await la_clede_2024()
    page = await social_worker.get("/reports?programme=iml_sublease&year=2024")
    assert "/reports/iml_sublease/2024/detail/exit_destinations/private_sliding" in page.text
    detail = await social_worker.get(
        "/reports/iml_sublease/2024/detail/exit_destinations/private_sliding"
    )
    assert detail.status_code == 200 and detail.text.count('href="/households/') == 2
    ages = await social_worker.get(
        "/reports/iml_sublease/2024/detail/ages/26%20%E2%80%93%2040%20ans"
    )
    assert ages.status_code == 200 and ages.text.count('href="/households/') == 39
    ongoing = await social_worker.get("/reports/iml_sublease/2024/detail/overview/ongoing")
    assert ongoing.text.count('href="/households/') == 29
    await client.post("/logout", data={"_csrf": social_worker.csrf})
    await login(client, "rental_manager@test.fr")
    assert (
        await client.get("/reports/iml_sublease/2024/detail/overview/ongoing")
    ).status_code == 403


async def test_english_report_and_logo(social_worker, settings, tmp_path):
    import base64
    import datetime as dt

    import pypdf

    from tremplin.models import Enrolment, Household
    from tremplin.reports.export import to_pdf
    from tremplin.services.clock import now

    household = await Household.insert(
        Household(reference="M-1", name="X", created_at=now(), updated_at=now())
    ).returning(Household.id)
    await Enrolment.insert(
        Enrolment(
            household=household[0]["id"],
            programme="iml_sublease",
            state="housed",
            entry_date=dt.date(2024, 3, 1),
            created_at=now(),
            updated_at=now(),
        )
    )
    pdf = await social_worker.get("/reports/iml_sublease/2024/pdf?lang=en")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Activity report" in text and "Households supported" in text and "Contents" in text
    assert "Rental intermediation (sub-lease)" in text
    assert (await social_worker.get("/reports/iml_sublease/2024/pdf?lang=de")).status_code == 404
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
    logo = tmp_path / "logo.png"
    logo.write_bytes(png)
    report = {"association": "Asso", "period": {"label": "2024"}, "programmes": []}
    with_logo = to_pdf(report, logo)
    without = to_pdf(report)
    assert with_logo != without
    assert len(pypdf.PdfReader(io.BytesIO(with_logo)).pages[0].images) == 1


def test_pdf_prints_euros_with_cents_and_leaves_out_empty_sections():
    import pypdf

    from tremplin.reports.export import to_pdf

    report = {
        "association": "A",
        "period": {"label": "2024"},
        "programmes": [
            {
                "key": "p",
                "name": "P",
                "empty": False,
                "sections": [
                    {
                        "key": "money",
                        "title": "Argent",
                        "error": None,
                        "tables": [
                            {
                                "key": "t",
                                "title": "Coût",
                                "total": 823.5,
                                "unit": "euros",
                                "chart": None,
                                "note": "",
                                "rows": [
                                    {
                                        "label": "Vacance",
                                        "count": 3.45,
                                        "percent": None,
                                        "key": "v",
                                    },
                                    {"label": "Petit", "count": 0.05, "percent": None, "key": "x"},
                                ],
                            }
                        ],
                    },
                    {"key": "nothing", "title": "Section vide", "error": None, "tables": []},
                ],
            }
        ],
    }
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(to_pdf(report))).pages)
    assert "Vacance 3,45" in text and "Petit 0,05" in text and "Total 823,50" in text
    assert "Section vide" not in text


async def test_places_are_set_by_the_administrator_per_year(client, users):
    from tests.conftest import Session, login
    from tremplin.models import AuditEntry, ProgrammeCapacity
    from tremplin.reports.capacity import capacities

    admin = Session(client, await login(client, "admin@test.fr"), users["admin"])
    page = await admin.get("/admin/places?year=2024")
    assert page.status_code == 200 and "Aucune place saisie" in page.text
    # Every error at once, the input kept, nothing written.
    bad = await admin.post(
        "/admin/places",
        {"year": "2024", "programme": "iml_sublease", "places": "trente", "sub_places": "9"},
    )
    assert bad.status_code == 422
    assert "nombre entier positif attendu" in bad.text and "précisez de quoi" in bad.text
    assert 'value="trente"' in bad.text
    assert await ProgrammeCapacity.count() == 0
    ok = await admin.post(
        "/admin/places",
        {
            "year": "2023",
            "programme": "iml_sublease",
            "places": "33",
            "sub_places": "9",
            "sub_label": "jeunes",
        },
    )
    assert ok.status_code in (200, 303)
    # A later year without its own row takes the last places set; the report prints them.
    got = await capacities(["iml_sublease"], [2022, 2023, 2024])
    assert (2022 not in {y for _, y in got}) and got[("iml_sublease", 2024)].places == 33
    assert got[("iml_sublease", 2024)].sub_places == 9
    assert await AuditEntry.count().where(AuditEntry.object_type == "programme_capacity") == 1
    report = await admin.get("/reports/iml_sublease/2024/json")
    chapter = report.json()["programmes"][0]
    assert chapter["places"] == 33
    assert chapter["key_figures"][0]["label"] == "Places (dont 9 jeunes)"
    # Not for a social worker.
    worker = Session(client, await login(client, "social_worker@test.fr"), users["social_worker"])
    assert (await worker.get("/admin/places")).status_code == 403
