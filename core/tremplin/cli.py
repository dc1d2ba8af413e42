"""The ``tremplin`` command line. Errors exit non-zero with a one-line reason."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, cast

from tremplin import __version__, db
from tremplin.commands import Command, CommandError, add_plugin_commands
from tremplin.config import ConfigError, Settings, load_settings
from tremplin.i18n import N_, gettext
from tremplin.plugins import PluginHost, load_plugins
from tremplin.services import clock

__all__ = ["CommandError", "build_parser", "main"]


def _setup() -> tuple[Settings, PluginHost]:
    settings = load_settings()
    host = load_plugins(settings.programmes)
    clock.set_time_zone(settings.time_zone)
    db.configure(db.create_engine(settings), host.piccolo_apps)
    return settings, host


def _run(coro_fn: Callable[[], Awaitable[Any]]) -> Any:
    async def wrapper() -> Any:
        engine = db.current_engine()
        await db.start(engine)
        try:
            return await coro_fn()
        finally:
            await db.stop(engine)

    return asyncio.run(wrapper())


async def _is_empty() -> bool:
    from tremplin.models import Household, User

    return not await User.exists() and not await Household.exists()


def cmd_migrate(args: argparse.Namespace) -> None:
    _, host = _setup()
    _run(lambda: _migrate_and_refresh(host, verbose=args.verbose))
    print("Base de données à jour.")


async def _migrate_and_refresh(host: PluginHost, verbose: bool = False) -> None:
    """Apply pending migrations; after an upgrade, recompute every due date (new code may
    compute them differently, and the first run after ``tremplin_0012_due_dates`` fills them)."""
    from tremplin.models import Enrolment
    from tremplin.services import deadlines

    upgrade = bool(await db.pending_migrations())
    await db.migrate(verbose=verbose)
    if upgrade and await Enrolment.exists():
        count = await deadlines.refresh_all(host.workflows)
        print(f"Échéances recalculées : {count}.")


def cmd_refresh_deadlines(args: argparse.Namespace) -> None:
    from tremplin.services import deadlines

    _, host = _setup()
    count = _run(lambda: deadlines.refresh_all(host.workflows))
    print(f"Échéances recalculées : {count}.")


def cmd_demo(args: argparse.Namespace) -> None:
    from tremplin.demo import load_demo

    _, host = _setup()

    async def go() -> None:
        await db.migrate()
        if args.if_empty and not await _is_empty():
            print("La base contient déjà des données : démo non chargée.")
            return
        if not args.if_empty and not await _is_empty():
            raise CommandError(
                N_("la base n'est pas vide : la démo ne se charge que dans une base vide")
            )
        summary = await load_demo(host, households=args.households, seed=args.seed)
        print(summary)

    _run(go)


def cmd_createuser(args: argparse.Namespace) -> None:
    from tremplin.services.accounts import create_user

    _setup()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        raise CommandError(N_("passez le mot de passe sur l'entrée standard avec --password-stdin"))

    async def go() -> None:
        from tremplin.models import PartnerOrganisation
        from tremplin.services.clock import now

        await db.migrate()
        partner_id = None
        if args.role == "partner":
            if not args.partner:
                raise CommandError(
                    N_("un compte partenaire doit indiquer sa structure : --partner NOM")
                )
            row = (
                await PartnerOrganisation.select(PartnerOrganisation.id)
                .where(PartnerOrganisation.name == args.partner)
                .first()
            )
            partner_id = (
                row["id"]
                if row
                else (
                    await PartnerOrganisation.insert(
                        PartnerOrganisation(name=args.partner, kind="other", created_at=now())
                    ).returning(PartnerOrganisation.id)
                )[0]["id"]
            )
        try:
            user = await create_user(
                args.email,
                args.name or args.email.split("@")[0],
                args.role,
                password,
                programmes=[p for p in (args.programmes or "").split(",") if p],
                partner_id=partner_id,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except Exception as exc:
            if "unique" in str(exc).lower():
                raise CommandError(
                    gettext("un compte existe déjà pour {email}").format(email=args.email)
                ) from None
            raise
        print(f"Compte créé : {user.email} ({user.role})")

    _run(go)


def cmd_token(args: argparse.Namespace) -> None:
    from tremplin.models import User
    from tremplin.services.accounts import create_api_token

    _setup()

    async def go() -> None:
        user = await User.objects().where(User.email == args.email.strip().lower()).first()
        if user is None or not user.active:
            raise CommandError(gettext("aucun compte actif pour {email}").format(email=args.email))
        print(await create_api_token(user.id, name=args.name or "cli"))

    _run(go)


def cmd_plugins(args: argparse.Namespace) -> None:
    settings = load_settings()
    host = load_plugins(settings.programmes)
    rows = [
        {
            "name": p.slug,
            "title": p.manifest.name,
            "version": p.manifest.version,
            "enabled": p.enabled,
            "depends_on": list(p.manifest.depends_on),
            "api": p.manifest.api,
            "programmes": [g.key for g in p.programmes],
        }
        for p in host.installed.values()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        state = "activé" if r["enabled"] else "désactivé"
        print(f"{r['name']:<20} {r['version']:<10} {state:<11} {r['title']}")


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from tremplin.web.requestlog import uvicorn_log_config

    settings, host = _setup()
    _run(lambda: _migrate_and_refresh(host))
    if args.demo:
        from tremplin.demo import DEMO_PASSWORD, DEMO_USERS, load_demo

        _, host = _setup()

        async def demo() -> bool:
            if await _is_empty():
                print(await load_demo(host))
                return True
            return False

        _run(demo)
        print("\nComptes de démonstration (mot de passe : " + DEMO_PASSWORD + ") :")
        for email, _name, role in DEMO_USERS:
            print(f"  {email:<36} {role}")
    port = args.port or int(os.environ.get("PORT", "8000"))
    print(f"\nTremplin {__version__} : http://{args.host}:{port}/\n", flush=True)
    uvicorn.run(
        "tremplin.web.app:app_from_env",
        factory=True,
        host=args.host,
        port=port,
        workers=args.workers,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_config=uvicorn_log_config(),  # JSON lines; the app logs requests itself
        access_log=False,
    )


def cmd_check(args: argparse.Namespace) -> None:
    settings, host = _setup()
    problems: list[str] = []
    data_dir = settings.data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    if not os.access(data_dir, os.W_OK):
        problems.append(f"dossier de données non accessible en écriture : {data_dir}")

    async def go() -> dict[str, list[str]]:
        return await db.pending_migrations()

    try:
        pending = _run(go)
    except Exception as exc:
        raise CommandError(
            gettext("base de données injoignable : {error}").format(error=type(exc).__name__)
        ) from None
    if not pending:
        from tremplin.services.documents import orphan_blobs

        fix = bool(getattr(args, "fix", False))
        orphans = _run(lambda: orphan_blobs(data_dir, fix=fix))
        for path in orphans:
            print(("fichier orphelin supprimé : " if fix else "fichier orphelin : ") + str(path))
        if orphans and not fix:
            problems.append(
                f"{len(orphans)} fichier(s) sans document dans le dossier de données "
                "— « tremplin check --fix » les supprime"
            )
        elif orphans:
            print(f"{len(orphans)} fichier(s) orphelin(s) supprimé(s).")
    if pending:
        problems.append(
            "migrations en attente : "
            + ", ".join(f"{app} ({len(ids)})" for app, ids in pending.items())
            + " — lancez « tremplin migrate »"
        )
    print("Plugins activés : " + ", ".join(host.enabled_slugs))
    if problems:
        raise CommandError(" ; ".join(problems))
    print("Configuration correcte.")


def cmd_report(args: argparse.Namespace) -> None:
    from tremplin.reports.engine import ReportError, build_report, check_groups
    from tremplin.reports.export import to_json, to_pdf, to_xlsx
    from tremplin.types import Period

    settings, host = _setup()
    check_groups(settings.report_groups, host)
    if args.year is None and not (args.start and args.end):
        raise CommandError(N_("indiquez --year ou --start et --end"))
    try:
        period = (
            Period.year(args.year)
            if args.year is not None
            else Period(dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end))
        )
    except ValueError:
        raise CommandError(N_("dates invalides (format AAAA-MM-JJ)")) from None
    if period.end < period.start:
        raise CommandError(N_("la fin de la période précède son début"))
    programmes = "all" if args.programme == "all" else [args.programme]

    async def go() -> dict:
        return await build_report(
            host,
            programmes,
            period,
            settings.association_name,
            settings.report_groups,
            language=args.language or settings.language,
        )

    try:
        report = _run(go)
    except ReportError as exc:
        raise CommandError(str(exc)) from None
    fmt = args.format or Path(args.output).suffix.lstrip(".")
    if fmt == "json":
        content = to_json(report).encode()
    elif fmt == "xlsx":
        content = to_xlsx(report)
    elif fmt == "pdf":
        content = to_pdf(report, settings.logo_path)
    elif fmt == "docx":
        from tremplin.reports.docx import to_docx

        content = to_docx(report)
    else:
        raise CommandError(N_("format inconnu : pdf, docx, xlsx ou json"))
    Path(args.output).write_bytes(content)
    print(f"Rapport écrit : {args.output} ({len(content)} octets)")


def cmd_import(args: argparse.Namespace) -> None:
    from tremplin.importer import run_import

    _, host = _setup()
    path = Path(args.file)
    if not path.exists():
        raise CommandError(gettext("fichier introuvable : {path}").format(path=path))

    async def go():
        await db.migrate()
        return await run_import(host, path.read_bytes(), path.name, dry_run=args.dry_run)

    result = _run(go)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.problems:
        raise CommandError(result.summary())
    print(result.summary())


def cmd_retention(args: argparse.Namespace) -> None:
    from tremplin.services.retention import apply_plan, plan_retention

    settings, host = _setup()

    async def go() -> str:
        plan = await plan_retention(host, settings)
        if args.apply:
            await apply_plan(plan, settings.data_dir, host=host)
            return (
                f"Appliqué : {plan.summary()} ; "
                f"{plan.removed_files} fichier(s) de documents supprimés retiré(s)"
            )
        lines = [plan.summary()]
        lines += [f"  archiver   ménage n° {i}" for i in plan.archive]
        lines += [f"  anonymiser ménage n° {i}" for i in plan.anonymise]
        lines.append("(rien n'a été modifié : relancez avec --apply)")
        return "\n".join(lines)

    print(_run(go))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tremplin", description="Tremplin")
    parser.add_argument("--version", action="version", version=f"tremplin {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="servir l'application web")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=None)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--demo", action="store_true", help="charger la démo si la base est vide")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="appliquer les migrations")
    p.add_argument("--verbose", action="store_true")
    p.set_defaults(func=cmd_migrate)
    p = sub.add_parser(
        "refresh-deadlines", help="recalculer les échéances de tous les accompagnements"
    )
    p.set_defaults(func=cmd_refresh_deadlines)

    p = sub.add_parser("demo", help="charger des données de démonstration")
    p.add_argument("--households", type=int, default=60)
    p.add_argument("--seed", type=int, default=2024)
    p.add_argument("--if-empty", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("createuser", help="créer un compte")
    p.add_argument("email")
    p.add_argument("--role", required=True)
    p.add_argument("--name", default="")
    p.add_argument("--programmes", default="", help="clés séparées par des virgules")
    p.add_argument("--partner", default="", help="structure du partenaire (créée si besoin)")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=cmd_createuser)

    p = sub.add_parser("token", help="jetons d'API personnels")
    tsub = p.add_subparsers(dest="token_command", required=True)
    t = tsub.add_parser("create", help="créer un jeton pour un compte")
    t.add_argument("email")
    t.add_argument("--name", default="")
    t.set_defaults(func=cmd_token)

    p = sub.add_parser("plugins", help="lister les plugins installés")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plugins)

    p = sub.add_parser("report", help="produire le rapport d'activité (pdf, docx, xlsx, json)")
    p.add_argument("--programme", required=True, help="clé du programme, ou all")
    p.add_argument("--year", type=int)
    p.add_argument("--start")
    p.add_argument("--end")
    p.add_argument("--format", choices=["pdf", "docx", "xlsx", "json"])
    p.add_argument(
        "--language", choices=["fr", "en"], help="langue du rapport (par défaut : réglage language)"
    )
    p.add_argument("--output", required=True)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("import", help="importer ménages, personnes et accompagnements (XLSX, CSV)")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="vérifier et compter sans rien écrire")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "retention", help="archiver, anonymiser et purger selon les durées de conservation"
    )
    p.add_argument("--apply", action="store_true", help="appliquer (sinon : afficher seulement)")
    p.set_defaults(func=cmd_retention)

    p = sub.add_parser("check", help="vérifier la configuration avant le démarrage")
    p.add_argument(
        "--fix",
        action="store_true",
        help="supprimer les fichiers orphelins du dossier de données (et les lister)",
    )
    p.set_defaults(func=cmd_check)

    from tremplin.scaffold import add_subcommand as add_plugin_subcommand

    add_plugin_subcommand(sub)
    from tremplin.ops.commands import add_subcommands as add_ops_subcommands

    add_ops_subcommands(sub)  # backup, restore, migrate-db
    _add_plugin_commands(sub)
    return parser


def _add_plugin_commands(sub: Any) -> None:
    """``tremplin <slug> …`` for each enabled plugin that declares commands. When the
    configuration cannot be read, they are left out so that ``tremplin check`` still runs
    and says what is wrong."""
    try:
        host = load_plugins(load_settings().programmes)
    except ConfigError:
        return
    by_plugin: dict[str, list[Command]] = {}
    for impl in host.pm.hook.tremplin_commands.get_hookimpls():
        commands = cast(list[Command], impl.function() or [])  # the hook's declared return
        by_plugin.setdefault(impl.plugin_name, []).extend(commands)
    add_plugin_commands(sub, by_plugin, _run_plugin_command, reserved=set(sub.choices))


def _run_plugin_command(command: Command, values: dict[str, Any]) -> None:
    _setup()
    output = _run(lambda: command.run(values))
    if output:
        print(output)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (ConfigError, CommandError) as exc:
        print(f"tremplin: erreur : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
