"""A new programme is small (issue 13, point 9): the ALT example of ``docs/examples/tremplin-alt``
is at most 120 lines of Python and works on both engines — its fields, its 6-month renewable
stays with the core's deadline (overdue shown), its page of stays ending within 30 days, its
group shared with the SIAO and its report section with two tables.

The plugin is loaded from its folder the way ``load_plugins`` registers a module (``extra``):
it has no tables of its own, so the test database needs no migration of its own either.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import io
import re
import sys
import tokenize
import warnings
from pathlib import Path

import httpx
import pytest

from tests.plugins.housing.helpers import entry_values
from tremplin.api import Period, ReportContext, add_months
from tremplin.models import DueDate, Enrolment, TimelineEvent
from tremplin.plugins import load_plugins
from tremplin.services.clock import today
from tremplin.testing import enrol, login, make_household, make_user, move
from tremplin.web.app import create_app

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "tremplin-alt"
KEY = "alt"
LIMIT = 120


def code_lines(source: str) -> int:
    """Lines holding Python code: blank lines, comments and docstrings are not counted."""
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                docstrings.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    skipped = {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skipped:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines - docstrings)


def test_the_counter_skips_blank_lines_comments_and_docstrings():
    source = (
        '"""Module."""\n\n# a comment\ndef f():\n    """Doc\n    string."""\n    return 1  # x\n'
    )
    assert code_lines(source) == 2


def test_the_alt_example_is_at_most_120_lines_of_python():
    files = [p for p in (EXAMPLE / "tremplin_alt").rglob("*.py") if "migrations" not in p.parts]
    assert files, "pas de code dans docs/examples/tremplin-alt"
    total = sum(code_lines(p.read_text("utf-8")) for p in files)
    assert total <= LIMIT, f"l'exemple ALT fait {total} lignes de Python (> {LIMIT})"


def test_the_tutorial_follows_the_example():
    """Every Python paragraph of the tutorial's ALT sections is the example's code, verbatim."""
    tutorial = (EXAMPLE.parents[1] / "tutorial.md").read_text("utf-8")
    alt_part = tutorial.split("## 8.")[0]
    blocks = re.findall(r"```python\n(.*?)```", alt_part, re.S)
    source = (EXAMPLE / "tremplin_alt" / "__init__.py").read_text("utf-8")
    paragraphs = [p.strip() for b in blocks for p in b.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 10
    missing = [p for p in paragraphs if p not in source]
    assert missing == [], missing[0]


@pytest.fixture(scope="module")
def alt_host():
    sys.path.insert(0, str(EXAMPLE))
    try:
        module = importlib.import_module("tremplin_alt")
    finally:
        sys.path.remove(str(EXAMPLE))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)  # written against the new API
        return load_plugins(None, extra=[(KEY, module)])


def test_the_programme_is_one_declaration(alt_host):
    spec = alt_host.specs[KEY]
    assert [f.name for f in spec.fields] == ["participation", "caf_number", "urgent"]
    assert spec.programme.agreement.term_months == 6
    assert spec.programme.partner_kinds == ("siao",)
    assert "alt_siao" in {g.key for g in alt_host.shareable_groups(KEY)}
    assert [d.key for d in spec.workflow.deadlines] == ["stay_end"]
    assert [s.key for _, s in alt_host.report_sections(KEY)] == [
        "indicators",
        "alt",
        "housing",
        "housing_stock",  # scope="association": the whole-stock chapter, not ALT's own
    ]


async def _housed(host, name: str, entry: dt.date, **fields) -> int:
    household_id = await make_household(name)
    enrolment_id = await enrol(host, household_id, KEY, referral_date=entry, **fields)
    await move(host, enrolment_id, "accept", decision_date=entry)
    values = await entry_values(KEY, rent="300", benefit="0")
    assert await move(host, enrolment_id, "enter", entry_date=entry, **values) == "housed"
    return enrolment_id


async def _due(enrolment_id: int) -> dt.date:
    row = await DueDate.select(DueDate.due_on).where(DueDate.enrolment == enrolment_id).first()
    return row["due_on"]


async def test_stays_deadlines_page_and_report_on_both_engines(database, alt_host):
    day = today()
    # Entered 5 months and 20 days ago: the stay ends within 30 days.
    ending = await _housed(
        alt_host,
        "MARTIN Lucas",
        day - dt.timedelta(days=172),
        participation="85,50",
        caf_number="1234567",
        urgent="on",
    )
    # Entered 7 months ago and never renewed: overdue.
    overdue = await _housed(alt_host, "DURAND Anne", day - dt.timedelta(days=213))
    # Entered last month: not on the page.
    recent = await _housed(alt_host, "PETIT Marc", day - dt.timedelta(days=30), participation="120")
    stored = (
        await Enrolment.select(Enrolment.data)
        .where(Enrolment.id == ending)
        .output(load_json=True)
        .first()
    )
    assert stored["data"]["participation"] == 8550  # cents
    assert (stored["data"]["caf_number"], stored["data"]["urgent"]) == ("1234567", True)

    # The core computed each stay's end from the programme's agreement policy.
    assert await _due(ending) == add_months(day - dt.timedelta(days=172), 6)
    assert day <= await _due(ending) <= day + dt.timedelta(days=30)
    assert await _due(overdue) < day
    assert await _due(recent) > day + dt.timedelta(days=30)

    app = create_app(database, alt_host)
    worker = await make_user("social_worker")
    elsewhere = await make_user("social_worker", programmes=["iml_sublease"])
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5))
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
        await login(client, worker)
        page = await client.get("/alt/sejours")
        assert page.status_code == 200, page.text
        assert "MARTIN Lucas" in page.text and "DURAND Anne" in page.text
        assert "PETIT Marc" not in page.text
        assert page.text.index("DURAND Anne") < page.text.index("MARTIN Lucas")  # soonest first
        assert page.text.count("en retard") == 1
        echeances = await client.get("/echeances?programme=alt&quand=overdue")
        assert echeances.status_code == 200
        assert "Fin du séjour ALT" in echeances.text and "DURAND Anne" in echeances.text
        assert "MARTIN Lucas" not in echeances.text
        menu = await client.get("/")
        assert 'href="/alt/sejours"' in menu.text
    async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
        await login(client, elsewhere)
        assert (await client.get("/alt/sejours")).status_code == 404  # not their programme

    # Renewing the overdue stay: one more term in housing's renewals, deadline recomputed.
    before = await _due(overdue)
    lines = await TimelineEvent.count().where(TimelineEvent.programme == KEY)
    assert await move(alt_host, overdue, "renew") == "housed"
    assert await _due(overdue) > day
    assert (await _due(overdue) - before).days in range(181, 185)
    renewals = await TimelineEvent.select(TimelineEvent.title, TimelineEvent.body).where(
        (TimelineEvent.programme == KEY) & (TimelineEvent.kind == "alt_renewal")
    )
    assert len(renewals) == 1
    assert f"{await _due(overdue):%d/%m/%Y}" in renewals[0]["body"]
    # One fact, one line: no « Changement d'étape » beside the renewal's own line.
    assert await TimelineEvent.count().where(TimelineEvent.programme == KEY) == lines + 1

    (_, section) = next(pair for pair in alt_host.report_sections(KEY) if pair[1].key == "alt")
    ctx = ReportContext(
        programme=KEY,
        programme_name=alt_host.programmes[KEY].name_fr,
        period=Period(day - dt.timedelta(days=365), day),
    )
    stays, participation = await section.compute(ctx)
    counts = {row.key: row.count for row in stays.rows}
    assert counts == {"housed": 3, "urgent": 1}
    assert [row.count for row in participation.rows] == [(85.5 + 120) / 2]
