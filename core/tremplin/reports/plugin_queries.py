"""Queries the programme plugins' report sections share (through ``tremplin.api``): the
enrolments that ended in the period, and the people present in accompanied households."""

from __future__ import annotations

import datetime as dt
from operator import itemgetter
from typing import Any

from tremplin.models import Enrolment, Membership
from tremplin.reports.indicators import PRELOADED, reference_dates
from tremplin.types import Period


async def exited_in_period(
    programme: str, period: Period, *, entered_only: bool = False
) -> list[dict[str, Any]]:
    """The enrolments of ``programme`` in state ``exited`` whose exit date falls in
    ``period``: their ``entry_date``, ``exit_date`` and ``exit_destination``. With
    ``entered_only``, only those that had an entry date (to measure the stay)."""
    where = (
        (Enrolment.programme == programme)
        & (Enrolment.state == "exited")
        & (Enrolment.exit_date >= period.start)
        & (Enrolment.exit_date <= period.end)
    )
    if entered_only:
        pre = PRELOADED.get()
        if (
            pre is not None
            and programme in pre.programmes
            and pre.start <= period.start
            and period.end <= pre.end
        ):
            # Entered stays that ended in the period overlap it: the report preloaded them.
            return [
                {k: e[k] for k in ("entry_date", "exit_date", "exit_destination")}
                for e in pre.enrolments.get(programme, ())
                if e["state"] == "exited"
                and e["exit_date"] is not None
                and period.start <= e["exit_date"] <= period.end
            ]
        where = where & Enrolment.entry_date.is_not_null()
    return await Enrolment.select(
        Enrolment.entry_date, Enrolment.exit_date, Enrolment.exit_destination
    ).where(where)


async def members_on_last_day(
    period: Period, enrolments: list[dict[str, Any]]
) -> dict[int, dict[str, Any]]:
    """Each person present in the household of one of ``enrolments`` (rows with ``household``
    and ``exit_date``) on the last day it was accompanied in ``period`` (the exit date, or the
    period's end), counted once: person id → ``household``, ``relation``, ``birth_date`` and
    that ``day``."""
    last: dict[int, dt.date] = reference_dates(period, enrolments)
    pre = PRELOADED.get()
    members: list[dict[str, Any]]
    if pre is not None and all(h in pre.households for h in last):
        # The report preloaded the members of every household it accompanies: those present
        # on their day, in the order of the rows (a person in two households keeps the last).
        preloaded = pre.members
        members = []
        for h, day in last.items():
            for m in preloaded.get(h, ()):
                if m["start_date"] <= day and (m["end_date"] is None or m["end_date"] >= day):
                    members.append(m)
        members.sort(key=itemgetter("id"))
    else:
        members = (
            await Membership.select(
                Membership.household,
                Membership.person,
                Membership.relation,
                Membership.start_date,
                Membership.end_date,
                Membership.person.birth_date.as_alias("birth_date"),
            )
            .where(Membership.household.is_in(list(last) or [-1]))
            .order_by(Membership.id)
        )
    out: dict[int, dict[str, Any]] = {}
    for m in members:
        day = last[m["household"]]
        if m["start_date"] <= day and (m["end_date"] is None or m["end_date"] >= day):
            out[m["person"]] = {
                "household": m["household"],
                "relation": m["relation"],
                "birth_date": m["birth_date"],
                "day": day,
            }
    return out
