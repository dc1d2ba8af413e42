"""The session's minutes (PDF, Typst) and the partners' view of a session: both render the
one projection the agency shares with the partners present — no name, no reference, no
amount; the file's number in the session, the composition, the situation, the problems,
the wishes, the decision and the score."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import PermissionDeniedException
from litestar.response import Template

from tremplin.api import (
    N_,
    actor,
    app_context,
    audit,
    current_user,
    partner_only,
    render,
    vocabulary,
)
from tremplin_rental_agency.committee import (
    get_session,
    partner_ids_of,
    session_files,
    sessions_of_partner,
)
from tremplin_rental_agency.common import RowId
from tremplin_rental_agency.routes import STAFF, ensure_enabled
from tremplin_rental_agency.tables import Demand
from tremplin_rental_agency.vocab import DECISION_LABELS, PROBLEM_LABELS, SITUATION_LABELS

TEMPLATE = Path(__file__).parent / "reports" / "minutes.typ"
COMPOSITIONS = {c.value: c.label for c in vocabulary.COMPOSITIONS}


async def shared_files(session_id: int) -> list[dict[str, Any]]:
    """The files of a session as partners may see them (the one projection)."""
    files = await session_files(session_id)
    problems = {
        r["id"]: r["problems"]
        for r in await Demand.select(Demand.id, Demand.problems).where(
            Demand.id.is_in([f["demand"] for f in files] or [0])
        )
    }
    return [
        {
            "number": n,
            "composition": COMPOSITIONS.get(f["composition"], N_("Non renseignée")),
            "situation": SITUATION_LABELS.get(f["situation"], N_("Non renseignée")),
            "problems": ", ".join(
                PROBLEM_LABELS.get(p, p) for p in problems.get(f["demand"], "").split(",") if p
            ),
            "wish": " ".join(x for x in (f["wanted_typology"], f["wanted_sector"]) if x) or "—",
            "decision": DECISION_LABELS.get(f["decision"], "En attente"),
            "reason": f["reason"] if f["decision"] in ("adjourned", "refused") else "",
            "score": f["score"],
        }
        for n, f in enumerate(files, start=1)
    ]


def template_for(folder: Path | None) -> Path:
    """The installation's override (``<templates_dir>/rental_agency/minutes.typ``) if any."""
    if folder is not None and (Path(folder) / "rental_agency" / "minutes.typ").is_file():
        return Path(folder) / "rental_agency" / "minutes.typ"
    return TEMPLATE


def compile_minutes(template: Path, data: dict[str, Any]) -> bytes:
    import shutil

    import typst

    with tempfile.TemporaryDirectory(prefix="tremplin-cedl-") as tmp:
        root = Path(tmp)
        shutil.copyfile(template, root / "minutes.typ")
        return typst.compile(
            str(root / "minutes.typ"),
            root=str(root),
            sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
            ignore_system_fonts=True,
            timestamp=0,
        )


async def minutes_data(session_id: int) -> dict[str, Any]:
    from tremplin.api import PartnerOrganisations

    session = await get_session(session_id)
    ids = partner_ids_of(session)
    names = [
        r["name"]
        for r in await PartnerOrganisations.select(PartnerOrganisations.name).where(
            PartnerOrganisations.id.is_in(ids or [0])
        )
    ]
    files = await shared_files(session_id)
    return {
        "date": session["held_on"].strftime("%d/%m/%Y"),
        "partners": names,
        "attendants": session["attendants"],
        "files": files,
        "counts": {
            label: sum(1 for f in files if f["decision"] == label)
            for label in (*DECISION_LABELS.values(), "En attente")
        },
    }


@get("/rental_agency/sessions/{session_id:int}/minutes", guards=[STAFF])
async def minutes_pdf(request: Request, session_id: RowId) -> Response:
    """The minutes of a session as a PDF, fit to hand to the partners present."""
    ensure_enabled(request)
    data = await minutes_data(session_id)
    a = actor(request)
    await audit("export", "rental_agency_session", session_id, user_id=a.user_id, address=a.address)
    pdf = compile_minutes(template_for(app_context(request).settings.templates_dir), data)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="cedl-{session_id}.pdf"'},
    )


@get("/rental_agency/partner/sessions/{session_id:int}", guards=[partner_only])
async def partner_session(request: Request, session_id: RowId) -> Template:
    """A partner present at a session sees its files, and only the fields shared."""
    user = current_user(request)
    session = await get_session(session_id)
    if user.partner not in partner_ids_of(session):
        raise PermissionDeniedException(N_("réservé aux partenaires présents à cette commission"))
    a = actor(request)
    await audit("read", "rental_agency_session", session_id, user_id=a.user_id, address=a.address)
    return render(
        request,
        "rental_agency/partner_session.html",
        await minutes_data(session_id) | {"id": session_id},
    )


@get("/rental_agency/partner/sessions", guards=[partner_only])
async def partner_sessions(request: Request) -> Template:
    """The sessions the partner's organisation attended (its menu entry leads here)."""
    ensure_enabled(request)
    user = current_user(request)
    sessions = await sessions_of_partner(user.partner) if user.partner else []
    return render(request, "rental_agency/partner_sessions.html", {"sessions": sessions})


ROUTES = (minutes_pdf, partner_sessions, partner_session)
