"""``tremplin backup`` and ``tremplin restore``.

An archive ``tremplin-backup-YYYYmmddTHHMMSSZ.tar.gz`` holds:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the application
  writes) or ``database.pgdump`` (``pg_dump --format=custom``, taken in the same snapshot as
  the row counts of the manifest);
- ``data/documents/…`` (and ``data/reports/…``): the files of the data directory;
- ``manifest.json``: the SHA-256 and size of every other file, the Tremplin version, the
  engine, the migrations applied per app and the row count of every table.

A restore checks every checksum before touching anything, and only writes into an empty
installation (no household, no account, no document).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import glob
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tremplin import __version__
from tremplin.config import Settings
from tremplin.i18n import N_, gettext

__all__ = ["BackupError", "backup", "find_pg_tool", "restore", "verify_archive"]

MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
#: Folders of the data directory that are saved (documents; generated report PDFs).
DATA_FOLDERS = ("documents", "reports")
FORMAT = 1
_CHUNK = 1024 * 1024
_TOOL_TIMEOUT = 3600


class BackupError(Exception):
    """A backup or restore that must stop; the message (French) is shown as is."""


def find_pg_tool(name: str) -> str:
    """``pg_dump`` / ``pg_restore``: on the PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(m.group(1)) if (m := re.search(r"/(\d+)/bin/", p)) else 0,
    )
    if candidates:
        return candidates[-1]
    raise BackupError(
        gettext(
            "{name} introuvable : installez le client PostgreSQL (apt-get install "
            "postgresql-client)"
        ).format(name=name)
    )


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _engine_name(settings: Settings) -> str:
    return "sqlite" if settings.is_sqlite else "postgresql"


# --------------------------------------------------------------------------- SQLite


def _sqlite_snapshot(source: Path, target: Path) -> None:
    """Copy a live SQLite database with the online backup API (consistent while it is written)."""
    if not source.exists():
        raise BackupError(gettext("base SQLite introuvable : {source}").format(source=source))
    # A read-write connection (that only reads): a read-only one cannot open a WAL database
    # whose -shm file is missing.
    src = sqlite3.connect(source, timeout=15)
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout = 15000")
        # pages=-1: one step, under one read transaction, hence one consistent snapshot.
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # a self-contained file, no -wal beside it
        dst.commit()
    finally:
        dst.close()
        src.close()


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'household_fts%' ORDER BY name"
        )
    ]  # the search index is rebuilt


def _sqlite_facts(path: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Row count per table and migrations applied per app, read from a database file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts = {
            t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in _sqlite_tables(conn)
        }
        migrations: dict[str, list[str]] = {}
        if "migration" in counts:
            for app, name in conn.execute(
                "SELECT app_name, name FROM migration ORDER BY app_name, name"
            ):
                migrations.setdefault(app, []).append(name)
        return counts, migrations
    finally:
        conn.close()


def _sqlite_has_data(path: Path) -> list[str]:
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=15)
    try:
        tables = set(_sqlite_tables(conn))
        return [
            t
            for t in ("household", "tremplin_user")
            if t in tables and conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()
        ]
    finally:
        conn.close()


# ----------------------------------------------------------------------- PostgreSQL


async def _pg_facts(conn: Any) -> tuple[dict[str, int], dict[str, list[str]]]:
    tables = [
        r["table_name"]
        for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    counts = {t: await conn.fetchval(f'SELECT COUNT(*) FROM "{t}"') for t in tables}
    migrations: dict[str, list[str]] = {}
    if "migration" in counts:
        for row in await conn.fetch("SELECT app_name, name FROM migration ORDER BY app_name, name"):
            migrations.setdefault(row["app_name"], []).append(row["name"])
    return counts, migrations


async def _pg_dump(url: str, target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """pg_dump in the snapshot the row counts were read in (exported snapshot)."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            counts, migrations = await _pg_facts(conn)
            cmd = [
                find_pg_tool("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={target}",
                f"--dbname={url}",
            ]
            proc = await asyncio.create_subprocess_exec(
                *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
            try:
                _, err = await asyncio.wait_for(proc.communicate(), timeout=_TOOL_TIMEOUT)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                raise BackupError(N_("pg_dump n'a pas terminé dans le délai")) from None
            if proc.returncode != 0:
                raise BackupError(
                    gettext("pg_dump a échoué : {error}").format(
                        error=err.decode(errors="replace").strip()[:500]
                    )
                )
    finally:
        await conn.close()
    return counts, migrations


async def _pg_has_data(url: str) -> list[str]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        found = []
        for table in ("household", "tremplin_user"):
            exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f'public."{table}"')
            if exists and await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")'):
                found.append(table)
        return found
    finally:
        await conn.close()


async def _pg_counts(url: str) -> dict[str, int]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return (await _pg_facts(conn))[0]
    finally:
        await conn.close()


# ------------------------------------------------------------------------- backup


def _data_files(data_dir: Path) -> list[tuple[Path, str]]:
    """(file, archive name) of every file to save from the data directory, sorted."""
    out = []
    for folder in DATA_FOLDERS:
        root = data_dir / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink() and not path.name.endswith(".tmp"):
                out.append((path, "data/" + path.relative_to(data_dir).as_posix()))
    return out


def _archive_name(output: Path, when: dt.datetime) -> Path:
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    path = output / f"tremplin-backup-{stamp}.tar.gz"
    n = 1
    while path.exists():
        path = output / f"tremplin-backup-{stamp}-{n}.tar.gz"
        n += 1
    return path


async def backup(settings: Settings, output: Path) -> tuple[Path, dict]:
    """Write a backup archive into ``output``; returns its path and its manifest."""
    output.mkdir(parents=True, exist_ok=True)
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    engine = _engine_name(settings)
    stage = Path(tempfile.mkdtemp(prefix=".tremplin-backup-", dir=output))
    try:
        if settings.is_sqlite:
            member = SQLITE_MEMBER
            db_file = stage / member
            await asyncio.to_thread(_sqlite_snapshot, settings.sqlite_path, db_file)
            counts, migrations = _sqlite_facts(db_file)
        else:
            member = PG_MEMBER
            db_file = stage / member
            counts, migrations = await _pg_dump(settings.database_url, db_file)
        files: list[tuple[Path, str]] = [(db_file, member), *_data_files(settings.data_dir)]
        entries: dict[str, dict] = {}
        for path, name in files:
            entries[name] = {"sha256": _sha256_file(path), "size": path.stat().st_size}
        manifest = {
            "format": FORMAT,
            "tremplin_version": __version__,
            "created_at": when.isoformat().replace("+00:00", "Z"),
            "engine": engine,
            "database": member,
            "migrations": migrations,
            "tables": counts,
            "files": entries,
        }
        archive = _archive_name(output, when)
        partial = archive.with_name(archive.name + ".partial")
        manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True).encode()
        with tarfile.open(partial, "w:gz") as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(manifest_bytes)
            info.mtime = int(when.timestamp())
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(manifest_bytes))
            for path, name in files:
                tar.add(path, arcname=name, recursive=False)
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.chmod(partial, 0o600)
        os.replace(partial, archive)
        return archive, manifest
    finally:
        shutil.rmtree(stage, ignore_errors=True)


# ------------------------------------------------------------------------ restore

_SAFE_MEMBER = re.compile(
    r"^(manifest\.json|database\.(sqlite3|pgdump)|data/(documents|reports)(/[A-Za-z0-9._-]+)+)$"
)


@dataclass
class Verified:
    manifest: dict
    names: list[str]


def verify_archive(archive: Path) -> Verified:
    """Check the archive against its manifest (every file, its size and SHA-256)."""
    if not archive.is_file():
        raise BackupError(gettext("archive introuvable : {archive}").format(archive=archive))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            names = [m.name for m in members]
            if MANIFEST not in names:
                raise BackupError(N_("archive invalide : manifest.json absent"))
            # extractfile() is None only for a non-file member; the manifest is a listed file
            manifest = json.loads(tar.extractfile(MANIFEST).read())  # type: ignore[union-attr]
            expected: dict[str, dict] = manifest.get("files", {})
            seen: set[str] = set()
            for m in members:
                if m.name == MANIFEST:
                    continue
                if not m.isfile() or not _SAFE_MEMBER.match(m.name) or ".." in m.name.split("/"):
                    raise BackupError(
                        gettext("archive refusée : entrée inattendue « {name} »").format(
                            name=m.name
                        )
                    )
                if m.name not in expected:
                    raise BackupError(
                        gettext(
                            "archive corrompue : « {name} » n'est pas dans le manifeste"
                        ).format(name=m.name)
                    )
                digest = hashlib.sha256()
                size = 0
                fh = tar.extractfile(m)
                assert fh is not None
                while chunk := fh.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                want = expected[m.name]
                if size != want.get("size") or digest.hexdigest() != want.get("sha256"):
                    raise BackupError(
                        gettext(
                            "archive corrompue : somme de contrôle incorrecte pour « {name} »"
                        ).format(name=m.name)
                    )
                seen.add(m.name)
            missing = sorted(set(expected) - seen)
            if missing:
                raise BackupError(
                    gettext("archive corrompue : fichier manquant « {name} »").format(
                        name=missing[0]
                    )
                )
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError, KeyError) as exc:
        raise BackupError(
            gettext("archive illisible ou corrompue ({error})").format(error=type(exc).__name__)
        ) from None
    if manifest.get("database") not in seen:
        raise BackupError(N_("archive invalide : pas de base de données"))
    return Verified(manifest, names)


def _existing_documents(data_dir: Path) -> list[Path]:
    found = []
    for folder in DATA_FOLDERS:
        root = data_dir / folder
        if root.is_dir():
            found += [p for p in root.rglob("*") if p.is_file()]
            if found:
                break
    return found


def _extract_to(tar: tarfile.TarFile, name: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
    src = tar.extractfile(name)
    assert src is not None
    with open(tmp, "wb") as out:
        shutil.copyfileobj(src, out, _CHUNK)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)


async def _pg_restore(url: str, dump: Path) -> None:
    cmd = [
        find_pg_tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={url}",
        str(dump),
    ]
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout=_TOOL_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise BackupError(N_("pg_restore n'a pas terminé dans le délai")) from None
    if proc.returncode != 0:
        raise BackupError(
            gettext("pg_restore a échoué : {error}").format(
                error=err.decode(errors="replace").strip()[:500]
            )
        )


async def restore(settings: Settings, archive: Path) -> dict:
    """Restore ``archive`` into this (empty) installation; returns the manifest."""
    verified = verify_archive(archive)
    manifest = verified.manifest
    engine = _engine_name(settings)
    if manifest.get("engine") != engine:
        raise BackupError(
            gettext(
                "l'archive contient une base {archive_engine}, l'installation cible "
                "utilise {engine} : restaurez dans le même moteur (puis « tremplin "
                "migrate-db » pour passer à PostgreSQL)"
            ).format(archive_engine=manifest.get("engine"), engine=engine)
        )
    if settings.is_sqlite:
        non_empty = _sqlite_has_data(settings.sqlite_path)
    else:
        try:
            non_empty = await _pg_has_data(settings.database_url)
        except Exception as exc:
            raise BackupError(
                gettext("base PostgreSQL cible injoignable ({error})").format(
                    error=type(exc).__name__
                )
            ) from None
    if non_empty:
        raise BackupError(
            "l'installation cible n'est pas vide ("
            + ", ".join(non_empty)
            + " contiennent des lignes) : "
            "la restauration se fait dans une installation vide"
        )
    if _existing_documents(settings.data_dir):
        raise BackupError(
            gettext(
                "le dossier de données contient déjà des documents ({data_dir}) : la "
                "restauration se fait dans une installation vide"
            ).format(data_dir=settings.data_dir)
        )

    member = manifest["database"]
    with tarfile.open(archive, "r:gz") as tar:
        if settings.is_sqlite:
            target = settings.sqlite_path
            target.parent.mkdir(parents=True, exist_ok=True)
            _extract_to(tar, member, target.with_name(target.name + ".restore"))
            for suffix in ("-wal", "-shm", "-journal"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            os.replace(target.with_name(target.name + ".restore"), target)
        else:
            with tempfile.TemporaryDirectory(prefix="tremplin-restore-") as tmp:
                dump = Path(tmp) / member
                _extract_to(tar, member, dump)
                await _pg_restore(settings.database_url, dump)
        for name in verified.names:
            if name.startswith("data/"):
                _extract_to(tar, name, settings.data_dir / name.removeprefix("data/"))
    # The restored database must hold exactly what the manifest says.
    counts = (
        _sqlite_facts(settings.sqlite_path)[0]
        if settings.is_sqlite
        else await _pg_counts(settings.database_url)
    )
    wrong = [t for t, n in manifest.get("tables", {}).items() if counts.get(t) != n]
    if wrong:
        raise BackupError(
            "restauration incomplète : nombres de lignes différents pour " + ", ".join(wrong)
        )
    return manifest
