"""Request ids and JSON logs: the header, the access line (route template, never the raw path
or the query string) and the request id on log lines, in the app and in a real server."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import httpx
import pytest

from tremplin.web.requestlog import JsonFormatter, RequestIdMiddleware, request_id

TREMPLIN = str(Path(sys.executable).parent / "tremplin")


@pytest.fixture
def access_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tremplin.access")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


async def test_request_id_header_and_access_line(app, database, access_lines):
    wrapped = RequestIdMiddleware(app)
    transport = httpx.ASGITransport(app=wrapped, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        given = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
        ok = await client.get("/healthz", headers={"X-Request-ID": given})
        assert ok.status_code == 200 and ok.headers["x-request-id"] == given
        fresh = await client.get("/healthz")
        assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["x-request-id"])
        bad = await client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"})
        assert re.fullmatch(r"[0-9a-f]{32}", bad.headers["x-request-id"])
        private = await client.get("/households/4242?name=Dupont&phone=0612345678")
        assert private.status_code in (302, 303, 401)
        lost = await client.get("/no/such/page/Dupont")
        assert lost.status_code == 404

    lines = access_lines()
    assert len(lines) == 5
    first = lines[0]
    assert first["request_id"] == given and first["route"] == "/healthz"
    assert first["method"] == "GET" and first["status"] == 200 and first["duration_ms"] >= 0
    assert first["logger"] == "tremplin.access" and first["level"] == "INFO" and first["time"]
    assert lines[1]["request_id"] == fresh.headers["x-request-id"]
    household = lines[3]
    assert household["route"] == "/households/{household_id}"
    assert household["status"] == private.status_code
    assert lines[4]["route"] == "<unmatched>" and lines[4]["status"] == 404
    text = "\n".join(json.dumps(line) for line in lines)
    for secret in ("4242", "Dupont", "0612345678", "name=", "script"):
        assert secret not in text


def test_json_formatter_carries_the_request_id():
    record = logging.LogRecord(
        "tremplin.x", logging.WARNING, __file__, 1, "saved %s", ("ok",), None
    )
    token = request_id.set("abc123def456")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["message"] == "saved ok" and line["request_id"] == "abc123def456"
    assert line["level"] == "WARNING" and line["logger"] == "tremplin.x"
    try:
        raise ValueError("Dupont Jean")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(record))
    assert line["exception"] == "ValueError" and "Dupont" not in json.dumps(line)
    assert line["request_id"] is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_server_logs_json_lines(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
    env.update(
        {
            "TREMPLIN_DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3",
            "TREMPLIN_DATA_DIR": str(tmp_path / "data"),
        }
    )
    log = open(tmp_path / "server.log", "w+")
    proc = subprocess.Popen(
        [TREMPLIN, "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline:
            try:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/readyz", headers={"X-Request-ID": "probe-0001"}
                )
                response = urllib.request.urlopen(req, timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        assert response is not None and response.status == 200
        assert response.headers["X-Request-ID"] == "probe-0001"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/households/77?q=Martin", timeout=5)
        except urllib.error.HTTPError:
            pass
        time.sleep(0.5)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
    lines = (tmp_path / "server.log").read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line of the server's stderr is JSON
    access = [r for r in records if r["logger"] == "tremplin.access"]
    assert any(
        r["request_id"] == "probe-0001" and r["route"] == "/readyz" and r["status"] == 200
        for r in access
    ), lines
    assert any(r["route"] == "/households/{household_id}" for r in access), lines
    assert "Martin" not in "\n".join(lines) and "/households/77" not in "\n".join(lines)
