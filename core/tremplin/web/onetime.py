"""One-time form ids: a double-clicked or retried form records once, whatever the form.

Two halves, so that no form (core, plugin or third party) has to remember it:

* :class:`FormIdExtension` rewrites every template's ``<form method="post">`` that carries the
  session's CSRF field but no ``_form_id`` so that it also carries a fresh one-time id;
* :class:`OneTimeFormMiddleware` runs each POST that carries a ``_form_id`` in one database
  transaction with the id's marker (``form_submission``). The first submission that ends in a
  redirect keeps the marker and its target; a second one with the same id gets the same
  redirect and writes nothing; a submission that fails (4xx/5xx) records no marker, so its id
  can be used again. Failures are not rolled back here: what a refusal itself records (a
  failed code counted, an audit entry) must stay; each command keeps its own writes in one
  transaction.
"""

from __future__ import annotations

import re
import sqlite3
from urllib.parse import parse_qs

import asyncpg
from jinja2.ext import Extension
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send
from piccolo.engine.sqlite import SQLiteEngine

from tremplin.db import current_engine, transaction
from tremplin.models import FormSubmission
from tremplin.services.clock import now
from tremplin.services.idempotency import submission_key
from tremplin.web.formdata import new_form_id

__all__ = ["FormIdExtension", "OneTimeFormMiddleware", "new_form_id"]

_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.DOTALL | re.IGNORECASE)
_POST = re.compile(r"""method\s*=\s*["']?post""", re.IGNORECASE)
_CSRF_INPUT = re.compile(r"""<input[^>]*name=["']_csrf["'][^>]*>""")
_FIELD = "_form_id"
#: Bigger bodies are uploads: they are streamed to the handler, not buffered here.
_MAX_BUFFERED = 1024 * 1024
_MULTIPART_ID = re.compile(rb'name="_form_id"\r\n\r\n([0-9A-Za-z_-]{1,64})\r\n')


class FormIdExtension(Extension):
    """Adds ``<input type="hidden" name="_form_id" …>`` beside the CSRF field of each POST
    form of a template's source (at compile time: no cost per render but the token)."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        def one_form(match: re.Match[str]) -> str:
            block = match.group(0)
            opening = block[: block.index(">") + 1]
            if not _POST.search(opening) or _FIELD in block:
                return block
            return _CSRF_INPUT.sub(
                lambda m: (
                    m.group(0) + '<input type="hidden" name="_form_id" value="{{ new_form_id() }}">'
                ),
                block,
                count=1,
            )

        return _FORM.sub(one_form, source)


def _form_id(body: bytes, content_type: str) -> str | None:
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(body.decode("latin-1"), max_num_fields=2000).get(_FIELD)
        value = values[0] if values else ""
        return value[:64] if re.fullmatch(r"[0-9A-Za-z_-]{1,64}", value) else None
    if content_type.startswith("multipart/form-data"):
        found = _MULTIPART_ID.search(body)
        return found.group(1).decode() if found else None
    return None


class OneTimeFormMiddleware(ASGIMiddleware):
    """See the module docstring. Runs after authentication (the marker is per user)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await next_app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        content_type = headers.get("content-type", "")
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            length = -1
        user = scope.get("user")
        if user is None or not 0 < length <= _MAX_BUFFERED or "form" not in content_type:
            await next_app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> ReceiveMessage:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        form_id = _form_id(body, content_type)
        if form_id is None:
            await next_app(scope, replay, send)
            return
        key = submission_key(user.id, form_id)
        held: list[Message] = []
        status = 500
        target = ""

        async def hold(message: Message) -> None:
            nonlocal status, target
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() in (b"location", b"hx-redirect"):
                        target = value.decode("latin-1")
            held.append(message)

        try:
            async with transaction():
                if not isinstance(current_engine(), SQLiteEngine):
                    # Twins of one form wait for each other (SQLite's IMMEDIATE transaction
                    # already does): the second then finds the marker, and no handler meets a
                    # unique violation inside this transaction, which PostgreSQL would abort.
                    await FormSubmission.raw(
                        "SELECT pg_advisory_xact_lock(hashtextextended({}, 0))", key
                    )
                previous = (
                    await FormSubmission.select(FormSubmission.result)
                    .where(FormSubmission.key == key)
                    .first()
                )
                if previous is not None:
                    held.clear()
                    await _redirect(send, previous["result"] or "/", headers)
                    return
                await next_app(scope, replay, hold)
                recorded = await FormSubmission.exists().where(FormSubmission.key == key)
                if status < 400 and target and len(target) <= 300 and not recorded:
                    await FormSubmission.insert(
                        FormSubmission(key=key, user_id=user.id, created_at=now(), result=target)
                    )
        except (sqlite3.IntegrityError, asyncpg.UniqueViolationError):
            # A concurrent twin committed first: this one is undone, and answered like a twin.
            row = (
                await FormSubmission.select(FormSubmission.result)
                .where(FormSubmission.key == key)
                .first()
            )
            if row is None:
                raise
            await _redirect(send, row["result"] or "/", headers)
            return
        for sent in held:
            await send(sent)


async def _redirect(send: Send, target: str, headers: dict[str, str]) -> None:
    """Answer a repeated submission the way the first one ended."""
    if headers.get("hx-request"):
        start = {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"hx-redirect", target.encode("latin-1"))],
        }
    else:
        start = {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", target.encode("latin-1"))],
        }
    # A dict literal sent as one of Litestar's union of ASGI events: mypy cannot pick the member.
    await send(start)  # type: ignore[arg-type]
    # The same: a dict literal for one member of the union of ASGI events.
    await send({"type": "http.response.body", "body": b""})  # type: ignore[arg-type]
