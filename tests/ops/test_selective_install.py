"""An association installs the core and only the plugins it runs.

The core, the default theme and two plugin distributions (``iml_sublease`` and the ``housing``
capability it requires) are built as real wheels and installed into a fresh virtual
environment, without the other built-in plugins. Tremplin then lists exactly those two
plugins with their package versions, migrates an SQLite database and serves a page.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_core_with_two_plugins_alone_in_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python, tremplin = venv / "bin" / "python", venv / "bin" / "tremplin"
    # Real (non-editable) builds, from copies (a build writes build/ beside its sources):
    # the wheels must carry their templates and migrations.
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", ".venv", "var", ".git")
    tree = tmp_path / "src"
    for part in ("core", "themes/default", "plugins/housing", "plugins/iml_sublease"):
        shutil.copytree(ROOT / part, tree / part, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    sources = [tree / "themes" / "default", tree, tree / "plugins" / "housing"]
    sources.append(tree / "plugins" / "iml_sublease")
    install = _run(
        [str(python), "-m", "pip", "install", "--quiet", *map(str, sources)],
        cwd=tmp_path,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert "BuildBackendWarning" not in install.stderr, install.stderr

    data = tmp_path / "data"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
    env.update(
        TREMPLIN_DATABASE_URL=f"sqlite:///{tmp_path / 'asso.sqlite3'}",
        TREMPLIN_DATA_DIR=str(data),
        TREMPLIN_CONFIG=str(tmp_path / "absent.toml"),
    )
    listed = json.loads(_run([str(tremplin), "plugins", "--json"], env=env, cwd=data).stdout)
    assert {p["name"]: (p["version"], p["depends_on"]) for p in listed} == {
        "housing": ("0.1.0", []),
        "iml_sublease": ("0.1.0", ["housing"]),
    }
    # No other built-in plugin is importable in that environment.
    probe = _run(
        [str(python), "-c", "import importlib.util as u; print(u.find_spec('tremplin_cllaj'))"],
        env=env,
    )
    assert probe.stdout.strip() == "None"
    _run([str(tremplin), "migrate"], env=env, cwd=data)

    port = _free_port()
    server = subprocess.Popen(
        [str(tremplin), "serve", "--port", str(port)],
        env=env,
        cwd=data,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        body, deadline = None, time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    body = r.read().decode()
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.2)
        if body is None:
            server.terminate()
            pytest.fail(f"tremplin serve ne répond pas :\n{server.communicate(timeout=10)[0]}")
        # The page comes from the installed theme (its template and its static files).
        assert "<form" in body and "/static/" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/htmx.min.js") as r:
            assert r.status == 200 and len(r.read()) > 10_000
    finally:
        server.terminate()
        server.wait(timeout=10)
