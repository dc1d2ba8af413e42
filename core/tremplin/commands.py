"""Command lines that plugins add to ``tremplin``: ``tremplin <slug> <command> …``.

A plugin returns :class:`Command` declarations from the ``tremplin_commands`` hook (as
Datasette's ``register_commands``); the core adds one sub-command per plugin that has any,
parses the arguments with argparse, opens the database and awaits ``run``. What ``run``
returns is printed; a :class:`CommandError` is printed on one line with exit status 1.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Command", "CommandArgument", "CommandError", "add_plugin_commands"]


class CommandError(Exception):
    """A user-facing failure of a command: printed on one line, exit status 1."""


@dataclass(frozen=True)
class CommandArgument:
    """One argument: a positional (``"file"``) or an option (``"--month"``).

    ``flag`` makes an option without a value (``True`` when given). Values reach ``run``
    as strings (or ``None``); the command checks and converts them.
    """

    name: str
    help: str = ""
    required: bool = False
    default: str | None = None
    choices: tuple[str, ...] = ()
    flag: bool = False


@dataclass(frozen=True)
class Command:
    """``tremplin <slug> <name>``: ``run`` is awaited with the parsed arguments (by name,
    without the leading dashes, ``-`` turned into ``_``) once the database is open."""

    name: str
    help: str
    run: Callable[[dict[str, Any]], Awaitable[str | None]]
    arguments: tuple[CommandArgument, ...] = ()
    order: int = 100


def _add_argument(parser: argparse.ArgumentParser, arg: CommandArgument) -> None:
    kwargs: dict[str, Any] = {"help": arg.help}
    if arg.flag:
        kwargs["action"] = "store_true"
    else:
        if arg.choices:
            kwargs["choices"] = list(arg.choices)
        if arg.name.startswith("-"):
            kwargs["required"] = arg.required
            kwargs["default"] = arg.default
        elif not arg.required:
            kwargs["nargs"] = "?"
            kwargs["default"] = arg.default
    parser.add_argument(arg.name, **kwargs)


def add_plugin_commands(
    sub: Any,
    commands: dict[str, list[Command]],
    runner: Callable[[Command, dict[str, Any]], None],
    reserved: set[str],
) -> None:
    """Add ``<slug> <name>`` sub-commands to the ``tremplin`` parser, for each plugin.

    A plugin whose slug is already a core command, or two commands of one plugin with the
    same name, is refused: the message names the plugin.
    """
    from tremplin.config import ConfigError

    for slug, declared in sorted(commands.items()):
        if not declared:
            continue
        if slug in reserved:
            # i18n: developer (a plugin author's mistake)
            raise ConfigError(
                f"le plugin « {slug} » ajoute des commandes alors que « tremplin {slug} » "
                "est une commande du cœur"
            )
        group = sub.add_parser(slug, help=f"commandes du plugin {slug}")
        inner = group.add_subparsers(dest=f"{slug}_command", required=True, metavar="COMMANDE")
        seen: set[str] = set()
        for command in sorted(declared, key=lambda c: (c.order, c.name)):
            if command.name in seen:
                # i18n: developer (a plugin author's mistake)
                raise ConfigError(
                    f"le plugin « {slug} » déclare deux fois la commande {command.name}"
                )
            seen.add(command.name)
            parser = inner.add_parser(command.name, help=command.help, description=command.help)
            for arg in command.arguments:
                _add_argument(parser, arg)
            names = [a.name.lstrip("-").replace("-", "_") for a in command.arguments]

            def call(args: argparse.Namespace, command=command, names=names) -> None:
                runner(command, {n: getattr(args, n) for n in names})

            parser.set_defaults(func=call)
