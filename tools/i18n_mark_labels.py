"""Mark the French labels of the Python code for gettext extraction: ``"Sorties"`` →
``N_("Sorties")``.

Idempotent: a string already inside ``N_()``, ``_()``, ``gettext()``… is left alone, so the
script can be re-run on a newer tree (after a merge) and only marks what is new. It marks
the string literals given to the label-carrying declarations of :mod:`tremplin.types`
(``Choice``, ``Field``, ``State``, ``Transition``, ``EventType``, ``IndicatorRow``,
``IndicatorTable``, ``ReportSection``…) and the values of module-level dictionaries of
labels named in ``LABEL_DICTS``, the messages of a form (``errors["field"] = "…"``) and
of a raised exception (``raise FieldError("…")``). ``N_`` only marks: the text is translated where it is
shown (the report engine, ``Field.label_of``, the ``translate`` template filter).

f-strings are not touched (a label with variable parts is written
``gettext("Impayés au {date}").format(date=format_date(day))`` by hand); the script
lists them with ``--list-fstrings``: those of the places above, and every f-string given to
a ``raise``, with words in its text. Two kinds are not listed: an f-string with no word
of its own (``f"{name} ({reference})"``, nothing to translate) and a message for
developers only (a plugin author's mistake, an internal error) whose statement has the
comment ``# i18n: developer`` on its line, the line above it or one of its lines; such a
message stays in French, untranslated. ``--check-fstrings`` exits 1 when one is listed.

Usage: ``python tools/i18n_mark_labels.py [--check] [--list-fstrings] [--check-fstrings]
[paths…]``
(default: ``core/tremplin`` and every ``plugins/*/tremplin_*``). ``--check`` changes
nothing and exits 1 when something is left to mark.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Declaration → (positional indexes, keyword names) of its French text arguments.
LABEL_ARGS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "Choice": ((1,), ("label",)),
    "Field": ((1,), ("label", "help", "placeholder")),
    "State": ((1,), ("label",)),
    "Transition": ((1,), ("label", "confirm", "help")),
    "Deadline": ((1,), ("label",)),
    "EventType": ((1,), ("label",)),
    "IndicatorRow": ((0,), ("label",)),
    "IndicatorTable": ((1,), ("title", "note", "empty")),
    "ReportSection": ((1,), ("title",)),
    "ShareableGroup": ((), ("label", "description")),
    "PartnerItem": ((), ("label", "group")),
    "NavItem": ((0,), ("label", "group")),
    "DashboardItem": ((1,), ("title",)),
    "HouseholdPanel": ((1,), ("title",)),
    "EnrolmentPanel": ((), ("title",)),
    "ExportColumn": ((1,), ("label",)),
    "rows_from_counts": ((), ("unknown",)),
    "Programme": ((1,), ("name_fr",)),
    "closed_states": ((), ("exited", "refused", "withdrawn")),
    "Sort": ((0,), ("label",)),
    "DashboardRow": ((0, 2), ("label", "detail")),
    "PluginManifest": ((), ("name",)),
}
#: Names of module-level ``{key: "French label"}`` dictionaries whose values are labels.
LABEL_DICTS = (
    "LABELS",
    "SHORT",
    "TITLES",
    "KINDS",
    "ACTIONS",
    "OBJECTS",
    "WHEN",
    "ROLES",
    "COLUMNS",
)
MARKERS = {"N_", "_", "gettext", "ngettext", "pgettext", "lazy_gettext"}
IDENTIFIER = re.compile(r"[a-z_]+")
SKIP_PARTS = {"migrations", "scaffold_templates", "tests", "__pycache__"}
#: The comment that keeps a developer-only f-string message out of ``--list-fstrings``.
DEVELOPER = "i18n: developer"


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_text(node: ast.expr) -> bool:
    """A plain string literal holding a word (not a key, not a path)."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return False
    text = node.value
    return any(c.isalpha() for c in text) and not text.startswith(("/", "#", "tremplin"))


def _targets(tree: ast.Module) -> tuple[list[ast.Constant], list[ast.JoinedStr]]:
    marked: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in MARKERS:
            for arg in node.args:
                marked.add(id(arg))
    found: list[ast.Constant] = []
    fstrings: list[ast.JoinedStr] = []

    def take(node: ast.expr | None) -> None:
        if node is None or id(node) in marked:
            return
        if isinstance(node, ast.IfExp):
            # `"…" if … else "…"`: the texts of both branches are marked. An f-string branch
            # is not listed yet: a declaration's label with a value needs a label the core
            # formats after translating it (housing's `derogation_reason` is the one left).
            for branch in (node.body, node.orelse):
                if not isinstance(branch, ast.JoinedStr):
                    take(branch)
        elif isinstance(node, ast.JoinedStr):
            fstrings.append(node)
        elif _is_text(node):
            found.append(node)  # type: ignore[arg-type]

    def take_nested(node: ast.expr | None) -> None:
        """A label dictionary's value: a text, or tuples and lists of texts (a column's
        name — a bare lowercase identifier — is not one)."""
        if isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                if not (
                    isinstance(element, ast.Constant)
                    and isinstance(element.value, str)
                    and IDENTIFIER.fullmatch(element.value)
                ):
                    take_nested(element)
        else:
            take(node)

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            spec = LABEL_ARGS.get(_name(node.func))
            if spec is None:
                continue
            positions, keywords = spec
            for i in positions:
                if i < len(node.args):
                    take(node.args[i])
            for kw in node.keywords:
                if kw.arg in keywords:
                    take(kw.value)
    for node in ast.walk(tree):
        # A form's messages: ``errors["field"] = "…"``, and ``raise SomeError("…")``.
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, ast.Name)
                and "error" in target.value.id.lower()
            ):
                take(node.value)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            take(node.exc.args[0])
    for stmt in tree.body:
        target = None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target, value = stmt.targets[0], stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            target, value = stmt.target, stmt.value
        if (
            isinstance(target, ast.Name)
            and target.id.lstrip("_").endswith(LABEL_DICTS)
            and isinstance(value, ast.Dict)
        ):
            for v in value.values:
                take_nested(v)
    return found, fstrings


def _offsets(source: str) -> list[int]:
    starts, pos = [], 0
    for line in source.splitlines(keepends=True):
        starts.append(pos)
        pos += len(line)
    starts.append(pos)
    return starts


def _import_line(path: Path) -> str:
    rel = path.resolve().relative_to(ROOT).as_posix()
    return (
        "from tremplin.i18n import N_\n"
        if rel.startswith("core/")
        else "from tremplin.api import N_\n"
    )


def _add_import(source: str, line: str) -> str:
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any(a.name == "N_" for a in node.names):
            return source
    # After the last top-level import of the module's header (or its docstring).
    last = 0
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            last = node.end_lineno or node.lineno
        elif not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            break
    lines = source.splitlines(keepends=True)
    if last == 0:
        doc = tree.body[0] if tree.body else None
        if isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant):
            last = doc.end_lineno or 0
        return "".join([*lines[:last], "\n" if last else "", line, *lines[last:]])
    return "".join([*lines[:last], line, *lines[last:]])


def _has_words(node: ast.JoinedStr) -> bool:
    """Whether the f-string's own text (not its ``{…}`` values) holds a word."""
    return any(
        isinstance(v, ast.Constant) and any(c.isalpha() for c in str(v.value)) for v in node.values
    )


def _developer_lines(source: str) -> set[int]:
    """The lines carrying a ``# i18n: developer`` comment."""
    lines = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and DEVELOPER in tok.string:
            lines.add(tok.start[0])
    return lines


def _statement_starts(tree: ast.Module) -> dict[int, int]:
    """id(f-string) → first line of the innermost statement holding it."""
    starts: dict[int, int] = {}

    def visit(node: ast.AST, stmt_line: int) -> None:
        if isinstance(node, ast.stmt):
            stmt_line = node.lineno
        if isinstance(node, ast.JoinedStr):
            starts[id(node)] = stmt_line
        for child in ast.iter_child_nodes(node):
            visit(child, stmt_line)

    visit(tree, 1)
    return starts


def fstring_labels(source: str, tree: ast.Module | None = None) -> list[ast.JoinedStr]:
    """The f-string labels left to translate: with words, not marked for developers."""
    tree = tree or ast.parse(source)
    _, fstrings = _targets(tree)
    developer = _developer_lines(source)
    starts = _statement_starts(tree)
    out = []
    for node in fstrings:
        if not _has_words(node):
            continue
        first = starts.get(id(node), node.lineno) - 1
        if developer & set(range(first, (node.end_lineno or node.lineno) + 1)):
            continue
        out.append(node)
    return sorted(out, key=lambda n: n.lineno)


def mark(path: Path) -> tuple[str, int, list[str]]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    found, _ = _targets(tree)
    notes = [f"{path}:{f.lineno}: f-string label" for f in fstring_labels(source, tree)]
    if not found:
        return source, 0, notes
    starts = _offsets(source)
    # Byte columns of ast are UTF-8 offsets: work on each line's bytes.
    edits = []
    for node in found:
        start = _char_offset(source, starts, node.lineno, node.col_offset)
        end = _char_offset(source, starts, node.end_lineno or node.lineno, node.end_col_offset or 0)
        edits.append((start, end))
    for start, end in sorted(set(edits), reverse=True):
        source = source[:start] + "N_(" + source[start:end] + ")" + source[end:]
    return _add_import(source, _import_line(path)), len(set(edits)), notes


def _char_offset(source: str, starts: list[int], lineno: int, col: int) -> int:
    line_start = starts[lineno - 1]
    line_end = starts[lineno] if lineno < len(starts) else len(source)
    line = source[line_start:line_end]
    return line_start + len(line.encode("utf-8")[:col].decode("utf-8"))


def files(paths: list[str]) -> list[Path]:
    roots = [Path(p) for p in paths] or [
        ROOT / "core" / "tremplin",
        *sorted((ROOT / "plugins").glob("*/tremplin_*")),
    ]
    out = []
    for root in roots:
        candidates = [root] if root.is_file() else sorted(root.rglob("*.py"))
        out.extend(p for p in candidates if not SKIP_PARTS & set(p.parts))
    return out


def main(argv: list[str]) -> int:
    check = "--check" in argv
    check_f = "--check-fstrings" in argv
    list_f = "--list-fstrings" in argv or check_f
    fstring_count = 0
    paths = [a for a in argv if not a.startswith("--")]
    total = 0
    for path in files(paths):
        new, count, notes = mark(path)
        if list_f:
            fstring_count += len(notes)
            for note in notes:
                print(note)
        if count:
            total += count
            print(f"{path.relative_to(ROOT) if path.is_absolute() else path}: {count} marked")
            if not check:
                path.write_text(new, encoding="utf-8")
    if check and total:
        print(f"{total} label(s) left to mark: run tools/i18n_mark_labels.py")
        return 1
    if check_f and fstring_count:
        print(
            f"{fstring_count} f-string label(s) to translate: "
            'gettext("… {name} …").format(name=…), or "# i18n: developer" for a developer\'s message'
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
