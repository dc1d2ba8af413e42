"""``/echeances`` sorted by household and by subject (issue 16, point 3): keyset pages on
indexes (``tremplin_0017``), the sort kept in the URL, the filter form and the export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from tests.conftest import Session, login
from tests.core.test_deadlines import _enrol, _enter, _restricted
from tests.core.test_deadlines import app as app  # noqa: F401 (the fixture with « stays »)
from tests.core.test_deadlines import stays_host as stays_host  # noqa: F401 (fixture)
from tremplin.services import deadlines
from tremplin.services.clock import today
from tremplin.web.pages import deadlines as page_module


async def _walk(f, order: str) -> list[dict]:
    seen, cursor = [], None
    while True:
        rows, cursor = await deadlines.list_due(f, after=cursor, limit=1, order=order)
        seen += rows
        if cursor is None:
            return seen


async def _varied(host) -> None:
    day = today()
    # Created in this order: references M-…1, 2, 3.
    _, first = await _enrol(host, referral=day - dt.timedelta(days=40), name="Foyer Zèbre")
    await _enter(host, first, day - dt.timedelta(days=30))  # stay end, first visit
    await _enrol(host, referral=day - dt.timedelta(days=3), name="Foyer Abeille")  # decision
    await _enrol(host, "other", referral=day - dt.timedelta(days=5), name="Foyer Zèbre")
    _, fourth = await _enrol(host, "other", referral=day - dt.timedelta(days=50), name="Foyer Mer")
    await _enter(host, fourth, day - dt.timedelta(days=45))


async def test_sorts_by_household_and_subject_walk_their_keyset(database, stays_host):  # noqa: F811
    await _varied(stays_host)
    f = deadlines.DueFilter(programmes=("stay", "other"))
    every = await _walk(f, "due")
    assert len(every) == 6
    by_household = await _walk(f, "household")
    assert [(r["household"], r["due_on"], r["id"]) for r in by_household] == sorted(
        (r["household"], r["due_on"], r["id"]) for r in every
    )
    by_subject = await _walk(f, "subject")
    assert [(r["label"], r["programme"], r["due_on"], r["id"]) for r in by_subject] == sorted(
        (r["label"], r["programme"], r["due_on"], r["id"]) for r in every
    )
    assert [r["label"] for r in by_subject][:2] == ["Décision d'admission"] * 2


def _names(html: str) -> list[str]:
    return re.findall(r">(Foyer [^<]+)</a>", html)


async def test_page_and_export_sorted_by_household_and_subject(client, users, stays_host):  # noqa: F811
    await _varied(stays_host)
    await _restricted(users, ["stay", "other"])
    session = Session(client, await login(client, "social_worker@test.fr"), users["social_worker"])
    page = await session.get("/echeances?quand=all")
    assert 'href="/echeances?quand=all&amp;tri=menage"' in page.text
    assert 'href="/echeances?quand=all&amp;tri=objet"' in page.text
    by_household = await session.get("/echeances?quand=all&tri=menage")
    assert by_household.status_code == 200
    # Households in reference order (Zèbre was recorded first), each one's earliest first.
    assert _names(by_household.text) == [
        "Foyer Zèbre",
        "Foyer Zèbre",
        "Foyer Abeille",
        "Foyer Zèbre",
        "Foyer Mer",
        "Foyer Mer",
    ]
    assert 'aria-sort="ascending"><a href="/echeances?quand=all&amp;tri=menage"' in (
        by_household.text
    )
    assert '<input type="hidden" name="tri" value="menage">' in by_household.text
    assert 'href="/echeances/export?fmt=csv&amp;quand=all&amp;tri=menage"' in by_household.text
    export = await session.get("/echeances/export?fmt=csv&quand=all&tri=objet")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    subjects = [(r[1], r[4]) for r in rows[1:]]
    assert subjects == sorted(subjects) and len(subjects) == 6
    assert subjects[0] == ("Décision d'admission", "Autre programme")
    # The next page of a subject sort: the cursor (any character in a subject) round-trips.
    f = deadlines.DueFilter(programmes=("stay", "other"))
    first, cursor = await deadlines.list_due(f, limit=2, order="subject")
    apres = page_module._cursor_text(cursor, "objet")
    rest = await session.get(
        f"/echeances?quand=all&tri=objet&apres={apres}", headers={"HX-Request": "true"}
    )
    assert rest.status_code == 200 and "<html" not in rest.text
    assert len(_names(rest.text)) == 4
    assert page_module._cursor(apres, "objet") == cursor
    # A forged cursor is ignored (the first page), never an error.
    forged = await session.get("/echeances?quand=all&tri=objet&apres=%%%")
    assert forged.status_code == 200 and len(_names(forged.text)) == 6
