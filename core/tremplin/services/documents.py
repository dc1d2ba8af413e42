"""Documents: content-addressed storage under the data dir, never inside the web root."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from tremplin.db import transaction
from tremplin.errors import Actor, NotFound
from tremplin.forms import FormErrors
from tremplin.i18n import N_
from tremplin.models import Document, TimelineEvent
from tremplin.services import audit
from tremplin.services.clock import now
from tremplin.services.households import get_household
from tremplin.types import Choice

__all__ = [
    "DOCUMENT_KINDS",
    "PREVIEW_TYPES",
    "delete_document",
    "download_name",
    "may_delete",
    "orphan_blobs",
    "read_document",
    "sniff_mime",
    "store_document",
    "stored_name",
]

DOCUMENT_KINDS = (
    Choice("id", N_("Pièce d'identité")),
    Choice("residence_permit", N_("Titre de séjour")),
    Choice("occupancy_agreement", N_("Convention d'occupation")),
    Choice("lease", N_("Bail")),
    Choice("insurance", N_("Attestation d'assurance")),
    Choice("inventory", N_("État des lieux")),
    Choice("income", N_("Justificatif de ressources")),
    Choice("benefit", N_("Notification CAF / aide au logement")),
    Choice("other", N_("Autre")),
)

# Magic numbers of the formats a case file needs; anything else is refused.
_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
#: The extension a stored file gets from its sniffed type, whatever it was called.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/webp": ".webp",
    DOCX: ".docx",
    XLSX: ".xlsx",
    ODT: ".odt",
    ODS: ".ods",
    "text/plain": ".txt",
}
#: The part an OOXML package of each kind must hold ([Content_Types].xml aside).
_OOXML_MAIN = {".docx": (DOCX, "word/document.xml"), ".xlsx": (XLSX, "xl/workbook.xml")}
_ODF = {".odt": ODT, ".ods": ODS}
#: The sniffed types a browser shows in a preview (served inline, under the same CSP);
#: every other type is only ever served as an attachment.
PREVIEW_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
#: The roles that may delete any document of a file they can open; others only their own.
DELETING_ROLES = frozenset({"head_of_service", "admin"})
REASON_MAX = 500
_SAFE_NAME = re.compile(r"^[\w][\w .()'&,+-]{0,150}\.[A-Za-z0-9]{1,5}$")
_MAX_ZIP_ENTRIES = 5_000


def _office_type(content: bytes, suffix: str) -> str | None:
    """The office type of a zip container, checked inside it: a ``.docx`` must really be a
    Word OOXML package (``[Content_Types].xml`` and ``word/document.xml``), an ``.odt`` an
    OpenDocument whose ``mimetype`` entry says so. Macro-enabled packages are refused. Only
    the central directory and the tiny ``mimetype`` entry are read: no decompression bomb."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if len(infos) > _MAX_ZIP_ENTRIES:
                return None
            names = {info.filename for info in infos}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return None
            if suffix in _OOXML_MAIN:
                mime, main = _OOXML_MAIN[suffix]
                return mime if {"[Content_Types].xml", main} <= names else None
            if suffix in _ODF and "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 100:
                    return None
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return _ODF[suffix] if declared == _ODF[suffix] else None
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError):
        return None
    return None


def sniff_mime(content: bytes, filename: str) -> str | None:
    """The MIME type read from the content itself (never from what the browser said)."""
    suffix = Path(filename).suffix.lower()
    for magic, mime in _SIGNATURES:
        if content.startswith(magic):
            if mime == "application/zip":
                return _office_type(content, suffix)
            return mime
    if content[:12].startswith(b"RIFF") and content[8:12] == b"WEBP":
        return "image/webp"
    if suffix == ".txt":
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f" for c in text):
            return "text/plain"
    return None


def stored_name(filename: str, mime: str) -> str:
    """``filename`` with the extension of its sniffed type: a PDF called ``facture.bat`` is
    kept, shown and served as ``facture.pdf``; no executable or script extension survives."""
    stem = Path(filename).stem.strip(" .") or "document"
    return f"{stem}{EXTENSIONS[mime]}"


def download_name(filename: str, mime: str) -> tuple[str, str]:
    """The name and type a stored document is served with: the extension always follows the
    sniffed type, and a type outside the accepted ones goes out as an opaque download (files
    stored before this check included)."""
    if mime not in EXTENSIONS:
        return f"{Path(filename).stem or 'document'}.bin", "application/octet-stream"
    return stored_name(filename, mime), mime


def check_filename(filename: str) -> str:
    """Refuse names with paths, control characters or hidden/odd shapes; NFC-normalise."""
    name = unicodedata.normalize("NFC", filename or "")
    if (
        not name
        or "/" in name
        or "\\" in name
        or ".." in name
        or any(unicodedata.category(c).startswith("C") for c in name)
        or not _SAFE_NAME.match(name)
    ):
        raise FormErrors(
            {"file": "nom de fichier refusé (lettres, chiffres, espaces, .-_ et une extension)"}
        )
    return name


def blob_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "documents" / sha256[:2] / sha256[2:4] / sha256


async def store_document(
    actor: Actor,
    data_dir: Path,
    household_id: int,
    filename: str,
    content: bytes,
    kind: str,
    max_bytes: int,
    programme: str = "",
) -> int:
    """Check and store an upload; nothing is kept if any check or the database write fails."""
    name = check_filename(filename)
    if not content:
        raise FormErrors({"file": "le fichier est vide"})
    if len(content) > max_bytes:
        raise FormErrors(
            {"file": f"fichier trop volumineux (maximum {max_bytes // 1024 // 1024} Mo)"}
        )
    mime = sniff_mime(content, name)
    if mime is None:
        raise FormErrors(
            {
                "file": "type de fichier non accepté : le contenu doit être un PDF, une image "
                "(PNG, JPEG, WebP), un document Word/Excel/OpenDocument sans macro ou du texte"
            }
        )
    name = stored_name(name, mime)
    if kind not in {c.value for c in DOCUMENT_KINDS}:
        raise FormErrors({"kind": "type de document inconnu"})
    digest = hashlib.sha256(content).hexdigest()
    path = blob_path(data_dir, digest)
    created = False
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        created = True
    try:
        async with transaction():
            await get_household(household_id)
            current = now()
            row = await Document.insert(
                Document(
                    household=household_id,
                    kind=kind,
                    filename=name,
                    sha256=digest,
                    size=len(content),
                    mime=mime,
                    programme=programme,
                    uploaded_by=actor.user_id,
                    uploaded_at=current,
                )
            ).returning(Document.id)
            await TimelineEvent.insert(
                TimelineEvent(
                    household=household_id,
                    kind="document_added",
                    occurred_at=current,
                    author=actor.user_id,
                    programme=programme,
                    title="Document ajouté",
                    body=name,
                    data={"document": row[0]["id"]},
                    created_at=current,
                )
            )
            await audit.record(
                "upload",
                "document",
                row[0]["id"],
                user_id=actor.user_id,
                fields=["file"],
                address=actor.address,
            )
    except BaseException:
        if created and not await Document.exists().where(Document.sha256 == digest):
            path.unlink(missing_ok=True)
        raise
    return row[0]["id"]


async def read_document(
    actor: Actor, data_dir: Path, document_id: int
) -> tuple[dict[str, Any], bytes]:
    row = await Document.select().where(Document.id == document_id).first()
    if row is None:
        raise NotFound(document_id)
    content = blob_path(data_dir, row["sha256"]).read_bytes()
    await audit.record(
        "download", "document", document_id, user_id=actor.user_id, address=actor.address
    )
    return row, content


#: A blob younger than this may belong to an upload whose transaction has not committed yet.
ORPHAN_GRACE = dt.timedelta(hours=1)


async def orphan_blobs(data_dir: Path, *, fix: bool = False) -> list[Path]:
    """Files under ``documents/`` that no document row references (a crash between the file
    write and the commit, or an interrupted temporary file), older than :data:`ORPHAN_GRACE`.
    With ``fix`` they are deleted. Returns them (relative to ``data_dir``), sorted."""
    root = data_dir / "documents"
    if not root.is_dir():
        return []
    known = {r["sha256"] for r in await Document.select(Document.sha256).distinct()}
    cutoff = (now() - ORPHAN_GRACE).timestamp()
    found = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name in known or path.stat().st_mtime > cutoff:
            continue
        found.append(path.relative_to(data_dir))
        if fix:
            path.unlink(missing_ok=True)
    return found


def may_delete(user: Any, row: dict[str, Any]) -> bool:
    """Whether ``user`` may delete the document ``row``: the head of service and the
    administrator any document of a file they can open, a social worker the ones they added."""
    from tremplin.permissions import can

    if not can(user, "social"):
        return False
    return user.role in DELETING_ROLES or (
        row.get("uploaded_by") is not None and row.get("uploaded_by") == user.id
    )


async def delete_document(actor: Actor, document_id: int, reason: str) -> int:
    """Delete a document with its reason; returns its household's id.

    The row goes at once (nobody can open the document any more); the reason is kept on the
    household's timeline and the deletion in the audit trail. The file itself is removed by
    the retention job (``tremplin retention --apply``, ``tremplin check --fix``) once no other
    document shares its content."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise FormErrors({"reason": "indiquez le motif de la suppression"})
    if len(reason) > REASON_MAX:
        raise FormErrors({"reason": f"{REASON_MAX} caractères au plus"})
    async with transaction():
        row = await Document.select().where(Document.id == document_id).first()
        if row is None:
            raise NotFound(document_id)
        deleted = await Document.delete().where(Document.id == document_id).returning(Document.id)
        if not deleted:
            raise NotFound(document_id)  # a concurrent deletion won
        current = now()
        await TimelineEvent.insert(
            TimelineEvent(
                household=row["household"],
                kind="document_deleted",
                occurred_at=current,
                author=actor.user_id,
                programme=row["programme"],
                title="Document supprimé",
                body=f"{row['filename']} — motif : {reason}",
                data={"document": document_id},
                created_at=current,
            )
        )
        await audit.record(
            "delete",
            "document",
            document_id,
            user_id=actor.user_id,
            fields=["reason"],
            address=actor.address,
        )
    return row["household"]
