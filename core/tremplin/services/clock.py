"""Time in one place: timezone-aware UTC for timestamps, Paris for "today"."""

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    return dt.datetime.now(PARIS).date()
