"""The dashboard, filled by the ``tremplin_dashboard_items`` hook."""

from __future__ import annotations

import logging
from typing import cast

from litestar import Request, get
from litestar.response import Template

from tremplin.permissions import can
from tremplin.services.clock import today
from tremplin.types import DASHBOARD_ROWS, DashboardContext, DashboardItem
from tremplin.web.access import visibility
from tremplin.web.auth import staff_only
from tremplin.web.state import app_context, current_user, user_programmes

log = logging.getLogger("tremplin.dashboard")


@get("/", guards=[staff_only])
async def dashboard(request: Request) -> Template:
    ctx = app_context(request)
    host = ctx.host
    user = current_user(request)
    scope = visibility(request)
    dctx = DashboardContext(
        user=user,
        programmes=tuple(user_programmes(request)),
        restricted_to=None if scope is None else scope[1],
        today=today(),
        programme_names={k: p.name_fr for k, p in host.programmes.items()},
        state_labels={
            (w.programme, s.key): s.label for w in host.workflows.values() for s in w.states
        },
        closed_states=frozenset(
            (w.programme, s.key)
            for w in host.workflows.values()
            for s in w.states
            if s.phase == "closed"
        ),
    )
    blocks = []
    for impl in host.pm.hook.tremplin_dashboard_items.get_hookimpls():
        try:
            items = impl.function(user=user) if "user" in impl.argnames else impl.function()
        except Exception:
            log.exception("plugin %s failed in tremplin_dashboard_items", impl.plugin_name)
            continue
        for item in cast(list[DashboardItem], items or []):  # the hook's declared return
            if item.programme and item.programme not in dctx.programmes:
                continue
            if item.capability and not can(user, item.capability):
                continue  # its links would answer 403
            block = {
                "key": item.key,
                "title": item.title,
                "order": item.order,
                "rows": [],
                "more": 0,
                "more_href": item.more_href,
            }
            try:
                rows = list(await item.rows(dctx))
                block["rows"], block["more"] = (
                    rows[:DASHBOARD_ROWS],
                    max(0, len(rows) - DASHBOARD_ROWS),
                )
            except Exception:
                log.exception(
                    "plugin %s failed computing dashboard block %s", impl.plugin_name, item.key
                )
                block.update(error=True, plugin=impl.plugin_name)
            blocks.append(block)
    blocks.sort(key=lambda b: (b["order"], b["key"]))
    programmes = [host.programmes[k] for k in dctx.programmes]
    return Template(
        "dashboard.html",
        context={
            "blocks": blocks,
            "programmes": programmes,
            "association": ctx.settings.association_name,
        },
    )


ROUTES = [dashboard]
