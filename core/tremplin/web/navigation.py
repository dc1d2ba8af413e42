"""The main menu: the ``tremplin_navigation`` entries a user may open, grouped.

Entries whose ``roles`` leave the user out are dropped here, once, for every plugin; the
others are grouped under the French labels of :data:`tremplin.types.NAV_GROUPS`, in that
order. A group holding a single entry is shown as a plain link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tremplin.types import NAV_GROUPS, NavItem


@dataclass
class NavGroup:
    """One group of the menu (``key`` ``""``: the entries shown on their own)."""

    key: str
    label: str
    items: list[NavItem] = field(default_factory=list)


def visible_items(items: list[NavItem], user: Any) -> list[NavItem]:
    """The entries ``user`` may see, sorted by ``order`` then label; duplicates dropped."""
    role = getattr(user, "role", None)
    seen: set[str] = set()
    kept = []
    for item in sorted(items, key=lambda i: (i.order, i.label)):
        if item.roles and role not in item.roles:
            continue
        if item.href in seen:
            continue
        seen.add(item.href)
        kept.append(item)
    return kept


def grouped(items: list[NavItem]) -> list[NavGroup]:
    """The menu groups in the order of :data:`NAV_GROUPS`; unknown groups come last,
    under their own key as label."""
    groups: dict[str, NavGroup] = {"": NavGroup("", "")}
    for key, label in NAV_GROUPS.items():
        groups[key] = NavGroup(key, label)
    for item in items:
        group = groups.setdefault(item.group, NavGroup(item.group, item.group))
        group.items.append(item)
    return [g for g in groups.values() if g.items]


def is_current(item: NavItem, path: str) -> bool:
    """Whether the page at ``path`` belongs to the menu entry (``/`` only for itself)."""
    if item.href == "/":
        return path == "/"
    return path == item.href or path.startswith(item.href.rstrip("/") + "/")
