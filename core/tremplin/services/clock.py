"""Time in one place: timezone-aware UTC for timestamps, the association's zone for "today".

The association's time zone is a setting (``time_zone``, Europe/Paris by default) applied once
at start-up by :func:`set_time_zone`; every "today", every date shown and every business date
turned into a timestamp goes through this module, so a household created at 23:30 UTC in
winter is dated the next day in Paris, like its members.
"""

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tremplin.i18n import gettext

PARIS = ZoneInfo("Europe/Paris")
_zone: dt.tzinfo = PARIS


def set_time_zone(name: str) -> None:
    """Use the IANA zone ``name`` for "today" (raise ``ValueError`` for an unknown zone)."""
    global _zone
    try:
        _zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(gettext("fuseau horaire inconnu : {name!r}").format(name=name)) from None


def use_zone(tz: dt.tzinfo) -> None:
    """Use ``tz`` for "today" (a worker process, given the server's zone)."""
    global _zone
    _zone = tz


def zone() -> dt.tzinfo:
    """The association's time zone."""
    return _zone


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in the association's time zone."""
    return now().astimezone(_zone).date()


def local_date(moment: dt.datetime) -> dt.date:
    """The date of an aware timestamp in the association's time zone."""
    return moment.astimezone(_zone).date()


def business_datetime(day: dt.date) -> dt.datetime:
    """The timestamp (UTC) a timeline event of business date ``day`` is stored with: noon of
    that day in the association's time zone, the same calendar day in UTC for any zone
    within ±11 h. Events of one day keep the order they were recorded in (by id); the click
    time is the record's ``created_at``."""
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=_zone).astimezone(dt.UTC)
