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

import asyncio
import csv
import datetime as dt
import functools
import io
import json
import pickle
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from piccolo.engine.sqlite import SQLiteEngine
from python_calamine import CalamineWorkbook

from tremplin.db import current_engine, transaction
from tremplin.db.bulk import bulk_insert
from tremplin.i18n import N_, get_language, gettext, ngettext, use_language
from tremplin.models import Enrolment, Household, Membership, Person
from tremplin.plugins import PluginHost
from tremplin.services import audit, clock
from tremplin.services.clock import now, today
from tremplin.services.households import refresh_search
from tremplin.services.jobs import in_process
from tremplin.text import normalise
from tremplin.types import Choice, FieldError
from tremplin.vocabulary import COMPOSITIONS, NATIONALITIES, RELATIONS, RESOURCES, SEXES, SITUATIONS

__all__ = ["COLUMNS", "ImportResult", "run_import", "template_xlsx"]

COLUMNS: dict[str, list[tuple[str, str]]] = {
    "menages": [
        ("id_externe", N_("identifiant stable du ménage dans votre fichier (obligatoire)")),
        ("nom", N_("nom du ménage (obligatoire)")),
        ("composition", N_("Homme isolé, Femme isolée avec enfant(s), Couple avec enfant(s)…")),
        ("ressources", N_("une ou plusieurs, séparées par des virgules : RSA, Salaire…")),
        ("situation_avant_entree", N_("Hébergé chez des tiers, CHRS, Sans abri / rue…")),
    ],
    "personnes": [
        ("id_externe", N_("identifiant stable de la personne (obligatoire)")),
        ("id_menage", N_("id_externe du ménage (obligatoire)")),
        ("prenom", N_("obligatoire")),
        ("nom", N_("obligatoire")),
        ("date_naissance", N_("JJ/MM/AAAA ou AAAA-MM-JJ")),
        ("sexe", N_("F ou M")),
        ("nationalite", N_("Française, Union européenne, Hors Union européenne")),
        ("lien", N_("Personne de référence, Conjoint(e), Enfant…")),
        ("date_arrivee", N_("arrivée dans le ménage (par défaut : date d'orientation)")),
    ],
    "accompagnements": [
        ("id_externe", N_("identifiant stable de l'accompagnement (obligatoire)")),
        ("id_menage", N_("id_externe du ménage (obligatoire)")),
        ("programme", N_("clé ou nom du programme (obligatoire)")),
        ("etat", N_("clé ou nom de l'étape (par défaut : selon les dates)")),
        ("date_orientation", ""),
        ("prescripteur", N_("SIAO, Mission Locale…")),
        ("date_entree", ""),
        ("date_sortie", ""),
        ("destination_sortie", ""),
        ("motif_sortie", ""),
    ],
}

MAX_ROWS = 50_000

#: Columns of the one-row-per-enrolment CSV, besides those of ``accompagnements``.
CSV_EXTRA = [
    ("nom_menage", "nom du ménage"),
    ("composition", ""),
    ("ressources", ""),
    ("situation_avant_entree", ""),
    ("ref_prenom", "prénom de la personne de référence"),
    ("ref_nom", "nom de la personne de référence"),
    ("ref_date_naissance", ""),
    ("ref_sexe", ""),
]

#: French spellings people type in their own spreadsheets, by column (compared once
#: normalised: lower case, no accents, words joined by « _ »).
ALIASES: dict[str, tuple[str, ...]] = {
    "id_externe": ("identifiant", "id", "numero", "numero_dossier", "reference_externe"),
    "id_menage": ("menage", "identifiant_menage", "id_du_menage", "numero_menage"),
    "nom": ("nom_de_famille", "patronyme"),
    "nom_menage": ("nom_du_menage",),
    "composition": ("composition_familiale", "composition_du_menage", "type_de_menage"),
    "ressources": ("ressource", "revenus", "type_de_ressources"),
    "situation_avant_entree": ("situation_avant_l_entree", "situation_anterieure", "provenance"),
    "prenom": ("prenoms",),
    "date_naissance": ("date_de_naissance", "ne_le", "nee_le", "naissance"),
    "sexe": ("genre",),
    "nationalite": ("nationalites",),
    "lien": ("lien_de_parente", "lien_avec_la_personne_de_reference", "relation"),
    "date_arrivee": ("date_d_arrivee", "arrivee", "date_arrivee_dans_le_menage"),
    "programme": ("dispositif", "mesure"),
    "etat": ("etape", "statut"),
    "date_orientation": ("date_d_orientation", "orientation", "date_de_l_orientation"),
    "prescripteur": ("orienteur", "orientation_par", "orientee_par", "oriente_par"),
    "date_entree": ("date_d_entree", "entree", "date_de_l_entree"),
    "date_sortie": ("date_de_sortie", "sortie", "date_de_la_sortie"),
    "destination_sortie": ("destination", "destination_a_la_sortie", "orientation_a_la_sortie"),
    "motif_sortie": ("motif", "motif_de_sortie", "motif_de_la_sortie"),
    "ref_prenom": ("prenom_ref", "prenom_reference", "prenom_de_la_personne_de_reference"),
    "ref_nom": ("nom_ref", "nom_reference", "nom_de_la_personne_de_reference"),
    "ref_date_naissance": ("date_naissance_ref", "date_de_naissance_ref"),
    "ref_sexe": ("sexe_ref",),
}

#: The template's example rows carry this ``id_externe`` prefix and are never imported.
EXAMPLE_PREFIX = "EXEMPLE"


class HeaderError(Exception):
    """A column the import does not know: it would be silently lost, so nothing is imported."""


def header_key(header: Any) -> str:
    """``"Date d'entrée "`` → ``"date_d_entree"``: lower case, accent-free, words joined by _."""
    words = "".join(c if c.isalnum() else " " for c in normalise(_text(header)))
    return "_".join(words.split())


def resolve_headers(sheet: str, headers: list[Any], known: list[str]) -> list[str | None]:
    """Each header's column key (``None`` for an empty header). A header that is neither a
    column nor one of its French spellings stops the import, naming the closest column."""
    import difflib

    lookup = {k: k for k in known}
    for key in known:
        for alias in ALIASES.get(key, ()):
            lookup.setdefault(alias, key)
    out: list[str | None] = []
    unknown: list[str] = []
    for header in headers:
        if _text(header) == "":
            out.append(None)
            continue
        found = lookup.get(header_key(header))
        if found is None:
            close = difflib.get_close_matches(header_key(header), list(lookup), n=1, cutoff=0.5)
            hint = (
                gettext(" — vouliez-vous dire « {column} » ?").format(column=lookup[close[0]])
                if close
                else ""
            )
            unknown.append(
                gettext("{sheet} : colonne inconnue « {header} »").format(
                    sheet=sheet, header=_text(header)
                )
                + hint
            )
        out.append(found)
    seen = [k for k in out if k]
    twice = sorted({k for k in seen if seen.count(k) > 1})
    unknown += [
        gettext("{sheet} : la colonne « {column} » apparaît deux fois").format(
            sheet=sheet, column=k
        )
        for k in twice
    ]
    if unknown:
        raise HeaderError("\n".join(unknown))
    return out


def _counted(sheet: str, created: int, updated: int, unchanged: int = 0) -> str:
    """« 3 ménages créés, 1 mis à jour », « 1 personne créée, 0 mise à jour, 2 inchangées »
    (French agreement: singular for 0 and 1, the noun's gender on every participle; the
    rows a re-import leaves as they were are told apart, when there are any). Each count
    is its own ``ngettext`` message, so that every language agrees its own way."""
    if sheet == "menages":
        made = ngettext("{n} ménage créé", "{n} ménages créés", created)
        changed = ngettext("{n} mis à jour", "{n} mis à jour", updated)
        same = ngettext("{n} inchangé", "{n} inchangés", unchanged)
    elif sheet == "personnes":
        made = ngettext("{n} personne créée", "{n} personnes créées", created)
        changed = ngettext("{n} mise à jour", "{n} mises à jour", updated)
        same = ngettext("{n} inchangée", "{n} inchangées", unchanged)
    else:
        made = ngettext("{n} accompagnement créé", "{n} accompagnements créés", created)
        changed = ngettext("{n} mis à jour", "{n} mis à jour", updated)
        same = ngettext("{n} inchangé", "{n} inchangés", unchanged)
    parts = [made.format(n=created), changed.format(n=updated)]
    if unchanged:
        parts.append(same.format(n=unchanged))
    return ", ".join(parts)


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
    #: Rows already in the database that the file leaves as they are (nothing written).
    unchanged: dict[str, int] = field(
        default_factory=lambda: {"menages": 0, "personnes": 0, "accompagnements": 0}
    )
    dry_run: bool = False
    #: The households the file names (created or updated), for the links of the result page.
    household_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return gettext("{n} problème(s) : rien n'a été importé.").format(n=len(self.problems))
        parts = " ; ".join(
            _counted(k, self.created[k], self.updated[k], self.unchanged[k]) for k in self.created
        )
        if self.dry_run:
            return gettext("Import (simulation) : {parts} (seraient écrits).").format(parts=parts)
        return gettext("Import : {parts} (ont été écrits).").format(parts=parts)


@functools.lru_cache(maxsize=256)
def _choice_lookup(choices: tuple[Choice, ...]) -> dict[str, str]:
    """Normalised code and label → code; the first choice wins, as in the list's order."""
    lookup: dict[str, str] = {}
    for c in choices:
        lookup.setdefault(normalise(c.value), c.value)
        lookup.setdefault(normalise(c.label), c.value)
    return lookup


def _choice(value: str, choices: tuple[Choice, ...]) -> str:
    found = _choice_lookup(tuple(choices)).get(normalise(value))
    if found is not None:
        return found
    raise FieldError(
        gettext("valeur inconnue « {value} » (attendu : {choices})").format(
            value=value, choices=", ".join(gettext(c.label) for c in choices)
        )
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
    raise FieldError(gettext("date invalide « {text} » (JJ/MM/AAAA)").format(text=text))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


class TooLarge(Exception):
    """The file has more rows than :data:`MAX_ROWS`; counted while reading, not after."""


def decode_csv(content: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else Windows-1252 (French Excel's
    default « CSV (séparateur : point-virgule) »)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="strict")


def _cell(value: Any) -> Any:
    """A spreadsheet number that is whole (an identifier typed as 123) reads as 123, not 123.0."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _example(row: dict[str, Any]) -> bool:
    return _text(row.get("id_externe")).upper().startswith(EXAMPLE_PREFIX)


def read_tables(
    content: bytes, filename: str, max_rows: int = MAX_ROWS
) -> dict[str, list[dict[str, Any]]]:
    """Sheets as lists of row dicts keyed by column; row numbers as in the file.

    Raises :class:`HeaderError` for a column it does not know and :class:`TooLarge` as soon
    as more than ``max_rows`` rows have been read. The template's example rows are skipped.
    """
    if filename.lower().endswith(".csv"):
        text = decode_csv(content)
        first = text.splitlines()[0] if text else ","
        dialect = csv.Sniffer().sniff(first, delimiters=";,")
        reader = csv.reader(io.StringIO(text), dialect=dialect)
        header: list[Any] = next(reader, [])
        known = [c for c, _ in COLUMNS["accompagnements"]] + [c for c, _ in CSV_EXTRA]
        keys = resolve_headers("CSV", header, known)
        flat = []
        values: list[Any]
        for i, values in enumerate(reader):
            if i >= max_rows:
                raise TooLarge
            row = {k: v for k, v in zip(keys, values) if k} | {"_row": i + 2}
            if any(v not in (None, "") for k, v in row.items() if k != "_row"):
                if not _example(row):
                    flat.append(row)
        return _split_flat(flat)
    # calamine (Rust) reads a 10,000-household workbook in a fraction of a second, where
    # openpyxl's read-only mode took about ten.
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    tables: dict[str, list[dict[str, Any]]] = {}
    count, problems = 0, []
    for name in COLUMNS:
        tables[name] = []
        if name not in book.sheet_names:
            continue
        rows = book.get_sheet_by_name(name).iter_rows()
        top_row = next(rows, None)
        if top_row is None:
            continue
        try:
            keys = resolve_headers(name, list(top_row), [c for c, _ in COLUMNS[name]])
        except HeaderError as exc:
            problems.append(str(exc))
            continue
        for i, values in enumerate(rows):
            if not any(v not in (None, "") for v in values):
                continue
            count += 1
            if count > max_rows:
                raise TooLarge
            row = {k: _cell(v) for k, v in zip(keys, values) if k} | {"_row": i + 2}
            if not _example(row):
                tables[name].append(row)
    if problems:
        raise HeaderError("\n".join(problems))
    return tables


def _split_flat(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """One CSV row per enrolment → the three tables (household and reference person)."""
    households: dict[str, dict[str, Any]] = {}
    people: dict[str, dict[str, Any]] = {}
    enrolments: list[dict[str, Any]] = []
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
    progress: Callable[[int, str], Awaitable[None]] | None = None,
) -> ImportResult:
    """Check every row, then (unless ``dry_run``) write everything in one transaction.
    ``progress`` (a job's, :mod:`tremplin.services.jobs`) is told each step."""
    result = ImportResult(dry_run=dry_run)

    async def step(percent: int, text: str) -> None:
        if progress is not None:
            await progress(percent, text)

    await step(5, "Lecture et vérification du fichier")
    # Reading and checking are CPU work: in a worker process, so that the event loop (and
    # its GIL) keeps serving every other request meanwhile.
    status, plan, problems = await in_process(
        read_and_check, check_spec(host), content, filename, clock.zone(), get_language()
    )
    if status == "header":
        result.problems.extend(problems)
        result.problems.append(
            gettext(
                "renommez ces colonnes comme dans le modèle (ou supprimez-les) : une colonne "
                "inconnue serait perdue"
            )
        )
        return result
    if status == "too_large":
        result.problems.append(
            gettext("fichier trop grand (plus de {n} lignes)").format(n=MAX_ROWS)
        )
        return result
    if status == "unreadable":
        result.problems.append(
            gettext(
                "fichier illisible : XLSX (feuilles menages, personnes, "
                "accompagnements) ou CSV (UTF-8 ou Windows-1252) attendu"
            )
        )
        return result
    result.problems.extend(problems)
    if result.problems:
        return result
    if dry_run:
        # Reads only: no write transaction (on SQLite it would hold the database's write
        # lock, and every other writer would wait, for the whole check).
        await step(60, "Vérification en base")
        await _write(plan, result, dry_run)
        return result
    await step(60, "Écriture")
    async with transaction():
        await _write(plan, result, dry_run)
        await audit.record(
            "import",
            "file",
            None,
            user_id=user_id,
            fields=[f"{k}:{v}" for k, v in result.created.items()],
            address=address,
        )
    return result


@dataclass(frozen=True)
class _ProgrammeSpec:
    name_fr: str
    prescribers: tuple[Choice, ...]
    exit_destinations: tuple[Choice, ...]


@dataclass(frozen=True)
class _StateSpec:
    key: str
    label: str
    phase: str


@dataclass(frozen=True)
class _WorkflowSpec:
    states: tuple[_StateSpec, ...]
    initial: str


@dataclass(frozen=True)
class CheckSpec:
    """What the check needs of the enabled programmes, in a form that crosses to a worker
    process (the plugin host does not)."""

    programmes: dict[str, _ProgrammeSpec]
    workflows: dict[str, _WorkflowSpec]


def check_spec(host: PluginHost) -> CheckSpec:
    return CheckSpec(
        {
            k: _ProgrammeSpec(p.name_fr, tuple(p.prescribers), tuple(p.exit_destinations))
            for k, p in host.programmes.items()
        },
        {
            k: _WorkflowSpec(
                tuple(_StateSpec(s.key, s.label, s.phase) for s in w.states), w.initial
            )
            for k, w in host.workflows.items()
            if k in host.programmes
        },
    )


def read_and_check(
    spec: CheckSpec, content: bytes, filename: str, zone: Any, language: str = "fr"
) -> tuple[str, dict | None, list[str]]:
    """Read and check a file (in a worker process): (status, plan, problems), status one of
    ``ok``, ``header`` (problems name the unknown columns), ``too_large``, ``unreadable``.
    The row limit is checked while reading; the problems are told in ``language`` (the
    request's: a worker process does not share its context)."""
    clock.use_zone(zone)
    with use_language(language):
        return _read_and_check(spec, content, filename)


def _read_and_check(
    spec: CheckSpec, content: bytes, filename: str
) -> tuple[str, dict | None, list[str]]:
    try:
        tables = read_tables(content, filename)
    except HeaderError as exc:
        return "header", None, str(exc).splitlines()
    except TooLarge:
        return "too_large", None, []
    except Exception:
        return "unreadable", None, []
    result = ImportResult()
    plan = _check(spec, tables, result)
    return "ok", (None if result.problems else _pack(plan)), result.problems


#: Rows per pickled chunk of a checked plan. The plan crosses back from the worker process
#: as a list of small pickles: unpickling the whole 49,000-row plan at once held the GIL
#: (hence the event loop) for about 0.8 s; the loop now unpacks one chunk (about 1 ms) and
#: looks its rows up in one statement between two awaits.
PLAN_CHUNK = 1000


def _pack(plan: dict) -> dict[str, list[bytes]]:
    """The plan as chunks of pickled rows, with what the writer would otherwise compute on
    the event loop done here: each household's search text (its members' names) and each
    person's membership start (their household's referral date)."""
    members: dict[str, list[str]] = {}
    for p in plan["people"].values():
        members.setdefault(p["household"], []).append(f"{p['first_name']} {p['last_name']}")
    referral = {
        e["household"]: e["referral_date"] or e["entry_date"] for e in plan["enrolments"].values()
    }
    tables = {
        "households": [
            h | {"search": normalise(h["name"], _REF, *members.get(ext, []))}
            for ext, h in plan["households"].items()
        ],
        "people": [
            p | {"start": p["start_date"] or referral.get(p["household"])}
            for p in plan["people"].values()
        ],
        "enrolments": list(plan["enrolments"].values()),
    }
    return {
        name: [
            pickle.dumps(rows[i : i + PLAN_CHUNK], protocol=pickle.HIGHEST_PROTOCOL)
            for i in range(0, len(rows), PLAN_CHUNK)
        ]
        for name, rows in tables.items()
    }


async def _chunks_of(packed: list[bytes]) -> AsyncIterator[list[dict[str, Any]]]:
    """The rows of a packed table, a chunk at a time, letting other requests run between."""
    for data in packed:
        await asyncio.sleep(0)
        yield pickle.loads(data)


def _check(host: Any, tables: dict[str, list[dict[str, Any]]], result: ImportResult) -> dict:
    problems = result.problems

    def problem(sheet: str, row: dict, column: str, message: str) -> None:
        problems.append(
            gettext("{sheet}, ligne {row}, colonne « {column} » : {message}").format(
                sheet=sheet, row=row["_row"], column=column, message=message
            )
        )

    households: dict[str, dict] = {}
    for r in tables["menages"]:
        hid = _text(r.get("id_externe"))
        if not hid:
            problem("menages", r, "id_externe", gettext("obligatoire"))
            continue
        if hid in households:
            problem(
                "menages", r, "id_externe", gettext("« {id} » apparaît deux fois").format(id=hid)
            )
            continue
        item: dict[str, Any] = {
            "external_id": hid,
            "name": _text(r.get("nom")),
            "composition": "",
            "resources": [],
            "situation_before_entry": "",
        }
        if not item["name"]:
            problem("menages", r, "nom", gettext("obligatoire"))
        choices: tuple[Choice, ...]
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
            problem("personnes", r, "id_externe", gettext("obligatoire"))
            continue
        if pid in people:
            problem(
                "personnes", r, "id_externe", gettext("« {id} » apparaît deux fois").format(id=pid)
            )
            continue
        if hid not in households:
            problem(
                "personnes",
                r,
                "id_menage",
                gettext("ménage « {id} » absent de la feuille menages").format(id=hid),
            )
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
                problem("personnes", r, column, gettext("obligatoire"))
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
            problem("personnes", r, "date_naissance", gettext("date dans le futur"))
        people[pid] = item

    enrolments: dict[str, dict] = {}
    names = {normalise(p.name_fr): k for k, p in host.programmes.items()}
    for r in tables["accompagnements"]:
        eid, hid = _text(r.get("id_externe")), _text(r.get("id_menage"))
        if not eid:
            problem("accompagnements", r, "id_externe", gettext("obligatoire"))
            continue
        if eid in enrolments:
            problem(
                "accompagnements",
                r,
                "id_externe",
                gettext("« {id} » apparaît deux fois").format(id=eid),
            )
            continue
        if hid not in households:
            problem(
                "accompagnements", r, "id_menage", gettext("ménage « {id} » absent").format(id=hid)
            )
        key = _text(r.get("programme"))
        programme = key if key in host.programmes else names.get(normalise(key))
        if programme is None:
            problem(
                "accompagnements",
                r,
                "programme",
                gettext("programme inconnu ou désactivé « {key} »").format(key=key),
            )
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
        # The same order as in the forms: orientation ≤ entry ≤ exit, no future orientation.
        referral, entry, leaving = item["referral_date"], item["entry_date"], item["exit_date"]
        if referral and referral > today():
            problem(
                "accompagnements",
                r,
                "date_orientation",
                gettext("date d'orientation dans le futur"),
            )
        if entry and referral and entry < referral:
            problem("accompagnements", r, "date_entree", gettext("l'entrée précède l'orientation"))
        if leaving and referral and leaving < referral and not (entry and leaving < entry):
            problem("accompagnements", r, "date_sortie", gettext("la sortie précède l'orientation"))
        if leaving and entry and leaving < entry:
            problem("accompagnements", r, "date_sortie", gettext("la sortie précède l'entrée"))
        if item["exit_date"] and not item["entry_date"] and not _text(r.get("etat")):
            problem("accompagnements", r, "date_entree", gettext("une sortie sans date d'entrée"))
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
                problem(
                    "accompagnements",
                    r,
                    "etat",
                    gettext("étape inconnue « {state} »").format(state=state),
                )
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


#: Where the reference goes in the search text of a household inserted in bulk: its
#: reference (M-000123) is known only once the row has its id.
_REF = "@ref@"


async def _existing(table: Any, columns: list[Any], external_ids: list[str]) -> dict[str, dict]:
    """The rows of ``table`` whose ``external_id`` is one of ``external_ids``, by it.

    One statement with the ids as a single parameter (an array on PostgreSQL, a JSON list
    on SQLite), on the unique ``external_id`` index: building Piccolo's ``IN (…)`` of a
    parameter per id cost most of the check's time on the event loop."""
    if not external_ids:
        return {}
    names = ", ".join(f'"{c._meta.db_column_name}"' for c in [table.id, *columns])
    sql = f'SELECT {names}, "external_id" FROM "{table._meta.tablename}" WHERE "external_id" '
    if isinstance(current_engine(), SQLiteEngine):
        rows = await table.raw(
            sql + "IN (SELECT value FROM json_each({}))", json.dumps(external_ids)
        )
    else:
        rows = await table.raw(sql + "= ANY({})", external_ids)
    return {row["external_id"]: row for row in rows}


def _changed(row: dict[str, Any], values: dict[str, Any]) -> bool:
    return any(row.get(k) != v for k, v in values.items())


async def _write(plan: dict[str, list[bytes]], result: ImportResult, dry_run: bool) -> None:
    """Write the checked plan (packed by :func:`_pack`) in bulk: a few INSERT statements per
    table, an UPDATE only for a row the file changes. Fills ``result`` (counts, and the
    households' ids). Runs on the event loop a chunk at a time (:data:`PLAN_CHUNK` rows,
    one look-up of their existing rows), so that other requests keep being served."""
    current = now()
    ids: dict[str, int] = {}
    touched: set[int] = set()  # existing households whose search text must be recomputed
    existing_households: set[str] = set()
    household_columns = ["name", "composition", "resources", "situation_before_entry"]
    new_households: list[list[Any]] = []
    async for chunk in _chunks_of(plan["households"]):
        existing = await _existing(
            Household,
            [getattr(Household, c) for c in household_columns],
            [h["external_id"] for h in chunk],
        )
        for h in chunk:
            ext = h["external_id"]
            values = {k: h[k] for k in household_columns}
            if ext in existing:
                existing_households.add(ext)
                row = existing[ext]
                ids[ext] = row["id"]
                if isinstance(row.get("resources"), str):
                    row["resources"] = json.loads(row["resources"])
                if not _changed(row, values):
                    result.unchanged["menages"] += 1
                    continue
                result.updated["menages"] += 1
                if not dry_run:
                    await Household.update({**values, "updated_at": current}).where(  # type: ignore[dict-item]  # str keys: Piccolo's dict[Column | str, Any] is invariant
                        Household.id == row["id"]
                    )
                    touched.add(row["id"])
            else:
                result.created["menages"] += 1
                if not dry_run:
                    new_households.append(
                        [f"imp{len(new_households)}-{secrets.token_hex(6)}", ext, h["search"]]
                        + [current, current]
                        + [values[c] for c in household_columns]
                    )
    if not dry_run and new_households:
        columns = ["reference", "external_id", "search_text", "created_at", "updated_at"]
        columns += household_columns
        for row in await bulk_insert("household", columns, new_households, ("id", "external_id")):
            ids[row["external_id"]] = row["id"]
        # References are made from the ids, in one statement per engine dialect.
        reference = (
            "printf('M-%06d', id)"
            if isinstance(current_engine(), SQLiteEngine)
            else "'M-' || lpad(id::text, 6, '0')"
        )
        await Household.raw(
            f"UPDATE household SET reference = {reference}, "
            f"search_text = replace(search_text, '{_REF}', lower({reference})) "
            "WHERE reference LIKE 'imp%'"
        )
    result.household_ids = sorted(ids.values())

    person_columns = ["first_name", "last_name", "birth_date", "sex", "nationality"]
    new_people = []
    async for chunk in _chunks_of(plan["people"]):
        people_existing = await _existing(
            Person, [getattr(Person, c) for c in person_columns], [p["external_id"] for p in chunk]
        )
        memberships = {}
        if people_existing:
            for m in await Membership.select(
                Membership.id,
                Membership.person,
                Membership.household,
                Membership.relation,
                Membership.start_date,
            ).where(
                Membership.person.is_in([r["id"] for r in people_existing.values()])
                & Membership.end_date.is_null()
            ):
                memberships[m["person"]] = m
        for p in chunk:
            ext = p["external_id"]
            fields = {k: p[k] for k in person_columns}
            start = p["start"] or today()
            if ext not in people_existing:
                result.created["personnes"] += 1
                if not dry_run:
                    new_people.append((ext, fields, p, start))
                continue
            row = people_existing[ext]
            # The file says where the person lives, as what, since when: follow it. (In a
            # simulation, a household the file creates has no id yet: the person moves.)
            link = {
                "household": ids.get(p["household"], 0),
                "relation": p["relation"],
                "start_date": p["start_date"]
                or (memberships.get(row["id"]) or {}).get("start_date")
                or start,
            }
            current_link = memberships.get(row["id"])
            person_changed = _changed(row, fields)
            if not person_changed and current_link is not None and not _changed(current_link, link):
                result.unchanged["personnes"] += 1
                continue
            result.updated["personnes"] += 1
            if dry_run:
                continue
            if person_changed:
                await Person.update(fields).where(Person.id == row["id"])  # type: ignore[arg-type]  # str keys: Piccolo's dict[Column | str, Any] is invariant
                touched.add(ids[p["household"]])
            if current_link is None:
                await Membership.insert(Membership(person=row["id"], **link))
                touched.add(link["household"])
            elif _changed(current_link, link):
                await Membership.update(link).where(Membership.id == current_link["id"])  # type: ignore[arg-type]  # str keys: Piccolo's dict[Column | str, Any] is invariant
                touched.update({current_link["household"], link["household"]})
    if not dry_run and new_people:
        inserted = await bulk_insert(
            "person",
            ["external_id", "created_at", *person_columns],
            [[ext, current, *fields.values()] for ext, fields, _, _ in new_people],
            ("id", "external_id"),
        )
        person_id = {r["external_id"]: r["id"] for r in inserted}
        await bulk_insert(
            "membership",
            ["household", "person", "relation", "start_date"],
            [
                [ids[p["household"]], person_id[ext], p["relation"], start]
                for ext, _, p, start in new_people
            ],
        )
        touched.update(
            ids[p["household"]]
            for _, _, p, _ in new_people
            if p["household"] in existing_households
        )

    enrolment_columns = [
        "household",
        "programme",
        "state",
        "referral_date",
        "entry_date",
        "exit_date",
        "prescriber",
        "exit_destination",
        "exit_reason",
    ]
    names = [k for k in enrolment_columns if k != "household"]
    new_enrolments = []
    externals: list[str] = []
    async for chunk in _chunks_of(plan["enrolments"]):
        enrolment_existing = await _existing(
            Enrolment,
            [getattr(Enrolment, c) for c in enrolment_columns],
            [e["external_id"] for e in chunk],
        )
        for e in chunk:
            ext = e["external_id"]
            values = {k: e[k] for k in names}
            if ext in enrolment_existing:
                row = enrolment_existing[ext]
                values["household"] = ids.get(e["household"], 0)
                if not _changed(row, values):
                    result.unchanged["accompagnements"] += 1
                    continue
                result.updated["accompagnements"] += 1
                externals.append(ext)
                if not dry_run:
                    await Enrolment.update(
                        {**values, "updated_at": current, "version": Enrolment.version + 1}  # type: ignore[dict-item]  # str keys: Piccolo's dict[Column | str, Any] is invariant
                    ).where(Enrolment.id == row["id"])
                continue
            result.created["accompagnements"] += 1
            externals.append(ext)
            if not dry_run:
                new_enrolments.append(
                    [ext, ids[e["household"]], {}, current, current, *(values[k] for k in names)]
                )
    if not dry_run:
        await bulk_insert(
            "enrolment",
            ["external_id", "household", "data", "created_at", "updated_at", *names],
            new_enrolments,
        )
        for household_id in sorted(touched):
            await refresh_search(household_id)
        # The due dates of the enrolments the file creates or changes, and of the households
        # whose people it changes (an age can set a due date), in its transaction; an
        # unchanged row keeps its due dates untouched.
        from tremplin.services import deadlines

        refresh: set[int] = set()
        for start in range(0, len(externals), 5000):
            refresh.update(
                r["id"]
                for r in await Enrolment.select(Enrolment.id).where(
                    Enrolment.external_id.is_in(externals[start : start + 5000])
                )
            )
        households = sorted(touched)
        for start in range(0, len(households), 5000):
            refresh.update(
                r["id"]
                for r in await Enrolment.select(Enrolment.id).where(
                    Enrolment.household.is_in(households[start : start + 5000])
                )
            )
        await deadlines.refresh_many(refresh)


#: The template's example row of each sheet (its id_externe starts with EXEMPLE: skipped).
EXAMPLES = {
    "menages": ["EXEMPLE-M1", "MARTIN Éléonore", "Femme isolée avec enfant(s)", "RSA", "CHRS"],
    "personnes": [
        "EXEMPLE-P1",
        "EXEMPLE-M1",
        "Éléonore",
        "MARTIN",
        "12/05/1990",
        "F",
        "Française",
        "Personne de référence",
        "10/01/2024",
    ],
    "accompagnements": [
        "EXEMPLE-A1",
        "EXEMPLE-M1",
        "",
        "",
        "10/01/2024",
        "",
        "01/03/2024",
        "",
        "",
        "",
    ],
}


def template_xlsx(host: PluginHost | None = None) -> bytes:
    """The layout: each header carries its help as a cell comment, row 2 is an example
    (never imported), and every column with a list of values offers it as a drop-down."""
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    book.remove(book.active)
    lists: dict[str, list[str]] = {
        "composition": [c.label for c in COMPOSITIONS],
        "situation_avant_entree": [c.label for c in SITUATIONS],
        "sexe": [c.label for c in SEXES],
        "nationalite": [c.label for c in NATIONALITIES],
        "lien": [c.label for c in RELATIONS],
    }
    examples = {k: list(v) for k, v in EXAMPLES.items()}
    if host is not None and host.programmes:
        programmes = list(host.programmes.values())
        lists["programme"] = [p.name_fr for p in programmes]
        lists["prescripteur"] = sorted({c.label for p in programmes for c in p.prescribers})
        lists["destination_sortie"] = sorted(
            {c.label for p in programmes for c in p.exit_destinations}
        )
        first = programmes[0]
        examples["accompagnements"][2] = first.name_fr
        examples["accompagnements"][5] = first.prescribers[0].label if first.prescribers else ""
    # The lists live on a hidden sheet: a drop-down written inline is limited to 255 characters.
    values = book.create_sheet("listes")
    values.sheet_state = "hidden"
    ranges = {}
    for col, (name, items) in enumerate(lists.items(), start=1):
        letter = values.cell(row=1, column=col).column_letter
        values.cell(row=1, column=col, value=name)
        for i, item in enumerate(items, start=2):
            values.cell(row=i, column=col, value=item)
        ranges[name] = f"listes!${letter}$2:${letter}${len(items) + 1}"
    for sheet, columns in COLUMNS.items():
        ws = book.create_sheet(sheet, index=len(book.sheetnames) - 1)
        ws.append([c for c, _ in columns])
        ws.append(examples[sheet])
        for cell, (name, help_text) in zip(ws[1], columns):
            if help_text:
                cell.comment = Comment(help_text, "Tremplin")
            ws.column_dimensions[cell.column_letter].width = max(14, len(cell.value) + 4)
            if name in ranges:
                check = DataValidation(
                    type="list",
                    formula1=f"={ranges[name]}",
                    allow_blank=True,
                    showErrorMessage=True,
                    errorTitle="Valeur inconnue",
                    error="Choisissez une valeur de la liste.",
                )
                check.add(f"{cell.column_letter}2:{cell.column_letter}{MAX_ROWS + 1}")
                ws.add_data_validation(check)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
