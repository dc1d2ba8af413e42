"""Import last year's files from a spreadsheet: "load last year, get the report".

Layout (documented in ``docs/import.md``, template downloadable from the UI):

- XLSX with the sheets ``menages``, ``personnes``, ``accompagnements``;
- or one CSV (``;`` or ``,`` separated, UTF-8) with the columns of ``accompagnements``
  plus those of ``menages`` and of the reference person (``ref_…``), one row per enrolment.

Values may be given as codes (``isolated_man``) or as the French labels the UI shows
(``Homme isolé``). Every row is checked first; a single problem and nothing is written.
Rows are matched on their stable ``id_externe``: importing the same file twice updates the
records instead of duplicating them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment

from tremplin.db import transaction
from tremplin.models import Enrolment, Household, Membership, Person
from tremplin.plugins import PluginHost
from tremplin.services import audit
from tremplin.services.clock import now, today
from tremplin.services.households import refresh_search
from tremplin.text import normalise
from tremplin.types import Choice, FieldError
from tremplin.vocabulary import COMPOSITIONS, NATIONALITIES, RELATIONS, RESOURCES, SEXES, SITUATIONS

__all__ = ["COLUMNS", "ImportResult", "run_import", "template_xlsx"]

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "menages": [
        ("id_externe", "identifiant stable du ménage dans votre fichier (obligatoire)"),
        ("nom", "nom du ménage (obligatoire)"),
        ("composition", "Homme isolé, Femme isolée avec enfant(s), Couple avec enfant(s)…"),
        ("ressources", "une ou plusieurs, séparées par des virgules : RSA, Salaire…"),
        ("situation_avant_entree", "Hébergé chez des tiers, CHRS, Sans abri / rue…"),
    ],
    "personnes": [
        ("id_externe", "identifiant stable de la personne (obligatoire)"),
        ("id_menage", "id_externe du ménage (obligatoire)"),
        ("prenom", "obligatoire"),
        ("nom", "obligatoire"),
        ("date_naissance", "JJ/MM/AAAA ou AAAA-MM-JJ"),
        ("sexe", "F ou M"),
        ("nationalite", "Française, Union européenne, Hors Union européenne"),
        ("lien", "Personne de référence, Conjoint(e), Enfant…"),
        ("date_arrivee", "arrivée dans le ménage (par défaut : date d'orientation)"),
    ],
    "accompagnements": [
        ("id_externe", "identifiant stable de l'accompagnement (obligatoire)"),
        ("id_menage", "id_externe du ménage (obligatoire)"),
        ("programme", "clé ou nom du programme (obligatoire)"),
        ("etat", "clé ou nom de l'étape (par défaut : selon les dates)"),
        ("date_orientation", ""),
        ("prescripteur", "SIAO, Mission Locale…"),
        ("date_entree", ""),
        ("date_sortie", ""),
        ("destination_sortie", ""),
        ("motif_sortie", ""),
    ],
}

MAX_ROWS = 50_000


@dataclass
class ImportResult:
    """What an import did (or would do, with ``dry_run``), or every problem found."""

    problems: list[str] = field(default_factory=list)
    created: dict[str, int] = field(
        default_factory=lambda: {"menages": 0, "personnes": 0, "accompagnements": 0}
    )
    updated: dict[str, int] = field(
        default_factory=lambda: {"menages": 0, "personnes": 0, "accompagnements": 0}
    )
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return f"{len(self.problems)} problème(s) : rien n'a été importé."
        verb = "seraient" if self.dry_run else "ont été"
        parts = [f"{self.created[k]} {k} créés, {self.updated[k]} mis à jour" for k in self.created]
        return (
            f"Import {'(simulation) ' if self.dry_run else ''}: "
            + " ; ".join(parts)
            + f" ({verb} écrits)."
        )


def _choice(value: str, choices: tuple[Choice, ...]) -> str:
    wanted = normalise(value)
    for c in choices:
        if wanted in (normalise(c.value), normalise(c.label)):
            return c.value
    raise FieldError(
        f"valeur inconnue « {value} » (attendu : {', '.join(c.label for c in choices)})"
    )


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not 1900 <= day.year <= 2100:
            break
        return day
    raise FieldError(f"date invalide « {text} » (JJ/MM/AAAA)")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_tables(content: bytes, filename: str) -> dict[str, list[dict[str, Any]]]:
    """Sheets as lists of row dicts keyed by lower-case header; row numbers as in the file."""
    if filename.lower().endswith(".csv"):
        text = content.decode("utf-8-sig")
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=";,")
        rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
        flat = [
            {_text(k).lower(): v for k, v in r.items() if k} | {"_row": i + 2}
            for i, r in enumerate(rows)
        ]
        return _split_flat(flat)
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    tables: dict[str, list[dict[str, Any]]] = {}
    for name in COLUMNS:
        if name not in book.sheetnames:
            tables[name] = []
            continue
        rows = list(book[name].iter_rows(values_only=True))
        if not rows:
            tables[name] = []
            continue
        header = [_text(h).lower() for h in rows[0]]
        tables[name] = [
            {h: v for h, v in zip(header, r) if h} | {"_row": i + 2}
            for i, r in enumerate(rows[1:])
            if any(v not in (None, "") for v in r)
        ]
    return tables


def _split_flat(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """One CSV row per enrolment → the three tables (household and reference person)."""
    households, people, enrolments = {}, {}, []
    for r in rows:
        hid = _text(r.get("id_menage"))
        households.setdefault(
            hid,
            {
                "id_externe": hid,
                "nom": r.get("nom_menage"),
                "composition": r.get("composition"),
                "ressources": r.get("ressources"),
                "situation_avant_entree": r.get("situation_avant_entree"),
                "_row": r["_row"],
            },
        )
        if _text(r.get("ref_prenom")) or _text(r.get("ref_nom")):
            people.setdefault(
                hid,
                {
                    "id_externe": f"{hid}-ref",
                    "id_menage": hid,
                    "prenom": r.get("ref_prenom"),
                    "nom": r.get("ref_nom"),
                    "date_naissance": r.get("ref_date_naissance"),
                    "sexe": r.get("ref_sexe"),
                    "lien": "reference",
                    "_row": r["_row"],
                },
            )
        enrolments.append(r)
    return {
        "menages": list(households.values()),
        "personnes": list(people.values()),
        "accompagnements": enrolments,
    }


async def run_import(
    host: PluginHost,
    content: bytes,
    filename: str,
    *,
    dry_run: bool = False,
    user_id: int | None = None,
    address: str = "",
) -> ImportResult:
    """Check every row, then (unless ``dry_run``) write everything in one transaction."""
    result = ImportResult(dry_run=dry_run)
    try:
        tables = read_tables(content, filename)
    except Exception:
        result.problems.append(
            "fichier illisible : XLSX (feuilles menages, personnes, "
            "accompagnements) ou CSV UTF-8 attendu"
        )
        return result
    if sum(len(t) for t in tables.values()) > MAX_ROWS:
        result.problems.append(f"fichier trop grand (plus de {MAX_ROWS} lignes)")
        return result
    plan = _check(host, tables, result)
    if result.problems:
        return result
    async with transaction():
        await _write(plan, result, dry_run)
        if dry_run:
            return result
        await audit.record(
            "import",
            "file",
            None,
            user_id=user_id,
            fields=[f"{k}:{v}" for k, v in result.created.items()],
            address=address,
        )
    return result


def _check(host: PluginHost, tables: dict[str, list[dict[str, Any]]], result: ImportResult) -> dict:
    problems = result.problems

    def problem(sheet: str, row: dict, column: str, message: str) -> None:
        problems.append(f"{sheet}, ligne {row['_row']}, colonne « {column} » : {message}")

    households: dict[str, dict] = {}
    for r in tables["menages"]:
        hid = _text(r.get("id_externe"))
        if not hid:
            problem("menages", r, "id_externe", "obligatoire")
            continue
        if hid in households:
            problem("menages", r, "id_externe", f"« {hid} » apparaît deux fois")
            continue
        item = {
            "external_id": hid,
            "name": _text(r.get("nom")),
            "composition": "",
            "resources": [],
            "situation_before_entry": "",
        }
        if not item["name"]:
            problem("menages", r, "nom", "obligatoire")
        for column, key, choices in (
            ("composition", "composition", COMPOSITIONS),
            ("situation_avant_entree", "situation_before_entry", SITUATIONS),
        ):
            if _text(r.get(column)):
                try:
                    item[key] = _choice(_text(r.get(column)), choices)
                except FieldError as exc:
                    problem("menages", r, column, str(exc))
        for part in [p for p in _text(r.get("ressources")).split(",") if p.strip()]:
            try:
                item["resources"].append(_choice(part.strip(), RESOURCES))
            except FieldError as exc:
                problem("menages", r, "ressources", str(exc))
        households[hid] = item

    people: dict[str, dict] = {}
    for r in tables["personnes"]:
        pid, hid = _text(r.get("id_externe")), _text(r.get("id_menage"))
        if not pid:
            problem("personnes", r, "id_externe", "obligatoire")
            continue
        if pid in people:
            problem("personnes", r, "id_externe", f"« {pid} » apparaît deux fois")
            continue
        if hid not in households:
            problem("personnes", r, "id_menage", f"ménage « {hid} » absent de la feuille menages")
        item = {
            "external_id": pid,
            "household": hid,
            "first_name": _text(r.get("prenom")),
            "last_name": _text(r.get("nom")),
            "birth_date": None,
            "sex": "",
            "nationality": "",
            "relation": "other",
            "start_date": None,
        }
        for column, key in (("prenom", "first_name"), ("nom", "last_name")):
            if not item[key]:
                problem("personnes", r, column, "obligatoire")
        for column, key, choices in (
            ("sexe", "sex", SEXES),
            ("nationalite", "nationality", NATIONALITIES),
            ("lien", "relation", RELATIONS),
        ):
            if _text(r.get(column)):
                try:
                    item[key] = _choice(_text(r.get(column)), choices)
                except FieldError as exc:
                    problem("personnes", r, column, str(exc))
        for column, key in (("date_naissance", "birth_date"), ("date_arrivee", "start_date")):
            try:
                item[key] = _date(r.get(column))
            except FieldError as exc:
                problem("personnes", r, column, str(exc))
        if item["birth_date"] and item["birth_date"] > today():
            problem("personnes", r, "date_naissance", "date dans le futur")
        people[pid] = item

    enrolments: dict[str, dict] = {}
    names = {normalise(p.name_fr): k for k, p in host.programmes.items()}
    for r in tables["accompagnements"]:
        eid, hid = _text(r.get("id_externe")), _text(r.get("id_menage"))
        if not eid:
            problem("accompagnements", r, "id_externe", "obligatoire")
            continue
        if eid in enrolments:
            problem("accompagnements", r, "id_externe", f"« {eid} » apparaît deux fois")
            continue
        if hid not in households:
            problem("accompagnements", r, "id_menage", f"ménage « {hid} » absent")
        key = _text(r.get("programme"))
        programme = key if key in host.programmes else names.get(normalise(key))
        if programme is None:
            problem("accompagnements", r, "programme", f"programme inconnu ou désactivé « {key} »")
            continue
        prog, workflow = host.programmes[programme], host.workflows[programme]
        item = {"external_id": eid, "household": hid, "programme": programme}
        for column, k in (
            ("date_orientation", "referral_date"),
            ("date_entree", "entry_date"),
            ("date_sortie", "exit_date"),
        ):
            try:
                item[k] = _date(r.get(column))
            except FieldError as exc:
                problem("accompagnements", r, column, str(exc))
                item[k] = None
        if item["exit_date"] and item["entry_date"] and item["exit_date"] < item["entry_date"]:
            problem("accompagnements", r, "date_sortie", "la sortie précède l'entrée")
        if item["exit_date"] and not item["entry_date"] and not _text(r.get("etat")):
            problem("accompagnements", r, "date_entree", "une sortie sans date d'entrée")
        item["prescriber"], item["exit_destination"] = "", ""
        for column, k, choices in (
            ("prescripteur", "prescriber", prog.prescribers),
            ("destination_sortie", "exit_destination", prog.exit_destinations),
        ):
            if _text(r.get(column)):
                try:
                    item[k] = _choice(_text(r.get(column)), choices)
                except FieldError as exc:
                    problem("accompagnements", r, column, str(exc))
        item["exit_reason"] = _text(r.get("motif_sortie"))[:100]
        state = _text(r.get("etat"))
        if state:
            found = [
                s.key
                for s in workflow.states
                if normalise(state) in (normalise(s.key), normalise(s.label))
            ]
            if not found:
                problem("accompagnements", r, "etat", f"étape inconnue « {state} »")
            item["state"] = found[0] if found else workflow.initial
        else:
            item["state"] = _default_state(workflow, item)
        enrolments[eid] = item
    return {"households": households, "people": people, "enrolments": enrolments}


def _default_state(workflow, item: dict) -> str:
    """The first state of the matching phase: closed if exited, active if entered."""
    phase = "closed" if item["exit_date"] else "active" if item["entry_date"] else "referral"
    for s in workflow.states:
        if s.phase == phase:
            return s.key
    return workflow.initial


async def _write(plan: dict, result: ImportResult, dry_run: bool) -> None:
    current = now()
    ids: dict[str, int] = {}
    existing = {
        r["external_id"]: r["id"]
        for r in await Household.select(Household.id, Household.external_id).where(
            Household.external_id.is_in(list(plan["households"]) or ["\0"])
        )
    }
    for ext, h in plan["households"].items():
        values = {k: v for k, v in h.items() if k != "external_id"}
        if ext in existing:
            result.updated["menages"] += 1
            ids[ext] = existing[ext]
            if not dry_run:
                await Household.update({**values, "updated_at": current}).where(
                    Household.id == existing[ext]
                )
        else:
            result.created["menages"] += 1
            if not dry_run:
                row = await Household.insert(
                    Household(
                        reference=f"imp-{len(ids)}-{current.timestamp():.0f}"[:20],
                        external_id=ext,
                        created_at=current,
                        updated_at=current,
                        **values,
                    )
                ).returning(Household.id)
                ids[ext] = row[0]["id"]
                await Household.update({Household.reference: f"M-{ids[ext]:06d}"}).where(
                    Household.id == ids[ext]
                )
    referral = {
        e["household"]: e["referral_date"] or e["entry_date"] for e in plan["enrolments"].values()
    }
    people_existing = {
        r["external_id"]: r["id"]
        for r in await Person.select(Person.id, Person.external_id).where(
            Person.external_id.is_in(list(plan["people"]) or ["\0"])
        )
    }
    for ext, p in plan["people"].items():
        fields = {k: p[k] for k in ("first_name", "last_name", "birth_date", "sex", "nationality")}
        if ext in people_existing:
            result.updated["personnes"] += 1
            if not dry_run:
                await Person.update(fields).where(Person.id == people_existing[ext])
            continue
        result.created["personnes"] += 1
        if dry_run:
            continue
        row = await Person.insert(Person(external_id=ext, created_at=current, **fields)).returning(
            Person.id
        )
        await Membership.insert(
            Membership(
                household=ids[p["household"]],
                person=row[0]["id"],
                relation=p["relation"],
                start_date=p["start_date"] or referral.get(p["household"]) or today(),
            )
        )
    enrolment_existing = {
        r["external_id"]: r["id"]
        for r in await Enrolment.select(Enrolment.id, Enrolment.external_id).where(
            Enrolment.external_id.is_in(list(plan["enrolments"]) or ["\0"])
        )
    }
    for ext, e in plan["enrolments"].items():
        values = {
            k: e[k]
            for k in (
                "programme",
                "state",
                "referral_date",
                "entry_date",
                "exit_date",
                "prescriber",
                "exit_destination",
                "exit_reason",
            )
        }
        if ext in enrolment_existing:
            result.updated["accompagnements"] += 1
            if not dry_run:
                await Enrolment.update({**values, "updated_at": current}).where(
                    Enrolment.id == enrolment_existing[ext]
                )
            continue
        result.created["accompagnements"] += 1
        if not dry_run:
            await Enrolment.insert(
                Enrolment(
                    external_id=ext,
                    household=ids[e["household"]],
                    data={},
                    created_at=current,
                    updated_at=current,
                    **values,
                )
            )
    if not dry_run:
        for hid in set(ids.values()):
            await refresh_search(hid)


def template_xlsx() -> bytes:
    """The empty layout; each header carries its help as a cell comment."""
    book = Workbook()
    book.remove(book.active)
    for sheet, columns in COLUMNS.items():
        ws = book.create_sheet(sheet)
        ws.append([c for c, _ in columns])
        for cell, (_, help_text) in zip(ws[1], columns):
            if help_text:
                cell.comment = Comment(help_text, "Tremplin")
            ws.column_dimensions[cell.column_letter].width = max(14, len(cell.value) + 4)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
