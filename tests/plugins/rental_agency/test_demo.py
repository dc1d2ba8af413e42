"""The demo fills the agency: demands, two CEDL sessions with decisions and scores, GLA
actions for the tenants of the stock, an arrears commission, the works fund (exit inventories
and energy grants); the chapter is not empty."""

import logging

from tremplin.demo import load_demo
from tremplin.models import TimelineEvent
from tremplin.reports.engine import build_report
from tremplin.services.clock import today
from tremplin.types import Period
from tremplin_rental_agency.tables import ArrearsCommission, Demand, Presentation, Session
from tremplin_rental_agency.vocab import GLA_KINDS


async def test_demo_fills_the_chapter(database, host, caplog):
    caplog.set_level(logging.ERROR, logger="tremplin.demo")
    summary = await load_demo(host, households=60)
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert "\n  rental_agency : " in summary, summary
    assert await Demand.count() > 10
    assert await Session.count() == 2
    assert await Presentation.count().where(Presentation.score.is_not_null()) > 5
    assert await TimelineEvent.count().where(TimelineEvent.kind.is_in([c.value for c in GLA_KINDS]))
    assert await ArrearsCommission.count() == 1
    year = today().year
    report = await build_report(host, ["rental_agency"], Period.year(year), "Démo")
    chapter = report["programmes"][0]
    assert not chapter["empty"]
    cedl = next(t for s in chapter["sections"] for t in s["tables"] if t["key"] == "cedl")
    counts = {r["key"]: r["count"] for r in cedl["rows"]}
    assert counts["examined"] > 0 and counts["registered"] > 0
    # The demo's dwellings carry a dated DPE: the history gives the year's labels.
    dpe = next(t for s in chapter["sections"] for t in s["tables"] if t["key"] == "stock_dpe")
    assert sum(r["count"] for r in dpe["rows"] if r["key"] != "unknown") > 0
    # The demo's exits come with exit inventories, some paid by the works fund; the fund's
    # energy grants of this year and the last fill its table, with N-1 beside.
    tables = {t["key"]: t for s in chapter["sections"] for t in s["tables"]}
    departures = {r["key"]: r["count"] for r in tables["works_fund"]["rows"]}
    assert departures["exits"] >= departures["exits_with_fund"] > 0 and departures["fund"] > 0
    energy = {r["key"]: r for r in tables["works_fund_energy"]["rows"]}
    assert energy["files"]["count"] > 0 and energy["files"]["previous"] > 0
    assert energy["amount"]["count"] > 0
