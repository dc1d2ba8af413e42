"""PostgreSQL for tests: a throw-away server started from the machine's binaries, or an
existing server named by a URL.

As root (CI, containers) the throw-away server runs as the ``postgres`` system user, which
the Debian package creates. Nothing is skipped: if the binaries are missing the tests fail
and say how to install them.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

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


class _Admin:
    """One connection to the server, kept on its own thread and event loop (whatever the
    caller's loop) and reused for every administrative statement: each test creates and
    drops a database, and a ``psql`` process per statement cost about 0.3 s on a busy
    machine."""

    def __init__(self, url: str, label: str) -> None:
        self.url = url
        self.label = label
        self.lock = threading.Lock()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.connection: Any = None

    async def _run(self, statement: str) -> None:
        import asyncpg

        if self.connection is None or self.connection.is_closed():
            self.connection = await asyncpg.connect(self.url)
        await self.connection.execute(statement)

    def execute(self, statement: str) -> None:
        with self.lock:
            if self.loop is None:
                self.loop = asyncio.new_event_loop()
                self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
                self.thread.start()
            future = asyncio.run_coroutine_threadsafe(self._run(statement), self.loop)
            try:
                future.result()
            except Exception as exc:
                pytest.fail(f"PostgreSQL ({self.label}) : {exc}", pytrace=False)

    def close(self) -> None:
        with self.lock:
            if self.loop is None:
                return
            if self.connection is not None and not self.connection.is_closed():
                asyncio.run_coroutine_threadsafe(self.connection.close(), self.loop).result(10)
            self.loop.call_soon_threadsafe(self.loop.stop)
            assert self.thread is not None
            self.thread.join()
            self.loop.close()
            self.loop = self.thread = self.connection = None


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
        self.admin = _Admin(self.url("postgres"), f"127.0.0.1:{self.port}")

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
        self.admin.close()
        self._run(self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def sql(self, statement: str) -> None:
        """Run one statement on the ``postgres`` database (one connection, reused)."""
        self.admin.execute(statement)

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
        self.admin = _Admin(url, str(self.parts.hostname))

    def start(self) -> None:
        self._execute("SELECT 1")

    def stop(self) -> None:
        self.admin.close()

    def url(self, name: str) -> str:
        return self.parts._replace(path=f"/{name}").geturl()

    def _execute(self, statement: str) -> None:
        self.admin.execute(statement)

    def create_database(self, name: str, template: str | None = None) -> None:
        suffix = f" TEMPLATE {template}" if template else ""
        self._execute(f'CREATE DATABASE "{name}"{suffix}')

    def drop_database(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
