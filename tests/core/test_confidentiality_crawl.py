"""Seed a confidential Alter Logement address and a staff-only sensitive note, then crawl every
page, fragment, API response, export, PDF, search result, log line and audit row as each role:
the address shows only to staff assigned to Alter Logement, the note only to social staff."""

from __future__ import annotations

import datetime as dt
import io
import logging
import re

import httpx
import pypdf
from litestar.routes import HTTPRoute
from openpyxl import load_workbook

from tests.conftest import login
from tests.core.test_access import _login_partner
from tremplin.models import AuditEntry, Enrolment, TimelineEvent, User
from tremplin.services import households as hh
from tremplin.services.clock import now

SECRET_ADDRESS = "12 rue du Secret"
SECRET_PHONE = "0699887766"
SECRET_NOTE = "audience au tribunal le 3 mars"


def readable(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "")
    if kind.startswith("application/pdf"):
        return "\n".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages
        )
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row
        )
    return response.text


async def crawl(app, client: httpx.AsyncClient, csrf: str, values: dict) -> str:
    """Every GET route, the searches and the exports, as the client's user: all text seen."""
    seen = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path in ("/logout",):
            continue
        if not any("GET" in h.http_methods for h in route.route_handlers):
            continue
        path = re.sub(
            r"\{(\w+):(\w+)\}",
            lambda m: str(values.get(m.group(1), 1 if m.group(2) == "int" else "x")),
            route.path,
        )
        for headers in ({}, {"HX-Request": "true"}):
            response = await client.get(path, headers=headers)
            seen.append(readable(response))
    for url, body in (
        ("/households/search", {"q": "confidentielle", "_csrf": csrf}),
        ("/admin/audit", {"object_type": "household", "_csrf": csrf}),
    ):
        seen.append((await client.post(url, data=body, headers={"HX-Request": "true"})).text)
    seen.append(
        (
            await client.post(
                "/api/households/search",
                json={"q": "confidentielle"},
                headers={"X-CSRF-Token": csrf},
            )
        ).text
    )
    for fmt in ("json", "xlsx", "pdf"):
        for programme in ("alter_logement", "all"):
            seen.append(
                readable(await client.get(f"/reports/{programme}/{dt.date.today().year}/{fmt}"))
            )
    return "\n".join(seen)


async def test_confidential_address_and_sensitive_note_are_only_where_allowed(
    app, client, users, host, caplog
):
    household_id = await hh.create_household(
        hh.Actor(None),
        {"name": "CONFIDENTIELLE Lina", "address": SECRET_ADDRESS, "phone": SECRET_PHONE},
        {"first_name": "Lina", "last_name": "Confidentielle", "birth_date": "1990-01-01"},
    )
    enrolment = await Enrolment.insert(
        Enrolment(
            household=household_id,
            programme="alter_logement",
            state="housed",
            prescriber="other",
            entry_date=dt.date.today() - dt.timedelta(days=30),
            data={"complaint_filed": True},
            created_at=now(),
            updated_at=now(),
        )
    ).returning(Enrolment.id)
    await TimelineEvent.insert(
        TimelineEvent(
            household=household_id,
            kind="note",
            occurred_at=now(),
            programme="alter_logement",
            visibility="staff",
            title="Note",
            body=SECRET_NOTE,
            created_at=now(),
        )
    )
    members = await hh.household_members(household_id)
    values = {
        "household_id": household_id,
        "enrolment_id": enrolment[0]["id"],
        "person_id": members[0]["person_id"],
        "programme": "alter_logement",
        "year": dt.date.today().year,
        "fmt": "json",
        "key": "accept",
        "table": "overview",
        "row": "households",
    }
    await User.update({User.programmes: ["alter_logement"]}).where(
        User.email == "social_worker@test.fr"
    )

    caplog.set_level(logging.DEBUG)
    seen: dict[str, str] = {}
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 7))
    for role in ("social_worker", "head_of_service", "rental_manager", "technician", "dpo"):
        async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as c:
            csrf = await login(c, f"{role}@test.fr")
            seen[role] = await crawl(app, c, csrf, values)
    partner, partner_csrf = await _login_partner(app)
    seen["partner"] = await crawl(app, partner, partner_csrf, values)
    await partner.aclose()

    # The assigned Alter Logement worker sees everything; the crawl reached the file.
    assert SECRET_ADDRESS in seen["social_worker"] and SECRET_NOTE in seen["social_worker"]
    for role in ("head_of_service", "rental_manager", "technician", "dpo", "partner"):
        assert SECRET_ADDRESS not in seen[role], role
        assert SECRET_PHONE not in seen[role], role
    assert "Coordonnées confidentielles" in seen["head_of_service"]
    assert SECRET_NOTE in seen["head_of_service"]  # social staff of the programme's household
    for role in ("rental_manager", "technician", "dpo", "partner"):
        assert SECRET_NOTE not in seen[role], role
    # Nothing in the logs, nothing in the audit trail, whoever looked.
    logged = caplog.text
    for secret in (SECRET_ADDRESS, SECRET_PHONE, SECRET_NOTE, "Confidentielle"):
        assert secret not in logged
    audit_rows = str(await AuditEntry.select().output(load_json=True))
    for secret in (SECRET_ADDRESS, SECRET_PHONE, SECRET_NOTE, "Confidentielle", "Lina"):
        assert secret not in audit_rows
    assert await AuditEntry.count().where(AuditEntry.action == "read_confidential") >= 1
