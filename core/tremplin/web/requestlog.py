"""Structured logs: one JSON object per line, with the request id of the request being served.

- :class:`JsonFormatter` writes ``time``, ``level``, ``logger``, ``message`` and
  ``request_id`` (plus the exception type, never its message, which may hold personal data);
- :class:`RequestIdMiddleware` (plain ASGI, outermost) takes a valid incoming
  ``X-Request-ID`` or makes a uuid4, returns it in the ``X-Request-ID`` response header,
  exposes it to every log record of the request (a contextvar), and writes one access line
  per request: method, *route template* (``/households/{household_id}``, never the raw
  path, never the query string or the body), status and duration in milliseconds.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from typing import Any

__all__ = [
    "JsonFormatter",
    "RequestIdMiddleware",
    "configure_json_logging",
    "request_id",
    "uvicorn_log_config",
]

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tremplin_request_id", default=None
)
access_log = logging.getLogger("tremplin.access")

_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in data and not key.startswith("_"):
                data[key] = (
                    value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
                )
        if record.exc_info and record.exc_info[0] is not None:
            data["exception"] = record.exc_info[0].__name__
        return json.dumps(data, ensure_ascii=False)


def configure_json_logging(level: int = logging.INFO) -> None:
    """Send every log record to stderr as JSON; silence uvicorn's own access log (raw paths)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "litestar"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True


class RequestIdMiddleware:
    """Plain ASGI middleware around the whole application."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:  # the wrapped app's attributes (state, routes…)
        if name == "app":
            raise AttributeError(name)
        return getattr(self.app, name)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v for k, v in scope.get("headers", ()) if k == b"x-request-id"), b"")
        try:
            text = incoming.decode("ascii")
        except UnicodeDecodeError:
            text = ""
        rid = text if _VALID_ID.match(text) else uuid.uuid4().hex
        token = request_id.set(rid)
        status = {"code": 500}
        start = time.perf_counter()

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", rid.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "route": scope.get("path_template") or "<unmatched>",
                    "status": status["code"],
                    "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                },
            )
            request_id.reset(token)


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's ``log_config``: its own lines (supervisor and workers) in JSON too, and no
    uvicorn access log (it would print raw paths and query strings)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "tremplin.web.requestlog.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
