"""The housing stock: owners, dwellings, head leases and vacancy periods."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from tremplin.api import (
    N_,
    Actor,
    ConflictError,
    FormErrors,
    normalise,
    now,
    today,
    transaction,
    validate,
    versioned_update,
)
from tremplin_housing.calc import overlaps, vacancy_cost
from tremplin_housing.common import (
    cents,
    date_or_none,
    not_in_future,
    require,
    write_audit,
)
from tremplin_housing.fields import (
    HEAD_LEASE_FIELDS,
    OWNER_FIELDS,
    VACANCY_FIELDS,
    dwelling_fields,
)
from tremplin_housing.tables import DpeRecord, Dwelling, HeadLease, Owner, Vacancy

_POSTCODE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")
DWELLING_COLUMNS = (
    "address",
    "postcode",
    "city",
    "typology",
    "surface_m2",
    "furnished",
    "stock",
    "dpe_class",
    "dpe_date",
    "status",
    "programme",
    "confidential",
    "contacted_on",
    "captured_on",
    "returned_on",
    "return_reason",
    "notes",
)


async def create_owner(actor: Actor, raw: dict[str, Any]) -> int:
    values = validate(OWNER_FIELDS, raw)
    current = now()
    async with transaction():
        row = await Owner.insert(
            Owner(
                created_at=current,
                updated_at=current,
                # column values as keywords: mypy matches them against Table.__init__'s own
                **{k: v or "" for k, v in values.items()},  # type: ignore[arg-type]
            )
        ).returning(Owner.id)
        await write_audit(actor, "create", "housing_owner", row[0]["id"], values.keys())
    return row[0]["id"]


def _dwelling_values(raw: dict[str, Any], programmes: dict[str, str]) -> dict[str, Any]:
    """Parse and cross-check the dwelling form; every problem at once, in French."""
    values = validate(dwelling_fields(programmes), raw)
    errors: dict[str, str] = {}
    if values["postcode"] and not _POSTCODE.match(values["postcode"]):
        errors["postcode"] = N_("code postal invalide (5 chiffres)")
    for name in ("dpe_date", "contacted_on", "captured_on", "returned_on"):
        values[name] = date_or_none(values[name])
        try:
            not_in_future(name, values[name])
        except FormErrors as exc:
            errors.update(exc.errors)
    if values["dpe_date"] and not values["dpe_class"]:
        errors["dpe_class"] = N_("indiquez la classe du DPE")
    if values["status"] == "returned":
        if not values["returned_on"]:
            errors["returned_on"] = N_("indiquez la date du retour au propriétaire")
        if not values["return_reason"]:
            errors["return_reason"] = N_("indiquez le motif du retour au propriétaire")
    if (
        values["contacted_on"]
        and values["captured_on"]
        and (values["captured_on"] < values["contacted_on"])
    ):
        errors["captured_on"] = N_("la date de captation précède le premier contact")
    if (
        values["captured_on"]
        and values["returned_on"]
        and (values["returned_on"] < values["captured_on"])
    ):
        errors["returned_on"] = N_("la date du retour précède celle de la captation")
    if errors:
        raise FormErrors(errors)
    for name in ("address", "postcode", "city", "dpe_class", "programme", "return_reason", "notes"):
        values[name] = values[name] or ""
    return values


async def _record_dpe(actor: Actor, dwelling_id: int, values: dict[str, Any]) -> None:
    """The dwelling's label from its diagnostic date (else today) joins its DPE history;
    call it in the write's transaction, when the label or its date changed."""
    await DpeRecord.insert(
        DpeRecord(
            dwelling=dwelling_id,
            dpe_class=values["dpe_class"],
            dpe_date=values["dpe_date"],
            valid_from=values["dpe_date"] or today(),
            created_by=actor.user_id,
            created_at=now(),
        )
    )


async def _owner_name(owner_id: int) -> str:
    row = await Owner.select(Owner.name).where(Owner.id == owner_id).first()
    if row is None:
        raise FormErrors({"owner": "propriétaire inconnu"})
    return row["name"]


def _search(reference: str, values: dict[str, Any], owner: str) -> str:
    return normalise(reference, values["address"], values["postcode"], values["city"], owner)


async def create_dwelling(actor: Actor, raw: dict[str, Any], programmes: dict[str, str]) -> int:
    values = _dwelling_values(raw, programmes)
    current = now()
    async with transaction():
        owner = await _owner_name(values["owner"])
        row = await Dwelling.insert(
            Dwelling(
                reference=f"tmp-{secrets.token_hex(6)}",
                owner=values["owner"],
                created_by=actor.user_id,
                created_at=current,
                updated_at=current,
                **{k: values[k] for k in DWELLING_COLUMNS},
            )
        ).returning(Dwelling.id)
        dwelling_id = row[0]["id"]
        reference = f"L-{dwelling_id:05d}"
        await Dwelling.update(
            {
                Dwelling.reference: reference,
                Dwelling.search_text: _search(reference, values, owner),
            }
        ).where(Dwelling.id == dwelling_id)
        if values["dpe_class"]:
            await _record_dpe(actor, dwelling_id, values)
        await write_audit(actor, "create", "housing_dwelling", dwelling_id, values.keys())
    return dwelling_id


async def update_dwelling(
    actor: Actor,
    dwelling_id: int,
    raw: dict[str, Any],
    programmes: dict[str, str],
    version: int | None = None,
) -> None:
    """Save an edit of a dwelling made on ``version`` (the form's): ``ConflictError`` when
    someone saved it since (``None``: the version read here, for callers without a form)."""
    values = _dwelling_values(raw, programmes)
    async with transaction():
        current = require(
            await Dwelling.select().where(Dwelling.id == dwelling_id).first(), dwelling_id
        )
        expected = current["version"] if version is None else version
        if expected != current["version"]:
            raise ConflictError(current)
        owner = await _owner_name(values["owner"])
        changed = [k for k in ("owner", *DWELLING_COLUMNS) if current[k] != values[k]]
        await versioned_update(
            Dwelling,
            dwelling_id,
            expected,
            {
                Dwelling.owner: values["owner"],
                **{getattr(Dwelling, k): values[k] for k in DWELLING_COLUMNS},
                Dwelling.search_text: _search(current["reference"], values, owner),
            },
        )
        if "dpe_class" in changed or "dpe_date" in changed:
            await _record_dpe(actor, dwelling_id, values)
        await write_audit(actor, "update", "housing_dwelling", dwelling_id, changed)


async def mark_confidential(actor: Actor, dwelling_id: int, programme: str) -> None:
    """The dwelling houses a household of a confidential programme: its address becomes
    confidential, and the dwelling is that programme's if it was nobody's."""
    async with transaction():
        row = require(
            await Dwelling.select(Dwelling.confidential, Dwelling.programme)
            .where(Dwelling.id == dwelling_id)
            .first(),
            dwelling_id,
        )
        changes: dict[Any, Any] = {}  # Column keys (insert and update type them apart)
        if not row["confidential"]:
            changes[Dwelling.confidential] = True
        if not row["programme"]:
            changes[Dwelling.programme] = programme
        if changes:
            await Dwelling.update({**changes, Dwelling.updated_at: now()}).where(
                Dwelling.id == dwelling_id
            )
            await write_audit(
                actor, "update", "housing_dwelling", dwelling_id, [c._meta.name for c in changes]
            )


async def add_head_lease(actor: Actor, dwelling_id: int, raw: dict[str, Any]) -> int:
    values = validate(HEAD_LEASE_FIELDS, raw)
    start, end = date_or_none(values["start_date"]), date_or_none(values["end_date"])
    assert start is not None  # a required field: validate() refused it empty
    if end is not None and end < start:
        raise FormErrors({"end_date": "la date de fin précède la date de début"})
    async with transaction():
        require(
            await Dwelling.select(Dwelling.id).where(Dwelling.id == dwelling_id).first(),
            dwelling_id,
        )
        for lease in await HeadLease.select().where(HeadLease.dwelling == dwelling_id):
            if overlaps(start, end, lease["start_date"], lease["end_date"]):
                raise FormErrors(
                    {
                        "start_date": "un autre contrat avec le propriétaire couvre "
                        "déjà cette période"
                    }
                )
        row = await HeadLease.insert(
            HeadLease(
                dwelling=dwelling_id,
                kind=values["kind"],
                start_date=start,
                end_date=end,
                rent_cents=cents(values["rent"]),
                charges_cents=cents(values["charges"]),
                notice_given_on=date_or_none(values["notice_given_on"]),
                notice_months=values["notice_months"] if values["notice_months"] is not None else 3,
                created_at=now(),
            )
        ).returning(HeadLease.id)
        await write_audit(actor, "add_head_lease", "housing_dwelling", dwelling_id, ["lease"])
    return row[0]["id"]


async def add_vacancy(actor: Actor, dwelling_id: int, raw: dict[str, Any]) -> int:
    values = validate(VACANCY_FIELDS, raw)
    start, end = date_or_none(values["start_date"]), date_or_none(values["end_date"])
    assert start is not None  # a required field: validate() refused it empty
    if end is not None and end < start:
        raise FormErrors({"end_date": "la fin de la vacance précède son début"})
    async with transaction():
        require(
            await Dwelling.select(Dwelling.id).where(Dwelling.id == dwelling_id).first(),
            dwelling_id,
        )
        for period in await Vacancy.select().where(Vacancy.dwelling == dwelling_id):
            if overlaps(start, end, period["start_date"], period["end_date"]):
                raise FormErrors(
                    {"start_date": "une autre période de vacance couvre déjà ces dates"}
                )
        row = await Vacancy.insert(
            Vacancy(
                dwelling=dwelling_id,
                start_date=start,
                end_date=end,
                cause=values["cause"],
                note=values["note"] or "",
                created_at=now(),
            )
        ).returning(Vacancy.id)
        await write_audit(actor, "add_vacancy", "housing_dwelling", dwelling_id, ["vacancy"])
    return row[0]["id"]


def vacancy_rows(
    vacancies: list[dict[str, Any]], leases: list[dict[str, Any]], on: dt.date
) -> list[dict[str, Any]]:
    """Vacancy periods with their days and cost (an open period counts up to ``on``)."""
    terms = [(x["start_date"], x["end_date"], x["rent_cents"] + x["charges_cents"]) for x in leases]
    out = []
    for v in vacancies:
        end = v["end_date"] or on
        days = max((end - v["start_date"]).days + 1, 0)
        cost = vacancy_cost(v["start_date"], end, terms) if days else 0
        out.append({**v, "days": days, "cost_cents": cost})
    return out
