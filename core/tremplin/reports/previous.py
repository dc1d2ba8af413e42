"""The previous year beside every table (N-1), and the tables of a group of programmes.

Both work on the plain table dicts of :func:`tremplin.reports.engine.table_dict`, before
:func:`tremplin.reports.units.shape_table` gives them their units:

- :func:`attach_previous` puts the previous year's value and the change beside each row
  (rows matched by key, else by label), and the previous total;
- :func:`combine` adds up the tables of the member programmes of a group (rows of counts,
  people, euros and days; averages and shares cannot be added and are left out).
"""

from __future__ import annotations

from typing import Any

from tremplin.reports.units import resolve_unit

__all__ = ["ADDITIVE", "attach_previous", "combine", "has_figures"]

#: Units whose figures add up across programmes (and whose missing row means zero).
ADDITIVE = frozenset({"count", "people", "euros", "days"})


def _row_id(row: dict[str, Any]) -> str:
    return str(row.get("key") or row["label"])


def _unit(row: dict[str, Any], table: dict[str, Any]) -> str:
    return resolve_unit(row.get("unit") or table.get("unit", ""))


def has_figures(tables: list[dict[str, Any]]) -> bool:
    """Whether any row of ``tables`` has a figure other than zero."""
    return any(r["count"] for t in tables for r in t["rows"])


def _change(value: float | None, before: float | None) -> float | None:
    if value is None or before is None:
        return None
    return round(value - before, 2)


def attach_previous(
    table: dict[str, Any], previous: dict[str, Any] | None, previous_label: str
) -> dict[str, Any]:
    """Put ``previous`` (the same table one year earlier, or ``None`` when the section gave
    no such table) beside ``table``, in place: each row gets ``previous`` and ``change``;
    a row only last year's table had is added with this year's value at zero."""
    before = {_row_id(r): r for r in (previous or {}).get("rows", ())}
    seen = set()
    has_percent = any(r.get("percent") is not None for r in table["rows"])
    for row in table["rows"]:
        rid = _row_id(row)
        seen.add(rid)
        old = before.get(rid)
        if old is not None:
            row["previous"] = old["count"]
        else:
            row["previous"] = 0 if _unit(row, table) in ADDITIVE else None
        row["change"] = _change(row["count"], row["previous"])
    for rid, old in before.items():
        if rid in seen or not old["count"] or _unit(old, table) not in ADDITIVE:
            continue
        table["rows"].append(
            {
                **old,
                "count": 0,
                "percent": 0.0 if has_percent else None,
                "previous": old["count"],
                "change": _change(0, old["count"]),
            }
        )
    total = table.get("total")
    old_total = (previous or {}).get("total")
    if old_total is None and total is not None and previous is None:
        old_total = 0
    table["previous_total"] = old_total
    table["total_change"] = _change(total, old_total)
    table["has_previous"] = True
    table["previous_label"] = previous_label
    return table


def _percent(count: float | None, total: float | None) -> float | None:
    return round(count * 100 / total, 1) if count is not None and total else None


def combine(tables: list[dict[str, Any]]) -> dict[str, Any] | None:
    """One table adding up ``tables`` (the same table of each member programme): rows of
    additive units summed (with the previous year when there is one), shares recomputed on
    the summed total, other rows (averages, medians, rates) left out. ``None`` if no row is
    left."""
    first = tables[0]
    rows: dict[str, dict[str, Any]] = {}
    # A member without N-1 had no figures the year before: it adds zero to it.
    with_previous = any(t.get("has_previous") for t in tables)
    for table in tables:
        for row in table["rows"]:
            if _unit(row, table) not in ADDITIVE or row["count"] is None:
                continue
            rid = _row_id(row)
            into = rows.get(rid)
            if into is None:
                rows[rid] = into = {**row, "count": 0, "previous": 0 if with_previous else None}
            into["count"] += row["count"]
            if with_previous and row.get("previous") is not None:
                into["previous"] += row["previous"]
    if not rows:
        return None
    totals = [t.get("total") for t in tables]
    # all(...) excludes None; mypy does not narrow through all()
    total = sum(totals) if all(v is not None for v in totals) else None  # type: ignore[arg-type]
    has_percent = any(r.get("percent") is not None for t in tables for r in t["rows"])
    for row in rows.values():
        row["percent"] = _percent(row["count"], total) if has_percent else None
        row["change"] = _change(row["count"], row["previous"]) if with_previous else None
        for key in ("in_key_figures",):
            row.pop(key, None)
    out = {
        key: first.get(key)
        for key in ("key", "title", "unit", "chart", "note", "empty", "empty_text")
    }
    out.update({"rows": list(rows.values()), "total": total})
    if with_previous:
        olds = [t.get("previous_total") if t.get("has_previous") else 0 for t in tables]
        # all(...) excludes None; mypy does not narrow through all()
        out["previous_total"] = sum(olds) if all(v is not None for v in olds) else None  # type: ignore[arg-type]
        out["total_change"] = _change(total, out["previous_total"])
        out["has_previous"] = True
        out["previous_label"] = first.get("previous_label", "")
    return out
