"""The JSON API's request bodies and error answers, declared so that the OpenAPI schema
(``/api/schema/openapi.json``, staff only) states required fields and every status."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec

__all__ = [
    "API_ERRORS",
    "EnrolmentIn",
    "ErrorOut",
    "EventIn",
    "HouseholdIn",
    "HouseholdUpdate",
    "PersonIn",
    "SearchIn",
    "TransitionIn",
    "body_dict",
]


class ErrorOut(msgspec.Struct, kw_only=True):
    """Every error answer: the status, a French reason, and for 422 the French message of
    each refused field (all at once); for 409 the current ``id`` and ``version``."""

    status_code: int
    detail: str
    errors: dict[str, str] | None = None
    current: dict[str, Any] | None = None


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorOut, description=description)


#: The error statuses every API operation may answer.
API_ERRORS: dict[int, ResponseSpec] = {
    400: _spec("Corps de requête illisible (JSON invalide, type ou champ obligatoire manquant)"),
    401: _spec("Authentification requise : jeton absent, invalide, révoqué ou compte bloqué"),
    403: _spec("Rôle insuffisant (ou jeton CSRF manquant avec une session)"),
    404: _spec("Objet inexistant ou hors de votre périmètre (id hors limites compris)"),
    409: _spec("Modifié entre-temps : relisez et renvoyez la version lue"),
    422: _spec("Saisie refusée : le message de chaque champ en cause, en français"),
}


class SearchIn(msgspec.Struct, kw_only=True):
    """Search by body, so that names never go in URLs."""

    q: str = ""
    #: The last id of the previous page (keyset cursor).
    before: int | None = None


class PersonIn(msgspec.Struct, kw_only=True):
    """The reference person. ``first_name`` and ``last_name`` are required by the form's
    rules, which answer 422 with every missing field at once (``person_first_name``…)."""

    first_name: str | None = None
    last_name: str | None = None
    #: ISO date (``AAAA-MM-JJ``).
    birth_date: str | None = None
    sex: str | None = None
    nationality: str | None = None


class HouseholdIn(msgspec.Struct, kw_only=True):
    """A new household; choice fields take the vocabulary's keys (``/api/programmes``)."""

    name: str
    composition: str | None = None
    resources: list[str] = []
    situation_before_entry: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    reference_person: PersonIn | None = None


class HouseholdUpdate(msgspec.Struct, kw_only=True):
    """Every field of the household, and the ``version`` read (else 409)."""

    version: int
    name: str
    composition: str | None = None
    resources: list[str] = []
    situation_before_entry: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None


class EnrolmentIn(msgspec.Struct, kw_only=True):
    """An orientation into a programme. The programme's own fields (see its declaration)
    are sent beside these, at the same level."""

    programme: str
    referral_date: str | None = None
    prescriber: str | None = None


class TransitionIn(msgspec.Struct, kw_only=True):
    """A workflow transition: the ``version`` read, and the transition's own fields beside."""

    version: int


class EventIn(msgspec.Struct, kw_only=True):
    """A timeline event of a manual type."""

    kind: str
    #: ISO date (``AAAA-MM-JJ``).
    occurred_on: str
    body: str
    programme: str | None = None
    visibility: str | None = None


async def body_dict(request: Any, declared: msgspec.Struct) -> dict[str, Any]:
    """The body as the services read it: the declared fields (checked by Litestar), plus the
    programme's own fields sent beside them (a programme declares its fields at start-up,
    so they cannot all be listed in one static schema)."""
    raw = await request.json()
    extra = {k: v for k, v in raw.items() if isinstance(k, str)} if isinstance(raw, dict) else {}
    values = {k: v for k, v in msgspec.structs.asdict(declared).items() if v is not None}
    if isinstance(values.get("reference_person"), msgspec.Struct):
        values["reference_person"] = msgspec.structs.asdict(values["reference_person"])
    return {**extra, **values}
