"""One declaration per programme (issue 13, point 1): a plugin returns a ``ProgrammeSpec``
from ``tremplin_programme_specs``; the core builds a frozen registry once at start-up.

A plugin written against the per-programme hooks of API ≤ 1.5 keeps working for this API
version: its declarations are adapted into a spec, and a ``DeprecationWarning`` names it.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import types
import warnings

import pytest

from tremplin.api import (
    EnrolmentCheck,
    EnrolmentPanel,
    EventType,
    Field,
    PartnerItem,
    PluginManifest,
    Programme,
    ProgrammeSpec,
    ReportSection,
    ShareableGroup,
    State,
    Transition,
    Workflow,
    hookimpl,
)
from tremplin.config import ConfigError
from tremplin.plugins import load_plugins
from tremplin.registry import LEGACY_HOOKS

OLD = "old_style"
NEW = "new_style"


def _workflow(key: str) -> Workflow:
    return Workflow(
        key,
        (State("referral", "Orientation", "referral"), State("closed", "Terminé", "closed")),
        "referral",
        (Transition("close", "Terminer", ("referral",), "closed"),),
    )


async def _panel(enrolment):
    return {}


async def _item(household_id):
    return "à jour"


async def _tables(ctx):
    return []


def _no_errors(values):
    return {}


def old_style_plugin(calls: list[str]) -> types.ModuleType:
    """A programme plugin written for API 1.4: every per-programme hook, each filtering on
    its programme, and one that adds a field to another plugin's programme."""
    module = types.ModuleType(f"tremplin_{OLD}")
    module.tremplin_manifest = hookimpl(lambda: PluginManifest(slug=OLD, name="Ancien style"))
    module.tremplin_programmes = hookimpl(lambda: [Programme(OLD, "Ancien", "Old", order=1)])
    module.tremplin_workflows = hookimpl(lambda: [_workflow(OLD)])

    def fields(programme):
        calls.append(f"fields:{programme}")
        if programme == OLD:
            return [Field("caf_number", "Numéro CAF", group="siao")]
        if programme == NEW:
            return [Field("old_extra", "Ajouté par l'ancien plugin")]
        return []

    module.tremplin_enrolment_fields = hookimpl(fields)
    module.tremplin_enrolment_checks = hookimpl(
        lambda programme: [EnrolmentCheck("old_check", OLD, _no_errors)] if programme == OLD else []
    )
    module.tremplin_shareable_groups = hookimpl(
        lambda programme: (
            [ShareableGroup(OLD, "siao", "Partagé avec le SIAO", order=50)]
            if programme == OLD
            else []
        )
    )
    module.tremplin_partner_items = hookimpl(
        lambda programme: (
            [PartnerItem("rent", OLD, "Loyer", "siao", _item)] if programme == OLD else []
        )
    )
    module.tremplin_enrolment_panels = hookimpl(
        lambda: [EnrolmentPanel("old_panel", OLD, "old/_panel.html", _panel)]
    )
    module.tremplin_timeline_event_types = hookimpl(
        lambda: [EventType("old_visit", "Visite", programme=OLD, contact=True)]
    )
    module.tremplin_report_sections = hookimpl(
        lambda programme: (
            [ReportSection("old_section", "Ancien", OLD, _tables)] if programme == OLD else []
        )
    )
    return module


def new_style_plugin(calls: list[str], **spec_overrides) -> types.ModuleType:
    module = types.ModuleType(f"tremplin_{NEW}")
    module.tremplin_manifest = hookimpl(lambda: PluginManifest(slug=NEW, name="Nouveau style"))

    def specs():
        calls.append("specs")
        spec = ProgrammeSpec(
            Programme(NEW, "Nouveau", "New", order=2),
            _workflow(NEW),
            fields=(Field("urgent", "Urgence", kind="bool"),),
            checks=(EnrolmentCheck("new_check", "", _no_errors),),
            event_types=(EventType("new_visit", "Visite (nouveau)", contact=True),),
            panels=(EnrolmentPanel("new_panel", "", "new/_panel.html", _panel),),
            shareable_groups=(ShareableGroup("", "siao", "Partagé avec le SIAO", order=50),),
            partner_items=(PartnerItem("stay", "", "Séjour", "siao", _item),),
            report_sections=(ReportSection("new_section", "Nouveau", "", _tables),),
        )
        return [dataclasses.replace(spec, **spec_overrides)]

    module.tremplin_programme_specs = hookimpl(specs)
    return module


def _load(*modules: types.ModuleType):
    return load_plugins(
        [m.__name__[9:] for m in modules], extra=[(m.__name__[9:], m) for m in modules]
    )


def test_an_old_style_plugin_still_works_and_is_warned_by_name(caplog):
    calls: list[str] = []
    with (
        caplog.at_level(logging.WARNING, logger="tremplin.plugins"),
        pytest.warns(
            DeprecationWarning, match=f"le plugin « {OLD} » déclare ses programmes"
        ) as seen,
    ):
        host = _load(old_style_plugin(calls), new_style_plugin([]))
    (warning,) = [w for w in seen if issubclass(w.category, DeprecationWarning)]
    message = str(warning.message)
    for hook in (
        "tremplin_programmes",
        "tremplin_workflows",
        "tremplin_enrolment_fields",
        "tremplin_enrolment_checks",
        "tremplin_shareable_groups",
        "tremplin_partner_items",
        "tremplin_enrolment_panels",
    ):
        assert hook in message
    assert "tremplin_programme_specs" in message
    assert message in caplog.text  # also logged: Python hides the warning outside __main__

    spec = host.specs[OLD]
    assert spec.programme.name_fr == "Ancien"
    assert spec.workflow.initial == "referral"
    assert [f.name for f in spec.fields] == ["caf_number"]
    assert [c.key for c in spec.checks] == [
        "referral_not_future",
        "siao_after_referral",
        "old_check",
    ]
    assert [g.key for g in spec.shareable_groups][-1] == "siao"
    assert [i.key for i in spec.partner_items] == ["rent"]
    assert [p.key for p in spec.panels] == ["old_panel"]
    assert host.event_types["old_visit"].programme == OLD
    assert [s.key for _, s in host.report_sections(OLD)] == ["indicators", "old_section"]
    assert (OLD, "old_section") in [(p, s.key) for p, s in host.report_sections(OLD)]
    # An old hook adding a field to another plugin's programme is still honoured.
    assert [f.name for f in host.fields(NEW)] == ["old_extra", "urgent"]
    # Asked once per programme at start-up, never again.
    assert sorted(calls) == [f"fields:{NEW}", f"fields:{OLD}"]
    host.fields(OLD), host.checks(OLD), host.shareable_groups(OLD), host.partner_items(OLD)
    assert len(calls) == 2


def test_a_new_style_plugin_is_one_frozen_declaration_without_warning():
    calls: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        host = _load(new_style_plugin(calls))
    spec = host.specs[NEW]
    # Items leaving their programme empty get the spec's key.
    assert {c.programme for c in spec.checks} == {NEW}
    assert {g.programme for g in spec.shareable_groups} == {NEW}
    assert spec.panels[0].programme == spec.partner_items[0].programme == NEW
    assert host.event_types["new_visit"].programme == NEW
    assert "new_visit" in {e.key for e in host.event_types_for(NEW)}
    assert "new_visit" not in {e.key for e in host.event_types_for("other")}
    assert [s.key for _, s in host.report_sections(NEW)] == ["indicators", "new_section"]
    # The core's own declarations for every programme are in the spec.
    assert [g.key for g in spec.shareable_groups] == [
        "identity",
        "enrolment",
        "shared_notes",
        "contact",
        "siao",
    ]
    assert [c.key for c in spec.checks] == [
        "referral_not_future",
        "siao_after_referral",
        "new_check",
    ]
    # Frozen: neither the registry nor a spec can change once built.
    with pytest.raises(TypeError):
        host.specs[NEW] = spec  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.fields = ()  # type: ignore[misc]
    calls_after_start = len(calls)
    for _ in range(3):
        host.fields(NEW), host.checks(NEW), host.report_sections(NEW), host.partner_items(NEW)
    assert len(calls) == calls_after_start


def test_an_item_of_another_programme_in_a_spec_is_refused_naming_the_plugin():
    bad = new_style_plugin([], shareable_groups=(ShareableGroup("iml_sublease", "siao", "SIAO"),))
    with pytest.raises(ConfigError, match=f"le plugin « {NEW} » déclare dans le ProgrammeSpec"):
        _load(bad)


def test_a_programme_declared_twice_is_refused():
    first, second = new_style_plugin([]), new_style_plugin([])
    second.__name__ = "tremplin_twin"
    second.tremplin_manifest = hookimpl(lambda: PluginManifest(slug="twin", name="Jumeau"))
    with pytest.raises(ConfigError, match=f"programme « {NEW} » déclaré deux fois"):
        _load(first, second)


def test_the_declaration_checks_run_on_specs():
    """``declarations.py`` validates the new form: a field in an undeclared group."""
    bad = new_style_plugin([], fields=(Field("caf", "CAF", group="unknown"),))
    with pytest.raises(ConfigError, match=f"le plugin « {NEW} » déclare le champ « caf »"):
        _load(bad)


def test_every_built_in_plugin_uses_the_new_form():
    """No built-in plugin implements a per-programme hook of API ≤ 1.5, and loading them all
    warns about nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        host = load_plugins(None)
    assert len(host.specs) >= 11
    for slug, plugin in host.installed.items():
        module = importlib.import_module(plugin.module.__name__)
        used = [hook for hook in LEGACY_HOOKS if hasattr(module, hook)]
        assert used == [], f"{slug} implémente encore {used}"
    for key, spec in host.specs.items():
        assert host.programmes[key] is spec.programme
        assert host.workflows[key] is spec.workflow
