"""Errors: a French page for people, a JSON reason for the API, never a stack trace."""

from __future__ import annotations

import logging
import traceback

import asyncpg
from litestar import MediaType, Request, Response
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template

from tremplin.errors import ConflictError, NotFound
from tremplin.forms import FormErrors
from tremplin.i18n import N_
from tremplin.services import audit
from tremplin.web.state import client_address

log = logging.getLogger("tremplin.web")

TITLES = {
    400: (N_("Requête invalide"), N_("La demande n'a pas pu être comprise.")),
    401: (N_("Connexion requise"), N_("Connectez-vous pour continuer.")),
    403: (N_("Accès refusé"), N_("Vous n'avez pas accès à cette page.")),
    404: (N_("Introuvable"), N_("Cette page n'existe pas ou ne vous est pas accessible.")),
    405: (N_("Méthode non autorisée"), N_("Cette action n'est pas possible ici.")),
    409: (N_("Conflit"), N_("L'objet a été modifié entre-temps.")),
    413: (
        N_("Fichier trop volumineux"),
        N_("Le fichier ou le formulaire envoyé dépasse la taille autorisée."),
    ),
    422: (N_("Saisie invalide"), N_("Certaines valeurs ne sont pas acceptées.")),
    429: (N_("Trop de tentatives"), N_("Patientez quelques minutes avant de réessayer.")),
    500: (
        N_("Erreur interne"),
        N_("Une erreur est survenue ; elle a été enregistrée. Réessayez plus tard."),
    ),
}


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _page(request: Request, status: int, detail: str | None = None) -> Response:
    title, message = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    if _is_api(request):
        return Response(
            content={"status_code": status, "detail": detail or message},
            status_code=status,
            media_type=MediaType.JSON,
        )
    return Template(
        "error.html", context={"title": title, "message": detail or message}, status_code=status
    )


def _audit_denied(request: Request, response: Response, status: int) -> Response:
    """Attach the audit of a denial to the response (handlers here must be synchronous)."""
    user = request.scope.get("user")
    handler = request.scope.get("route_handler")

    async def write() -> None:
        try:
            await audit.record(
                "denied",
                "route",
                status,
                user_id=user.id if user else None,
                fields=[handler.handler_name] if handler else [],
                address=client_address(request),
            )
        except Exception:  # the denial itself has been answered; keep a trace of the failure
            log.exception("could not audit an access denial")

    response.background = BackgroundTask(write)
    return response


def http_exception(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException):
        if not _is_api(request):
            response: Response = Redirect("/login", status_code=303)
        else:
            detail = exc.detail if exc.detail and exc.detail != "Unauthorized" else None
            response = _page(request, 401, detail or "authentification requise")
        if request.cookies.get("tremplin_session") or request.headers.get("authorization"):
            # A credential was presented and refused (forged, expired, revoked): audited;
            # a plain anonymous visit is not.
            return _audit_denied(request, response, 401)
        return response
    redirects = {
        "PasswordChangeRequired": "/account/password",
        "SecondFactorRequired": "/login/totp",
        "SecondFactorSetupRequired": "/account/totp",
    }
    if type(exc).__name__ in redirects and not _is_api(request):
        return Redirect(redirects[type(exc).__name__], status_code=303)
    if isinstance(exc, PermissionDeniedException):
        return _audit_denied(
            request, _page(request, 403, exc.detail if exc.detail != "Forbidden" else None), 403
        )
    if isinstance(exc, ValidationException) and _is_api(request):
        fields = _field_problems(exc)
        if fields:
            # Readable JSON that does not match the declared body: 422 with each field named.
            return Response(
                content={"status_code": 422, "detail": "saisie invalide", "errors": fields},
                status_code=422,
                media_type=MediaType.JSON,
            )
        return Response(
            content={"status_code": 400, "detail": "requête invalide", "extra": exc.extra},
            status_code=400,
            media_type=MediaType.JSON,
        )
    if isinstance(exc, NotFoundException):
        return _page(request, 404)
    return _page(request, status, None if status >= 500 else str(exc.detail))


def _field_problems(exc: ValidationException) -> dict[str, str]:
    """French reasons per body field of a body that parsed but does not match its type."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    out: dict[str, str] = {}
    for item in extra:
        if not isinstance(item, dict) or item.get("source") != "body" or not item.get("key"):
            return {}
        message = str(item.get("message", ""))
        if "missing required field" in message:
            key = message.rsplit("`", 2)[-2] if message.count("`") >= 2 else item["key"]
            out[key] = "ce champ est obligatoire"
        else:
            out[str(item["key"])] = "type ou valeur non accepté"
    return out


def not_found(request: Request, exc: NotFound) -> Response:
    return _audit_denied(request, _page(request, 404), 404)


def form_errors(request: Request, exc: FormErrors) -> Response:
    if _is_api(request):
        return Response(
            content={"status_code": 422, "detail": "saisie invalide", "errors": exc.errors},
            status_code=422,
            media_type=MediaType.JSON,
        )
    return _page(request, 422, "; ".join(exc.errors.values()))


def conflict(request: Request, exc: ConflictError) -> Response:
    if _is_api(request):
        current = {k: v for k, v in exc.current.items() if k in {"id", "version"}}
        return Response(
            content={"status_code": 409, "detail": "modifié entre-temps", "current": current},
            status_code=409,
            media_type=MediaType.JSON,
        )
    return _page(request, 409)


INT64 = range(-(2**63), 2**63)
#: Query parameters that carry an id or a keyset cursor.
CURSORS = ("before", "after", "cursor", "id")


def _numbers_in(request: Request) -> list[int]:
    numbers = []
    for value in request.scope.get("path_params", {}).values():
        if isinstance(value, int):
            numbers.append(value)
    for key, value in request.query_params.items():
        if (key in CURSORS or key.endswith("_id")) and value.lstrip("-").isdigit():
            numbers.append(int(value))
    return numbers


def id_range_guard(connection, _handler) -> None:
    """An id or cursor outside the 64-bit range names no row: 404 before any query (neither
    SQLite nor PostgreSQL can even compare it)."""
    if any(n not in INT64 for n in _numbers_in(connection)):
        raise NotFoundException()


def out_of_range(request: Request, exc: Exception) -> Response:
    """A value the database cannot hold (a number past 64 bits, a NUL in text) reached a
    query: 404 when the path or a cursor names it, otherwise 422; never a 500."""
    if any(n not in INT64 for n in _numbers_in(request)):
        return _page(request, 404)
    message = (
        "caractère invisible ou de contrôle (NUL…) non accepté"
        if "0x00" in str(exc) or "NUL" in str(exc) or "UTF8" in str(exc)
        else "valeur hors des limites acceptées"
    )
    if _is_api(request):
        return Response(
            content={"status_code": 422, "detail": message},
            status_code=422,
            media_type=MediaType.JSON,
        )
    return _page(request, 422, message)


def internal_error(request: Request, exc: Exception) -> Response:
    # Only the type and the route are logged: a message may quote personal data.
    handler = request.scope.get("route_handler")
    log.error(
        "unhandled %s in %s\n%s",
        type(exc).__name__,
        handler.handler_name if handler else "?",
        "".join(traceback.format_tb(exc.__traceback__)),
    )
    return _page(request, 500)


EXCEPTION_HANDLERS = {
    HTTPException: http_exception,
    NotFound: not_found,
    FormErrors: form_errors,
    ConflictError: conflict,
    OverflowError: out_of_range,
    asyncpg.exceptions.DataError: out_of_range,
    asyncpg.exceptions._base.DataError: out_of_range,
    Exception: internal_error,
}
