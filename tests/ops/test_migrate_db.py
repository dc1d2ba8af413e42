"""``tremplin migrate-db --to postgresql://…``: an SQLite installation copied into an empty
PostgreSQL database, verified independently here, and refused into a non-empty one."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import sqlite3

import pytest

from tests.ops.test_backup import add_documents, blobs, cli


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    base = tmp_path_factory.mktemp("sqlite-src")
    url, data = f"sqlite:///{base}/tremplin.sqlite3", base / "data"
    out = cli(["demo", "--households", "20"], base, url, data)
    assert out.returncode == 0, out.stderr
    add_documents(url, data)
    return base, url, data


def _norm(value):
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _sqlite_rows(path, table):
    import piccolo.engine.sqlite  # noqa: F401  (converters)

    conn = sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES)
    try:
        cur = conn.execute(f'SELECT * FROM "{table}" ORDER BY id')
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur]
    finally:
        conn.close()


async def _pg(url, query, *args):
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(query, *args)
    finally:
        await conn.close()


def test_migrate_db_copies_everything_and_refuses_a_non_empty_target(populated, postgres, tmp_path):
    from tremplin import db
    from tremplin.config import Settings
    from tremplin.ops.migrate_db import ordered_tables
    from tremplin.plugins import load_plugins

    base, url, data = populated
    name = f"migrated_{os.getpid()}"
    postgres.create_database(name)
    target = postgres.url(name)
    documents_before = blobs(data)
    try:
        out = cli(["migrate-db", "--to", target], base, url, data)
        assert out.returncode == 0, out.stderr
        assert "tables identiques" in out.stdout and "DIFFÉRENT" not in out.stdout

        # Independent verification, table by table, row by row.
        tables = ordered_tables(
            db.configure(
                db.create_engine(Settings(database_url=url)), load_plugins(None).piccolo_apps
            )
        )
        assert {"household", "tremplin_user", "document", "housing_dwelling"} <= {
            t._meta.tablename for t in tables
        }
        json_columns = {}
        for table in tables:
            tname = table._meta.tablename
            types = {
                r["column_name"]: r["data_type"]
                for r in asyncio.run(
                    _pg(
                        target,
                        "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_schema='public' AND table_name=$1",
                        tname,
                    )
                )
            }
            json_columns[tname] = {c for c, t in types.items() if t in ("json", "jsonb")}
            src = _sqlite_rows(base / "tremplin.sqlite3", tname)
            dst = [
                dict(r) for r in asyncio.run(_pg(target, f'SELECT * FROM "{tname}" ORDER BY id'))
            ]
            assert len(src) == len(dst), tname
            for a, b in zip(src, dst):
                assert set(a) == set(b), tname
                for col in a:
                    va, vb = a[col], b[col]
                    if col in json_columns[tname] and va is not None:
                        va, vb = json.loads(va), json.loads(vb)
                    if types[col] == "boolean" and va is not None:
                        va = bool(va)
                    assert _norm(va) == _norm(vb), (tname, col, a["id"])
        counts = {
            t._meta.tablename: len(_sqlite_rows(base / "tremplin.sqlite3", t._meta.tablename))
            for t in tables
        }
        assert (
            counts["household"] == 20 and counts["document"] >= 3 and counts["timeline_event"] > 20
        )

        # Documents untouched; the PostgreSQL installation is complete and usable, and new
        # rows get new ids (sequences moved past the copied ones).
        assert blobs(data) == documents_before
        check = cli(["check"], base, target, data)
        assert check.returncode == 0 and "Configuration correcte." in check.stdout, check.stderr
        created = cli(
            ["createuser", "nouvelle@asso.fr", "--role", "social_worker", "--password-stdin"],
            base,
            target,
            data,
            stdin="un mot de passe assez long\n",
        )
        assert created.returncode == 0, created.stderr
        ids = asyncio.run(_pg(target, "SELECT id, email FROM tremplin_user ORDER BY id"))
        assert (
            ids[-1]["email"] == "nouvelle@asso.fr" and ids[-1]["id"] == counts["tremplin_user"] + 1
        )

        # A second run finds the target non-empty and writes nothing.
        before = asyncio.run(_pg(target, "SELECT COUNT(*) AS n FROM household"))[0]["n"]
        again = cli(["migrate-db", "--to", target], base, url, data)
        assert again.returncode == 1 and "n'est pas vide" in again.stderr
        assert asyncio.run(_pg(target, "SELECT COUNT(*) AS n FROM household"))[0]["n"] == before
    finally:
        postgres.drop_database(name)


def test_migrate_db_refuses_bad_targets(populated, tmp_path):
    base, url, data = populated
    out = cli(["migrate-db", "--to", "mysql://x/y"], base, url, data)
    assert out.returncode == 1 and "postgresql://" in out.stderr
    pg_source = cli(
        ["migrate-db", "--to", "postgresql://u@127.0.0.1:1/x"],
        base,
        "postgresql://u@127.0.0.1:1/src",
        data,
    )
    assert pg_source.returncode == 1 and "n'est pas SQLite" in pg_source.stderr
    unreachable = cli(["migrate-db", "--to", "postgresql://u@127.0.0.1:1/x"], base, url, data)
    assert unreachable.returncode == 1 and "injoignable" in unreachable.stderr


def test_tables_are_ordered_parents_first(host):
    from tremplin import db
    from tremplin.config import Settings
    from tremplin.ops.migrate_db import ordered_tables

    tables = db.configure(
        db.create_engine(Settings(database_url="sqlite:///:memory:")), host.piccolo_apps
    )
    ordered = ordered_tables(list(reversed(tables)))
    position = {t._meta.tablename: i for i, t in enumerate(ordered)}
    assert "migration" not in position
    for table in ordered:
        for fk in table._meta.foreign_key_columns:
            parent = fk._foreign_key_meta.resolved_references._meta.tablename
            assert position[parent] <= position[table._meta.tablename]


def test_configure_returns_each_real_table_once(host):
    """The read views of tremplin.api share their core table's name: configure binds them
    but returns only the real tables, so migrate-db copies each table once; a list naming a
    table twice is refused rather than copied twice."""
    from tremplin import db
    from tremplin.config import Settings
    from tremplin.models import Household
    from tremplin.models.views import VIEWS, Households
    from tremplin.ops.migrate_db import MigrateError, ordered_tables

    engine = db.create_engine(Settings(database_url="sqlite:///:memory:"))
    tables = db.configure(engine, host.piccolo_apps)
    names = [t._meta.tablename for t in tables]
    assert len(names) == len(set(names))
    assert not set(VIEWS.values()) & set(tables)
    assert Household in tables and "migration" in names
    assert all(view._meta.db is engine for view in VIEWS.values())
    with pytest.raises(MigrateError, match="table nommée deux fois : household"):
        ordered_tables([*tables, Households])


def test_migrate_db_copies_a_database_holding_nul_characters(postgres, tmp_path):
    """P2: a NUL stored on SQLite by an older version broke migrate-db with a raw traceback
    and nothing copied. It is now dropped (PostgreSQL cannot store it), counted, and the
    copy is verified like any other."""
    url, data = f"sqlite:///{tmp_path}/tremplin.sqlite3", tmp_path / "data"
    out = cli(["demo", "--households", "2"], tmp_path, url, data)
    assert out.returncode == 0, out.stderr
    conn = sqlite3.connect(tmp_path / "tremplin.sqlite3")
    with conn:
        first = conn.execute("SELECT MIN(id) FROM household").fetchone()[0]
        conn.execute("UPDATE household SET name = 'NUL' || char(0) || 'LE' WHERE id = ?", (first,))
        conn.execute(
            'UPDATE timeline_event SET data = \'{"note": "a\\u0000b"}\' '
            "WHERE id = (SELECT MIN(id) FROM timeline_event)"
        )
    conn.close()
    name = f"migrated_nul_{os.getpid()}"
    postgres.create_database(name)
    target = postgres.url(name)
    out = cli(["migrate-db", "--to", target], tmp_path, url, data)
    assert out.returncode == 0, out.stderr
    assert "caractère NUL retiré" in out.stdout and "tables identiques" in out.stdout
    rows = asyncio.run(_pg(target, "SELECT name FROM household WHERE id = $1", first))
    assert rows[0]["name"] == "NULLE"
