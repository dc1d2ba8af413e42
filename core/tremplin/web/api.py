"""The JSON API under ``/api``: the same resources as the pages, same rules, same audit."""

from __future__ import annotations

import builtins  # the class below has a method named list
import datetime as dt
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, JSONBody

from tremplin.forms import FormErrors
from tremplin.models import Document, Enrolment, Person
from tremplin.services import audit
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin.services.idempotency import run_once
from tremplin.services.timeline import add_event, list_events
from tremplin.values import CONTROL_CHARACTERS, has_control_characters
from tremplin.web.access import CONTACT_FIELDS, check_household, masked_contacts, visibility
from tremplin.web.api_types import (
    API_ERRORS,
    EnrolmentIn,
    EventIn,
    HouseholdIn,
    HouseholdUpdate,
    SearchIn,
    TransitionIn,
    body_dict,
)
from tremplin.web.auth import requires
from tremplin.web.state import actor, app_context, current_user, user_programmes

SOCIAL = requires("social")


@dataclass
class HouseholdSummary:
    id: int
    reference: str
    name: str
    composition: str


@dataclass
class HouseholdPage:
    items: list[HouseholdSummary]
    next_before: int | None


@dataclass
class HouseholdOut:
    id: int
    reference: str
    name: str
    composition: str
    resources: list[str]
    situation_before_entry: str
    address: str
    phone: str
    email: str
    version: int


@dataclass
class MemberOut:
    membership_id: int
    person_id: int
    first_name: str
    last_name: str
    birth_date: dt.date | None
    sex: str
    relation: str
    start_date: dt.date
    end_date: dt.date | None


@dataclass
class EnrolmentOut:
    id: int
    programme: str
    state: str
    referral_date: dt.date | None
    prescriber: str
    decision_date: dt.date | None
    entry_date: dt.date | None
    exit_date: dt.date | None
    exit_destination: str
    data: dict[str, Any]
    version: int


@dataclass
class EventOut:
    id: int
    kind: str
    occurred_at: dt.datetime
    title: str
    body: str
    programme: str
    visibility: str
    author_name: str | None


@dataclass
class DocumentOut:
    id: int
    kind: str
    filename: str
    sha256: str
    size: int
    mime: str
    uploaded_at: dt.datetime


@dataclass
class Created:
    id: int


@dataclass
class ProgrammeOut:
    key: str
    name_fr: str
    name_en: str
    places: int | None
    max_duration_months: int | None
    states: list[str]


def _enrolment_out(row: dict[str, Any] | None) -> EnrolmentOut:
    """An enrolment as the access policy projected it (sensitive fields removed)."""
    if row is None:
        raise NotFoundException()
    return EnrolmentOut(**{k: row[k] for k in EnrolmentOut.__dataclass_fields__})


def _household_out(row: dict[str, Any]) -> HouseholdOut:
    return HouseholdOut(**{k: row[k] for k in HouseholdOut.__dataclass_fields__})


class HouseholdAPI(Controller):
    path = "/api"
    guards = [SOCIAL]
    tags = ["households"]
    # Each route lists the error answers it may give (API_ERRORS), see _document_errors().

    @get("/programmes")
    async def programmes(self, request: Request) -> list[ProgrammeOut]:
        host = app_context(request).host
        return [
            ProgrammeOut(
                p.key,
                p.name_fr,
                p.name_en,
                p.places,
                p.max_duration_months,
                [s.key for s in host.workflows[p.key].states],
            )
            for k, p in host.programmes.items()
            if k in user_programmes(request)
        ]

    @get("/households")
    async def list(self, request: Request, before: FromQuery[int | None] = None) -> HouseholdPage:
        """Households, newest first; pass ``before`` (the last id seen) for the next page."""
        rows, cursor = await hh.list_households(before_id=before, visible=visibility(request))
        return HouseholdPage(
            [HouseholdSummary(r["id"], r["reference"], r["name"], r["composition"]) for r in rows],
            cursor,
        )

    @post("/households/search", status_code=200)
    async def search(self, request: Request, data: JSONBody[SearchIn]) -> HouseholdPage:
        """Search by POST body (``{"q": "…", "before": id}``): names never go in URLs."""
        before = data.before
        q = data.q[:100]
        if has_control_characters(q):
            raise FormErrors({"q": CONTROL_CHARACTERS})
        if isinstance(before, int) and not -(2**63) <= before < 2**63:
            raise NotFoundException()
        rows, cursor = await hh.list_households(
            q,
            before_id=before if isinstance(before, int) else None,
            visible=visibility(request),
        )
        return HouseholdPage(
            [HouseholdSummary(r["id"], r["reference"], r["name"], r["composition"]) for r in rows],
            cursor,
        )

    @post("/households", status_code=201)
    async def create(self, request: Request, data: JSONBody[HouseholdIn]) -> Created:
        """Create a household; optional ``reference_person`` object; ``Idempotency-Key``
        header makes a retried request return the first one's result."""
        values = await body_dict(request, data)
        person = values.pop("reference_person", None)

        async def create() -> str:
            return str(
                await hh.create_household(
                    actor(request), values, person if isinstance(person, dict) else None
                )
            )

        result, _ = await run_once(
            request.headers.get("idempotency-key"), current_user(request).id, create
        )
        return Created(int(result))

    @get("/households/{household_id:int}")
    async def detail(self, request: Request, household_id: FromPath[int]) -> HouseholdOut:
        await check_household(request, household_id)
        row = await masked_contacts(request, await hh.get_household(household_id))
        a = actor(request)
        await audit.record("read", "household", household_id, user_id=a.user_id, address=a.address)
        return _household_out(row)

    @put("/households/{household_id:int}")
    async def update(
        self, request: Request, household_id: FromPath[int], data: JSONBody[HouseholdUpdate]
    ) -> HouseholdOut:
        """Replace the household's fields; ``version`` must be the one read (else 409)."""
        await check_household(request, household_id)
        version = data.version
        values = await body_dict(request, data)
        stored = await hh.get_household(household_id)
        if (await masked_contacts(request, stored)).get("contacts_masked"):
            values = {**values, **{k: stored[k] for k in CONTACT_FIELDS}}  # no effect when masked
        await hh.update_household(actor(request), household_id, version, values)
        return _household_out(await masked_contacts(request, await hh.get_household(household_id)))

    @get("/households/{household_id:int}/members")
    async def members(
        self, request: Request, household_id: FromPath[int]
    ) -> builtins.list[MemberOut]:
        await check_household(request, household_id)
        rows = await hh.household_members(household_id)
        return [
            MemberOut(
                r["id"],
                r["person_id"],
                r["first_name"],
                r["last_name"],
                r["birth_date"],
                r["sex"],
                r["relation"],
                r["start_date"],
                r["end_date"],
            )
            for r in rows
        ]

    @get("/people/{person_id:int}")
    async def person(self, request: Request, person_id: FromPath[int]) -> dict[str, Any]:
        households = await Person.select(Person.id).where(Person.id == person_id).first()
        if households is None:
            raise NotFoundException()
        from tremplin.models import Membership

        memberships = await Membership.select(Membership.household).where(
            Membership.person == person_id
        )
        visible = []
        for m in memberships:
            try:
                await check_household(request, m["household"])
                visible.append(m["household"])
            except hh.NotFound:
                continue
        if not visible:
            raise NotFoundException()
        row = (
            await Person.select(
                Person.id,
                Person.first_name,
                Person.last_name,
                Person.birth_date,
                Person.sex,
                Person.nationality,
            )
            .where(Person.id == person_id)
            .first()
        )
        assert row is not None  # a member of a household this user sees
        a = actor(request)
        await audit.record("read", "person", person_id, user_id=a.user_id, address=a.address)
        return {**row, "households": visible}

    @get("/households/{household_id:int}/enrolments")
    async def enrolments(
        self, request: Request, household_id: FromPath[int]
    ) -> builtins.list[EnrolmentOut]:
        access = await check_household(request, household_id)
        rows = (
            await Enrolment.select()
            .where(
                (Enrolment.household == household_id)
                & Enrolment.programme.is_in(sorted(access.programmes) or [""])
            )
            .order_by(Enrolment.id)
            .output(load_json=True)
        )
        host = app_context(request).host
        return [_enrolment_out(access.project_enrolment(host, r)) for r in rows]

    @post("/households/{household_id:int}/enrolments", status_code=201)
    async def enrol(
        self, request: Request, household_id: FromPath[int], data: JSONBody[EnrolmentIn]
    ) -> Created:
        """Orient the household into a programme (its own fields beside ``programme``)."""
        await check_household(request, household_id)
        programme = data.programme
        values = await body_dict(request, data)
        if programme not in user_programmes(request):
            from tremplin.forms import FormErrors

            raise FormErrors({"programme": "programme inconnu ou désactivé"})
        enrolment_id = await enr.create_enrolment(
            app_context(request).host, actor(request), household_id, programme, values
        )
        return Created(enrolment_id)

    @post("/enrolments/{enrolment_id:int}/transitions/{key:str}", status_code=200)
    async def transition(
        self,
        request: Request,
        enrolment_id: FromPath[int],
        key: FromPath[str],
        data: JSONBody[TransitionIn],
    ) -> EnrolmentOut:
        """Apply a workflow transition; body: the transition's fields and ``version``."""
        try:
            row = await enr.get_enrolment(enrolment_id, user_programmes(request))
        except hh.NotFound:
            raise NotFoundException() from None
        access = await check_household(request, row["household"])
        version = data.version
        values = await body_dict(request, data)
        if not access.sensitive:
            # Sensitive fields this user cannot see keep their stored values.
            host = app_context(request).host
            hidden = {f.name for f in host.fields(row["programme"]) if f.sensitive}
            values = {k: v for k, v in values.items() if k not in hidden}
        await enr.apply_transition(
            app_context(request).host,
            actor(request),
            enrolment_id,
            key,
            values,
            version,
        )
        row = await enr.get_enrolment(enrolment_id, user_programmes(request))
        return _enrolment_out(access.project_enrolment(app_context(request).host, row))

    @get("/households/{household_id:int}/timeline")
    async def timeline(
        self, request: Request, household_id: FromPath[int], before: FromQuery[int | None] = None
    ) -> builtins.list[EventOut]:
        await check_household(request, household_id)
        rows = await list_events(household_id, user_programmes(request), before_id=before)
        return [EventOut(**{k: r[k] for k in EventOut.__dataclass_fields__}) for r in rows]

    @post("/households/{household_id:int}/timeline", status_code=201)
    async def add_event(
        self, request: Request, household_id: FromPath[int], data: JSONBody[EventIn]
    ) -> Created:
        await check_household(request, household_id)
        values = await body_dict(request, data)
        host = app_context(request).host

        async def create() -> str:
            return str(
                await add_event(
                    host, actor(request), household_id, values, user_programmes(request)
                )
            )

        result, _ = await run_once(
            request.headers.get("idempotency-key"), current_user(request).id, create
        )
        return Created(int(result))

    @get("/households/{household_id:int}/documents")
    async def documents(
        self, request: Request, household_id: FromPath[int]
    ) -> builtins.list[DocumentOut]:
        await check_household(request, household_id)
        rows = (
            await Document.select(
                Document.id,
                Document.kind,
                Document.filename,
                Document.sha256,
                Document.size,
                Document.mime,
                Document.uploaded_at,
            )
            .where(Document.household == household_id)
            .order_by(Document.id)
        )
        return [DocumentOut(**r) for r in rows]


def _document_errors(controller: type[Controller]) -> None:
    """Declare :data:`API_ERRORS` on every route of ``controller`` (Litestar documents
    ``responses`` per route only), keeping any a route declares itself."""
    for value in vars(controller).values():
        if hasattr(value, "responses") and hasattr(value, "http_methods"):
            value.responses = {**API_ERRORS, **(value.responses or {})}


_document_errors(HouseholdAPI)
API_ROUTES = [HouseholdAPI]
