"""Places of each programme per year (*capacité*): data the administrator sets, not code.

A year without its own row takes the places of the latest earlier year that has one (the
capacity rarely changes); a programme that never had any has no places, and the report
prints « — » for its places and occupancy rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column

from tremplin.db import transaction
from tremplin.i18n import N_, gettext
from tremplin.models import ProgrammeCapacity
from tremplin.services import audit
from tremplin.services.clock import now

__all__ = ["Capacity", "CapacityError", "capacities", "set_capacity"]

MAX_PLACES = 100_000


class CapacityError(ValueError):
    """Invalid places; ``errors`` maps each field to its French message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Capacity:
    places: int
    sub_places: int | None = None
    sub_label: str = ""
    year: int = 0  # the year the row was set for (≤ the year asked)


async def capacities(programmes: list[str], years: list[int]) -> dict[tuple[str, int], Capacity]:
    """(programme, year) → the places in force that year, in one query."""
    if not programmes or not years:
        return {}
    rows = await (
        ProgrammeCapacity.select(
            ProgrammeCapacity.programme,
            ProgrammeCapacity.year,
            ProgrammeCapacity.places,
            ProgrammeCapacity.sub_places,
            ProgrammeCapacity.sub_label,
        )
        .where(
            ProgrammeCapacity.programme.is_in(programmes) & (ProgrammeCapacity.year <= max(years))
        )
        .order_by(ProgrammeCapacity.year)
    )
    out: dict[tuple[str, int], Capacity] = {}
    for programme in programmes:
        own = [r for r in rows if r["programme"] == programme]
        for year in years:
            last = [r for r in own if r["year"] <= year]
            if last:
                r = last[-1]
                out[(programme, year)] = Capacity(
                    r["places"], r["sub_places"], r["sub_label"], r["year"]
                )
    return out


def parse(raw: dict[str, Any]) -> tuple[int, int | None, str]:
    """Validate the form's places, sub-count and its label; every error at once."""
    errors: dict[str, str] = {}
    values: dict[str, int | None] = {}
    for name, required in (("places", True), ("sub_places", False)):
        text = str(raw.get(name, "") or "").strip()
        if not text:
            values[name] = None
            if required:
                errors[name] = N_("nombre de places obligatoire")
            continue
        if not text.isdigit() or len(text) > 6:
            errors[name] = N_("nombre entier positif attendu")
            continue
        values[name] = number = int(text)
        if number > MAX_PLACES:
            errors[name] = gettext("au plus {places} places").format(places=MAX_PLACES)
    label = str(raw.get("sub_label", "") or "").strip()[:100]
    if "\x00" in label:
        errors["sub_label"] = N_("caractère interdit")
    places, sub = values.get("places"), values.get("sub_places")
    if sub is not None and places is not None and sub > places:
        errors["sub_places"] = N_("le sous-total ne peut dépasser le nombre de places")
    if sub is not None and not label:
        errors["sub_label"] = N_("précisez de quoi il s'agit (par exemple « jeunes »)")
    if errors:
        raise CapacityError(errors)
    return places or 0, sub, label


async def set_capacity(
    programme: str, year: int, raw: dict[str, Any], user_id: int | None, address: str = ""
) -> None:
    """Insert or replace the places of ``programme`` for ``year`` (one transaction, audited)."""
    places, sub, label = parse(raw)
    async with transaction():
        existing = (
            await ProgrammeCapacity.select(ProgrammeCapacity.id)
            .where((ProgrammeCapacity.programme == programme) & (ProgrammeCapacity.year == year))
            .first()
        )
        values: dict[Column | str, Any] = {
            ProgrammeCapacity.places: places,
            ProgrammeCapacity.sub_places: sub,
            ProgrammeCapacity.sub_label: label,
            ProgrammeCapacity.updated_by: user_id,
            ProgrammeCapacity.updated_at: now(),
        }
        if existing:
            await ProgrammeCapacity.update(values).where(ProgrammeCapacity.id == existing["id"])
            row_id = existing["id"]
        else:
            inserted = await ProgrammeCapacity.insert(
                ProgrammeCapacity(
                    programme=programme,
                    year=year,
                    places=places,
                    sub_places=sub,
                    sub_label=label,
                    updated_by=user_id,
                    updated_at=now(),
                )
            ).returning(ProgrammeCapacity.id)
            row_id = inserted[0]["id"]
        await audit.record(
            "update",
            "programme_capacity",
            row_id,
            user_id=user_id,
            fields=[programme, str(year)],
            address=address,
        )
