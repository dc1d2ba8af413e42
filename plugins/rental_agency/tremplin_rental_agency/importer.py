"""Import housing demands from a spreadsheet, with the household import's guarantees:
every row checked first and every problem reported by row and column, nothing written if
one is found (one transaction), a dry run, and stable ids (``id_externe``): importing the
same file again updates the demands instead of duplicating them.

Layout: XLSX with a sheet ``demandes`` (or the first sheet), or a CSV (``;`` or ``,``,
UTF-8), one row per demand, columns in :data:`COLUMNS`. Values may be codes or the labels
the pages show. The households must already be on file (household import first).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Template

from tremplin.api import (
    Actor,
    Choice,
    FieldError,
    Households,
    actor,
    domain,
    normalise,
    now,
    render,
    today,
    transaction,
)
from tremplin_rental_agency.common import write_audit
from tremplin_rental_agency.routes import STAFF, ensure_enabled
from tremplin_rental_agency.tables import Demand
from tremplin_rental_agency.vocab import HOUSING_PROBLEMS, SITUATIONS, STATUSES, TYPOLOGIES

gettext = domain(__name__).gettext

MAX_ROWS = 20_000
MAX_BYTES = 5_000_000
IMPORTABLE_STATUSES = tuple(
    c for c in STATUSES if c.value in ("registered", "received", "admissible")
) + tuple(c for c in STATUSES if c.value.startswith("cancelled"))

COLUMNS: tuple[tuple[str, str], ...] = (
    ("id_externe", "identifiant stable de la demande dans votre fichier (obligatoire)"),
    ("menage", "référence du ménage (M-…) ou son id_externe de l'import des ménages (obligatoire)"),
    ("date_enregistrement", "JJ/MM/AAAA (obligatoire)"),
    ("numero_unique", "numéro unique départemental"),
    ("statut", "Enregistrée (par défaut), Reçue en permanence, Recevable, Annulée…"),
    ("situation", "Hébergé chez des tiers, Sans abri / rue, Logement autonome…"),
    ("problematiques", "une ou plusieurs, séparées par des virgules"),
    ("ressources_mensuelles", "en euros, par exemple 950,50"),
    ("typologie", "Studio, T1 … T5"),
    ("secteur", "secteur souhaité"),
    ("loyer_max", "loyer maximum charges comprises, en euros"),
)


@dataclass
class DemandImportResult:
    problems: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return gettext("{n} problème(s) : rien n'a été importé.").format(n=len(self.problems))
        if self.dry_run:
            text = gettext(
                "Import (simulation) : {created} demande(s) créée(s), {updated} mise(s) à jour "
                "(seraient écrites)."
            )
        else:
            text = gettext(
                "Import : {created} demande(s) créée(s), {updated} mise(s) à jour (ont été écrites)."
            )
        return text.format(created=self.created, updated=self.updated)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _choice(value: str, choices: tuple[Choice, ...]) -> str:
    wanted = normalise(value)
    for c in choices:
        if wanted in (normalise(c.value), normalise(c.label)):
            return c.value
    raise FieldError(
        gettext("valeur inconnue « {value} » (attendu : {choices})").format(
            value=value, choices=", ".join(gettext(c.label) for c in choices)
        )
    )


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1900 <= day.year <= 2100:
            return day
    raise FieldError(gettext("date invalide « {text} » (JJ/MM/AAAA)").format(text=text))


def _money(value: Any) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool):
        cents = round(float(value) * 100)
    else:
        text = _text(value).replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        text = text.replace("€", "").replace(",", ".")
        try:
            cents = round(float(text) * 100)
        except ValueError:
            raise FieldError(
                gettext("montant invalide « {text} »").format(text=_text(value))
            ) from None
    if not 0 <= cents <= 10_000_000:
        raise FieldError(gettext("montant hors limites"))
    return cents


def read_rows(content: bytes, filename: str) -> list[dict[str, Any]]:
    """The rows keyed by lower-case header, with their row number in the file (``_row``)."""
    if filename.lower().endswith(".csv"):
        text = content.decode("utf-8-sig")
        first = text.splitlines()[0] if text else ","
        dialect = csv.Sniffer().sniff(first, delimiters=";,")
        return [
            {_text(k).lower(): v for k, v in r.items() if k} | {"_row": i + 2}
            for i, r in enumerate(csv.DictReader(io.StringIO(text), dialect=dialect))
            if any(_text(v) for v in r.values())
        ]
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = book["demandes"] if "demandes" in book.sheetnames else book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return []
    header = [_text(h).lower() for h in rows[0]]
    return [
        {h: v for h, v in zip(header, r, strict=False) if h} | {"_row": i + 2}
        for i, r in enumerate(rows[1:])
        if any(v not in (None, "") for v in r)
    ]


async def run_import(
    actor_: Actor, content: bytes, filename: str, *, dry_run: bool = False
) -> DemandImportResult:
    """Check every row, then (unless ``dry_run``) write every demand in one transaction."""
    result = DemandImportResult(dry_run=dry_run)
    try:
        rows = read_rows(content, filename)
    except Exception:
        result.problems.append(
            gettext("fichier illisible : XLSX (feuille demandes) ou CSV UTF-8 attendu")
        )
        return result
    if len(rows) > MAX_ROWS:
        result.problems.append(
            gettext("fichier trop grand (plus de {n} lignes)").format(n=MAX_ROWS)
        )
        return result
    if not rows:
        result.problems.append(gettext("aucune demande dans le fichier"))
        return result
    missing = [c for c, _ in COLUMNS[:3] if c not in rows[0]]
    if missing:
        result.problems.append(
            gettext("colonne(s) obligatoire(s) absente(s) : {columns}").format(
                columns=", ".join(missing)
            )
        )
        return result

    def problem(row: dict, column: str, message: str) -> None:
        result.problems.append(
            gettext("ligne {row}, colonne « {column} » : {message}").format(
                row=row["_row"], column=column, message=message
            )
        )

    keys = {_text(r.get("menage")) for r in rows} - {""}
    known: dict[str, int] = {}
    for h in await Households.select(
        Households.id, Households.reference, Households.external_id
    ).where(
        (Households.reference.is_in([k.upper()[:20] for k in keys] or [""]))
        | Households.external_id.is_in(list(keys) or [""])
    ):
        known[h["reference"]] = h["id"]
        if h["external_id"]:
            known[h["external_id"]] = h["id"]

    items: dict[str, dict[str, Any]] = {}
    for r in rows:
        ext = _text(r.get("id_externe"))
        if not ext:
            problem(r, "id_externe", gettext("obligatoire"))
            continue
        if len(ext) > 100:
            problem(r, "id_externe", gettext("100 caractères au maximum"))
            continue
        if ext in items:
            problem(r, "id_externe", gettext("« {id} » apparaît deux fois").format(id=ext))
            continue
        item: dict[str, Any] = {"external_id": ext, "_row": r["_row"]}
        key = _text(r.get("menage"))
        household = known.get(key) or known.get(key.upper())
        if not key:
            problem(r, "menage", gettext("obligatoire"))
        elif household is None:
            problem(
                r,
                "menage",
                gettext("aucun ménage « {key} » (importez d'abord les ménages)").format(key=key),
            )
        item["household"] = household
        try:
            item["registered_on"] = _date(r.get("date_enregistrement"))
            if item["registered_on"] > today():
                raise FieldError(gettext("date dans le futur"))
        except FieldError as exc:
            problem(r, "date_enregistrement", str(exc))
        item["unique_number"] = _text(r.get("numero_unique"))[:30]
        item["status"] = "registered"
        for column, name, choices in (
            ("statut", "status", IMPORTABLE_STATUSES),
            ("situation", "situation", SITUATIONS),
            ("typologie", "wanted_typology", TYPOLOGIES),
        ):
            if _text(r.get(column)):
                try:
                    item[name] = _choice(_text(r.get(column)), choices)
                except FieldError as exc:
                    problem(r, column, str(exc))
        problems = []
        for part in [p.strip() for p in _text(r.get("problematiques")).split(",") if p.strip()]:
            try:
                problems.append(_choice(part, HOUSING_PROBLEMS))
            except FieldError as exc:
                problem(r, "problematiques", str(exc))
        item["problems"] = ",".join(dict.fromkeys(problems))
        for column, name in (
            ("ressources_mensuelles", "monthly_resources_cents"),
            ("loyer_max", "max_rent_cents"),
        ):
            if _text(r.get(column)):
                try:
                    item[name] = _money(r.get(column))
                except FieldError as exc:
                    problem(r, column, str(exc))
        item["wanted_sector"] = _text(r.get("secteur"))[:100]
        items[ext] = item
    if result.problems:
        return result

    async with transaction():
        existing = {
            r["external_id"]: r["id"]
            for r in await Demand.select(Demand.id, Demand.external_id).where(
                Demand.external_id.is_in(list(items))
            )
        }
        current = now()
        fresh = [i for ext, i in items.items() if ext not in existing]
        result.created, result.updated = len(fresh), len(items) - len(fresh)
        if dry_run:
            return result
        defaults = {
            c: 0 if c.endswith("_cents") else ""
            for c in (
                "monthly_resources_cents",
                "max_rent_cents",
                "unique_number",
                "situation",
                "problems",
                "wanted_typology",
                "wanted_sector",
            )
        }
        data_columns = (
            "unique_number",
            "situation",
            "problems",
            "monthly_resources_cents",
            "wanted_typology",
            "wanted_sector",
            "max_rent_cents",
        )
        for ext, demand_id in existing.items():
            i = items[ext]
            await Demand.update(
                {
                    **{getattr(Demand, c): i.get(c, defaults[c]) for c in data_columns},
                    Demand.registered_on: i["registered_on"],
                    Demand.version: Demand.version + 1,
                    Demand.updated_at: current,
                }
            ).where(Demand.id == demand_id)
        if fresh:
            await Demand.insert(
                *[
                    Demand(
                        household=i["household"],
                        external_id=i["external_id"],
                        registered_on=i["registered_on"],
                        status=i["status"],
                        status_on=i["registered_on"],
                        created_by=actor_.user_id,
                        created_at=current,
                        updated_at=current,
                        **{c: i[c] for c in data_columns if c in i},
                    )
                    for i in fresh
                ]
            )
        await write_audit(
            actor_,
            "import",
            "rental_agency_demand",
            None,
            [f"created:{result.created}", f"updated:{result.updated}"],
        )
    return result


@get("/rental_agency/import", guards=[STAFF])
async def import_page(request: Request) -> Template:
    """The demand import form, with the expected columns."""
    ensure_enabled(request)
    return render(request, "rental_agency/import.html", {"columns": COLUMNS, "result": None})


@post("/rental_agency/import", guards=[STAFF], request_max_body_size=MAX_BYTES + 100_000)
async def import_run(request: Request) -> Response:
    ensure_enabled(request)
    form = await request.form()
    upload = form.get("file")
    dry_run = str(form.get("dry_run", "")) in ("on", "1", "true")
    if not isinstance(upload, UploadFile) or not upload.filename:
        result = DemandImportResult(problems=["choisissez un fichier"], dry_run=dry_run)
    else:
        content = await upload.read()
        if len(content) > MAX_BYTES:
            result = DemandImportResult(problems=["fichier trop volumineux (5 Mo au plus)"])
        else:
            result = await run_import(actor(request), content, upload.filename, dry_run=dry_run)
    return render(
        request,
        "rental_agency/import.html",
        {"columns": COLUMNS, "result": result},
        status=200 if result.ok else 422,
    )


ROUTES = (import_page, import_run)
