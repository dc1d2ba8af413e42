"""Which households a user may see: checked on the server for every page, fragment and call."""

from __future__ import annotations

from litestar.connection import ASGIConnection

from tremplin.models import Household
from tremplin.services.households import NotFound, visible_households
from tremplin.web.state import app_context, current_user, user_programmes


def visibility(connection: ASGIConnection) -> tuple[list[str], int] | None:
    """``None`` when the user sees every household, else (programmes, user id)."""
    user = current_user(connection)
    if user.role == "partner":
        return ([], -1)
    if not user.programmes:
        return None
    return (user_programmes(connection), user.id)


async def check_household(connection: ASGIConnection, household_id: int) -> None:
    """Raise :class:`NotFound` (answered 404, revealing nothing) if the household is hidden."""
    scope = visibility(connection)
    active = (Household.id == household_id) & Household.archived_at.is_null()
    if scope is None:
        if not await Household.exists().where(active):
            raise NotFound(household_id)
        return
    visible = await Household.exists().where(active & visible_households(*scope))
    if not visible:
        raise NotFound(household_id)


def enabled_programmes(connection: ASGIConnection) -> list[str]:
    return app_context(connection).host.programme_keys
