"""One access policy: what a person may see and change of a household, decided here only.

Every output (household page and fragments, JSON API and its answers to writes, search, PDFs,
exports, the partner area, the share form) asks :func:`household_access` and renders the
:class:`HouseholdAccess` projection it returns; none reads the raw rows around it.

The rules, in one place:

- **Enrolments and programmes.** Staff see the household when it is active (not archived)
  and either they are not restricted to programmes, or it is enrolled in one of theirs, or
  they created it (a file not yet oriented). They see only the enrolments, notes and fields
  of their programmes.
- **Confidential contact details.** When any of the household's programmes declares
  ``confidential_contacts``, the strictest rule wins: staff see the address, phone and email
  only if assigned *by name* to one of those programmes; a partner only if every one of
  them allows its kind of organisation (``partner_kinds``), whichever programme the share
  was made under.
- **Sensitive fields** (``Field.sensitive``): only with the ``sensitive`` capability; never
  to partners.
- **Partners** see what their organisation's live shares (consent not expired, not ended)
  name, of households that are not archived.
- **Archived** households are seen by no one through the ordinary outputs (the archivist
  opens them with a logged reason).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tremplin.db import raw
from tremplin.models import Enrolment, Household, PartnerOrganisation, Share
from tremplin.permissions import can
from tremplin.services.clock import today

__all__ = [
    "CONTACT_FIELDS",
    "CONTACT_GROUP",
    "MASK",
    "HouseholdAccess",
    "contact_kinds_allowed",
    "contacts_hidden",
    "household_access",
    "is_restricted",
    "households_clause",
    "list_scope",
    "programme_clause",
    "programmes_clause",
    "staff_sees_contacts",
    "visible_households",
]

MASK = "Coordonnées confidentielles"
CONTACT_FIELDS = ("address", "phone", "email")
#: The shareable group carrying the contact details.
CONTACT_GROUP = "contact"


def is_restricted(user: Any) -> bool:
    """Whether a staff member works only in the programmes assigned to them by name."""
    return bool(getattr(user, "programmes", None))


def user_programmes(host: Any, user: Any) -> frozenset[str]:
    """The enabled programmes ``user`` works in (every enabled one when none assigned)."""
    if getattr(user, "role", None) == "partner":
        return frozenset()
    assigned = getattr(user, "programmes", None) or []
    if not assigned:
        return frozenset(host.programmes)
    return frozenset(p for p in assigned if p in host.programmes)


def contact_kinds_allowed(host: Any, programmes: Iterable[str]) -> frozenset[str] | None:
    """Partner kinds that may receive the contact details of a household enrolled in
    ``programmes``: the intersection of the ``partner_kinds`` of its confidential
    programmes (``None``: no confidential programme, any kind)."""
    allowed: frozenset[str] | None = None
    for key in programmes:
        programme = host.programmes.get(key)
        if programme is None or not programme.confidential_contacts or not programme.partner_kinds:
            continue  # not confidential, or any partner kind may receive them
        kinds = frozenset(programme.partner_kinds)
        allowed = kinds if allowed is None else allowed & kinds
    return allowed


def staff_sees_contacts(user: Any, confidential: Iterable[str]) -> bool:
    """The staff rule for contact details: with no confidential programme, shown; else
    shown only to a user assigned *by name* to one of them (the strictest rule wins)."""
    confidential = frozenset(confidential)
    if not confidential:
        return True
    if user is None or getattr(user, "role", None) == "partner":
        return False
    return bool(confidential & frozenset(getattr(user, "programmes", None) or []))


def protected_programmes(host: Any) -> frozenset[str]:
    """Enabled programmes that protect their households' contact details."""
    return frozenset(k for k, p in host.programmes.items() if p.confidential_contacts)


async def contacts_hidden(host: Any, user: Any, household_ids: Iterable[int]) -> frozenset[int]:
    """Of ``household_ids``, those whose contact details ``user`` may not see: the rule of
    :func:`household_access` (:func:`staff_sees_contacts`) for many households in one query.
    Partners get every protected household (outputs built here never go to them; the
    partner area asks :func:`household_access`)."""
    ids = sorted(set(household_ids))
    protected = sorted(protected_programmes(host))
    if not ids or not protected:
        return frozenset()
    confidential: dict[int, set[str]] = {}
    for row in await Enrolment.select(Enrolment.household, Enrolment.programme).where(
        Enrolment.household.is_in(ids) & Enrolment.programme.is_in(protected)
    ):
        confidential.setdefault(row["household"], set()).add(row["programme"])
    return frozenset(h for h, c in confidential.items() if not staff_sees_contacts(user, c))


def programme_clause(host: Any, user: Any, column: Any, *, unassigned: bool = True) -> Any:
    """Where-clause keeping a list of plugin objects to the programmes ``user`` works in
    (``None``: not restricted, nothing to add). ``column`` is the objects' programme column;
    objects of no programme yet (``""``) stay listed when ``unassigned`` (their pages are
    open to every user of the capability, see :func:`route_allowed`). The column must be
    indexed: the list keeps its keyset pagination."""
    if getattr(user, "role", None) == "partner":
        return column.is_in(["-"])  # no programme key is "-": partners list nothing
    if not is_restricted(user):
        return None
    return programmes_clause(user_programmes(host, user), column, unassigned=unassigned)


def programmes_clause(programmes: Iterable[str], column: Any, *, unassigned: bool = True) -> Any:
    """:func:`programme_clause` for programmes already resolved (a dashboard context's)."""
    mine = sorted(programmes)
    return column.is_in([*mine, ""] if unassigned else mine or ["-"])


def list_scope(host: Any, user: Any) -> tuple[list[str], int] | None:
    """How a household list is cut for ``user``: ``None`` when they see every (active)
    household, else (programmes, user id) for :func:`visible_households`; a partner lists
    nothing through the staff lists (``([], -1)``)."""
    if getattr(user, "role", None) == "partner":
        return ([], -1)
    if not is_restricted(user):
        return None
    return (sorted(user_programmes(host, user)), user.id)


def visible_households(programmes: list[str], user_id: int) -> Any:
    """Where-clause of the households a restricted user sees: enrolled in one of their
    programmes, or created by them (a file not yet oriented anywhere)."""
    # Correlated on the outer household: checked per row through the (household, programme)
    # index, instead of materialising every enrolled household id on each request.
    return Household.id.is_in(
        Enrolment.select(Enrolment.household).where(
            (Enrolment.household == Household.id) & Enrolment.programme.is_in(programmes or [""])
        )
    ) | (Household.created_by == user_id)


def households_clause(host: Any, user: Any, column: Any) -> Any:
    """Where-clause on a household id ``column``: the households ``user`` may see in lists
    (not archived; for a restricted user, enrolled in one of their programmes or created by
    them: the rule of :func:`household_access`), ``None`` for unrestricted staff apart from
    the archive. Uncorrelated sub-queries through the enrolment (programme, household) index."""
    if getattr(user, "role", None) == "partner":
        return column.is_in([-1])
    if not is_restricted(user):
        return households_clause_for(None, None, column)
    return households_clause_for(user_programmes(host, user), user.id, column)


def households_clause_for(programmes: Iterable[str] | None, user_id: Any, column: Any) -> Any:
    """:func:`households_clause` for programmes already resolved (``None``: unrestricted)."""
    active = column.is_in(Household.select(Household.id).where(Household.archived_at.is_null()))
    if programmes is None:
        return active
    mine = sorted(programmes) or ["-"]
    return active & (
        column.is_in(Enrolment.select(Enrolment.household).where(Enrolment.programme.is_in(mine)))
        | column.is_in(Household.select(Household.id).where(Household.created_by == user_id))
    )


@dataclass(frozen=True)
class HouseholdAccess:
    """What one user may see and change of one household: the projection every output
    renders."""

    household_id: int
    exists: bool
    archived: bool
    visible: bool
    #: Programmes the household is enrolled in (enabled ones).
    enrolled: frozenset[str]
    #: Of those, the ones whose enrolments, notes and fields the user sees.
    programmes: frozenset[str]
    #: Enrolled programmes that protect the contact details.
    confidential: frozenset[str]
    #: Whether the contact details are shown (else masked, and never editable).
    contacts: bool
    #: Whether fields marked sensitive are shown.
    sensitive: bool
    #: Partner: programme → groups its organisation's live shares name.
    partner_groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    partner_kind: str | None = None

    @property
    def contacts_protected(self) -> bool:
        return bool(self.confidential)

    @property
    def shared_groups(self) -> frozenset[str]:
        """Every group shared with the partner, whatever the programme."""
        out: set[str] = set()
        for groups in self.partner_groups.values():
            out |= groups
        return frozenset(out)

    def project_household(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The household row as this user may see it: contact details masked unless
        allowed (``contacts_masked`` set when they are)."""
        out = dict(row)
        if self.contacts:
            return out
        for key in CONTACT_FIELDS:
            if key in out:
                out[key] = MASK if row.get(key) else ""
        out["contacts_masked"] = True
        return out

    def field_visible(self, f: Any) -> bool:
        """Whether a declared field (of an enrolment or a form) is shown to this user."""
        if self.partner_kind is not None:
            return not f.sensitive
        return self.sensitive or not f.sensitive

    def visible_fields(self, fields: Sequence[Any]) -> list[Any]:
        """The fields of a form this user may see (and so fill in)."""
        return [f for f in fields if self.field_visible(f)]

    def project_data(self, host: Any, programme: str, data: Mapping[str, Any] | None) -> dict:
        """An enrolment's data without the values of declared fields (of the enrolment or of
        a transition) this user may not see; plugin bookkeeping no field declares is kept."""
        declared = declared_fields(host, programme)
        return {
            key: value
            for key, value in (data or {}).items()
            if key not in declared or self.field_visible(declared[key])
        }

    def project_enrolment(self, host: Any, row: Mapping[str, Any]) -> dict[str, Any] | None:
        """An enrolment row as this user may see it, or ``None`` when its programme is not
        among theirs."""
        if row["programme"] not in self.programmes:
            return None
        return {**row, "data": self.project_data(host, row["programme"], row.get("data"))}

    def may_share(self, host: Any, programme: str, group: str, partner_kind: str) -> str | None:
        """``None`` when this user may share ``group`` of ``programme`` with a partner of
        ``partner_kind``; else the French reason they may not."""
        if programme not in self.programmes:
            return "le ménage n'est pas accompagné dans ce programme"
        if group != CONTACT_GROUP or not self.confidential:
            return None
        if not self.contacts:
            return (
                "les coordonnées de ce ménage sont confidentielles : vous ne pouvez pas "
                "partager ce que vous ne voyez pas"
            )
        allowed = contact_kinds_allowed(host, self.enrolled)
        if allowed is not None and partner_kind not in allowed:
            from tremplin.services.shares import PARTNER_KIND_LABELS

            kinds = ", ".join(PARTNER_KIND_LABELS.get(k, k) for k in sorted(allowed)) or "aucun"
            return (
                "les coordonnées de ce ménage sont confidentielles : elles ne se partagent "
                f"qu'avec : {kinds}"
            )
        return None


def declared_fields(host: Any, programme: str) -> dict[str, Any]:
    """Name → field of every field an enrolment of ``programme`` stores in its data: the
    programme's enrolment fields and its transitions' fields."""
    declared: dict[str, Any] = {}
    workflow = host.workflows.get(programme)
    for t in workflow.transitions if workflow else ():
        for f in t.fields:
            declared[f.name] = f
    for f in host.fields(programme):
        declared[f.name] = f
    return declared


#: The household's state and its enrolments' programmes in one statement (a household with no
#: enrolment gives one row whose programme is NULL): run on every household page and fragment.
_ACCESS_SQL = (
    'SELECT h."archived_at" AS "archived_at", h."created_by" AS "created_by", '
    'e."programme" AS "programme" FROM "household" AS h '
    'LEFT JOIN "enrolment" AS e ON e."household" = h."id" WHERE h."id" = {}'
)


async def household_access(
    host: Any, user: Any, household_id: int, *, system: bool = False
) -> HouseholdAccess:
    """Decide what ``user`` (staff, partner or token owner) may see of a household.

    ``system=True`` is the view of a script acting for the association (imports, retention,
    demo): everything is visible, and the rules on what may leave the association (partner
    kinds for confidential contacts) still apply.
    """
    rows = await raw.fetch(_ACCESS_SQL, household_id)
    if not rows or (user is None and not system):
        return HouseholdAccess(
            household_id, False, False, False, frozenset(), frozenset(), frozenset(), False, False
        )
    row = rows[0]
    archived = row["archived_at"] is not None
    enrolled = frozenset(r["programme"] for r in rows if r["programme"] in host.programmes)
    confidential = frozenset(k for k in enrolled if host.programmes[k].confidential_contacts)
    if system:
        return HouseholdAccess(
            household_id, True, archived, True, enrolled, enrolled, confidential, True, True
        )
    if getattr(user, "role", None) == "partner":
        return await _partner_access(host, user, household_id, archived, enrolled, confidential)
    mine = user_programmes(host, user)
    restricted = is_restricted(user)
    visible = not archived and (
        not restricted or bool(enrolled & mine) or row["created_by"] == user.id
    )
    return HouseholdAccess(
        household_id=household_id,
        exists=True,
        archived=archived,
        visible=visible,
        enrolled=enrolled,
        programmes=enrolled & mine,
        confidential=confidential,
        contacts=staff_sees_contacts(user, confidential),
        sensitive=can(user, "sensitive"),
    )


async def _partner_access(
    host: Any,
    user: Any,
    household_id: int,
    archived: bool,
    enrolled: frozenset[str],
    confidential: frozenset[str],
) -> HouseholdAccess:
    groups: dict[str, set[str]] = {}
    kind = None
    if not archived and getattr(user, "partner", None):
        shares = (
            await Share.select(Share.programme, Share.groups)
            .where(
                (Share.partner == user.partner)
                & (Share.household == household_id)
                & Share.ended_at.is_null()
                & (Share.consent_expires.is_null() | (Share.consent_expires >= today()))
                & Share.programme.is_in(sorted(enrolled) or [""])
            )
            .output(load_json=True)
        )
        for s in shares:
            groups.setdefault(s["programme"], set()).update(s["groups"] or [])
        partner = (
            await PartnerOrganisation.select(PartnerOrganisation.kind)
            .where(PartnerOrganisation.id == user.partner)
            .first()
        )
        kind = partner["kind"] if partner else "other"
    shared = frozenset(groups)
    every = set().union(*groups.values()) if groups else set()
    allowed = contact_kinds_allowed(host, enrolled)
    contacts = CONTACT_GROUP in every and (allowed is None or kind in allowed)
    return HouseholdAccess(
        household_id=household_id,
        exists=True,
        archived=archived,
        visible=bool(groups),
        enrolled=enrolled,
        programmes=shared,
        confidential=confidential,
        contacts=contacts,
        sensitive=False,
        partner_groups={k: frozenset(v) for k, v in groups.items()},
        partner_kind=kind or "other",
    )


# --- Plugin objects (point 2): one rule for every plugin route ---------------------------


def _under(path: str, prefix: str) -> bool:
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def validate_scopes(host: Any, route_paths: Iterable[str]) -> None:
    """Refuse at start-up an :class:`~tremplin.types.ObjectScope` the core cannot honour,
    naming the plugin that declared it."""
    from tremplin.config import ConfigError

    paths = list(route_paths)
    for plugin, scope in host.object_scopes_by_plugin:
        where = f"le plugin « {plugin} » déclare une portée ({scope.path}"
        if not scope.path.startswith("/"):
            # i18n: developer (a plugin author's mistake)
            raise ConfigError(f"{where}) dont le chemin ne commence pas par « / »")
        if scope.param:
            if scope.table is None or (scope.programme is None and not scope.programmes):
                # i18n: developer (a plugin author's mistake)
                raise ConfigError(
                    f"{where}, {scope.param}) sans table ou sans colonne du programme"
                )
            marker = "{" + scope.param + ":"
            if not any(_under(p, scope.path) and marker in p for p in paths):
                # i18n: developer (a plugin author's mistake)
                raise ConfigError(
                    f"{where}, {scope.param}) qu'aucune de ses routes n'utilise : "
                    "vérifiez le nom du paramètre"
                )
        elif not scope.programmes:
            # i18n: developer (a plugin author's mistake)
            raise ConfigError(f"{where}) sans paramètre ni programmes")
        unknown = [p for p in scope.programmes if p not in host.programmes]
        if unknown and not any(p in host.programmes for p in scope.programmes):
            # i18n: developer (a plugin author's mistake)
            raise ConfigError(f"{where}) pour des programmes inconnus : {', '.join(unknown)}")


async def object_programmes(scope: Any, value: Any) -> tuple[bool, str, int | None]:
    """(exists, programme, household id) of the object ``value`` names under ``scope``."""
    if scope.programme is None:
        exists = await scope.table.exists().where(scope.table.id == value)
        return exists, "", None
    columns = [scope.programme.as_alias("programme")]
    if scope.household is not None:
        columns.append(scope.household.as_alias("household"))
    row = await scope.table.select(*columns).where(scope.table.id == value).first()
    if row is None:
        return False, "", None
    return True, row["programme"] or "", row.get("household")


async def route_allowed(host: Any, user: Any, path: str, params: Mapping[str, Any]) -> bool:
    """Whether a staff member restricted to programmes may reach a plugin route with these
    path parameters (``False``: answer 404). Users not restricted always may (the route's
    own guard still applies)."""
    if user is None or getattr(user, "role", None) == "partner" or not is_restricted(user):
        return True
    mine = user_programmes(host, user)
    for scope in host.object_scopes:
        if not _under(path, scope.path):
            continue
        if not scope.param:
            if not set(scope.programmes) & mine:
                return False
            continue
        if scope.param not in params:
            continue
        if scope.programme is None and not set(scope.programmes) & mine:
            return False
        exists, programme, household = await object_programmes(scope, params[scope.param])
        if not exists or (programme and programme not in mine):
            return False
        if household is not None and not (await household_access(host, user, household)).visible:
            return False
    if "enrolment_id" in params:
        row = (
            await Enrolment.select(Enrolment.programme, Enrolment.household)
            .where(Enrolment.id == params["enrolment_id"])
            .first()
        )
        if row is None or row["programme"] not in mine:
            return False
        if not (await household_access(host, user, row["household"])).visible:
            return False
    if "household_id" in params:
        if not (await household_access(host, user, params["household_id"])).visible:
            return False
    return True
