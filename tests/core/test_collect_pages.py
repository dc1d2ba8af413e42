"""The shared « every page, then export » walk of a keyset list (issue 16, point 3)."""

from __future__ import annotations

from typing import Any

from tremplin.api import collect_pages

ROWS = [{"id": i} for i in range(1, 12)]


def _fetcher(calls: list[tuple[Any, int]]):
    async def fetch(cursor: Any, size: int) -> tuple[list[dict[str, Any]], Any]:
        calls.append((cursor, size))
        after = [r for r in ROWS if cursor is None or r["id"] > cursor][:size]
        more = after and after[-1]["id"] < ROWS[-1]["id"]
        return after, after[-1]["id"] if more else None

    return fetch


async def test_every_page_in_order_through_the_cursor():
    calls: list[tuple[Any, int]] = []
    rows = await collect_pages(_fetcher(calls), page_size=4)
    assert [r["id"] for r in rows] == list(range(1, 12))
    assert calls == [(None, 4), (4, 4), (8, 4)]


async def test_the_limit_stops_the_walk_and_asks_no_more_than_needed():
    calls: list[tuple[Any, int]] = []
    rows = await collect_pages(_fetcher(calls), page_size=4, limit=6)
    assert [r["id"] for r in rows] == [1, 2, 3, 4, 5, 6]
    assert calls == [(None, 4), (4, 2)]


async def test_an_empty_page_ends_the_walk():
    async def fetch(cursor: Any, size: int) -> tuple[list[dict[str, Any]], Any]:
        return [], "never-ending cursor"

    assert await collect_pages(fetch) == []
