"""Uploads (issue 14, U1): the stored extension follows the sniffed type, a zip named
``.docx`` must really be a Word package, and no executable or script name is ever served."""

import io
import zipfile

import pytest

from tremplin.models import Document
from tremplin.services import documents
from tremplin.services import households as hh

ACTOR = hh.Actor(user_id=None)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"mimetype": documents.ODT.encode(), "content.xml": b"<office/>"})
PLAIN_ZIP = _zip({"evil.exe": b"MZ\x90\x00"})
MACRO_DOCX = _zip(
    {
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"macro",
    }
)


async def _upload(client, household_id, filename, content):
    return await client.post(
        f"/households/{household_id}/documents",
        {"kind": "other"},
        files={"file": (filename, content, "application/pdf")},
    )


@pytest.mark.parametrize(
    "filename",
    [
        "facture.bat",
        "facture.hta",
        "facture.js",
        "facture.scr",
        "facture.html",
        "facture.svg",
        "facture.exe",
        "facture.pdf",
    ],
)
async def test_a_pdf_is_stored_and_served_as_pdf_whatever_its_name(social_worker, filename):
    household_id = await hh.create_household(ACTOR, {"name": "FAURE Inès"})
    response = await _upload(social_worker, household_id, filename, PDF)
    assert response.status_code == 303
    doc = await Document.select().where(Document.household == household_id).first()
    assert doc["filename"] == "facture.pdf" and doc["mime"] == "application/pdf"
    download = await social_worker.get(f"/documents/{doc['id']}/download")
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].endswith("facture.pdf")


@pytest.mark.parametrize(
    "filename, content, stored",
    [
        ("contrat.docx", DOCX, "contrat.docx"),
        ("budget.xlsx", XLSX, "budget.xlsx"),
        ("courrier.odt", ODT, "courrier.odt"),
        ("notes.txt", "Rendez-vous à 10 h, café.\n".encode(), "notes.txt"),
    ],
)
async def test_office_packages_and_text_are_accepted(social_worker, filename, content, stored):
    household_id = await hh.create_household(ACTOR, {"name": "FAURE Inès"})
    assert (await _upload(social_worker, household_id, filename, content)).status_code == 303
    doc = await Document.select().where(Document.household == household_id).first()
    assert doc["filename"] == stored


@pytest.mark.parametrize(
    "filename, content",
    [
        ("contrat.docx", PLAIN_ZIP),  # a zip named .docx that is no Word package
        ("budget.xlsx", DOCX),  # a Word package named .xlsx
        ("contrat.docx", MACRO_DOCX),
        ("archive.zip", DOCX),
        ("courrier.odt", _zip({"mimetype": b"application/x-evil"})),
        ("notes.txt", b"texte\x00avec NUL"),
        ("contrat.docx", b"PK\x03\x04 truncated"),
    ],
)
async def test_fake_office_files_are_refused(social_worker, filename, content):
    household_id = await hh.create_household(ACTOR, {"name": "FAURE Inès"})
    response = await _upload(social_worker, household_id, filename, content)
    assert response.status_code == 422 and "type de fichier non accepté" in response.text
    assert await Document.count() == 0


async def test_files_stored_before_the_check_are_never_served_as_scripts(social_worker, settings):
    """A row written by an older version (name ``.hta``, type ``text/html``) goes out as an
    opaque ``.bin`` download."""
    household_id = await hh.create_household(ACTOR, {"name": "FAURE Inès"})
    assert (await _upload(social_worker, household_id, "x.pdf", PDF)).status_code == 303
    await Document.update({Document.filename: "piege.hta", Document.mime: "text/html"}).where(
        Document.household == household_id
    )
    doc = await Document.select(Document.id).first()
    download = await social_worker.get(f"/documents/{doc['id']}/download")
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].endswith("piege.bin")
