"""Which households a user may see: checked on the server for every page, fragment and call."""

from __future__ import annotations

from litestar.connection import ASGIConnection

from tremplin.models import Enrolment, Household
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


MASK = "Coordonnées confidentielles"
CONTACT_FIELDS = ("address", "phone", "email")


async def confidential_programmes(connection: ASGIConnection, household_id: int) -> list[str]:
    """Programmes protecting this household's contact details (see
    ``Programme.confidential_contacts``)."""
    host = app_context(connection).host
    protected = [k for k, p in host.programmes.items() if p.confidential_contacts]
    if not protected:
        return []
    rows = await Enrolment.select(Enrolment.programme).where(
        (Enrolment.household == household_id) & Enrolment.programme.is_in(protected)
    )
    return sorted({r["programme"] for r in rows})


async def contacts_visible(connection: ASGIConnection, household_id: int) -> bool:
    """Whether the current user may see the household's contact details.

    Staff see them unless a confidential programme protects the household; then only staff
    assigned to that programme by name may (a partner's access goes through its share).
    """
    protecting = await confidential_programmes(connection, household_id)
    if not protecting:
        return True
    user = current_user(connection)
    return any(p in (user.programmes or []) for p in protecting)


async def masked_contacts(connection: ASGIConnection, household: dict) -> dict:
    """The household with its contact details masked unless visible; an allowed view of
    protected details is audited."""
    if not await confidential_programmes(connection, household["id"]):
        return household
    if await contacts_visible(connection, household["id"]):
        from tremplin.services import audit
        from tremplin.web.state import actor

        a = actor(connection)
        await audit.record(
            "read_confidential",
            "household",
            household["id"],
            user_id=a.user_id,
            fields=list(CONTACT_FIELDS),
            address=a.address,
        )
        return household
    return {
        **household,
        "address": MASK if household.get("address") else "",
        "phone": MASK if household.get("phone") else "",
        "email": MASK if household.get("email") else "",
        "contacts_masked": True,
    }
