"""Installing a plugin distribution (the scaffold's output, the example plugin) into this
environment for the length of a test, and running its own test suite on both engines.

Entry points are global to the environment: while a plugin is installed, every Tremplin
process started from this venv enables it, so the tests that use this are marked ``serial``
and uninstall the plugin even when they fail."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def pip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, timeout=300
    )


def uninstall(dist: str) -> None:
    pip("uninstall", "-y", dist)


def install_editable(source: Path) -> None:
    """``pip install -e source`` (no dependencies): offline first, with the venv's own
    setuptools and wheel; without ``wheel`` (setuptools < 70.1), an isolated build, which
    needs setuptools from the configured index. Fails the test when neither works."""
    result = pip("install", "--quiet", "--no-deps", "--no-build-isolation", "-e", str(source))
    if result.returncode != 0:
        isolated = pip("install", "--quiet", "--no-deps", "-e", str(source))
        if isolated.returncode != 0:
            pytest.fail(
                f"pip install de {source.name} impossible :\n"
                f"{result.stdout}\n{result.stderr}\n{isolated.stdout}\n{isolated.stderr}"
            )


@contextlib.contextmanager
def installed(source: Path, dist: str) -> Iterator[None]:
    """``source`` installed (editable) while the block runs; ``dist`` uninstalled after,
    also after a half-done install or a failure."""
    try:
        install_editable(source)
        yield
    finally:
        uninstall(dist)


def run_own_tests(target: Path, postgres_url: str) -> subprocess.CompletedProcess:
    """The plugin's own tests (``pytest -v`` in ``target``), on SQLite and on the PostgreSQL
    server at ``postgres_url``, without this process's ``TREMPLIN_*`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
    env.update(
        PYTHONDONTWRITEBYTECODE="1",
        TREMPLIN_TEST_ENGINES="sqlite,postgres",
        TREMPLIN_TEST_POSTGRES_URL=postgres_url,
    )
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider"],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
