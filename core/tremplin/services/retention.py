"""Retention (CNIL 2023 guidance): archive inactive files, anonymise old archives, purge the
audit trail.

- A household whose support has ended (every enrolment closed) and with no contact for
  ``retention_years`` (2 by default; a programme may set less) leaves the active base: it is
  archived, and only the archivist/DPO role can open it, with a logged reason.
- After ``archive_years`` in the archive it is anonymised: names, contacts, free text and
  documents are removed; birth dates are coarsened to the 1st of July of the birth year;
  enrolments, dates, compositions and resources stay, so every figure still adds up.
- Audit entries older than ``audit_retention_months`` are deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tremplin.config import Settings
from tremplin.db import transaction
from tremplin.models import (
    Appointment,
    AuditEntry,
    Document,
    Enrolment,
    Household,
    Membership,
    Person,
    Share,
    TimelineEvent,
)
from tremplin.plugins import PluginHost
from tremplin.policy import declared_fields
from tremplin.services import audit
from tremplin.services.clock import now, today
from tremplin.services.documents import blob_path, orphan_blobs
from tremplin.types import Field

__all__ = ["RetentionPlan", "apply_plan", "plan_retention"]


@dataclass
class RetentionPlan:
    archive: list[int] = field(default_factory=list)
    anonymise: list[int] = field(default_factory=list)
    audit_before: dt.datetime | None = None
    audit_entries: int = 0
    #: Job results deleted because they expired (set by :func:`apply_plan`).
    jobs_expired: int = 0
    #: Files of deleted documents removed when the plan was applied.
    removed_files: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.archive)} dossier(s) à archiver, {len(self.anonymise)} à anonymiser, "
            f"{self.audit_entries} entrée(s) du journal d'audit à purger"
            + (
                f", {self.jobs_expired} résultat(s) de travaux expiré(s)"
                if self.jobs_expired
                else ""
            )
        )


def _years_ago(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


async def plan_retention(
    host: PluginHost, settings: Settings, on: dt.date | None = None
) -> RetentionPlan:
    on = on or today()
    plan = RetentionPlan()
    closed_states = {
        (w.programme, s.key)
        for w in host.workflows.values()
        for s in w.states
        if s.phase == "closed"
    }
    enrolments = await Enrolment.select(
        Enrolment.household,
        Enrolment.programme,
        Enrolment.state,
        Enrolment.exit_date,
        Enrolment.updated_at,
    ).where(
        Enrolment.household.is_in(
            Household.select(Household.id).where(Household.anonymised_at.is_null())
        )
    )
    by_household: dict[int, list[dict]] = {}
    for e in enrolments:
        by_household.setdefault(e["household"], []).append(e)
    last_events = {
        r["household"]: r["last"]
        for r in await TimelineEvent.raw(
            "SELECT household, MAX(occurred_at) AS last FROM timeline_event GROUP BY household"
        )
    }
    households = await Household.select(
        Household.id,
        Household.archived_at,
        Household.updated_at,
    ).where(Household.anonymised_at.is_null())
    for h in households:
        rows = by_household.get(h["id"], [])
        if any(
            e["exit_date"] is None and (e["programme"], e["state"]) not in closed_states
            for e in rows
            if e["programme"] in host.programmes
        ):
            continue  # support still going on
        years = min(
            [
                host.programmes[e["programme"]].retention_years or settings.retention_years
                for e in rows
                if e["programme"] in host.programmes
            ]
            or [settings.retention_years]
        )
        # archive_years is int: each None is replaced in the list; mypy cannot narrow the
        # repeated lookup host.programmes[...].archive_years.
        archive_years: int = min(  # type: ignore[type-var, assignment]
            [
                host.programmes[e["programme"]].archive_years
                if host.programmes[e["programme"]].archive_years is not None
                else settings.archive_years
                for e in rows
                if e["programme"] in host.programmes
            ]
            or [settings.archive_years]
        )
        if h["archived_at"] is None:
            moments = [e["exit_date"] for e in rows if e["exit_date"]]
            moments += [e["updated_at"].date() for e in rows]
            moments.append(h["updated_at"].date())
            last = last_events.get(h["id"])
            if last is not None:
                moments.append(
                    last.date()
                    if isinstance(last, dt.datetime)
                    else dt.datetime.fromisoformat(str(last)).date()
                )
            if max(moments) <= _years_ago(on, years):
                plan.archive.append(h["id"])
        elif h["archived_at"].date() <= _years_ago(on, archive_years):
            plan.anonymise.append(h["id"])
    months = settings.audit_retention_months
    plan.audit_before = dt.datetime.combine(
        _years_ago(on, months // 12) - dt.timedelta(days=31 * (months % 12)),
        dt.time(),
        tzinfo=dt.UTC,
    )
    plan.audit_entries = await AuditEntry.count().where(AuditEntry.at < plan.audit_before)
    return plan


async def apply_plan(
    plan: RetentionPlan,
    data_dir: Path,
    user_id: int | None = None,
    host: PluginHost | None = None,
) -> None:
    """Carry out a plan; each household is archived or anonymised in its own transaction."""
    for household_id in plan.archive:
        async with transaction():
            await Household.update({Household.archived_at: now()}).where(
                Household.id == household_id
            )
            await Share.update({Share.ended_at: now()}).where(
                (Share.household == household_id) & Share.ended_at.is_null()
            )
            await audit.record("archive", "household", household_id, user_id=user_id)
    for household_id in plan.anonymise:
        await anonymise(household_id, data_dir, user_id, host)
    if plan.audit_before is not None:
        await AuditEntry.delete().where(AuditEntry.at < plan.audit_before)
    from tremplin.services.jobs import expire

    plan.jobs_expired = await expire(data_dir)
    # Files of deleted documents (a deletion removes the row at once, the file here).
    plan.removed_files = len(await orphan_blobs(data_dir, fix=True))


def coarsen_value(f: Field, value: Any) -> Any:
    """What anonymisation leaves of the value of a sensitive or identifying field: a date
    keeps its month, text goes; booleans, choices and numbers stay (the reports count
    them)."""
    if value in (None, "", []):
        return value
    if f.kind == "date":
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return None
        return day.replace(day=1).isoformat()
    if f.kind in ("bool", "choice", "multichoice", "int", "money") and f.choices_from is None:
        return value
    return None


async def _coarsen_enrolment_data(host: PluginHost, household_id: int) -> None:
    rows = (
        await Enrolment.select(Enrolment.id, Enrolment.programme, Enrolment.data)
        .where(Enrolment.household == household_id)
        .output(load_json=True)
    )
    for row in rows:
        if row["programme"] not in host.programmes:
            continue
        declared = declared_fields(host, row["programme"])
        data = dict(row["data"] or {})
        changed = False
        for key, value in list(data.items()):
            f = declared.get(key)
            if f is None or not (f.sensitive or f.identifying):
                continue
            coarse = coarsen_value(f, value)
            if coarse != value:
                data[key] = coarse
                changed = True
        if changed:
            await Enrolment.update({Enrolment.data: data}).where(Enrolment.id == row["id"])


async def anonymise(
    household_id: int,
    data_dir: Path,
    user_id: int | None = None,
    host: PluginHost | None = None,
) -> None:
    """Anonymise an archived household in one transaction: names, contacts, free text,
    documents and the values of sensitive or identifying enrolment fields go (dates keep
    their month), birth dates keep their year; its shares end."""
    blobs: list[str] = []
    async with transaction():
        found = (
            await Household.select(Household.reference).where(Household.id == household_id).first()
        )
        assert found is not None  # the caller names an archived household
        reference = found["reference"]
        await Household.update(
            {
                Household.name: f"Ménage anonymisé {reference}",
                Household.address: "",
                Household.phone: "",
                Household.email: "",
                Household.search_text: "",
                Household.external_id: None,
                Household.anonymised_at: now(),
            }
        ).where(Household.id == household_id)
        people = await Membership.select(Membership.person).where(
            Membership.household == household_id
        )
        for p in people:
            row = await Person.select(Person.birth_date).where(Person.id == p["person"]).first()
            assert row is not None  # a member's person (foreign key)
            birth = row["birth_date"]
            await Person.update(
                {
                    Person.first_name: "—",
                    Person.last_name: "—",
                    Person.external_id: None,
                    Person.birth_date: dt.date(birth.year, 7, 1) if birth else None,
                }
            ).where(Person.id == p["person"])
        await TimelineEvent.update({TimelineEvent.body: "", TimelineEvent.data: {}}).where(
            TimelineEvent.household == household_id
        )
        await Enrolment.update({Enrolment.exit_reason: ""}).where(
            Enrolment.household == household_id
        )
        if host is not None:
            await _coarsen_enrolment_data(host, household_id)
        # A partner reads or writes nothing of an anonymised file.
        await Share.update({Share.ended_at: now(), Share.ended_by: user_id}).where(
            (Share.household == household_id) & Share.ended_at.is_null()
        )
        # Appointments: what was typed about people goes; the kind and date stay countable.
        await Appointment.update(
            {Appointment.place: "", Appointment.attendees: "", Appointment.notes: ""}
        ).where(Appointment.household == household_id)
        docs = await Document.select(Document.id, Document.sha256).where(
            Document.household == household_id
        )
        blobs = [d["sha256"] for d in docs]
        await Document.delete().where(Document.household == household_id)
        await audit.record("anonymise", "household", household_id, user_id=user_id)
    for digest in blobs:
        if not await Document.exists().where(Document.sha256 == digest):
            blob_path(data_dir, digest).unlink(missing_ok=True)
