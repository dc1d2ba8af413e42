"""Photos of entry and exit inventories: documents of the household (uploaded on its file,
type « État des lieux ») attached to an inventory, downloaded through the core's
access-checked document route."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tremplin.api import Actor, Documents, FormErrors, now, transaction, validate
from tremplin_housing.common import add_event, require, write_audit
from tremplin_housing.fields import PHOTO_FIELDS
from tremplin_housing.ledger import DUPLICATE
from tremplin_housing.tables import Inventory, InventoryPhoto

NOT_THIS_HOUSEHOLD = "ce document n'appartient pas au dossier de ce ménage"


async def inventory_occupancy(inventory_id: int) -> dict[str, Any]:
    """The occupancy (id, household, programme) of an inventory, or 404."""
    row = require(
        await Inventory.select(
            Inventory.id,
            Inventory.kind,
            Inventory.done_on,
            Inventory.occupancy,
            Inventory.occupancy.household.as_alias("household"),
            Inventory.occupancy.programme.as_alias("programme"),
        )
        .where(Inventory.id == inventory_id)
        .first(),
        inventory_id,
    )
    return row


async def attach_photo(actor: Actor, inventory_id: int, raw: dict[str, Any]) -> int:
    """Attach one of the household's documents; attaching it twice does nothing more."""
    values = validate(PHOTO_FIELDS, raw)
    try:
        return await _attach(actor, inventory_id, values["document"])
    except DUPLICATE:  # attached by a concurrent request
        # the twin's row exists: its insert is what broke the unique key
        return await _attached(inventory_id, values["document"])  # type: ignore[return-value]


async def _attached(inventory_id: int, document_id: int) -> int | None:
    row = (
        await InventoryPhoto.select(InventoryPhoto.id)
        .where(
            (InventoryPhoto.inventory == inventory_id) & (InventoryPhoto.document == document_id)
        )
        .first()
    )
    return row["id"] if row else None


async def _attach(actor: Actor, inventory_id: int, document_id: int) -> int:
    async with transaction():
        inventory = await inventory_occupancy(inventory_id)
        document = (
            await Documents.select(Documents.id, Documents.household)
            .where(Documents.id == document_id)
            .first()
        )
        if document is None or document["household"] != inventory["household"]:
            raise FormErrors({"document": NOT_THIS_HOUSEHOLD})
        same = await _attached(inventory_id, document_id)
        if same is not None:
            return same
        row = await InventoryPhoto.insert(
            InventoryPhoto(
                inventory=inventory_id,
                document=document_id,
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(InventoryPhoto.id)
        await add_event(
            actor,
            inventory["household"],
            "housing_inventory",
            "Photo ajoutée à l'état des lieux",
            "",
            inventory["done_on"],
            inventory["programme"],
            {"inventory": inventory_id},
        )
        await write_audit(
            actor, "inventory_photo", "housing_occupancy", inventory["occupancy"], ["inventory"]
        )
    return row[0]["id"]


async def photos_by_inventory(inventory_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in (
        await InventoryPhoto.select(
            InventoryPhoto.inventory,
            InventoryPhoto.document,
            InventoryPhoto.document.filename.as_alias("filename"),
        )
        .where(InventoryPhoto.inventory.is_in(inventory_ids or [0]))
        .order_by(InventoryPhoto.id)
    ):
        out[r["inventory"]].append(r)
    return out


async def household_documents(household_id: int) -> list[dict[str, Any]]:
    """The household's documents that may be attached (images and PDFs), newest first."""
    rows = (
        await Documents.select(Documents.id, Documents.filename, Documents.kind, Documents.mime)
        .where(Documents.household == household_id)
        .order_by(Documents.id, ascending=False)
        .limit(100)
    )
    return [r for r in rows if r["mime"].startswith("image/") or r["mime"] == "application/pdf"]


async def occupancy_of_inventory(inventory_id: int) -> int:
    return (await inventory_occupancy(inventory_id))["occupancy"]
