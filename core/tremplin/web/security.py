"""Security headers on every response, and no caching of pages with personal data."""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def security_headers_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if any(c < " " or c == "\x7f" for c in scope["path"]):
            # A decoded NUL or control character names no page nor file (``/static/%00/…``
            # made the static-file lookup fail with a 500): plain 404, nothing else runs.
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"x-content-type-options", b"nosniff"),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            # A dict literal sent as one of Litestar's union of ASGI events (mypy cannot pick it).
            await send({"type": "http.response.body", "body": b"Introuvable"})  # type: ignore[arg-type]
            return
        is_static = scope["path"].startswith("/static/")
        secure = scope["app"].state.tremplin.settings.cookies_secure

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                ]
                if not is_static and b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                if secure:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                headers.extend(h for h in extra if h[0] not in names)
                message["headers"] = headers
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware
