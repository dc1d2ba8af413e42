"""The data a plugin hands to the core: frozen dataclasses, each with an ``order``.

This is the contract of the plugin API; parsing and formatting of typed values live in
:mod:`tremplin.values`.

Re-exported by :mod:`tremplin.api`; import them from there.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from tremplin import values
from tremplin.values import (  # re-exported: part of the contract a plugin sees
    CONTROL_CHARACTERS,
    UNKNOWN_CHOICE,
    FieldError,
    has_control_characters,
)

__all__ = [
    "CONTROL_CHARACTERS",
    "UNKNOWN_CHOICE",
    "AgreementPolicy",
    "Choice",
    "ChoiceContext",
    "DashboardContext",
    "DashboardItem",
    "DashboardRow",
    "Deadline",
    "DemoContext",
    "DemoData",
    "DemoEnrolment",
    "EnrolmentCheck",
    "EnrolmentPanel",
    "EnrolmentView",
    "Effect",
    "EffectContext",
    "EventType",
    "Field",
    "FieldError",
    "GuardContext",
    "HouseholdPanel",
    "has_control_characters",
    "NAV_GROUPS",
    "NavItem",
    "ObjectScope",
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
]


@dataclass(frozen=True)
class Choice:
    """One option of a choice field: the stored value and its French label."""

    value: str
    label: str


@dataclass(frozen=True)
class PluginManifest:
    """What a plugin is: returned by its ``tremplin_manifest`` hook.

    ``slug`` is the entry-point name, the package folder, the Piccolo app name, the template
    folder and the URL prefix. ``api`` is the range of :data:`tremplin.api.API_VERSION` it was
    written for. For an installed distribution, ``version`` and ``depends_on`` are read from
    the package metadata (its version, and the plugins its ``Requires-Dist`` names); a
    ``depends_on`` written here must also be a requirement of the package.
    """

    slug: str
    name: str
    version: str = "0"
    depends_on: tuple[str, ...] = ()
    api: str = ">=1,<2"


@dataclass(frozen=True)
class ChoiceContext:
    """What a field's ``choices_from`` is awaited with: where the form is shown.

    ``enrolment`` is set for a transition form and for the correction of an enrolment,
    ``household_id`` whenever the form concerns a household; a plugin's own page passes what
    it knows (every attribute may be ``None``).
    """

    programme: str | None = None
    enrolment: EnrolmentView | None = None
    household_id: int | None = None
    today: dt.date | None = None


#: Awaited each time the form is shown or posted: the choices offered at that moment.
ChoicesFrom = Callable[[ChoiceContext], Awaitable[Sequence[Choice]]]

FieldKind = Literal[
    "text", "textarea", "date", "int", "money", "choice", "multichoice", "bool", "email", "phone"
]


@dataclass(frozen=True)
class Field:
    """A form field with its server-side validation.

    ``sensitive`` marks health, asylum, violence or judicial data (it needs an explicit
    permission to read); ``identifying`` marks data that points to the person (a case
    number, a named contact, the date of a court order). When a file is anonymised, the
    enrolment values of sensitive and identifying fields are coarsened (dates keep only
    their month: ``2024-03-17`` → ``2024-03-01``) or removed (text), so the yearly figures
    stay exact; booleans, choices and numbers are kept, being what the reports count.
    ``group`` names the field group a programme may share with a partner.

    ``choices_from`` gives choices known only at run time (the free units of a house): an
    async function of a :class:`ChoiceContext` returning :class:`Choice` objects. The core
    awaits it (:func:`resolve_choices`) before showing or checking the form; the field is
    then shown as a list and a value not among the current choices is refused ("choix
    inconnu"), whatever its ``kind``: an ``int`` field keeps storing an integer.
    """

    name: str
    label: str
    kind: FieldKind = "text"
    required: bool = False
    choices: tuple[Choice, ...] = ()
    help: str = ""
    sensitive: bool = False
    identifying: bool = False
    group: str = "general"
    max_length: int = 200
    minimum: int | None = None
    maximum: int | None = None
    order: int = 100
    choices_from: ChoicesFrom | None = field(default=None, compare=False, repr=False)

    async def resolved(self, context: ChoiceContext | None = None) -> Field:
        """This field with ``choices`` set from ``choices_from`` (itself when it has none)."""
        if self.choices_from is None:
            return self
        found = await self.choices_from(context or ChoiceContext())
        return replace(self, choices=tuple(found))

    def label_of(self, value: Any) -> str:
        """The French label of a stored value (choice labels, dates as dd/mm/yyyy)."""
        return values.label_of(self, value)

    def form_value(self, stored: Any) -> Any:
        """What an edit form shows for a stored value, so that posting the form back unchanged
        saves the same value: money in euros (``8550`` → ``"85,50"``), booleans as ``"on"``."""
        return values.form_value(self, stored)

    def label_of_one(self, value: str) -> str:
        return next((c.label for c in self.choices if c.value == value), value)

    def parse(self, raw: Any) -> Any:
        """Turn what the form sent into the stored value, or raise :class:`FieldError`.

        Dates are stored as ISO strings, money as integer cents, empty values as ``None``
        (``[]`` for multiple choices, ``False`` for booleans).
        """
        return values.parse(self, raw)


@dataclass(frozen=True)
class AgreementPolicy:
    """The occupancy agreement (*convention d'occupation*) of a programme that sub-lets,
    declared on its :class:`Programme` and honoured by the ``housing`` plugin, which keeps
    every programme's renewals in one table.

    The agreement runs from the entry for ``term_months``; each renewal adds one more term
    (``renewable``) up to ``max_months``, beyond which only a derogation with its reason
    extends it (when ``derogation``). A programme whose agreement is not ``renewable``
    (J'APPART: 12 months) is extended only by a derogation to a chosen date.
    ``signatories`` name who signs (``household``, ``referent``, ``head_of_service``,
    ``landlord``…), ``template`` the plugin's Typst template of the PDF.
    """

    term_months: int
    max_months: int | None = None
    renewable: bool = True
    derogation: bool = True
    signatories: tuple[str, ...] = ("household", "referent", "head_of_service")
    template: str = ""


@dataclass(frozen=True)
class Programme:
    """A programme the association runs (one plugin may define several)."""

    key: str
    name_fr: str
    name_en: str
    places: int | None = None
    max_duration_months: int | None = None
    public: str = ""
    prescribers: tuple[Choice, ...] = ()
    exit_destinations: tuple[Choice, ...] = ()
    #: Whether the workers of a partner the household is shared with may add notes.
    partner_notes: bool = False
    #: The kinds of partner organisations (``PartnerOrganisation.kind``: ``mission_locale``,
    #: ``sos_vc``, ``siao``, ``other``) a household may be shared with in this programme;
    #: empty: any partner. Checked on the server whenever a share is created.
    partner_kinds: tuple[str, ...] = ()
    #: The household's contact details (and its dwelling's address) are shown only to staff
    #: assigned to this programme by name and to partners it is shared with; masked
    #: everywhere else, and every view is audited (Alter Logement).
    confidential_contacts: bool = False
    #: Years without contact after the end of support before a file leaves the active
    #: base, and years in the archive before it is anonymised (``None``: the installation's).
    retention_years: int | None = None
    archive_years: int | None = None
    #: The occupancy agreement the programme signs with the households it houses (``None``:
    #: none); see :class:`AgreementPolicy`.
    agreement: AgreementPolicy | None = None
    order: int = 100

    def prescriber_label(self, value: str) -> str:
        return next((c.label for c in self.prescribers if c.value == value), value)

    def destination_label(self, value: str) -> str:
        return next((c.label for c in self.exit_destinations if c.value == value), value)


#: ``referral`` (orientation, before a decision), ``waiting`` (accepted, not yet in),
#: ``active`` (accompanied / housed), ``closed`` (ended, with or without entry).
Phase = Literal["referral", "waiting", "active", "closed"]


@dataclass(frozen=True)
class State:
    """A workflow state with its French label."""

    key: str
    label: str
    phase: Phase = "active"


@dataclass(frozen=True)
class EnrolmentView:
    """A read-only snapshot of an enrolment handed to guards and deadlines."""

    id: int
    household_id: int
    programme: str
    state: str
    referral_date: dt.date | None
    decision_date: dt.date | None
    entry_date: dt.date | None
    exit_date: dt.date | None
    data: dict[str, Any]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> EnrolmentView:
        """The view of an ``Enrolment`` row selected with all its columns (JSON loaded)."""
        return cls(
            id=row["id"],
            household_id=row["household"],
            programme=row["programme"],
            state=row["state"],
            referral_date=row["referral_date"],
            decision_date=row["decision_date"],
            entry_date=row["entry_date"],
            exit_date=row["exit_date"],
            data=dict(row["data"] or {}),
        )


@dataclass(frozen=True)
class GuardContext:
    """What a transition guard sees: the enrolment, the parsed transition values, today."""

    enrolment: EnrolmentView
    values: dict[str, Any]
    today: dt.date


#: A guard returns ``None`` to allow the transition or a French reason to refuse it,
#: directly or through an awaitable (for checks that read the database).
Guard = Callable[[GuardContext], "str | None | Awaitable[str | None]"]


@dataclass(frozen=True)
class EffectContext:
    """What a transition's effect is awaited with, inside the transition's own transaction.

    ``before`` is the enrolment as it was, ``enrolment`` as the transition just wrote it (new
    state, dates, data); ``values`` are the parsed values of the transition's fields (dates
    as ISO strings, money in cents). ``user_id`` and ``address`` say who acts, for the audit.
    """

    transition: str
    before: EnrolmentView
    enrolment: EnrolmentView
    values: dict[str, Any]
    user_id: int | None
    address: str
    today: dt.date
    programme: Programme | None = None


#: An effect of a transition (open the occupancy, close the vacancy…): an async function of
#: an :class:`EffectContext`. It raises :class:`tremplin.forms.FormErrors` to refuse; the
#: transition then writes nothing at all (no enrolment change, no timeline, no audit).
Effect = Callable[[EffectContext], Awaitable[None]]


@dataclass(frozen=True)
class EnrolmentCheck:
    """A rule between several fields of an enrolment of ``programme`` (CEJ end after its
    start…), checked when the orientation is recorded or corrected.

    ``check`` receives the parsed values (the core's and the programme's fields, dates as
    ISO strings, money in cents) and returns field name → French message, ``{}`` when the
    values are consistent.
    """

    key: str
    programme: str
    check: Callable[[dict[str, Any]], dict[str, str]]
    order: int = 100


@dataclass(frozen=True)
class Transition:
    """A move between states, with the fields asked for when it is made.

    A field named like an enrolment column (``decision_date``, ``entry_date``,
    ``exit_date``, ``exit_reason``, ``exit_destination``) fills that column; any other goes
    into the enrolment's ``data``.

    ``effects`` are awaited in order by the core, in the transition's transaction, once the
    enrolment is written (see :class:`EffectContext`): what else the step changes, so that one
    action records one fact (the entry opens the occupancy, the exit closes it).

    ``timeline_event``: whether the core writes the transition's « Changement d'étape » line on
    the timeline. A transition whose effect writes its own, more telling line (housing's
    renewal: « Renouvellement de la convention », with the new end) sets it to ``False``, so
    that one fact is one line; the transition is still audited.

    ``store_values``: whether the values of the fields that are not enrolment columns go into
    the enrolment's ``data``. ``False`` when an effect keeps them in its own table (housing's
    renewal: the decision date and derogation reason live with the renewal); the guards and
    effects still get them.
    """

    key: str
    label: str
    source: tuple[str, ...]
    target: str
    fields: tuple[Field, ...] = ()
    guards: tuple[Guard, ...] = ()
    effects: tuple[Effect, ...] = ()
    order: int = 100
    danger: bool = False
    timeline_event: bool = True
    store_values: bool = True


@dataclass(frozen=True)
class Deadline:
    """A date by which something must happen while an enrolment is in one of ``states``.

    The core computes it (``due``, returning a date, ``None``, or an awaitable of either)
    each time the enrolment is written and shows it from ``warn_days`` before the date, or
    from ``warn_months`` calendar months before when set (« à partir du 20e mois » of 24).
    """

    key: str
    label: str
    states: tuple[str, ...]
    due: Callable[[EnrolmentView], dt.date | None | Awaitable[dt.date | None]]
    warn_days: int = 30
    warn_months: int | None = None

    def warn_from(self, due: dt.date) -> dt.date:
        """The first day the due date is shown on the dashboard."""
        if self.warn_months is not None:
            from tremplin.dates import add_months

            return add_months(due, -self.warn_months)
        return due - dt.timedelta(days=self.warn_days)


@dataclass(frozen=True)
class Workflow:
    """The states and transitions of one programme's enrolments."""

    programme: str
    states: tuple[State, ...]
    initial: str
    transitions: tuple[Transition, ...]
    deadlines: tuple[Deadline, ...] = ()

    def state(self, key: str) -> State:
        for state in self.states:
            if state.key == key:
                return state
        return State(key=key, label=key, phase="active")

    def available(self, state: str) -> list[Transition]:
        return sorted(
            (t for t in self.transitions if state in t.source), key=lambda t: (t.order, t.key)
        )


@dataclass(frozen=True)
class EventType:
    """A kind of timeline event (note, home visit, tripartite meeting…)."""

    key: str
    label: str
    programme: str | None = None
    #: Counted as a contact with the household in the reports (visits, appointments…).
    contact: bool = False
    #: Offered in the "add to the timeline" form (state changes are written by the core).
    manual: bool = True
    order: int = 100
    #: Roles without access to the social file (the house mistress and technicians hold the
    #: ``technician`` role) who may add events of this kind, and read only the events of
    #: their kinds, on the households of the programme (of their programmes when
    #: ``programme`` is ``None``), on the « Passages et visites » page. Staff who open the
    #: file see and add these events as any other.
    roles: tuple[str, ...] = ()


#: The groups of the main menu, in their order: key → French label. A :class:`NavItem`
#: names one of these keys as its ``group``; ``""`` puts it first, outside any group.
NAV_GROUPS: dict[str, str] = {
    "support": "Accompagnement",
    "housing": "Logement",
    "programmes": "Programmes",
    "steering": "Pilotage",
    "admin": "Administration",
}


@dataclass(frozen=True)
class NavItem:
    """An entry of the main menu.

    ``roles``: when not empty, only users of these roles see the entry. ``group``: one of
    the keys of :data:`NAV_GROUPS` (the menu groups entries under their French label and
    folds into a « Menu » button on small screens); ``""`` shows the entry on its own.
    """

    label: str
    href: str
    order: int = 100
    roles: tuple[str, ...] = ()
    group: str = ""


@dataclass(frozen=True)
class ObjectScope:
    """The programme of the objects a plugin's routes name, declared once; the core applies
    it to every route of the plugin, so a user restricted to other programmes gets a 404.

    ``path`` is the prefix of the routes it covers (``/housing``). ``param`` names the path
    parameter holding the object's id (``dwelling_id``), ``table`` the table it is the id
    of, and ``programme`` the column giving the object's programme (``Dwelling.programme``,
    or through a join ``Claim.dwelling.programme``). An object whose programme is empty is
    tied to no programme (a dwelling not yet used): the route's own guard decides alone. With
    ``household`` (a column giving the household), a household the user may not open also
    answers 404.

    Without ``param``, ``programmes`` names the programmes every route under ``path``
    belongs to (the boarding houses' pages): a user restricted to none of them gets 404.
    Users not restricted to programmes (``User.programmes`` empty) are never refused here.
    """

    path: str
    param: str = ""
    table: Any = None
    programme: Any = None
    household: Any = None
    programmes: tuple[str, ...] = ()
    order: int = 100


@dataclass(frozen=True)
class DashboardRow:
    label: str
    href: str = ""
    detail: str = ""


@dataclass(frozen=True)
class DashboardContext:
    """What a dashboard block is computed for: the user and the programmes they work in."""

    user: Any
    programmes: tuple[str, ...]
    #: ``None`` when the user sees every household, else the user id for "created by me".
    restricted_to: int | None
    today: dt.date
    programme_names: dict[str, str]
    state_labels: dict[tuple[str, str], str]
    #: (programme, state) pairs whose phase is ``closed``.
    closed_states: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class DashboardItem:
    """A block of the dashboard; ``rows`` is awaited with a :class:`DashboardContext`.

    Only users holding ``capability`` see the block (the core checks it, once, for every
    plugin). The dashboard shows the first :data:`DASHBOARD_ROWS` rows of a block and says how many
    more there are, with a link to ``more_href`` (a page of the plugin listing them all) when
    given. Return the most urgent rows first.
    """

    key: str
    title: str
    rows: Callable[[DashboardContext], Awaitable[Sequence[DashboardRow]]]
    order: int = 100
    programme: str | None = None
    more_href: str | None = None
    #: The capability (:data:`tremplin.permissions.CAPABILITIES`) a user needs to see the
    #: block: its rows must only link to pages that capability opens. The default, ``social``,
    #: suits blocks naming households; a housing block declares ``rental`` or ``technical``;
    #: ``""`` shows the block to every staff member.
    capability: str = "social"


#: Rows of a dashboard block shown on the dashboard; the others are counted.
DASHBOARD_ROWS = 15


@dataclass(frozen=True)
class EnrolmentPanel:
    """A block a plugin adds under each enrolment of ``programme`` on the household page.

    ``context`` is awaited with the enrolment and returns the variables of ``template``
    (a template of the plugin's folder, e.g. ``iml_sublease/_renewals.html``).
    """

    key: str
    programme: str
    template: str
    context: Callable[[EnrolmentView], Awaitable[dict[str, Any]]]
    order: int = 100


@dataclass(frozen=True)
class ShareableGroup:
    """A group of information a programme lets staff share with a partner.

    Fields declared with ``group=<key>`` belong to it. The core declares ``identity``,
    ``contact``, ``enrolment`` and ``shared_notes`` for every programme.
    """

    programme: str
    key: str
    label: str
    order: int = 100


@dataclass(frozen=True)
class PartnerItem:
    """A computed line a programme adds to a partner's view of a shared household.

    Shown only when the household is shared in ``programme`` with ``group`` among the
    shared groups. ``value`` is awaited with the household id and returns a short French
    text ("à jour", "en impayé"…), or ``None`` to show nothing. It is derived from the data,
    never a raw figure the partner may not see (rent amounts, balances).
    """

    key: str
    programme: str
    label: str
    group: str
    value: Callable[[int], Awaitable[str | None]]
    order: int = 100


@dataclass(frozen=True)
class HouseholdPanel:
    """A block a plugin adds to the household page (dwelling, rent account…).

    ``context`` is awaited with the household id and the user; it returns the variables of
    ``template``, or ``None`` to show nothing for this household. With ``with_request`` it
    is awaited with the request too (third argument), for the access policy's helpers
    (:func:`tremplin.api.hidden_contacts`).
    """

    key: str
    title: str
    template: str
    context: Callable[..., Awaitable[dict[str, Any] | None]]
    order: int = 100
    with_request: bool = False


@dataclass(frozen=True)
class Period:
    """A closed date range ``[start, end]`` (a calendar year by default)."""

    start: dt.date
    end: dt.date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def label(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        ):
            return str(self.start.year)
        from tremplin.i18n import format_date, gettext

        return gettext("du {start} au {end}").format(
            start=format_date(self.start), end=format_date(self.end)
        )


@dataclass(frozen=True)
class IndicatorRow:
    """One line of an indicator table: a label, a count and the percentage of the total.

    ``count`` is ``None`` where the figure has no meaning (an average stay when nobody left):
    the report prints « — ». ``unit`` is one of :data:`UNITS` (``count``, ``people``,
    ``percent``, ``euros``, ``months``, ``days``); empty, the row takes its table's unit.
    """

    label: str
    count: float | None
    percent: float | None = None
    key: str = ""
    unit: str = ""


#: The units of indicator rows: what the figure counts, which decides its format.
UNITS = ("count", "people", "percent", "euros", "months", "days")


@dataclass(frozen=True)
class IndicatorTable:
    """An indicator: a stable key, a French title, rows, and the total behind percentages.

    ``chart`` is ``"bar"`` when the seeds draw it as a chart. ``unit`` names what is
    counted: one of :data:`UNITS`, or a French word the report maps to one (ménages → count,
    personnes/adultes → people, euros, mois → months, jours → days). ``empty`` is the one
    sentence printed instead of the table when it has nothing to show (« Aucun sinistre
    déclaré ») ; by default « <titre> : aucune donnée sur la période ».
    """

    key: str
    title: str
    rows: tuple[IndicatorRow, ...]
    total: float | None = None
    unit: str = "ménages"
    chart: str | None = None
    note: str = ""
    empty: str = ""


@dataclass(frozen=True)
class ReportContext:
    """What a report section is computed for."""

    programme: str
    programme_name: str
    period: Period
    places: int | None = None
    max_duration_months: int | None = None
    prescribers: tuple[Choice, ...] = ()
    exit_destinations: tuple[Choice, ...] = ()
    #: Timeline kinds counted as contacts in this programme (key → label).
    contact_kinds: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportSection:
    """A section of a programme's activity report; ``compute`` returns its tables.

    ``programme`` is the programme key, or ``"*"`` for a section every programme gets
    (the core's common indicators).

    A chapter whose programme had no household, entry or exit in the period is printed as
    "no data", unless one of its ``activity`` sections counts something: set ``activity=True``
    on a section that reports work not made of enrolments (a walk-in desk, workshops).

    The report is built in its language: the section's title, its tables' titles and notes
    and its row labels are looked up in the gettext catalogue of the package ``compute``
    comes from (mark them with ``N_()``), then the core's; a label with variable parts is
    translated by ``compute`` itself before it is formatted
    (``gettext("Impayés au {date}").format(date=format_date(day))``).

    ``previous_year`` (default ``True``): the engine computes the section a second time for
    the same dates one year earlier and puts the previous value and the change beside every
    row (matched by row key, else label) when the chapter has figures for that year. Set it
    to ``False`` for a section whose tables cannot be compared year on year.

    ``scope`` is ``"programme"`` (default: the section is part of each programme's chapter)
    or ``"association"``: the section is computed once for the whole association, with
    ``ReportContext.programme`` empty, and makes a chapter of its own (named by the section's
    title) in the report of the whole association: the housing stock, every dwelling with or
    without a programme. The engine keeps one such section per key, whichever programme's
    call returned it; a report of one programme leaves it out.
    """

    key: str
    title: str
    programme: str
    compute: Callable[[ReportContext], Awaitable[Sequence[IndicatorTable]]]
    order: int = 100
    activity: bool = False
    previous_year: bool = True
    scope: str = "programme"


@dataclass(frozen=True)
class ProgrammeSpec:
    """Everything a programme declares, in one place: returned by ``tremplin_programme_specs``.

    ``programme`` carries its names, places, prescribers, exit destinations, partner kinds
    and agreement policy; ``workflow`` its states, transitions and deadlines. The rest is what
    the core used to ask per programme: the enrolment's own ``fields`` and cross-field
    ``checks``, the timeline ``event_types`` offered in it, the ``panels`` under its
    enrolments, the ``shareable_groups`` and ``partner_items`` of a share, and its report
    ``sections``. The core builds a registry of the specs once at start-up, validates it
    (naming the plugin) and freezes it; nothing here is called per request.

    Items that name their programme (``ShareableGroup.programme``, ``ReportSection.programme``…)
    may leave it empty: the core fills in ``programme.key``; another key is refused.
    """

    programme: Programme
    workflow: Workflow
    fields: tuple[Field, ...] = ()
    checks: tuple[EnrolmentCheck, ...] = ()
    event_types: tuple[EventType, ...] = ()
    panels: tuple[EnrolmentPanel, ...] = ()
    shareable_groups: tuple[ShareableGroup, ...] = ()
    partner_items: tuple[PartnerItem, ...] = ()
    report_sections: tuple[ReportSection, ...] = ()

    @property
    def key(self) -> str:
        return self.programme.key


@dataclass(frozen=True)
class DemoEnrolment:
    """An enrolment the core demo created: a plugin's demo data builds on these."""

    id: int
    household_id: int
    programme: str
    state: str
    #: The phase of ``state``: ``referral``, ``waiting``, ``active`` or ``closed``.
    phase: str
    referral_date: dt.date
    entry_date: dt.date | None
    exit_date: dt.date | None


@dataclass(frozen=True)
class DemoContext:
    """What a plugin's demo loader is awaited with, after the core created its households.

    ``rng`` is seeded from the demo seed and the loader's key (reproducible, and independent
    of the other plugins); ``users`` maps each demo account's role to its user id.
    """

    rng: random.Random
    today: dt.date
    enrolments: tuple[DemoEnrolment, ...]
    users: dict[str, int]
    #: The enabled programmes: key → French name.
    programmes: dict[str, str] = field(default_factory=dict)

    def enrolments_of(self, *programmes: str, phase: str | None = None) -> list[DemoEnrolment]:
        """The demo enrolments of ``programmes`` (all when none given), of ``phase`` if given."""
        return [
            e
            for e in self.enrolments
            if (not programmes or e.programme in programmes) and (phase is None or e.phase == phase)
        ]


@dataclass(frozen=True)
class DemoData:
    """Demo data a plugin adds to ``tremplin demo`` (``make run``) after the core's own.

    ``load`` is awaited with a :class:`DemoContext` inside the demo's transaction and returns
    a short French summary ("15 logements, 2 ménages en impayé") or ``None``. Loaders run by
    ``order`` (a capability such as ``housing`` before the programmes that read its data);
    one that fails is rolled back and logged, and the rest of the demo still loads.
    """

    key: str
    load: Callable[[DemoContext], Awaitable[str | None]]
    order: int = 100


@dataclass(frozen=True)
class StepCorrection:
    """A recorded step of an enrolment corrected by the head of service (admission, entry or
    exit): handed to ``tremplin_step_corrected`` inside the correction's transaction.

    ``before`` and ``after`` map the corrected columns (``decision_date``, ``entry_date``,
    ``exit_date``, ``exit_destination``, ``exit_reason``) to their old and new values (dates as
    :class:`datetime.date`); ``enrolment`` is the enrolment as it is after the correction.
    ``workflow`` is the enrolment's programme workflow, whose transitions' effects say what the
    step changed besides the enrolment (housing reads its exit's effect: a correction to or
    from an outcome where the household stays in its dwelling reopens or closes the occupancy).
    """

    step: Literal["admission", "entry", "exit"]
    enrolment: EnrolmentView
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    reason: str
    user_id: int | None
    workflow: Workflow | None = None
