"""``tremplin backup`` / ``tremplin restore`` on real installations, run as real processes.

A populated instance is backed up while another thread keeps writing to it; the archive is
restored into a fresh installation, and every table (row counts, row contents) and every
document hash is compared.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest

TREMPLIN = str(Path(sys.executable).parent / "tremplin")
PDF = b"%PDF-1.4\n% test document\n"


def cli(args, cwd: Path, db_url: str, data_dir: Path, timeout: int = 300, stdin: str = ""):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
    env.update({"TREMPLIN_DATABASE_URL": db_url, "TREMPLIN_DATA_DIR": str(data_dir)})
    return subprocess.run(
        [TREMPLIN, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=timeout,
        input=stdin,
    )


def add_documents(db_url: str, data_dir: Path, count: int = 4) -> None:
    """Upload documents through the real service (blob + database row)."""
    from tremplin import db
    from tremplin.config import Settings
    from tremplin.plugins import load_plugins
    from tremplin.services.documents import store_document
    from tremplin.services.households import Actor

    async def go() -> None:
        settings = Settings(database_url=db_url, data_dir=data_dir)
        engine = db.create_engine(settings)
        db.configure(engine, load_plugins(None).piccolo_apps)
        await db.start(engine)
        try:
            for i in range(count):
                await store_document(
                    Actor(user_id=1),
                    data_dir,
                    1 + i % 3,
                    f"piece-{i}.pdf",
                    PDF + f"{i}\n".encode() * (i + 1),
                    "id",
                    1_000_000,
                )
        finally:
            await db.stop(engine)

    asyncio.run(go())


# ----------------------------------------------------------------- reading tables


def sqlite_tables(path: Path) -> dict[str, dict[int, str]]:
    conn = sqlite3.connect(path)
    try:
        out = {}
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'household_fts%'"
            )
        ]
        for name in names:
            cur = conn.execute(f'SELECT * FROM "{name}" ORDER BY id')
            cols = [d[0] for d in cur.description]
            out[name] = {row[cols.index("id")]: json.dumps(list(row), default=str) for row in cur}
        return out
    finally:
        conn.close()


def pg_tables(url: str) -> dict[str, dict[int, str]]:
    import asyncpg

    async def go():
        conn = await asyncpg.connect(url)
        try:
            out = {}
            names = [
                r[0]
                for r in await conn.fetch(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema='public' "
                    "AND table_type='BASE TABLE'"
                )
            ]
            for name in names:
                rows = await conn.fetch(f'SELECT * FROM "{name}" ORDER BY id')
                out[name] = {r["id"]: json.dumps(list(r.values()), default=str) for r in rows}
            return out
        finally:
            await conn.close()

    return asyncio.run(go())


def blobs(data_dir: Path) -> dict[str, str]:
    """archive-relative path → SHA-256 of the content, for every document file."""
    root = data_dir / "documents"
    return {
        p.relative_to(data_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def assert_same_installation(
    source: dict, restored: dict, manifest: dict, src_data: Path, dst_data: Path
) -> None:
    """The restored database holds exactly the manifest's rows, each one identical to the
    source's row with the same id (the source may have received rows after the backup)."""
    assert set(restored) == set(manifest["tables"])
    for table, rows in restored.items():
        assert len(rows) == manifest["tables"][table], table
        assert set(rows) <= set(source[table]), table
        assert rows == {i: source[table][i] for i in rows}, table
    assert sum(manifest["tables"].values()) > 100
    docs = blobs(dst_data)
    assert docs == blobs(src_data) and len(docs) >= 3
    for name, digest in docs.items():
        assert name.endswith(digest)
        assert manifest["files"]["data/" + name]["sha256"] == digest


class Writer(threading.Thread):
    """Keeps inserting timeline events (copies of an existing one) until stopped."""

    def __init__(self, insert) -> None:
        super().__init__(daemon=True)
        self.insert = insert
        self.stop = threading.Event()
        self.count = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for _ in range(100_000):  # bounded
                if self.stop.is_set():
                    return
                self.insert()
                self.count += 1
                time.sleep(0.002)
        except BaseException as exc:  # noqa: BLE001
            self.error = exc


def sqlite_event_inserter(path: Path):
    conn = sqlite3.connect(path, timeout=15, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 15000")
    cols = [r[1] for r in conn.execute('PRAGMA table_info("timeline_event")') if r[1] != "id"]
    col_list = ", ".join(f'"{c}"' for c in cols)
    first = conn.execute("SELECT MIN(id) FROM timeline_event").fetchone()[0]

    def insert() -> None:
        conn.execute(
            f"INSERT INTO timeline_event ({col_list}) SELECT {col_list} FROM timeline_event WHERE id = ?",
            (first,),
        )
        conn.commit()

    return insert, conn


# -------------------------------------------------------------------------- SQLite


@pytest.fixture(scope="module")
def sqlite_install(tmp_path_factory):
    """A populated SQLite installation (demo data and uploaded documents)."""
    base = tmp_path_factory.mktemp("src")
    url, data = f"sqlite:///{base}/tremplin.sqlite3", base / "data"
    out = cli(["demo", "--households", "20"], base, url, data)
    assert out.returncode == 0, out.stderr
    add_documents(url, data)
    return base, url, data


def test_sqlite_backup_while_writing_then_restore(sqlite_install, tmp_path):
    base, url, data = sqlite_install
    path = base / "tremplin.sqlite3"
    insert, conn = sqlite_event_inserter(path)
    writer = Writer(insert)
    writer.start()
    try:
        deadline = time.monotonic() + 10
        while writer.count < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        before = writer.count
        out = cli(["backup", "--output", str(tmp_path / "backups")], tmp_path, url, data)
        during = writer.count - before
    finally:
        writer.stop.set()
        writer.join(timeout=30)
        conn.close()
    assert writer.error is None, writer.error
    assert out.returncode == 0, out.stderr
    assert during > 0, "the backup must run while the database is being written"
    archives = list((tmp_path / "backups").glob("tremplin-backup-*.tar.gz"))
    assert len(archives) == 1 and "Sauvegarde écrite" in out.stdout
    assert archives[0].name[len("tremplin-backup-") : -len(".tar.gz")].endswith("Z")
    manifest = manifest_of(archives[0])
    assert manifest["engine"] == "sqlite" and manifest["tremplin_version"]
    assert "tremplin" in manifest["migrations"] and "housing" in manifest["migrations"]
    assert manifest["tables"]["household"] == 20

    target = tmp_path / "restored"
    target.mkdir()
    t_url, t_data = f"sqlite:///{target}/tremplin.sqlite3", target / "data"
    restored = cli(["restore", str(archives[0])], target, t_url, t_data)
    assert restored.returncode == 0, restored.stderr
    assert "sommes de contrôle vérifiées" in restored.stdout

    source = sqlite_tables(path)
    copy = sqlite_tables(target / "tremplin.sqlite3")
    assert_same_installation(source, copy, manifest, data, t_data)
    # Events written after the snapshot are in the source only; those before are in both.
    assert (
        len(source["timeline_event"])
        > len(copy["timeline_event"])
        >= manifest["tables"]["timeline_event"]
    )
    # The restored installation is usable: configuration, schema and migrations check out.
    check = cli(["check"], target, t_url, t_data)
    assert check.returncode == 0 and "Configuration correcte." in check.stdout, check.stderr


def test_restore_refuses_non_empty_target_and_tampered_archives(sqlite_install, tmp_path):
    base, url, data = sqlite_install
    out = cli(["backup", "--output", str(tmp_path)], tmp_path, url, data)
    assert out.returncode == 0, out.stderr
    archive = next(tmp_path.glob("tremplin-backup-*.tar.gz"))

    # Into the populated installation itself.
    refused = cli(["restore", str(archive)], base, url, data)
    assert refused.returncode == 1
    assert "n'est pas vide" in refused.stderr and refused.stderr.count("\n") == 1

    # An empty database but a data directory that already holds documents.
    other = tmp_path / "other"
    (other / "data" / "documents" / "aa" / "bb").mkdir(parents=True)
    (other / "data" / "documents" / "aa" / "bb" / "aabbcc").write_bytes(b"x")
    refused = cli(["restore", str(archive)], other, f"sqlite:///{other}/t.sqlite3", other / "data")
    assert refused.returncode == 1 and "contient déjà des documents" in refused.stderr
    assert not (other / "t.sqlite3").exists()

    # A document altered inside the archive (manifest unchanged).
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            content = src.extractfile(member).read()
            if member.name.startswith("data/documents/"):
                content = content.replace(b"test", b"TEST")
            member.size = len(content)
            dst.addfile(member, io.BytesIO(content))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    refused = cli(["restore", str(tampered)], fresh, f"sqlite:///{fresh}/t.sqlite3", fresh / "data")
    assert refused.returncode == 1 and "somme de contrôle incorrecte" in refused.stderr
    assert not (fresh / "t.sqlite3").exists() and not (fresh / "data").exists()

    # A truncated archive.
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    refused = cli(
        ["restore", str(truncated)], fresh, f"sqlite:///{fresh}/t.sqlite3", fresh / "data"
    )
    assert refused.returncode == 1 and "corrompue" in refused.stderr
    assert not (fresh / "t.sqlite3").exists()

    # A file added to the archive that the manifest does not list.
    extra = tmp_path / "extra.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(extra, "w:gz") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("data/documents/00/00/0000")
        info.size = 3
        dst.addfile(info, io.BytesIO(b"bad"))
    refused = cli(["restore", str(extra)], fresh, f"sqlite:///{fresh}/t.sqlite3", fresh / "data")
    assert refused.returncode == 1 and "n'est pas dans le manifeste" in refused.stderr

    # A migrated but empty installation (``tremplin migrate`` already run) is empty enough.
    migrated = tmp_path / "migrated"
    migrated.mkdir()
    m_url, m_data = f"sqlite:///{migrated}/t.sqlite3", migrated / "data"
    assert cli(["migrate"], migrated, m_url, m_data).returncode == 0
    accepted = cli(["restore", str(archive)], migrated, m_url, m_data)
    assert accepted.returncode == 0, accepted.stderr
    assert (
        sqlite_tables(migrated / "t.sqlite3")["household"]
        == sqlite_tables(base / "tremplin.sqlite3")["household"]
    )

    # An SQLite archive into a PostgreSQL installation is refused before connecting.
    wrong = cli(
        ["restore", str(archive)], fresh, "postgresql://nobody@127.0.0.1:1/none", fresh / "data"
    )
    assert wrong.returncode == 1 and "migrate-db" in wrong.stderr


# ---------------------------------------------------------------------- PostgreSQL


def test_postgresql_backup_while_writing_then_restore(postgres, tmp_path):
    import asyncpg

    src_name, dst_name = f"bk_src_{os.getpid()}", f"bk_dst_{os.getpid()}"
    postgres.create_database(src_name)
    postgres.create_database(dst_name)
    try:
        url, data = postgres.url(src_name), tmp_path / "src-data"
        out = cli(["demo", "--households", "20"], tmp_path, url, data)
        assert out.returncode == 0, out.stderr
        add_documents(url, data)

        loop = asyncio.new_event_loop()
        conn = loop.run_until_complete(asyncpg.connect(url))
        cols = [
            r["column_name"]
            for r in loop.run_until_complete(
                conn.fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_name='timeline_event' "
                    "AND column_name <> 'id'"
                )
            )
        ]
        col_list = ", ".join(f'"{c}"' for c in cols)
        first = loop.run_until_complete(conn.fetchval("SELECT MIN(id) FROM timeline_event"))

        def insert() -> None:
            loop.run_until_complete(
                conn.execute(
                    f"INSERT INTO timeline_event ({col_list}) SELECT {col_list} FROM timeline_event WHERE id = $1",
                    first,
                )
            )

        writer = Writer(insert)
        writer.start()
        try:
            deadline = time.monotonic() + 10
            while writer.count < 20 and time.monotonic() < deadline:
                time.sleep(0.01)
            before = writer.count
            out = cli(["backup", "--output", str(tmp_path / "backups")], tmp_path, url, data)
            during = writer.count - before
        finally:
            writer.stop.set()
            writer.join(timeout=30)
            loop.run_until_complete(conn.close())
            loop.close()
        assert writer.error is None, writer.error
        assert out.returncode == 0, out.stderr
        assert during > 0
        archive = next((tmp_path / "backups").glob("tremplin-backup-*.tar.gz"))
        manifest = manifest_of(archive)
        assert manifest["engine"] == "postgresql" and manifest["database"] == "database.pgdump"

        t_url, t_data = postgres.url(dst_name), tmp_path / "dst-data"
        restored = cli(["restore", str(archive)], tmp_path, t_url, t_data)
        assert restored.returncode == 0, restored.stderr
        assert_same_installation(pg_tables(url), pg_tables(t_url), manifest, data, t_data)
        check = cli(["check"], tmp_path, t_url, t_data)
        assert check.returncode == 0 and "Configuration correcte." in check.stdout, check.stderr

        # Restoring again: the target is no longer empty.
        (t_data / "documents").rename(tmp_path / "moved")
        again = cli(["restore", str(archive)], tmp_path, t_url, t_data)
        assert again.returncode == 1 and "n'est pas vide" in again.stderr
    finally:
        postgres.drop_database(src_name)
        postgres.drop_database(dst_name)


def test_postgresql_restore_into_migrated_empty_database(postgres, tmp_path):
    """A target that already has the (empty) schema, e.g. after ``tremplin migrate``."""
    src_name, dst_name = f"bk2_src_{os.getpid()}", f"bk2_dst_{os.getpid()}"
    postgres.create_database(src_name)
    postgres.create_database(dst_name, template=postgres.template)
    try:
        url, data = postgres.url(src_name), tmp_path / "src-data"
        assert cli(["demo", "--households", "5"], tmp_path, url, data).returncode == 0
        add_documents(url, data, count=3)
        out = cli(["backup", "--output", str(tmp_path)], tmp_path, url, data)
        assert out.returncode == 0, out.stderr
        archive = next(tmp_path.glob("tremplin-backup-*.tar.gz"))
        t_url, t_data = postgres.url(dst_name), tmp_path / "dst-data"
        restored = cli(["restore", str(archive)], tmp_path, t_url, t_data)
        assert restored.returncode == 0, restored.stderr
        source, copy = pg_tables(url), pg_tables(t_url)
        assert {t: rows for t, rows in copy.items()} == {t: source[t] for t in copy}
    finally:
        postgres.drop_database(src_name)
        postgres.drop_database(dst_name)
