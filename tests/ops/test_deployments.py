"""``deployments/``: what can be checked without systemd, a proxy or a container engine.

Every command the units, the container and compose run is parsed by the real ``tremplin``
argument parser (so a renamed subcommand or option fails here), the compose file is parsed,
the environment template is loaded by the real configuration loader, and the paths the proxy
configurations serve static files from match the package's theme folder.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import yaml

from tremplin.cli import build_parser
from tremplin.config import load_settings
from tremplin.web.templating import THEME_DIR

ROOT = Path(__file__).resolve().parents[2]
SINGLE = ROOT / "deployments" / "single-server"
CONTAINER = ROOT / "deployments" / "container"
TREMPLIN_BIN = "/opt/tremplin/venv/bin/tremplin"


def unit(path: Path) -> dict[str, list[str]]:
    """A systemd unit as {"Section.Key": [values]} (keys may repeat)."""
    out: dict[str, list[str]] = {}
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return out


def tremplin_args(command: str) -> list[str] | None:
    words = shlex.split(command)
    if words and words[0] in (TREMPLIN_BIN, "tremplin"):
        return words[1:]
    return None


def assert_valid_cli(args: list[str]) -> None:
    parsed = build_parser().parse_args(args)  # SystemExit on an unknown command or option
    assert callable(parsed.func)


def test_systemd_units_run_existing_commands():
    units = {p.name: unit(p) for p in SINGLE.glob("*.service")}
    assert set(units) == {
        "tremplin.service",
        "tremplin-backup.service",
        "tremplin-retention.service",
    }
    commands = []
    for name, u in units.items():
        assert u["Service.EnvironmentFile"] == ["/etc/tremplin/tremplin.env"], name
        assert u["Service.User"] == ["tremplin"], name
        for key in ("Service.ExecStart", "Service.ExecStartPre"):
            for command in u.get(key, []):
                args = tremplin_args(command)
                assert args is not None, command
                assert_valid_cli(args)
                commands.append(args)
    serve = unit(SINGLE / "tremplin.service")["Service.ExecStart"][0]
    assert tremplin_args(serve)[:1] == ["serve"] and "--workers 4" in serve
    assert ["retention", "--apply"] in commands
    assert any(c[0] == "backup" for c in commands) and ["check"] in commands


def test_timers_start_their_services_on_valid_calendars():
    expected = {"tremplin-backup.timer": "daily", "tremplin-retention.timer": "weekly"}
    for name, period in expected.items():
        t = unit(SINGLE / name)
        assert (SINGLE / name.replace(".timer", ".service")).exists()
        assert t["Install.WantedBy"] == ["timers.target"]
        calendar = t["Timer.OnCalendar"][0]
        if period == "daily":
            assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", calendar)
        else:
            assert re.fullmatch(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \*-\*-\* \d\d:\d\d:\d\d", calendar)
        analyze = shutil.which("systemd-analyze")
        if analyze:
            out = subprocess.run(
                [analyze, "calendar", calendar], capture_output=True, text=True, timeout=30
            )
            assert out.returncode == 0, out.stderr


def test_environment_template_is_a_valid_configuration():
    env = {}
    for line in (SINGLE / "tremplin.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    settings = load_settings(Path("/nonexistent/tremplin.toml"), environ=env)
    assert settings.production and settings.database_url.startswith("postgresql://")
    assert settings.max_upload_bytes == 10 * 1024 * 1024


def test_reverse_proxies_limit_uploads_and_serve_the_theme():
    caddy = (SINGLE / "Caddyfile").read_text()
    assert re.search(r"request_body\s*\{\s*max_size 12MB\s*\}", caddy)
    assert "reverse_proxy 127.0.0.1:8000" in caddy
    nginx = (SINGLE / "nginx.conf").read_text()
    assert "client_max_body_size 12m;" in nginx and "proxy_pass http://tremplin;" in nginx
    assert "server 127.0.0.1:8000;" in nginx and "listen 443 ssl;" in nginx
    # Both serve /static/ from the installed theme folder: same relative path as the package's.
    assert (THEME_DIR / "static").is_dir() and any((THEME_DIR / "static").iterdir())
    for text in (caddy, nginx):
        assert "site-packages/tremplin_theme_default/static" in text
    # 12 MB leaves room above the application's own limit (upload + form fields).
    assert (
        load_settings(Path("/nonexistent"), environ={}).max_upload_bytes + 256 * 1024 < 12 * 10**6
    )


def test_container_recipe_and_compose_file():
    compose = yaml.safe_load((CONTAINER / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"].endswith("postgres:15")
    app = services["app"]
    context = (CONTAINER / app["build"]["context"]).resolve()
    assert context == ROOT and (context / app["build"]["dockerfile"]).exists()
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["environment"]["TREMPLIN_DATABASE_URL"].startswith("postgresql://")
    assert "@db:5432/" in app["environment"]["TREMPLIN_DATABASE_URL"]
    declared = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in declared
    assert_valid_cli(services["backup"]["command"][1:])

    containerfile = (CONTAINER / "Containerfile").read_text()
    for source in re.findall(r"^COPY (.+) \S+$", containerfile, re.M):
        for item in source.split():
            assert (ROOT / item).exists(), item
    cmd = re.search(r'^CMD \["sh", "-c", "(.+)"\]$', containerfile, re.M).group(1)
    for part in cmd.split("&&"):
        part = part.strip().removeprefix("exec ").replace("${TREMPLIN_WORKERS:-4}", "4")
        args = tremplin_args(part)
        assert args is not None, part
        assert_valid_cli(args)
