"""Plugins never write core tables: they go through the core's commands (tremplin.api).

The scan finds ``<CoreTable>.insert/update/delete/raw(...)`` and ``<CoreTable>(...).save()``
calls in every plugin module. The files still doing so are listed below with their count of
such calls; the list may only shrink (a file converted to the commands must leave it).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tremplin.models import (
    AuditEntry,
    Document,
    Enrolment,
    Household,
    Membership,
    PartnerOrganisation,
    Person,
    TimelineEvent,
    User,
)

ROOT = Path(__file__).resolve().parents[2]
CORE_TABLES = {
    t.__name__
    for t in (
        AuditEntry,
        Document,
        Enrolment,
        Household,
        Membership,
        PartnerOrganisation,
        Person,
        TimelineEvent,
        User,
    )
}
WRITES = {"insert", "update", "delete", "raw", "save"}

#: Files still writing core rows by hand, to be moved to the commands by the occupancy work
#: (the agreement and occupancy code): path → number of direct writes. Only shrinks.
EXCEPTIONS = {
    "plugins/iml_youth/tremplin_iml_youth/agreement.py": 1,
    "plugins/social_residence/tremplin_social_residence/units.py": 1,
    "plugins/housing/tremplin_housing/common.py": 1,
    "plugins/boarding_house/tremplin_boarding_house/demo.py": 1,
    "plugins/social_residence/tremplin_social_residence/demo.py": 1,
}


def core_writes(source: str) -> list[tuple[int, str]]:
    """(line, ``Table.method``) of each write to a core table in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        target, method = node.func.value, node.func.attr
        if method not in WRITES:
            continue
        if isinstance(target, ast.Call):  # Enrolment(...).save()
            target = target.func
        if isinstance(target, ast.Name) and target.id in CORE_TABLES:
            found.append((node.lineno, f"{target.id}.{method}"))
        elif isinstance(target, ast.Attribute) and target.attr in CORE_TABLES:
            found.append((node.lineno, f"{target.attr}.{method}"))  # api.Enrolment.update
    return found


def test_the_scan_finds_direct_writes():
    source = (
        "await Enrolment.update({}).where(x)\n"
        "await api.TimelineEvent.insert(TimelineEvent())\n"
        "await Household(name='x').save()\n"
        "await Enrolment.select().where(x)\n"
        "await Dwelling.update({})\n"
    )
    assert sorted(core_writes(source)) == [
        (1, "Enrolment.update"),
        (2, "TimelineEvent.insert"),
        (3, "Household.save"),
    ]


def test_plugins_do_not_write_core_tables():
    offenders: dict[str, list[tuple[int, str]]] = {}
    for path in sorted((ROOT / "plugins").glob("*/tremplin_*/**/*.py")):
        writes = core_writes(path.read_text(encoding="utf-8"))
        if writes:
            offenders[path.relative_to(ROOT).as_posix()] = writes
    new = {p: w for p, w in offenders.items() if len(w) > EXCEPTIONS.get(p, 0)}
    assert not new, (
        "plugins write core tables: use the commands of tremplin.api "
        f"(update_enrolment_data, add_timeline_event, apply_transition…): {new}"
    )
    shrunk = {p: n for p, n in EXCEPTIONS.items() if len(offenders.get(p, [])) < n}
    assert not shrunk, f"converted: lower or remove their entries in EXCEPTIONS: {shrunk}"
