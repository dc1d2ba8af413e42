"""The ``tremplin`` command line, run as a real process."""

import json
import os
import subprocess
import sys
from pathlib import Path

TREMPLIN = str(Path(sys.executable).parent / "tremplin")


def run(args, tmp_path, stdin="", **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TREMPLIN_")}
    environ.update(
        {
            "TREMPLIN_DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3",
            "TREMPLIN_DATA_DIR": str(tmp_path / "data"),
            **env,
        }
    )
    return subprocess.run(
        [TREMPLIN, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
        timeout=120,
    )


def test_plugins_json_lists_installed_plugins(tmp_path):
    out = run(["plugins", "--json"], tmp_path)
    assert out.returncode == 0, out.stderr
    rows = {r["name"]: r for r in json.loads(out.stdout)}
    assert rows["iml_sublease"]["enabled"] is True
    assert rows["iml_sublease"]["programmes"] == ["iml_sublease"]
    disabled = run(["plugins", "--json"], tmp_path, TREMPLIN_PROGRAMMES="")
    assert json.loads(disabled.stdout)[0]["enabled"] is False


def test_migrate_demo_createuser_token_check(tmp_path):
    assert run(["migrate"], tmp_path).returncode == 0
    demo = run(["demo", "--households", "12"], tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "12 ménages" in demo.stdout
    again = run(["demo"], tmp_path)
    assert again.returncode == 1 and "la base n'est pas vide" in again.stderr
    created = run(
        ["createuser", "Nadia@Asso.fr", "--role", "head_of_service", "--password-stdin"],
        tmp_path,
        stdin="un mot de passe assez long\n",
    )
    assert created.returncode == 0 and "nadia@asso.fr" in created.stdout
    duplicate = run(
        ["createuser", "nadia@asso.fr", "--role", "admin", "--password-stdin"],
        tmp_path,
        stdin="un mot de passe assez long\n",
    )
    assert duplicate.returncode == 1 and "existe déjà" in duplicate.stderr
    short = run(
        ["createuser", "x@asso.fr", "--role", "admin", "--password-stdin"],
        tmp_path,
        stdin="court\n",
    )
    assert short.returncode == 1 and "14 caractères" in short.stderr
    badrole = run(
        ["createuser", "y@asso.fr", "--role", "boss", "--password-stdin"],
        tmp_path,
        stdin="un mot de passe assez long\n",
    )
    assert badrole.returncode == 1 and "rôle inconnu" in badrole.stderr
    token = run(["token", "create", "nadia@asso.fr"], tmp_path)
    assert token.returncode == 0 and token.stdout.startswith("tpl_")
    assert run(["token", "create", "ghost@asso.fr"], tmp_path).returncode == 1
    check = run(["check"], tmp_path)
    assert check.returncode == 0 and "Configuration correcte." in check.stdout


def test_errors_are_one_line_and_non_zero(tmp_path):
    out = run(["migrate"], tmp_path, TREMPLIN_DATABASE_URL="mysql://nope/x")
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0
    assert "database_url invalide" in out.stderr
    unknown = run(["plugins"], tmp_path, TREMPLIN_PROGRAMMES="iml_sublease,unknown_prog")
    assert unknown.returncode == 1 and "inconnu : « unknown_prog »" in unknown.stderr
    pending = run(["check"], tmp_path)
    assert pending.returncode == 1 and "migrations en attente" in pending.stderr


def test_a_plugin_command_runs_against_the_database(tmp_path):
    """``tremplin housing rent-calls`` is the housing plugin's command (tremplin_commands)."""
    assert run(["migrate"], tmp_path).returncode == 0
    assert run(["demo"], tmp_path).returncode == 0
    month = __import__("datetime").date.today().strftime("%Y-%m")
    first = run(["housing", "rent-calls", "--month", month], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Appels de loyer" in first.stdout
    # The demo called the current month already: running it again calls nothing twice.
    again = run(["housing", "rent-calls", "--month", month], tmp_path)
    assert again.returncode == 0 and " 0 créé(s)" in again.stdout, again.stdout
    bad = run(["housing", "rent-calls", "--month", "2026-13"], tmp_path)
    assert bad.returncode == 1 and "mois invalide" in bad.stderr
    # A disabled plugin has no commands.
    off = run(["housing", "rent-calls"], tmp_path, TREMPLIN_PROGRAMMES="")
    assert off.returncode == 2 and "invalid choice" in off.stderr


def test_plugin_commands_are_parsed_and_refused_when_they_clash():
    import argparse

    import pytest

    from tremplin.commands import Command, CommandArgument, add_plugin_commands
    from tremplin.config import ConfigError

    seen = []

    async def go(values):
        return None

    command = Command(
        "export",
        "exporter",
        go,
        arguments=(
            CommandArgument("path"),
            CommandArgument("--year", required=True),
            CommandArgument("--dry-run", flag=True),
        ),
    )
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate")
    add_plugin_commands(
        sub, {"foyer": [command]}, lambda c, v: seen.append((c.name, v)), {"migrate"}
    )
    args = parser.parse_args(["foyer", "export", "out.xlsx", "--year", "2025", "--dry-run"])
    args.func(args)
    assert seen == [("export", {"path": "out.xlsx", "year": "2025", "dry_run": True})]
    with pytest.raises(ConfigError, match="« tremplin migrate » est une commande du cœur"):
        add_plugin_commands(sub, {"migrate": [command]}, lambda c, v: None, {"migrate"})
    with pytest.raises(ConfigError, match="deux fois la commande export"):
        add_plugin_commands(sub, {"autre": [command, command]}, lambda c, v: None, set())


def test_check_fix_removes_orphan_blobs_and_reports_them(tmp_path):
    """U3: a crash between the file write and the commit left blobs nothing references."""
    assert run(["migrate"], tmp_path).returncode == 0
    folder = tmp_path / "data" / "documents" / "ab" / "cd"
    folder.mkdir(parents=True)
    orphan = folder / ("abcd" + "0" * 60)
    orphan.write_bytes(b"%PDF-1.4 orphan")
    leftover = folder / ("abcd" + "1" * 60 + ".123.tmp")
    leftover.write_bytes(b"half written")
    recent = folder / ("abcd" + "2" * 60)
    recent.write_bytes(b"%PDF-1.4 upload in flight")
    old = 1_600_000_000
    os.utime(orphan, (old, old))
    os.utime(leftover, (old, old))
    check = run(["check"], tmp_path)
    assert check.returncode == 1 and "2 fichier(s) sans document" in check.stderr
    assert orphan.exists()
    fixed = run(["check", "--fix"], tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert "fichier orphelin supprimé : documents/ab/cd/abcd000" in fixed.stdout
    assert "2 fichier(s) orphelin(s) supprimé(s)." in fixed.stdout
    assert not orphan.exists() and not leftover.exists()
    assert recent.exists()  # too young: may belong to an upload not yet committed
    assert run(["check"], tmp_path).returncode == 0
