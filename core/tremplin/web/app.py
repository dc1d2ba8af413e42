"""The Litestar application factory."""

from __future__ import annotations

import gc
import logging
from pathlib import Path
from typing import Any

from litestar import Litestar, MediaType, Response, Router, get
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from tremplin import __version__, db, i18n
from tremplin.config import Settings, load_settings
from tremplin.i18n import N_
from tremplin.plugins import PluginHost, load_plugins
from tremplin.policy import validate_scopes
from tremplin.services import clock
from tremplin.services.visits import role_kinds
from tremplin.types import NavItem
from tremplin.web import errors, navigation
from tremplin.web.access import scope_guard
from tremplin.web.api import API_ROUTES
from tremplin.web.auth import (
    PUBLIC_PATHS,
    AuthMiddleware,
    csrf_guard,
    expected_csrf,
    staff_only,
)
from tremplin.web.onetime import OneTimeFormMiddleware
from tremplin.web.pages import (
    account,
    admin,
    archives,
    corrections,
    dashboard,
    guide,
    households,
    imports,
    jobs,
    partner,
    records,
    report_texts,
    reports,
    rights,
    second_factor,
    users,
)
from tremplin.web.pages import auth as auth_pages
from tremplin.web.pages import calendar as calendar_pages
from tremplin.web.pages import deadlines as deadline_pages
from tremplin.web.pages import visits as visit_pages
from tremplin.web.requestlog import RequestIdMiddleware, configure_json_logging
from tremplin.web.security import security_headers_middleware
from tremplin.web.state import AppContext
from tremplin.web.templating import build_environment
from tremplin.web.themes import resolve_theme

log = logging.getLogger("tremplin")


@get("/healthz", exclude_from_auth=True, media_type=MediaType.TEXT)
async def healthz() -> str:
    """The process is up."""
    return "ok"


@get("/readyz", exclude_from_auth=True)
async def readyz() -> Response:
    """The database answers and every migration is applied."""
    try:
        pending = await db.pending_migrations()
    except Exception:
        return Response({"ready": False, "reason": "database unreachable"}, status_code=503)
    if pending:
        return Response({"ready": False, "reason": "pending migrations"}, status_code=503)
    return Response({"ready": True}, status_code=200)


def visible_nav(host: PluginHost, user: Any) -> list[NavItem]:
    """The menu of ``user``: the entries whose ``roles`` include the user's role, by order."""
    role = getattr(user, "role", None)
    items = [i for i in host.call("tremplin_navigation", user=user) if role in i.roles]
    if user is not None and role not in (None, "partner"):
        assigned = [p for p in (user.programmes or []) if p in host.programmes]
        programmes = assigned if user.programmes else host.programme_keys
        if role_kinds(host, role, programmes):
            # Event kinds a programme opens to this role (EventType.roles): their page.
            items.append(
                NavItem(
                    N_("Passages et visites"),
                    "/passages",
                    order=21,
                    roles=(role,),
                    group=N_("support"),
                )
            )
    return sorted(items, key=lambda item: (item.order, item.label))


def language_middleware(app: ASGIApp) -> ASGIApp:
    """Every request is answered in the ``language`` setting (pages, messages, formats):
    :func:`tremplin.i18n.use_language` around the whole request, rendering included."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        language = scope["app"].state.tremplin.settings.language
        with i18n.use_language(language):
            await app(scope, receive, send)

    return middleware


def create_app(settings: Settings | None = None, host: PluginHost | None = None) -> Litestar:
    """Build the app for ``settings`` (read from the environment when omitted).

    The database engine is bound here; its pool opens at start-up and closes at shutdown.
    """
    settings = settings or load_settings()
    host = host or load_plugins(settings.programmes)
    clock.set_time_zone(settings.time_zone)
    from tremplin.reports.engine import check_groups

    check_groups(settings.report_groups, host)  # a group naming a disabled programme: refused
    engine = db.create_engine(settings)
    db.configure(engine, host.piccolo_apps)
    template_dirs = [Path(p) for p in host.call("tremplin_template_dirs")]
    theme = resolve_theme(settings.theme)
    jinja = build_environment(
        template_dirs, settings.templates_dir, auto_reload=not settings.production, theme=theme
    )
    jinja.globals["csrf"] = expected_csrf
    jinja.globals["nav"] = lambda request: navigation.visible_items(
        visible_nav(host, request.scope.get("user")), request.scope.get("user")
    )
    jinja.globals["nav_groups"] = navigation.grouped
    jinja.globals["nav_current"] = navigation.is_current
    jinja.globals["help_anchor"] = guide.help_anchor
    jinja.tests["startingwith"] = lambda value, prefix: str(value).startswith(prefix)

    async def on_startup() -> None:
        await db.start(engine)
        from tremplin.services.jobs import recover

        try:
            # Jobs left « en cours » by a process that stopped (restart, crash): failed.
            await recover()
        except Exception:  # a database not migrated yet: /readyz says so
            logging.getLogger(__name__).warning("jobs not recovered", exc_info=True)
        # What start-up loaded (plugins, templates, tables) lives as long as the process: out
        # of the garbage collector's sight. A full collection walked it all, freezing the
        # event loop for about 0.35 s in the middle of a large import's check.
        gc.freeze()

    async def on_shutdown() -> None:
        from tremplin.services.jobs import shutdown as stop_workers

        stop_workers()
        await db.stop(engine)
        gc.unfreeze()

    plugin_routes = host.call("tremplin_routes")
    app = Litestar(
        route_handlers=[
            healthz,
            readyz,
            *auth_pages.ROUTES,
            *dashboard.ROUTES,
            *deadline_pages.ROUTES,
            *calendar_pages.ROUTES,
            *households.ROUTES,
            *records.ROUTES,
            *visit_pages.ROUTES,
            *corrections.ROUTES,
            *partner.ROUTES,
            *admin.ROUTES,
            *account.ROUTES,
            *users.ROUTES,
            *second_factor.ROUTES,
            *reports.ROUTES,
            *report_texts.ROUTES,
            *imports.ROUTES,
            *jobs.ROUTES,
            *archives.ROUTES,
            *guide.ROUTES,
            *rights.ROUTES,
            *API_ROUTES,
            *plugin_routes,
            *plugin_static_routers(host),
            create_static_files_router(
                path="/static",
                directories=[*theme.folders("static")],
                name="static",
                opt={"exclude_from_auth": True},
            ),
        ],
        guards=[
            csrf_guard,
            second_factor.second_factor_guard,
            account.password_change_guard,
            errors.id_range_guard,
            scope_guard,
        ],
        middleware=[
            language_middleware,
            security_headers_middleware,
            DefineMiddleware(AuthMiddleware, exclude=PUBLIC_PATHS),
            # After authentication: a one-time form id is claimed per user.
            OneTimeFormMiddleware(),
        ],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(jinja)),
        plugins=[HTMXPlugin()],
        # Litestar's map wants handlers of Exception; each of ours takes its own subclass
        exception_handlers=errors.EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="Tremplin API",
            version=__version__,
            path="/api/schema",
            render_plugins=[JsonRenderPlugin()],
            # The schema describes the case-file API: staff only (partners and anonymous
            # visitors get 403 / 401 like on the API itself).
            openapi_router=Router(path="/api/schema", guards=[staff_only], route_handlers=[]),
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="Jeton personnel (tremplin token create)",
                    )
                }
            ),
            security=[{"bearer": []}],
        ),
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        state=State({"tremplin": AppContext(settings=settings, host=host, jinja=jinja)}),
        request_max_body_size=settings.max_upload_bytes + 256 * 1024,
        debug=False,
    )
    _api_only_in_schema(app)
    validate_scopes(host, [route.path for route in app.routes])
    return app


def _api_only_in_schema(app: Litestar) -> None:
    """The OpenAPI schema documents the JSON API, not the HTML pages and forms (core or
    plugin) that share the application, nor the schema's own pages."""
    from litestar._openapi.plugin import OpenAPIPlugin

    plugin = app.plugins.get(OpenAPIPlugin)
    for path in list(plugin.included_routes):
        if not path.startswith("/api/") or path.startswith("/api/schema"):
            del plugin.included_routes[path]
    plugin._openapi = None  # built again, lazily, from the remaining routes


def plugin_static_routers(host: PluginHost) -> list:
    """``/static/<slug>/…`` for each enabled plugin whose package has a ``static/`` folder."""
    routers = []
    for slug in host.enabled_slugs:
        module_file = getattr(host.installed[slug].module, "__file__", None)
        folder = Path(module_file).parent / "static" if module_file else None
        if folder is not None and folder.is_dir():
            routers.append(
                create_static_files_router(
                    path=f"/static/{slug}",
                    directories=[folder],
                    name=f"static-{slug}",
                    opt={"exclude_from_auth": True},
                )
            )
    return routers


def app_from_env() -> RequestIdMiddleware:
    """Entry point for ``uvicorn --factory`` (each worker reads the same environment):
    JSON logs, and a request id on every request and every log line."""
    app = create_app()
    configure_json_logging()  # after Litestar's own logging set-up, which replaces the root's
    return RequestIdMiddleware(app)
