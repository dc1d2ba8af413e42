"""The ``backup``, ``restore`` and ``migrate-db`` subcommands of ``tremplin``."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

__all__ = ["add_subcommands"]


def _fail(exc: Exception):
    from tremplin.cli import CommandError

    return CommandError(str(exc))


def cmd_backup(args: argparse.Namespace) -> None:
    from tremplin.config import load_settings
    from tremplin.ops.backup import BackupError, backup

    settings = load_settings()
    try:
        archive, manifest = asyncio.run(backup(settings, Path(args.output)))
    except BackupError as exc:
        raise _fail(exc) from None
    rows = sum(manifest["tables"].values())
    docs = sum(1 for name in manifest["files"] if name.startswith("data/"))
    print(
        f"Sauvegarde écrite : {archive} ({archive.stat().st_size} octets, "
        f"{len(manifest['tables'])} tables, {rows} lignes, {docs} fichiers)"
    )


def cmd_restore(args: argparse.Namespace) -> None:
    from tremplin.config import load_settings
    from tremplin.ops.backup import BackupError, restore

    settings = load_settings()
    try:
        manifest = asyncio.run(restore(settings, Path(args.archive)))
    except BackupError as exc:
        raise _fail(exc) from None
    rows = sum(manifest["tables"].values())
    docs = sum(1 for name in manifest["files"] if name.startswith("data/"))
    print(
        f"Restauration terminée : sauvegarde du {manifest['created_at']} (Tremplin "
        f"{manifest['tremplin_version']}), {rows} lignes, {docs} fichiers ; sommes de contrôle vérifiées."
    )
    print("Lancez « tremplin migrate » si cette version de Tremplin est plus récente.")


def cmd_migrate_db(args: argparse.Namespace) -> None:
    from tremplin.config import load_settings
    from tremplin.ops.migrate_db import MigrateError, format_reports, migrate_db
    from tremplin.plugins import load_plugins

    settings = load_settings()
    host = load_plugins(settings.programmes)
    try:
        reports = asyncio.run(migrate_db(settings, host, args.to))
    except MigrateError as exc:
        raise _fail(exc) from None
    print(format_reports(reports))
    bad = [r.table for r in reports if not r.ok]
    if bad:
        raise _fail(Exception("vérification échouée pour : " + ", ".join(bad)))
    print(
        f"Copie vérifiée : {len(reports)} tables identiques. Les documents restent dans le dossier "
        "de données ; pointez TREMPLIN_DATABASE_URL vers la nouvelle base."
    )


def add_subcommands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="sauvegarder la base et les documents dans une archive")
    p.add_argument("--output", default="backups", help="dossier de l'archive (défaut : backups)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restaurer une archive dans une installation vide")
    p.add_argument("archive")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("migrate-db", help="copier la base SQLite dans une base PostgreSQL vide")
    p.add_argument("--to", required=True, metavar="postgresql://…")
    p.set_defaults(func=cmd_migrate_db)
