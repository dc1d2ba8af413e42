"""Plugins never write core tables: they go through the core's commands (tremplin.api).

Three locks, each able to fail:

- a scan of every plugin module for ``<CoreTable>.insert/update/delete/raw(...)`` and
  ``<CoreTable>(...).save()`` calls — on the core tables, their read views and the deprecated
  writable names alike — and for SQL text that inserts into, updates or deletes from a core
  table (``"UPDATE enrolment …"`` through a plugin's own table's ``raw``);
- no plugin imports a deprecated writable table from ``tremplin.api``;
- at run time, the read views ``tremplin.api`` exports refuse every write.

There is no allow-list: every plugin write of a core row goes through a command (a plugin's
migrations, which move data between schema versions in SQL, are not scanned).
"""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import pytest

import tremplin.api
from tremplin.models import CORE_TABLES
from tremplin.models.views import VIEWS, ReadOnlyError

ROOT = Path(__file__).resolve().parents[2]
CORE_TABLES_NAMES = {t.__name__ for t in CORE_TABLES} | {v.__name__ for v in VIEWS.values()}
CORE_TABLENAMES = {t._meta.tablename for t in CORE_TABLES}
WRITES = {"insert", "update", "delete", "raw", "save", "remove", "update_self"}
SQL_WRITE = re.compile(
    r"\b(?:insert\s+into|update|delete\s+from)\s+\"?(" + "|".join(sorted(CORE_TABLENAMES)) + r")\b",
    re.IGNORECASE,
)


def core_writes(source: str) -> list[tuple[int, str]]:
    """(line, what) of each write to a core table in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for match in SQL_WRITE.finditer(node.value):
                found.append((node.lineno, f"SQL {match.group(0)}"))
            continue
        if isinstance(node, ast.ImportFrom) and node.module == "tremplin.api":
            for alias in node.names:
                if alias.name in tremplin.api.DEPRECATED_TABLES:
                    found.append((node.lineno, f"import {alias.name}"))
            continue
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        target, method = node.func.value, node.func.attr
        if method not in WRITES:
            continue
        if isinstance(target, ast.Call):  # Enrolment(...).save()
            target = target.func
        if isinstance(target, ast.Name) and target.id in CORE_TABLES_NAMES:
            found.append((node.lineno, f"{target.id}.{method}"))
        elif isinstance(target, ast.Attribute) and target.attr in CORE_TABLES_NAMES:
            found.append((node.lineno, f"{target.attr}.{method}"))  # api.Enrolment.update
    return found


def plugin_writes(paths) -> dict[str, list[tuple[int, str]]]:
    offenders = {}
    for path in paths:
        writes = core_writes(path.read_text(encoding="utf-8"))
        if writes:
            offenders[path.as_posix()] = writes
    return offenders


def _plugin_modules() -> list[Path]:
    """Every module of every plugin but its migrations (which move data between schema
    versions, in SQL, before any command exists for it)."""
    return sorted(
        p
        for p in (ROOT / "plugins").glob("*/tremplin_*/**/*.py")
        if "migrations" not in p.relative_to(ROOT).parts
    )


def test_the_scan_finds_direct_writes():
    source = (
        "from tremplin.api import Enrolment, Enrolments\n"
        "await Enrolment.update({}).where(x)\n"
        "await api.TimelineEvent.insert(TimelineEvent())\n"
        "await Household(name='x').save()\n"
        "await Enrolments.update({})\n"
        "await Dwelling.raw('UPDATE enrolment SET data = {}', x)\n"
        "await Dwelling.raw('delete from \"timeline_event\" where id = 1')\n"
        "await Enrolments.select().where(x)\n"
        "await Dwelling.update({})\n"
        "await Dwelling.raw('SELECT * FROM enrolment JOIN household ON true')\n"
        "label = 'Mettre à jour le logement'\n"
    )
    assert sorted(core_writes(source)) == [
        (1, "import Enrolment"),
        (2, "Enrolment.update"),
        (3, "TimelineEvent.insert"),
        (4, "Household.save"),
        (5, "Enrolments.update"),
        (6, "SQL UPDATE enrolment"),
        (7, 'SQL delete from "timeline_event'),
    ]


def test_plugins_do_not_write_core_tables():
    offenders = plugin_writes(_plugin_modules())
    assert not offenders, (
        "plugins write core tables: use the commands of tremplin.api "
        f"(update_enrolment_data, add_timeline_event, apply_transition…): {offenders}"
    )


def test_a_write_planted_in_a_plugin_is_caught(tmp_path):
    """The real scan over the real plugin files, plus one real module with a write planted."""
    source = (ROOT / "plugins/housing/tremplin_housing/common.py").read_text(encoding="utf-8")
    planted = tmp_path / "common.py"
    planted.write_text(
        source + "\n\nasync def sneak(i):\n    await Enrolments.update({}).where(i)\n",
        encoding="utf-8",
    )
    offenders = plugin_writes([*_plugin_modules(), planted])
    assert list(offenders) == [planted.as_posix()]
    assert [w for _, w in offenders[planted.as_posix()]] == ["Enrolments.update"]


@pytest.mark.parametrize("view", sorted(VIEWS.values(), key=lambda v: v.__name__))
def test_read_views_refuse_every_write(view):
    for method in ("insert", "update", "delete", "raw", "create_table", "alter"):
        with pytest.raises(ReadOnlyError, match=f"{view.__name__} is a read view"):
            getattr(view, method)()
    row = object.__new__(view)  # a row as objects() returns it (no database needed here)
    for method in ("save", "remove", "update_self"):
        with pytest.raises(ReadOnlyError, match=f"{method}\\(\\) is refused"):
            getattr(row, method)()


def test_read_views_are_the_exported_names_and_keep_the_columns():
    for table, view in VIEWS.items():
        assert getattr(tremplin.api, view.__name__) is view
        assert view.__name__ in tremplin.api.__all__
        assert table.__name__ not in tremplin.api.__all__
        assert view._meta.tablename == table._meta.tablename
        assert {c._meta.name for c in view._meta.columns} == {
            c._meta.name for c in table._meta.columns
        }


def test_writable_tables_are_deprecated_naming_the_caller():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from tremplin.api import Enrolment  # noqa: F401 — the deprecated import itself

        table = tremplin.api.Household
    assert table is tremplin.models.Household
    messages = [str(w.message) for w in caught if w.category is DeprecationWarning]
    assert len(messages) == 2
    assert all(m.startswith(f"{__name__}: tremplin.api.") for m in messages)
    assert "read through tremplin.api.Enrolments" in messages[0]
    with pytest.raises(AttributeError):
        tremplin.api.NotAName  # noqa: B018
