"""Documents (issue 16, point 7): PDFs and images open in a preview (inline only for those
sniffed types, same CSP); an allowed role deletes a document with a mandatory reason, the
deletion is audited and the retention job removes the file."""

from __future__ import annotations

import os
import struct
import zlib

import pytest

from tests.conftest import login
from tests.core.test_uploads import DOCX, PDF
from tremplin.models import AuditEntry, Document, TimelineEvent
from tremplin.services import households as hh
from tremplin.services.documents import blob_path
from tremplin.services.retention import RetentionPlan, apply_plan
from tremplin.testing import Session

ACTOR = hh.Actor(user_id=None)


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny, red) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


async def _upload(session, household_id: int, filename: str, content: bytes) -> int:
    response = await session.post(
        f"/households/{household_id}/documents",
        {"kind": "other"},
        files={"file": (filename, content, "application/octet-stream")},
    )
    assert response.status_code == 303, response.text
    row = (
        await Document.select(Document.id)
        .where(Document.household == household_id)
        .order_by(Document.id, ascending=False)
        .first()
    )
    return row["id"]


@pytest.mark.parametrize(
    "filename, content, mime, inline",
    [
        ("releve.pdf", PDF, "application/pdf", True),
        ("photo.png", png(), "image/png", True),
        ("photo.jpg", JPEG, "image/jpeg", True),
        ("contrat.docx", DOCX, None, False),
        ("notes.txt", b"Rendez-vous mardi.\n", "text/plain", False),
        ("image.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp", False),
    ],
)
async def test_preview_is_inline_only_for_pdf_and_images(
    social_worker, filename, content, mime, inline
):
    household_id = await hh.create_household(ACTOR, {"name": "APERCU Léa"})
    document_id = await _upload(social_worker, household_id, filename, content)
    page = await social_worker.get(f"/households/{household_id}")
    link = f'href="/documents/{document_id}/apercu"'
    assert (link in page.text) is inline
    response = await social_worker.get(f"/documents/{document_id}/apercu")
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("inline;" if inline else "attachment;"), disposition
    if mime:
        assert response.headers["content-type"].startswith(mime)
    assert response.content == content
    # The same CSP as every page; no sniffing.
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    # Seeing the preview is a read of the file, audited like a download.
    assert await AuditEntry.exists().where(
        (AuditEntry.action == "download")
        & (AuditEntry.object_type == "document")
        & (AuditEntry.object_id == document_id)
    )


async def test_deletion_needs_a_reason_and_keeps_the_input(social_worker):
    household_id = await hh.create_household(ACTOR, {"name": "MOTIF Paul"})
    document_id = await _upload(social_worker, household_id, "releve.pdf", PDF)
    empty = await social_worker.post(f"/documents/{document_id}/delete", {"reason": "   "})
    assert empty.status_code == 422
    assert "indiquez le motif de la suppression" in empty.text
    too_long = "doublon " * 70
    long = await social_worker.post(f"/documents/{document_id}/delete", {"reason": too_long})
    assert long.status_code == 422
    assert "500 caractères au plus" in long.text
    assert f'value="{too_long}"' in long.text  # what was typed is kept
    assert await Document.exists().where(Document.id == document_id)
    assert not await AuditEntry.exists().where(AuditEntry.action == "delete")


async def test_deletion_with_a_reason_is_audited_and_the_file_goes_with_retention(
    social_worker, settings
):
    household_id = await hh.create_household(ACTOR, {"name": "SUPPRIME Ana"})
    document_id = await _upload(social_worker, household_id, "releve.pdf", PDF)
    kept_id = await _upload(social_worker, household_id, "photo.png", png())
    digest = (await Document.select(Document.sha256).where(Document.id == document_id).first())[
        "sha256"
    ]
    path = blob_path(settings.data_dir, digest)
    assert path.exists()
    response = await social_worker.post(
        f"/documents/{document_id}/delete", {"reason": "Déposé dans le mauvais dossier"}
    )
    assert response.status_code == 303
    assert not await Document.exists().where(Document.id == document_id)
    assert (await social_worker.get(f"/documents/{document_id}/download")).status_code == 404
    event = await TimelineEvent.select().where(TimelineEvent.kind == "document_deleted").first()
    assert event["household"] == household_id
    assert event["body"] == "releve.pdf — motif : Déposé dans le mauvais dossier"
    entry = await AuditEntry.select().where(AuditEntry.action == "delete").first()
    assert (entry["object_type"], entry["object_id"]) == ("document", document_id)
    assert entry["user_id"] == social_worker.user.id and "reason" in str(entry["fields"])
    page = await social_worker.get(f"/households/{household_id}")
    assert "Document supprimé" in page.text and "releve.pdf" in page.text
    # The file stays until the retention job, which leaves the other document's file alone.
    assert path.exists()
    old = path.stat().st_mtime - 2 * 3600
    os.utime(path, (old, old))
    other = blob_path(
        settings.data_dir,
        (await Document.select(Document.sha256).where(Document.id == kept_id).first())["sha256"],
    )
    os.utime(other, (old, old))
    plan = RetentionPlan()
    await apply_plan(plan, settings.data_dir)
    assert not path.exists() and other.exists()
    assert plan.removed_files == 1


async def test_only_the_uploader_or_the_head_of_service_may_delete(client, users):
    household_id = await hh.create_household(ACTOR, {"name": "DROIT Mia"})
    await hh.create_household(ACTOR, {"name": "AUTRE Tom"})
    author = Session(client, await login(client, "social_worker@test.fr"), users["social_worker"])
    document_id = await _upload(author, household_id, "releve.pdf", PDF)
    await Document.update({Document.uploaded_by: users["head_of_service"].id}).where(
        Document.id == document_id
    )
    page = await author.get(f"/households/{household_id}")
    assert f'action="/documents/{document_id}/delete"' not in page.text
    refused = await author.post(f"/documents/{document_id}/delete", {"reason": "erreur"})
    assert refused.status_code == 403
    assert await Document.exists().where(Document.id == document_id)
    await client.post("/logout", data={"_csrf": author.csrf})
    client.cookies.clear()
    head = Session(client, await login(client, "head_of_service@test.fr"), users["head_of_service"])
    page = await head.get(f"/households/{household_id}")
    assert f'action="/documents/{document_id}/delete"' in page.text
    done = await head.post(f"/documents/{document_id}/delete", {"reason": "Doublon"})
    assert done.status_code == 303
    assert not await Document.exists().where(Document.id == document_id)
