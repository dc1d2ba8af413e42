"""Which households a user may see: checked on the server for every page, fragment and call."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler

from tremplin.errors import NotFound
from tremplin.policy import (
    CONTACT_FIELDS,
    MASK,
    HouseholdAccess,
    contacts_hidden,
    household_access,
    households_clause,
    households_clause_for,
    list_scope,
    programme_clause,
    programmes_clause,
    route_allowed,
)
from tremplin.types import DashboardContext
from tremplin.web.state import app_context, current_user

__all__ = [
    "CONTACT_FIELDS",
    "MASK",
    "access_for",
    "audit_confidential",
    "check_household",
    "hidden_contacts",
    "household_filter",
    "programme_filter",
    "masked_contacts",
    "scope_guard",
    "visibility",
]


def visibility(connection: ASGIConnection) -> tuple[list[str], int] | None:
    """How the current user's household lists are cut (:func:`tremplin.policy.list_scope`):
    ``None`` when the user sees every household, else (programmes, user id)."""
    return list_scope(app_context(connection).host, current_user(connection))


async def check_household(connection: ASGIConnection, household_id: int) -> HouseholdAccess:
    """Raise :class:`NotFound` (answered 404, revealing nothing) if the household is hidden;
    else return the access policy's projection of it for the current user."""
    access = await access_for(connection, household_id)
    if not access.visible or access.partner_kind is not None:
        raise NotFound(household_id)
    return access


def enabled_programmes(connection: ASGIConnection) -> list[str]:
    return app_context(connection).host.programme_keys


async def access_for(connection: ASGIConnection, household_id: int) -> HouseholdAccess:
    """The access policy's projection of a household for the current user."""
    return await household_access(
        app_context(connection).host, current_user(connection), household_id
    )


async def hidden_contacts(connection: ASGIConnection, household_ids) -> frozenset[int]:
    """Of ``household_ids``, those whose contact details the current user may not see
    (:func:`tremplin.policy.contacts_hidden`: one query for a whole list or document)."""
    return await contacts_hidden(
        app_context(connection).host, current_user(connection), household_ids
    )


def programme_filter(connection: ASGIConnection | DashboardContext, column):
    """Where-clause keeping a list of plugin objects to the current user's programmes
    (``None`` when the user is not restricted): :func:`tremplin.policy.programme_clause`.
    ``connection`` may be a dashboard block's :class:`~tremplin.types.DashboardContext`."""
    if isinstance(connection, DashboardContext):
        if connection.restricted_to is None:
            return None
        return programmes_clause(connection.programmes, column)
    return programme_clause(app_context(connection).host, current_user(connection), column)


def household_filter(connection: ASGIConnection | DashboardContext, column):
    """Where-clause on a household id column: the households the current user may see in
    a list (:func:`tremplin.policy.households_clause`), in SQL, for keyset lists.
    ``connection`` may be a dashboard block's :class:`~tremplin.types.DashboardContext`."""
    if isinstance(connection, DashboardContext):
        if connection.restricted_to is None:
            return households_clause_for(None, None, column)
        return households_clause_for(connection.programmes, connection.restricted_to, column)
    return households_clause(app_context(connection).host, current_user(connection), column)


async def confidential_programmes(connection: ASGIConnection, household_id: int) -> list[str]:
    """Programmes protecting this household's contact details (see
    ``Programme.confidential_contacts``)."""
    return sorted((await access_for(connection, household_id)).confidential)


async def contacts_visible(connection: ASGIConnection, household_id: int) -> bool:
    """Whether the current user may see the household's contact details (the policy's
    rule: the strictest of the household's programmes wins)."""
    return (await access_for(connection, household_id)).contacts


async def audit_confidential(
    connection: ASGIConnection, access: HouseholdAccess, what: str = "page"
) -> None:
    """Audit a view of protected contact details (fields only, never values)."""
    if not (access.confidential and access.contacts):
        return
    from tremplin.services import audit
    from tremplin.web.state import actor

    a = actor(connection)
    await audit.record(
        "read_confidential",
        "household",
        access.household_id,
        user_id=a.user_id,
        fields=[*CONTACT_FIELDS, what],
        address=a.address,
    )


async def masked_contacts(
    connection: ASGIConnection, household: dict, *, what: str = "page"
) -> dict:
    """The household with its contact details masked unless the policy shows them; an
    allowed view of protected details is audited."""
    access = await access_for(connection, household["id"])
    await audit_confidential(connection, access, what)
    return access.project_household(household)


async def scope_guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Apply the plugins' :class:`~tremplin.types.ObjectScope` declarations (and the core's
    ``household_id`` / ``enrolment_id`` rule) to every plugin route: a user restricted to
    other programmes gets 404, revealing nothing."""
    user = connection.scope.get("user")
    if user is None or not getattr(user, "programmes", None) or user.role == "partner":
        return
    host = app_context(connection).host
    path = connection.scope["path"]
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["api"]:
        parts = parts[1:]
    if not parts or parts[0] not in host.installed:
        return  # a core route: it checks the household itself
    if not await route_allowed(host, user, path, connection.path_params):
        raise NotFoundException()
