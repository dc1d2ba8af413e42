"""The household list's filters, sorts and exports (« Ménages »).

Filters come from the URL (``?programme=…&stage=…&mine=1``), so Back and a shared link
restore the list; the search text never does (names stay out of URLs and access logs: it
is posted). Each filter is an indexed ``EXISTS`` on the enrolments of the household.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from piccolo.custom_types import Combinable

from tremplin.i18n import N_, gettext
from tremplin.models import Enrolment, Household
from tremplin.services.households import SORTS

__all__ = ["EXPORT_COLUMNS", "ListFilters", "parse_filters", "to_csv", "to_xlsx"]

SORT_LABELS = {
    "recent": N_("Les plus récents"),
    "name": N_("Nom (A → Z)"),
    "reference": N_("Référence"),
    "updated": N_("Dernière modification"),
}
#: Columns of the CSV and XLSX exports (French headers), in order.
EXPORT_COLUMNS = (
    ("reference", "Référence", 12),
    ("name", "Ménage", 30),
    ("composition", "Composition", 28),
    ("programmes", "Programmes et étapes", 50),
    ("updated_at", "Dernière modification", 20),
)


@dataclass(frozen=True)
class ListFilters:
    """What the list shows: every field optional, ``sort`` a key of :data:`SORTS`."""

    programme: str = ""
    stage: str = ""
    referent: int | None = None
    mine: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    sort: str = "recent"
    errors: dict[str, str] = field(default_factory=dict, compare=False)

    def query(self, **changes: Any) -> str:
        """The URL query string of these filters (with ``changes``), empty values left out."""
        from urllib.parse import urlencode

        values = {
            "programme": self.programme,
            "stage": self.stage,
            "referent": self.referent or "",
            "mine": "1" if self.mine else "",
            "du": self.since.isoformat() if self.since else "",
            "au": self.until.isoformat() if self.until else "",
            "tri": "" if self.sort == "recent" else self.sort,
        }
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})

    @property
    def active(self) -> bool:
        return bool(self.programme or self.stage or self.referent or self.mine or self.since)

    def where(self, user_id: int) -> list[Any]:
        """The where-clauses on ``household`` (one correlated ``EXISTS`` on its enrolments)."""
        clauses = []
        enrolment: Combinable = Enrolment.household == Household.id
        if self.programme:
            enrolment = enrolment & (Enrolment.programme == self.programme)
        if self.stage:
            enrolment = enrolment & (Enrolment.state == self.stage)
        referent = user_id if self.mine else self.referent
        if referent is not None:
            enrolment = enrolment & (Enrolment.referent == referent)
            enrolment = enrolment & Enrolment.exit_date.is_null()
        if self.since is not None:
            # Followed during the period: not gone before it starts…
            enrolment = enrolment & (
                Enrolment.exit_date.is_null() | (Enrolment.exit_date >= self.since)
            )
        if self.until is not None:
            # …and referred (or entered) before it ends.
            enrolment = enrolment & (
                (Enrolment.referral_date <= self.until) | (Enrolment.entry_date <= self.until)
            )
        if self.programme or self.stage or referent is not None or self.since or self.until:
            clauses.append(
                Household.id.is_in(Enrolment.select(Enrolment.household).where(enrolment))
            )
        return clauses


def _date(raw: str, label: str, errors: dict[str, str], key: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[key] = gettext("{label} : date invalide (format AAAA-MM-JJ)").format(label=label)
        return None


def parse_filters(
    params: Mapping[str, str], programmes: Mapping[str, Any], states: Mapping[str, Any]
) -> ListFilters:
    """Filters from the URL; unknown values are dropped with a French message in ``errors``.

    ``programmes``: the programmes the user may filter on; ``states``: every state key of
    those programmes' workflows.
    """
    errors: dict[str, str] = {}
    programme = str(params.get("programme", "") or "")
    if programme and programme not in programmes:
        errors["programme"] = N_("Programme inconnu ou non accessible")
        programme = ""
    stage = str(params.get("stage", "") or "")
    if stage and stage not in states:
        errors["stage"] = N_("Étape inconnue")
        stage = ""
    referent = None
    raw_referent = str(params.get("referent", "") or "")
    if raw_referent:
        if raw_referent.isdigit() and len(raw_referent) < 10:
            referent = int(raw_referent)
        else:
            errors["referent"] = N_("Référent inconnu")
    since = _date(str(params.get("du", "") or ""), "Du", errors, "du")
    until = _date(str(params.get("au", "") or ""), "Au", errors, "au")
    if since and until and until < since:
        errors["au"] = N_("La fin de la période précède son début")
        until = None
    sort = str(params.get("tri", "") or "recent")
    if sort not in SORTS:
        errors["tri"] = N_("Tri inconnu")
        sort = "recent"
    return ListFilters(
        programme=programme,
        stage=stage,
        referent=referent,
        mine=str(params.get("mine", "")) in ("1", "on", "true"),
        since=since,
        until=until,
        sort=sort,
        errors=errors,
    )


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    """The list's CSV (the shared export of :mod:`tremplin.web.exports`)."""
    from tremplin.services.list_export import to_csv as csv_export

    return csv_export(EXPORT_COLUMNS, rows)


def to_xlsx(rows: list[dict[str, Any]], title: str = "Ménages") -> bytes:
    from tremplin.services.list_export import to_xlsx as xlsx_export

    return xlsx_export(EXPORT_COLUMNS, rows, title)
