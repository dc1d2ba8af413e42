"""While a report is built, the shared report queries read the rows the engine preloaded
once for every programme and both years: the same rows as the queries they replace, and a
number of queries that does not grow with the households."""

import datetime as dt

from tremplin.api import accompanied_enrolments, exited_in_period, members_on_last_day
from tremplin.demo import load_demo
from tremplin.models import Enrolment
from tremplin.reports.engine import _context
from tremplin.reports.indicators import PRELOADED, preload
from tremplin.reports.keyfigures import previous_period
from tremplin.services.clock import now, today
from tremplin.types import Period


def _key(row):
    return tuple(sorted((k, str(v)) for k, v in row.items()))


async def test_preloaded_rows_are_the_rows_the_queries_return(database, host):
    await load_demo(host, households=60)
    year = today().year - 1
    period = Period.year(year)
    before = previous_period(period)
    some = next(iter(host.programme_keys))
    # An exit recorded before a later entry (a data error) still counts among the exits.
    household = (await Enrolment.select(Enrolment.household).first())["household"]
    await Enrolment.insert(
        Enrolment(
            household=household,
            programme=some,
            state="exited",
            entry_date=dt.date(year + 1, 2, 1),
            exit_date=dt.date(year, 6, 1),
            exit_destination="",
            created_at=now(),
            updated_at=now(),
        )
    )
    keys = host.programme_keys
    outside = {}
    for key in keys:
        for p in (period, before):
            ctx = _context(host, key, p, None)
            rows = await accompanied_enrolments(ctx)
            outside[(key, p.start)] = (
                sorted(map(_key, rows)),
                await members_on_last_day(p, rows),
                sorted(map(_key, await exited_in_period(key, p, entered_only=True))),
            )
    assert any(v[0] for v in outside.values()) and any(v[1] for v in outside.values())
    assert any(v[2] for v in outside.values())
    token = PRELOADED.set(await preload(keys, before.start, period.end))
    try:
        for key in keys:
            for p in (period, before):
                ctx = _context(host, key, p, None)
                rows = await accompanied_enrolments(ctx)
                inside = (
                    sorted(map(_key, rows)),
                    await members_on_last_day(p, rows),
                    sorted(map(_key, await exited_in_period(key, p, entered_only=True))),
                )
                assert inside == outside[(key, p.start)], (key, p)
        # Each call gets its own rows: a section that changes one does not change another's.
        busy = next(k for k in keys if outside[(k, period.start)][0])
        first = await accompanied_enrolments(_context(host, busy, period, None))
        first[0]["household"] = -1
        again = await accompanied_enrolments(_context(host, busy, period, None))
        assert again[0]["household"] != -1
    finally:
        PRELOADED.reset(token)


async def test_the_common_indicators_of_every_programme_take_two_queries(
    database, host, monkeypatch
):
    """Preloaded, the common tables of every programme and both years cost one query per
    period (the contacts), whatever the number of programmes and households; the key
    figures none."""
    from tremplin.reports.indicators import common_indicators
    from tremplin.reports.keyfigures import key_figures

    await load_demo(host, households=60)
    engine_type = type(Enrolment._meta.db)
    run = engine_type.run_querystring
    count = [0]

    async def counted(self, *args, **kwargs):
        count[0] += 1
        return await run(self, *args, **kwargs)

    monkeypatch.setattr(engine_type, "run_querystring", counted)
    period = Period.year(today().year)
    before = previous_period(period)
    keys = host.programme_keys
    pre = await preload(keys, before.start, period.end)
    token = PRELOADED.set(pre)
    try:
        count[0] = 0
        tables = [
            await common_indicators(_context(host, key, p, None))
            for key in keys
            for p in (period, before)
        ]
        assert count[0] == 2
        stays = pre.stays()
        figures = [key_figures(stays, [key], period, None) for key in keys]
        whole = key_figures(stays, keys, period, None)
        assert count[0] == 2
    finally:
        PRELOADED.reset(token)
    assert len(tables) == 2 * len(keys)
    # The same figures as without the preloaded rows.
    for key, mine in zip(keys, tables[::2], strict=True):
        assert [t.rows for t in mine] == [
            t.rows for t in await common_indicators(_context(host, key, period, None))
        ]
    assert sum(f["households"] for f in figures) >= whole["households"] > 0
