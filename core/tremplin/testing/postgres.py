"""PostgreSQL for tests: a throw-away server started from the machine's binaries, or an
existing server named by a URL.

As root (CI, containers) the throw-away server runs as the ``postgres`` system user, which
the Debian package creates. Nothing is skipped: if the binaries are missing the tests fail
and say how to install them.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    pytest.fail(
        f"PostgreSQL is required for the test suite ({name} not found): apt-get install postgresql",
        pytrace=False,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        # Not under pytest's tmp dir: that one is private to root, and the server runs as
        # the postgres user when the tests run as root.
        self.base = Path(tempfile.mkdtemp(prefix="tremplin-pg-"))
        self.base.chmod(0o755)
        self.data = self.base / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.initdb = _bin("initdb")
        self.pg_ctl = _bin("pg_ctl")
        self.psql = _bin("psql")

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
        if result.returncode != 0:
            pytest.fail(f"{' '.join(args[:2])} failed: {result.stderr.strip()}", pytrace=False)
        return result

    def start(self) -> None:
        if self.as_root:
            shutil.chown(self.base, "postgres", "postgres")
        self._run(
            self.initdb,
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = (
            f"-k {self.base} -p {self.port} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            self.pg_ctl,
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.base / "log.txt"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def sql(self, statement: str) -> None:
        self._run(
            self.psql,
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            statement,
        )

    def create_database(self, name: str, template: str | None = None) -> None:
        suffix = f" TEMPLATE {template}" if template else ""
        self.sql(f'CREATE DATABASE "{name}"{suffix}')

    def drop_database(self, name: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class ExistingPostgres:
    """A server the tester already runs (``--tremplin-postgres URL`` or
    ``TREMPLIN_TEST_POSTGRES_URL``): test databases are created and dropped on it, through
    the database named in the URL (it needs the CREATEDB right)."""

    def __init__(self, url: str) -> None:
        from urllib.parse import urlsplit

        self.parts = urlsplit(url)
        self.admin_url = url

    def start(self) -> None:
        self._execute("SELECT 1")

    def stop(self) -> None:
        return None

    def url(self, name: str) -> str:
        return self.parts._replace(path=f"/{name}").geturl()

    def _execute(self, statement: str) -> None:
        import asyncio
        import threading

        import asyncpg

        failure: list[BaseException] = []

        async def run() -> None:
            connection = await asyncpg.connect(self.admin_url)
            try:
                await connection.execute(statement)
            finally:
                await connection.close()

        def in_thread() -> None:  # its own event loop, whatever the caller's
            try:
                asyncio.run(run())
            except BaseException as exc:
                failure.append(exc)

        thread = threading.Thread(target=in_thread)
        thread.start()
        thread.join()
        if failure:
            pytest.fail(f"PostgreSQL ({self.parts.hostname}) : {failure[0]}", pytrace=False)

    def create_database(self, name: str, template: str | None = None) -> None:
        suffix = f" TEMPLATE {template}" if template else ""
        self._execute(f'CREATE DATABASE "{name}"{suffix}')

    def drop_database(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
