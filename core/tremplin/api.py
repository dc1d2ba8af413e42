"""The public plugin API of Tremplin: the only core module a plugin may import.

Everything a programme plugin needs is re-exported here: the ``hookimpl`` marker, the data
types its hooks return, the core tables it may *read* or reference (never write: core rows
change only through the commands — ``create_enrolment``, ``update_enrolment``,
``apply_transition``, ``correct_step``, ``update_enrolment_data``, ``add_timeline_event``,
``record_audit`` — which check versions and audit), the write transaction, the shared
vocabulary, and the guards and helpers for its own pages. See
``docs/plugins.md`` for the guide and ``docs/hooks.md`` for the generated hook reference.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import pluggy

from tremplin import models, vocabulary
from tremplin.commands import Command, CommandArgument, CommandError
from tremplin.dates import add_months, age_on, measure_months, whole_months
from tremplin.db import transaction
from tremplin.db.raw import columns as sql_columns
from tremplin.db.raw import fetch as fetch_rows
from tremplin.db.raw import fetch_one as fetch_row
from tremplin.db.raw import placeholders as sql_placeholders
from tremplin.errors import Actor, ConflictError, NotFound
from tremplin.forms import FormErrors, resolve_choices, validate
from tremplin.i18n import (
    N_,
    Domain,
    domain,
    format_date,
    format_decimal,
    format_money,
    format_number,
    format_percent,
    get_language,
)
from tremplin.models.views import (
    Documents,
    Enrolments,
    Households,
    Memberships,
    PartnerOrganisations,
    People,
    ReadOnlyError,
    TimelineEvents,
    Users,
)
from tremplin.permissions import can, roles_holding
from tremplin.plugins import API_VERSION
from tremplin.policy import MASK as CONFIDENTIAL_MASK
from tremplin.policy import HouseholdAccess
from tremplin.reports.indicators import accompanied as accompanied_enrolments
from tremplin.reports.indicators import accompanied_households, rows_from_counts
from tremplin.reports.plugin_queries import exited_in_period, members_on_last_day
from tremplin.services.audit import record as audit
from tremplin.services.clock import now, today
from tremplin.services.commands import (
    NewEvent,
    add_timeline_event,
    record_audit,
    update_enrolment_data,
    versioned_update,
)
from tremplin.services.corrections import correct_step
from tremplin.services.deadlines import refresh as refresh_due_dates
from tremplin.services.enrolments import apply_transition, create_enrolment, update_enrolment
from tremplin.text import normalise
from tremplin.types import (
    AgreementPolicy,
    Choice,
    ChoiceContext,
    DashboardContext,
    DashboardItem,
    DashboardRow,
    Deadline,
    DemoContext,
    DemoData,
    DemoEnrolment,
    Effect,
    EffectContext,
    EnrolmentCheck,
    EnrolmentPanel,
    EnrolmentView,
    EventType,
    Field,
    FieldError,
    GuardContext,
    HouseholdPanel,
    IndicatorRow,
    IndicatorTable,
    NavItem,
    ObjectScope,
    PartnerItem,
    Period,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ReportContext,
    ReportSection,
    ShareableGroup,
    State,
    StepCorrection,
    Transition,
    Workflow,
)
from tremplin.values import period_filter
from tremplin.web.access import (
    access_for,
    audit_confidential,
    check_household,
    hidden_contacts,
    household_filter,
    programme_filter,
)
from tremplin.web.auth import partner_only, requires, roles, staff_only
from tremplin.web.conflicts import conflict_rows
from tremplin.web.exports import ExportColumn, PageFetcher, collect_pages, export_response
from tremplin.web.formdata import form_dict, new_form_id
from tremplin.web.responses import (
    enrolment_for_route,
    enrolment_url,
    is_htmx,
    redirect_after_write,
)
from tremplin.web.state import actor, app_context, current_user, user_programmes
from tremplin.web.templating import render
from tremplin.workflows import (
    REFUSAL_REASON_MESSAGE,
    add_enrolment_event,
    closed_states,
    decision_date_field,
    exit_with_destination,
    postponement,
    reference_birth_date,
    refusal,
    require_recorded,
    require_siao_validation,
    require_text,
    withdrawal,
)

#: Mark a function of a plugin module as the implementation of a hook.
hookimpl = pluggy.HookimplMarker("tremplin")


def programme_names(connection) -> dict[str, str]:
    """The enabled programmes the user works in: key → French name, in menu order."""
    programmes = app_context(connection).host.programmes
    return {key: programmes[key].name_fr for key in user_programmes(connection)}


__all__ = [
    "API_VERSION",
    "fetch_row",
    "fetch_rows",
    "sql_columns",
    "sql_placeholders",
    "Actor",
    "AgreementPolicy",
    "Choice",
    "ChoiceContext",
    "Command",
    "CommandArgument",
    "CommandError",
    "DashboardContext",
    "DashboardItem",
    "DashboardRow",
    "Deadline",
    "DemoContext",
    "DemoData",
    "DemoEnrolment",
    "Effect",
    "EffectContext",
    "EnrolmentCheck",
    "EnrolmentPanel",
    "EnrolmentView",
    "EventType",
    "ExportColumn",
    "PageFetcher",
    "Field",
    "FieldError",
    "FormErrors",
    "GuardContext",
    "HouseholdPanel",
    "NavItem",
    "NotFound",
    "PartnerItem",
    "PluginManifest",
    "Programme",
    "ProgrammeSpec",
    "IndicatorRow",
    "IndicatorTable",
    "Period",
    "ReportContext",
    "ReportSection",
    "ShareableGroup",
    "State",
    "Transition",
    "Workflow",
    "accompanied_enrolments",
    "accompanied_households",
    "add_months",
    "age_on",
    "actor",
    "app_context",
    "audit",
    "can",
    "check_household",
    "access_for",
    "audit_confidential",
    "hidden_contacts",
    "household_filter",
    "programme_filter",
    "CONFIDENTIAL_MASK",
    "HouseholdAccess",
    "ObjectScope",
    "current_user",
    "hookimpl",
    "measure_months",
    "normalise",
    "now",
    "partner_only",
    "programme_names",
    "render",
    "requires",
    "roles",
    "roles_holding",
    "rows_from_counts",
    "staff_only",
    "today",
    "transaction",
    "user_programmes",
    "refresh_due_dates",
    "resolve_choices",
    "validate",
    "vocabulary",
    "whole_months",
    "REFUSAL_REASON_MESSAGE",
    "closed_states",
    "decision_date_field",
    "enrolment_for_route",
    "enrolment_url",
    "exit_with_destination",
    "export_response",
    "collect_pages",
    "is_htmx",
    "postponement",
    "redirect_after_write",
    "refusal",
    "require_recorded",
    "require_siao_validation",
    "require_text",
    "withdrawal",
    "exited_in_period",
    "members_on_last_day",
    "reference_birth_date",
    "form_dict",
    "new_form_id",
    "period_filter",
    "add_enrolment_event",
    # Commands: the only way a plugin changes core rows (API 1.3).
    "ConflictError",
    "conflict_rows",
    "NewEvent",
    "StepCorrection",
    "add_timeline_event",
    "apply_transition",
    "correct_step",
    "create_enrolment",
    "record_audit",
    "update_enrolment",
    "update_enrolment_data",
    "versioned_update",
    # Read views of the core tables (API 1.5): query them, write through the commands.
    "Documents",
    "Enrolments",
    "Households",
    "Memberships",
    "PartnerOrganisations",
    "People",
    "ReadOnlyError",
    "TimelineEvents",
    "Users",
    # Translations and formatting (API 1.5): one gettext domain per plugin, Babel formats.
    "Domain",
    "N_",
    "domain",
    "format_date",
    "format_decimal",
    "format_money",
    "format_number",
    "format_percent",
    "get_language",
]

#: Writable core tables exported before API 1.5 → their read view. Still importable for one
#: API version (with a ``DeprecationWarning`` naming the importing module); removed in 2.0.
DEPRECATED_TABLES = {
    "Document": "Documents",
    "Enrolment": "Enrolments",
    "Household": "Households",
    "Membership": "Memberships",
    "PartnerOrganisation": "PartnerOrganisations",
    "Person": "People",
    "TimelineEvent": "TimelineEvents",
    "User": "Users",
}


def __getattr__(name: str) -> Any:
    """The deprecated writable tables: warn, naming the module that asked, and return them."""
    if name not in DEPRECATED_TABLES:
        # i18n: developer (Python's own AttributeError wording)
        raise AttributeError(f"module 'tremplin.api' has no attribute {name!r}")
    caller = sys._getframe(1).f_globals.get("__name__", "?")
    warnings.warn(
        f"{caller}: tremplin.api.{name} (a writable core table) is deprecated since API 1.5 "
        f"and goes in 2.0: read through tremplin.api.{DEPRECATED_TABLES[name]} and write "
        "through the commands (update_enrolment_data, add_timeline_event, apply_transition…).",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(models, name)
