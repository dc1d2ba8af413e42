"""Start-up validation of what plugins declare: a declaration the core accepts is honoured,
one it cannot honour stops start-up with a French message naming the plugin and what to change.

Checked: transitions and deadlines pointing to undeclared states, an initial state that is
not declared, field groups no shareable group declares, field names colliding with the
enrolment's columns, routes outside ``/<slug>`` (or ``/api/<slug>``), routes without an access
guard, and menu entries without roles.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from tremplin.config import ConfigError
from tremplin.i18n import N_, gettext
from tremplin.permissions import CAPABILITIES

if TYPE_CHECKING:
    from tremplin.plugins import PluginHost

__all__ = ["ENROLMENT_COLUMN_NAMES", "validate_declarations"]

#: Names a programme field may not take: they are the enrolment's own columns (a transition
#: field may name the five columns it fills, see :class:`~tremplin.types.Transition`).
ENROLMENT_COLUMN_NAMES = frozenset(
    {
        "id",
        "household",
        "programme",
        "state",
        "referral_date",
        "prescriber",
        "referent",
        "decision_date",
        "entry_date",
        "exit_date",
        "exit_reason",
        "exit_destination",
        "data",
        "external_id",
        "version",
        "created_at",
        "updated_at",
    }
)
#: The default group of a field: staff only, never shared, so no shareable group is needed.
UNSHARED_GROUP = "general"


class DeclarationError(ConfigError):
    """A plugin declared something the core cannot honour."""


def _impls(host: PluginHost, hook: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """(plugin name, item) for every item each plugin returns: the messages name the plugin."""
    from tremplin.registry import impls

    return impls(host.pm, hook, **kwargs)


#: The fix of a workflow naming a state it does not declare.
_UNDECLARED_STATE = N_("cet état n'est pas déclaré dans states ; ajoutez-le ou corrigez la clé")


def _fail(plugin: str, what: str, fix: str) -> DeclarationError:
    return DeclarationError(
        gettext("le plugin « {plugin} » déclare {what} : {fix}").format(
            plugin=plugin, what=what, fix=fix
        )
    )


def _check_workflows(host: PluginHost) -> None:
    for key, workflow in host.workflows.items():
        plugin = host.registry.plugin_of[key]
        states = {s.key for s in workflow.states}
        where = gettext("dans le workflow du programme « {programme} »").format(
            programme=workflow.programme
        )
        if workflow.initial not in states:
            raise _fail(
                plugin,
                gettext("l'état initial « {state} » {where}").format(
                    state=workflow.initial, where=where
                ),
                gettext("cet état n'est pas déclaré dans states"),
            )
        for t in workflow.transitions:
            for key in (*t.source, t.target):
                if key not in states:
                    raise _fail(
                        plugin,
                        gettext(
                            "la transition « {transition} » {where} vers ou depuis l'état « {state} »"
                        ).format(transition=t.key, where=where, state=key),
                        gettext(_UNDECLARED_STATE),
                    )
            if not t.timeline_event and (not t.effects or set(t.source) != {t.target}):
                raise _fail(
                    plugin,
                    gettext(
                        "la transition « {transition} » {where} sans ligne au fil (timeline_event=False)"
                    ).format(transition=t.key, where=where),
                    gettext(
                        "seule une transition qui reste dans son état et dont un effet écrit sa "
                        "propre ligne au fil peut s'en passer ; retirez timeline_event=False"
                    ),
                )
            if not t.store_values and not t.effects:
                raise _fail(
                    plugin,
                    gettext(
                        "la transition « {transition} » {where} qui ne garde pas ses valeurs "
                        "(store_values=False)"
                    ).format(transition=t.key, where=where),
                    gettext(
                        "sans effet pour les enregistrer, ses champs seraient perdus ; ajoutez "
                        "l'effet ou retirez store_values=False"
                    ),
                )
        for d in workflow.deadlines:
            for key in d.states:
                if key not in states:
                    raise _fail(
                        plugin,
                        gettext("l'échéance « {deadline} » {where} pour l'état « {state} »").format(
                            deadline=d.key, where=where, state=key
                        ),
                        gettext(_UNDECLARED_STATE),
                    )


def _check_fields(host: PluginHost) -> None:
    for programme in host.programmes:
        groups = {g.key for g in host.shareable_groups(programme)}
        for plugin, f in host.registry.of(programme, "fields"):
            if f.name in ENROLMENT_COLUMN_NAMES:
                raise _fail(
                    plugin,
                    gettext("le champ « {field} » du programme « {programme} »").format(
                        field=f.name, programme=programme
                    ),
                    gettext(
                        "ce nom est celui d'une colonne de l'accompagnement ; renommez le champ"
                    ),
                )
            if f.group != UNSHARED_GROUP and f.group not in groups:
                raise _fail(
                    plugin,
                    gettext(
                        "le champ « {field} » du programme « {programme} » dans le groupe "
                        "« {group} »"
                    ).format(field=f.name, programme=programme, group=f.group),
                    gettext(
                        "aucun groupe partageable (shareable_groups du ProgrammeSpec) ne porte "
                        "cette clé ; déclarez le groupe ou retirez group="
                    ),
                )


def _guards(item: Any) -> list[Any]:
    return list(getattr(item, "guards", None) or [])


def _handlers(item: Any, prefix: str = "", guards: tuple = ()) -> Iterator[tuple[str, Any, tuple]]:
    """(full path, handler, guards of its layers) of a route handler, controller or router
    as a plugin returns it (not yet registered)."""
    from litestar import Controller, Router
    from litestar.handlers import BaseRouteHandler
    from litestar.routes import HTTPRoute

    layer = (*guards, *_guards(item))
    if isinstance(item, Router):
        # A Router keeps no list of what it was given: its handlers sit in its routes (full
        # paths), each owned by its layers (routers, controller, handler) and their guards.
        for route in item.routes:
            for handler in (
                route.route_handlers if isinstance(route, HTTPRoute) else [route.route_handler]
            ):
                if handler.fn.__qualname__.startswith("HTTPRoute.create_options_handler"):
                    continue  # Litestar's own OPTIONS answer, not the plugin's
                owners = (g for owner in handler.ownership_layers for g in _guards(owner))
                yield (prefix + route.path).rstrip("/") or "/", handler, (*guards, *owners)
    elif isinstance(item, type) and issubclass(item, Controller):
        base = (prefix + "/" + (getattr(item, "path", "") or "").strip("/")).rstrip("/")
        for name in dir(item):
            value = getattr(item, name, None)
            if isinstance(value, BaseRouteHandler):
                yield from _handlers(value, base, layer)
    elif isinstance(item, BaseRouteHandler):
        for path in item.paths:
            yield (prefix + "/" + path.strip("/")).rstrip("/") or "/", item, layer


def _check_routes(host: PluginHost) -> None:
    for plugin, item in _impls(host, "tremplin_routes"):
        for path, handler, guards in _handlers(item):
            allowed = (f"/{plugin}", f"/api/{plugin}")
            if not any(path == p or path.startswith(p + "/") for p in allowed):
                raise _fail(
                    plugin,
                    gettext("la route « {path} »").format(path=path),
                    gettext(
                        "les adresses d'un plugin commencent par /{plugin}/ ou /api/{plugin}/"
                    ).format(plugin=plugin),
                )
            public = bool(handler.opt.get("exclude_from_auth"))
            if not public and not any(getattr(g, "access_rule", None) for g in guards):
                raise _fail(
                    plugin,
                    gettext("la route « {path} » sans garde d'accès").format(path=path),
                    gettext(
                        "ajoutez guards=[requires(...)], roles(...), staff_only ou "
                        "partner_only de tremplin.api"
                    ),
                )


def _role_users() -> Iterator[Any]:
    for role in CAPABILITIES:
        yield SimpleNamespace(
            id=0,
            role=role,
            active=True,
            programmes=(),
            partner=1 if role == "partner" else None,
            can_see_sensitive=False,
            full_name="",
            email="",
        )


def _check_navigation(host: PluginHost) -> None:
    for user in _role_users():
        for plugin, item in _impls(host, "tremplin_navigation", user=user):
            if not item.roles:
                raise _fail(
                    plugin,
                    gettext("l'entrée de menu « {label} » ({href}) sans rôles").format(
                        label=item.label, href=item.href
                    ),
                    gettext(
                        "indiquez roles=(...) : les rôles à qui l'entrée est montrée, ceux que "
                        "la garde de la page laisse passer (roles_holding(...) de tremplin.api)"
                    ),
                )
            unknown = set(item.roles) - set(CAPABILITIES)
            if unknown:
                raise _fail(
                    plugin,
                    gettext("l'entrée de menu « {label} » pour le rôle « {role} »").format(
                        label=item.label, role=sorted(unknown)[0]
                    ),
                    gettext("rôles connus : {roles}").format(roles=", ".join(CAPABILITIES)),
                )


def validate_declarations(host: PluginHost) -> None:
    """Refuse (:class:`DeclarationError`, a :class:`ConfigError`) what cannot be honoured."""
    _check_workflows(host)
    _check_fields(host)
    _check_routes(host)
    _check_navigation(host)
