"""Hook specifications: the extension points of Tremplin.

Every hook is synchronous and returns data (lists of frozen dataclasses with an ``order``);
work that needs the database is returned as a callable the core awaits. pluggy calls the
implementations last-registered first, so the core sorts every result by ``order``.
Implementations may accept fewer arguments than the specification names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy

from tremplin.commands import Command
from tremplin.types import (
    DashboardItem,
    DemoData,
    EnrolmentCheck,
    EnrolmentPanel,
    EventType,
    Field,
    HouseholdPanel,
    NavItem,
    ObjectScope,
    PartnerItem,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ReportSection,
    ShareableGroup,
    StepCorrection,
    Workflow,
)

hookspec = pluggy.HookspecMarker("tremplin")

# --- Identity -------------------------------------------------------------------------


@hookspec
def tremplin_manifest() -> PluginManifest:
    """Say what this plugin is: slug, name, version, dependencies, supported API range.

    Called once at start-up for every installed plugin, enabled or not (``tremplin plugins``
    lists them). Every plugin must implement it. A plugin whose ``api`` range excludes the
    running API version, or whose ``depends_on`` are not all enabled, is refused at start.
    """


@hookspec
def tremplin_programme_specs() -> list[ProgrammeSpec]:
    """Return one :class:`~tremplin.types.ProgrammeSpec` per programme this plugin defines.

    Called once at start-up. A spec carries everything per programme: its names, places,
    prescribers, partner kinds and agreement policy (``programme``), its workflow with its
    deadlines, its enrolment fields and cross-field checks, timeline event types, enrolment
    panels, shareable groups, partner items and report sections. The core completes it
    with its own declarations, validates it (a refusal names the plugin) and freezes it:
    nothing of it is asked again while the app runs. A capability plugin such as
    ``housing`` does not implement it.
    """


@hookspec
def tremplin_programmes() -> list[Programme]:
    """Deprecated (API 1.5): return a :class:`ProgrammeSpec` from ``tremplin_programme_specs``.

    Return the programmes this plugin defines. Called once at start-up and still honoured
    for this API version, with a ``DeprecationWarning`` naming the plugin.
    """


# --- Storage --------------------------------------------------------------------------


@hookspec
def tremplin_piccolo_apps() -> list[str]:
    """Return dotted paths of this plugin's Piccolo app modules (``…piccolo_app``).

    Called at start-up; migrations run only for enabled plugins' apps. A plugin's tables may
    reference core tables or a declared dependency's tables, never another plugin's.
    """


# --- Forms and workflow -----------------------------------------------------------------


@hookspec
def tremplin_enrolment_fields(programme: str) -> list[Field]:
    """Deprecated (API 1.5): declare it in ``ProgrammeSpec.fields``.

    Asked once per programme at start-up (never per request) and adapted into the spec, with
    a ``DeprecationWarning`` naming the plugin.

    Return the extra fields of an enrolment in ``programme`` (stored in its ``data``).

    Called whenever an enrolment form is shown or validated; return ``[]`` for programmes
    this plugin does not know. Fields are shown sorted by ``order``.
    """


@hookspec
def tremplin_enrolment_checks(programme: str) -> list[EnrolmentCheck]:
    """Deprecated (API 1.5): declare it in ``ProgrammeSpec.checks``.

    Asked once per programme at start-up (never per request) and adapted into the spec, with
    a ``DeprecationWarning`` naming the plugin.

    Return the rules between several fields of an enrolment in ``programme``.

    Called when an orientation is recorded or corrected, after every field has been parsed;
    return ``[]`` for programmes this plugin does not know. The messages of every check are
    shown together next to their fields and nothing is saved (the form keeps what was typed).
    """


@hookspec
def tremplin_workflows() -> list[Workflow]:
    """Deprecated (API 1.5): declare it in ``ProgrammeSpec.workflow``.

    Asked once per programme at start-up (never per request) and adapted into the spec, with
    a ``DeprecationWarning`` naming the plugin.

    Return the enrolment workflows (states, transitions with guards, deadlines).

    Called at start-up. There is exactly one workflow per programme.
    """


@hookspec
def tremplin_timeline_event_types() -> list[EventType]:
    """Return the kinds of timeline events this plugin adds to every programme.

    Called at start-up. A programme's own types belong in ``ProgrammeSpec.event_types``
    (types tied to a programme are offered only in that programme).
    """


@hookspec
def tremplin_enrolment_panels() -> list[EnrolmentPanel]:
    """Deprecated (API 1.5): declare it in ``ProgrammeSpec.panels``.

    Asked once per programme at start-up (never per request) and adapted into the spec, with
    a ``DeprecationWarning`` naming the plugin.

    Return blocks shown under each enrolment of a programme on the household page.

    Called when a household page is rendered; each panel's ``context`` is awaited for the
    enrolment it is shown under. A failing panel is replaced by a notice naming the plugin.
    """


@hookspec
def tremplin_household_panels() -> list[HouseholdPanel]:
    """Return blocks shown in the side column of the household page.

    Called when a household page is rendered (after the access check); each panel's
    ``context`` is awaited with the household id and the user, and may return ``None`` to
    hide the panel for that household. A failing panel becomes a notice.
    """


@hookspec
def tremplin_shareable_groups(programme: str) -> list[ShareableGroup]:
    """Deprecated (API 1.5): declare it in ``ProgrammeSpec.shareable_groups``.

    Asked once per programme at start-up (never per request) and adapted into the spec, with
    a ``DeprecationWarning`` naming the plugin.

    Return the groups of information of ``programme`` that may be shared with a partner.

    Called when a share is created or a partner opens a shared household. Return ``[]``
    for programmes this plugin does not know. Never share rent details or other
    programmes' data through these groups.
    """


@hookspec
def tremplin_partner_items(programme: str) -> list[PartnerItem]:
    """Deprecated (API 1.5): declare it in ``ProgrammeSpec.partner_items``.

    Asked once per programme at start-up (never per request) and adapted into the spec, with
    a ``DeprecationWarning`` naming the plugin.

    Return computed items shown to a partner on a household shared in ``programme``.

    Called when a partner opens a household shared with its organisation, once per shared
    programme, after the share check; return ``[]`` for programmes this plugin does not
    know. An item is shown only when its ``group`` is among the groups shared; its
    ``value`` is awaited with the household id and may return ``None`` to hide it. A
    failing item is left out. Give a status ("à jour" / "en impayé"), never an amount.
    """


# --- Web ---------------------------------------------------------------------------------


@hookspec
def tremplin_routes() -> list[Any]:
    """Return Litestar route handlers, controllers or routers to mount.

    Called once at start-up. Paths must start with ``/<slug>`` (or ``/api/<slug>``) and every
    handler (or its router or controller) must carry an access guard from :mod:`tremplin.api`
    (``requires``, ``roles``, ``staff_only``, ``partner_only``): otherwise the app refuses to
    start, naming the plugin and the route.
    """


@hookspec
def tremplin_object_scopes() -> list[ObjectScope]:
    """Return the programme of the objects this plugin's routes name (dwellings, houses…).

    Called once when the app is built. For each request to a route under a scope's
    ``path``, before the handler runs, the core reads the object's programme and answers 404
    to a user restricted to other programmes (see :class:`~tremplin.types.ObjectScope`). A
    route's ``household_id`` and ``enrolment_id`` parameters are scoped by the core itself.
    """


@hookspec
def tremplin_template_dirs() -> list[Path]:
    """Return folders of Jinja templates (namespaced: ``<slug>/page.html``).

    Called once when the app is built. Searched after the association's override folder and before the theme, so an override
    can replace a plugin template and a plugin can replace a theme template.
    """


@hookspec
def tremplin_navigation(user: Any) -> list[NavItem]:
    """Return main-menu entries for ``user``.

    Called on each full page render. The core shows an entry only to the ``roles`` it names
    (the roles its page's guard lets through, e.g. ``roles_holding("technical")``), sorted by
    ``order``; an entry without roles is refused at start-up (the hook is called once per
    role then). Hiding an entry is never the access check: every route has its own guard.
    """


@hookspec
def tremplin_dashboard_items(user: Any) -> list[DashboardItem]:
    """Return dashboard blocks for ``user``; each block's ``rows`` is awaited by the core.

    Called each time the dashboard is shown. A block tied to a ``programme`` is shown only
    to users working in it; a block that fails is replaced by a notice naming the plugin.
    """


@hookspec
def tremplin_step_corrected(correction: StepCorrection) -> Any:
    """Return an async callable (or a list of them) to run when a recorded step is corrected.

    Called by the core's one correction command (``correct_step``) after the enrolment row
    is updated and before the audit entry, inside the same transaction: each callable is
    awaited with no argument and may change the plugin's own records (move an occupancy's
    start or end date, say). One that raises :class:`~tremplin.forms.FormErrors` refuses the
    correction and nothing is written. One that returns a non-empty string (French) adds it
    as a line of the correction's timeline event: say there what the plugin left as it was
    and why, so that a correction is never silently without effect on the plugin's records.
    """


# --- Reports ------------------------------------------------------------------------------


@hookspec
def tremplin_report_sections(programme: str) -> list[ReportSection]:
    """Return the sections this plugin adds to the report of *every* programme (``housing``'s
    stock, vacancy and arrears; the core's indicators).

    Called once per programme at start-up; sections of another programme are left out.
    A programme's own sections belong in ``ProgrammeSpec.report_sections``. Sections appear
    in ``order``; their labels are translated through the plugin's gettext catalogue.
    """


# --- Demo ---------------------------------------------------------------------------------


@hookspec
def tremplin_demo_data() -> list[DemoData]:
    """Return loaders of this plugin's own demo data (dwellings, houses, desk sessions…).

    Called by ``tremplin demo`` (and ``make run``) only on an empty database, after the core
    created the demo accounts, households and enrolments; each loader is awaited, by
    ``order``, with a :class:`~tremplin.types.DemoContext` (a seeded ``random.Random``, the
    date, the demo enrolments). Use the plugin's own services so the data obeys its rules.
    A loader that fails is rolled back and logged; the rest of the demo still loads.
    """


# --- Command line ---------------------------------------------------------------------------


@hookspec
def tremplin_commands() -> list[Command]:
    """Return the plugin's command lines, run as ``tremplin <slug> <name> …``.

    Called when ``tremplin`` builds its parser, for enabled plugins only. Each
    :class:`~tremplin.commands.Command` names its arguments and an async ``run`` awaited
    with them once the database is open; raise :class:`~tremplin.commands.CommandError`
    for a one-line failure. Sub-commands are sorted by ``order``.
    """
