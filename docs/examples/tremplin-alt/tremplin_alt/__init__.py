"""ALT (*Allocation de logement temporaire*): temporary housing, declared in one ProgrammeSpec.

Households in an emergency, oriented by the SIAO, are housed in a dwelling of the
association for 6 months, renewable; they pay a monthly participation. The stay is housing's
occupancy agreement (renewals in housing's one table), so the core computes its end as a
deadline (« Échéances », overdue first) and ``/alt/sejours`` lists the stays ending within
30 days. It imports only :mod:`tremplin.api` and the housing plugin's public API.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Request, get
from litestar.response import Template

from tremplin import api as core
from tremplin_housing import api as housing

KEY = "alt"
SIAO = "alt_siao"  # the group of fields shared with the SIAO
STAY = core.AgreementPolicy(term_months=6, derogation=False, signatories=("household", "referent"))


WORKFLOW = core.Workflow(
    KEY,
    states=(
        core.State("referral", "Orientation SIAO reçue", "referral"),
        core.State("admitted", "Admis, en attente d'entrée", "waiting"),
        core.State("housed", "Hébergé", "active"),
        *core.closed_states(),
    ),
    initial="referral",
    transitions=(
        core.Transition(
            "accept", "Admettre", ("referral",), "admitted", (core.decision_date_field(),)
        ),
        core.refusal(),
        housing.entry_transition(),
        housing.renewal_transition(KEY, STAY, event_kind="alt_renewal"),
        core.exit_with_destination(
            core.vocabulary.EXIT_DESTINATIONS, effects=(housing.leave_dwelling(),)
        ),
        core.withdrawal(("referral", "admitted")),
    ),
    deadlines=(housing.agreement_deadline(STAY, key="stay_end", label="Fin du séjour ALT"),),
)


async def report_tables(ctx: core.ReportContext) -> list[core.IndicatorTable]:
    rows = await core.accompanied_enrolments(ctx)  # entered, not gone before the period
    urgent = sum(1 for r in rows if r["data"].get("urgent"))
    paid = [r["data"]["participation"] for r in rows if r["data"].get("participation")]
    average = sum(paid) / len(paid) / 100 if paid else None  # cents → euros
    return [
        core.IndicatorTable(
            "alt_stays",
            "Ménages hébergés en ALT",
            (
                core.IndicatorRow("Ménages hébergés", len(rows), key="housed"),
                core.IndicatorRow("Dont entrés en urgence", urgent, key="urgent"),
            ),
        ),
        core.IndicatorTable(
            "alt_participation",
            "Participation mensuelle des ménages",
            (core.IndicatorRow("Participation moyenne", average, key="average"),),
            unit="euros",
        ),
    ]


@core.hookimpl
def tremplin_manifest() -> core.PluginManifest:
    return core.PluginManifest(slug=KEY, name="ALT", api=">=1.5,<2", depends_on=("housing",))


@core.hookimpl
def tremplin_programme_specs() -> list[core.ProgrammeSpec]:
    programme = core.Programme(
        KEY,
        "ALT : logement temporaire",
        "Temporary housing (ALT)",
        public="Ménages sans logement en situation d'urgence, orientés par le SIAO",
        prescribers=core.vocabulary.PRESCRIBERS,
        exit_destinations=core.vocabulary.EXIT_DESTINATIONS,
        partner_kinds=("siao",),
        agreement=STAY,
        order=80,
    )
    fields = (
        core.Field("participation", "Participation mensuelle", kind="money", order=1),
        core.Field(
            "caf_number", "N° d'allocataire CAF", max_length=20, identifying=True, group=SIAO
        ),
        core.Field("urgent", "Entrée en urgence", kind="bool", group=SIAO),
    )
    return [
        core.ProgrammeSpec(
            programme,
            WORKFLOW,
            fields=fields,
            event_types=(core.EventType("alt_renewal", "Renouvellement du séjour", manual=False),),
            shareable_groups=(
                core.ShareableGroup(KEY, SIAO, "N° CAF et urgence (SIAO)", order=50),
            ),
            report_sections=(
                core.ReportSection("alt", "Séjours ALT", KEY, report_tables, order=50),
            ),
        )
    ]


@get(f"/{KEY}/sejours", guards=[core.requires("social")])
async def stays_ending(request: Request) -> Template:
    """The stays ending within 30 days (or past their end), soonest first."""
    ending = await housing.agreements_ending(KEY, STAY, core.today(), 30)
    return core.render(request, f"{KEY}/sejours.html", {"stays": ending, "today": core.today()})


@core.hookimpl
def tremplin_routes() -> list:
    return [stays_ending]


@core.hookimpl
def tremplin_template_dirs() -> list[Path]:
    return [Path(__file__).parent / "templates"]


@core.hookimpl
def tremplin_navigation(user) -> list[core.NavItem]:
    return [
        core.NavItem(
            "Fins de séjour ALT", f"/{KEY}/sejours", 62, core.roles_holding("social"), "programmes"
        )
    ]


@core.hookimpl
def tremplin_object_scopes() -> list[core.ObjectScope]:
    return [core.ObjectScope(f"/{KEY}", programmes=(KEY,))]
