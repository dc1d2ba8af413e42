"""The scoring grid (*grille de cotation*): versions the administrator writes, and the score
a demand gets from its data with a version. A version is never changed: saving the grid
writes the next version, and a score keeps the version it was computed with."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from tremplin.api import N_, Actor, FormErrors, Memberships, age_on, domain, now, transaction
from tremplin_rental_agency.common import write_audit
from tremplin_rental_agency.tables import Criterion, Grid
from tremplin_rental_agency.vocab import RULE_LABELS, STABLE_SITUATIONS

gettext = domain(__name__).gettext

PER_UNIT = {"children": 1, "waiting_months": 12}
MAX_CRITERIA = 30

#: The grid an agency starts with (version 1 is written on first use).
DEFAULT_CRITERIA = (
    ("Sans logement pérenne", "no_stable_housing", 20),
    ("Sans abri, à la rue ou à l'hôtel", "street", 15),
    ("Ressources inférieures ou égales au SMIC", "resources_smic", 10),
    ("Ressources inférieures ou égales à ½ SMIC", "resources_half_smic", 10),
    ("Par enfant", "children", 3),
    ("Par mois d'attente", "waiting_months", 1),
    ("Procédure d'expulsion", "problem_eviction", 10),
    ("Logement indigne ou insalubre", "problem_unfit", 10),
    ("Séparation, violences", "problem_separation", 15),
    ("Urgence appréciée par la commission", "manual", 10),
)


@dataclass(frozen=True)
class GridView:
    id: int
    version: int
    smic_cents: int
    criteria: tuple[dict[str, Any], ...]


async def _load(grid: dict[str, Any]) -> GridView:
    criteria = (
        await Criterion.select(Criterion.id, Criterion.label, Criterion.rule, Criterion.points)
        .where(Criterion.grid == grid["id"])
        .order_by(Criterion.position)
    )
    return GridView(grid["id"], grid["version"], grid["smic_cents"], tuple(criteria))


async def grid_by_id(grid_id: int) -> GridView | None:
    row = await Grid.select().where(Grid.id == grid_id).first()
    return await _load(row) if row else None


async def current_grid(actor: Actor | None = None) -> GridView:
    """The latest grid version; version 1 (the default criteria) is written if none yet."""
    row = await Grid.select().order_by(Grid.version, ascending=False).first()
    if row is None:
        await save_grid(
            actor or Actor(None),
            [{"label": lbl, "rule": rule, "points": pts} for lbl, rule, pts in DEFAULT_CRITERIA],
            139869,
            "Grille initiale",
        )
        row = await Grid.select().order_by(Grid.version, ascending=False).first()
        assert row is not None  # a grid exists: saved just above when there was none
    return await _load(row)


def check_criteria(criteria: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Clean the posted criteria; every error at once, keyed ``criterion-N-field``."""
    errors: dict[str, str] = {}
    clean = []
    for n, c in enumerate(criteria):
        label = str(c.get("label") or "").strip()
        rule = str(c.get("rule") or "").strip()
        points_text = str(c.get("points") if c.get("points") is not None else "").strip()
        if not label and not points_text:
            continue  # an empty line of the form
        if not label:
            errors[f"criterion-{n}-label"] = N_("libellé obligatoire")
        elif len(label) > 200:
            errors[f"criterion-{n}-label"] = N_("200 caractères au maximum")
        if rule not in RULE_LABELS:
            errors[f"criterion-{n}-rule"] = N_("règle inconnue")
        try:
            points = int(points_text)
            if not -100 <= points <= 100:
                raise ValueError
        except ValueError:
            errors[f"criterion-{n}-points"] = N_("nombre entier entre -100 et 100 attendu")
            points = 0
        clean.append({"label": label, "rule": rule, "points": points})
    if not clean and not errors:
        errors["criteria"] = N_("la grille doit avoir au moins un critère")
    if len(clean) > MAX_CRITERIA:
        errors["criteria"] = gettext("{n} critères au maximum").format(n=MAX_CRITERIA)
    if errors:
        raise FormErrors(errors)
    return clean


async def save_grid(
    actor: Actor, criteria: list[dict[str, Any]], smic_cents: int, note: str = ""
) -> int:
    """Write the next version of the grid (the previous ones stay as they were)."""
    clean = check_criteria(criteria)
    if not 50000 <= smic_cents <= 500000:
        raise FormErrors({"smic": "montant du SMIC net mensuel invraisemblable"})
    async with transaction():
        last = await Grid.select(Grid.version).order_by(Grid.version, ascending=False).first()
        version = (last["version"] if last else 0) + 1
        row = await Grid.insert(
            Grid(
                version=version,
                smic_cents=smic_cents,
                note=note[:200],
                created_by=actor.user_id,
                created_at=now(),
            )
        ).returning(Grid.id)
        grid_id = row[0]["id"]
        await Criterion.insert(
            *[
                Criterion(
                    grid=grid_id, position=n, label=c["label"], rule=c["rule"], points=c["points"]
                )
                for n, c in enumerate(clean)
            ]
        )
        await write_audit(actor, "create", "rental_agency_grid", grid_id, ("criteria",))
    return grid_id


async def children_counts(household_ids: list[int], on: dt.date) -> dict[int, int]:
    """Children (relation ``child``) living in each household on ``on``, one query."""
    rows = await Memberships.select(Memberships.household).where(
        Memberships.household.is_in(household_ids or [0])
        & (Memberships.relation == "child")
        & (Memberships.start_date <= on)
        & (Memberships.end_date.is_null() | (Memberships.end_date >= on))
    )
    out: dict[int, int] = {}
    for r in rows:
        out[r["household"]] = out.get(r["household"], 0) + 1
    return out


async def reference_ages(household_ids: list[int], on: dt.date) -> dict[int, int | None]:
    """The age on ``on`` of each household's reference person, one query."""
    rows = await Memberships.select(
        Memberships.household, Memberships.person.birth_date.as_alias("birth")
    ).where(
        Memberships.household.is_in(household_ids or [0]) & (Memberships.relation == "reference")
    )
    return {r["household"]: (age_on(r["birth"], on) if r["birth"] else None) for r in rows}


def rule_units(
    rule: str, demand: dict[str, Any], smic_cents: int, children: int, on: dt.date
) -> int:
    """How many times a rule's points apply to a demand (0 or 1, or a count)."""
    situation = demand.get("situation") or ""
    problems = set(filter(None, (demand.get("problems") or "").split(",")))
    resources = demand.get("monthly_resources_cents") or 0
    if rule == "no_stable_housing":
        return int(bool(situation) and situation not in STABLE_SITUATIONS)
    if rule == "street":
        return int(situation in ("street", "hotel"))
    if rule == "resources_smic":
        return int(resources <= smic_cents)
    if rule == "resources_half_smic":
        return int(resources <= smic_cents // 2)
    if rule == "children":
        return children
    if rule == "waiting_months":
        registered = demand["registered_on"]
        months = (on.year - registered.year) * 12 + on.month - registered.month
        if on.day < registered.day:
            months -= 1
        return max(0, min(months, PER_UNIT["waiting_months"]))
    if rule.startswith("problem_"):
        return int(rule.removeprefix("problem_") in problems)
    return 0


def compute_score(
    grid: GridView, demand: dict[str, Any], children: int, on: dt.date, ticked: set[int]
) -> tuple[int, list[dict[str, Any]]]:
    """The score of a demand with a grid on day ``on``, and its detail line by line.

    Only criteria of rule ``manual`` may be ticked; the others come from the data.
    """
    detail = []
    for c in grid.criteria:
        if c["rule"] == "manual":
            units = int(c["id"] in ticked)
        else:
            units = rule_units(c["rule"], demand, grid.smic_cents, children, on)
        if units:
            detail.append({"label": c["label"], "units": units, "points": units * c["points"]})
    return sum(d["points"] for d in detail), detail


def detail_json(detail: list[dict[str, Any]]) -> str:
    return json.dumps(detail, ensure_ascii=False)
