"""Demo data of the agency (``tremplin demo``, ``make run``): demands at the desk, two CEDL
sessions with partners and the default grid, an allocation and a lease when a dwelling is
free, GLA actions for the tenants of the stock, an arrears commission, and the pooled works
fund's grants to energy and other improvement works, this year and the last (its
contributions at a tenant's departure come with the housing demo's exit inventories)."""

from __future__ import annotations

import datetime as dt

from tremplin.api import Actor, DemoContext, FormErrors, PartnerOrganisations
from tremplin_rental_agency import allocation, committee, demands, fund, gla, grid, housing_link
from tremplin_rental_agency.vocab import GLA_KINDS, KEY

SITUATIONS = ("third_party", "family", "street", "hotel", "own_housing", "chrs", "own_housing")
PROBLEMS = ("hosted", "too_expensive", "overcrowded", "unfit", "separation", "eviction", "health")
SECTORS = ("", "", "Saint-Étienne", "Firminy", "Saint-Chamond")
TYPOLOGIES = ("T1", "T2", "T2", "T3", "")


async def load(ctx: DemoContext) -> str | None:
    if KEY not in ctx.programmes:
        return None
    rng, on = ctx.rng, ctx.today
    a = Actor(ctx.users.get("social_worker") or ctx.users.get("admin"))
    await grid.current_grid(a)
    households = list(dict.fromkeys(e.household_id for e in ctx.enrolments))[:24]
    made = []
    for n, household_id in enumerate(households):
        registered = on - dt.timedelta(days=150 - 3 * n)
        try:
            demand_id = await demands.create_demand(
                a,
                household_id,
                {
                    "registered_on": registered.isoformat(),
                    "unique_number": f"042{registered:%y}{n:05d}",
                    "situation": rng.choice(SITUATIONS),
                    "problems": rng.sample(PROBLEMS, rng.randint(1, 2)),
                    "monthly_resources": str(rng.randint(500, 1900)),
                    "wanted_typology": rng.choice(TYPOLOGIES),
                    "wanted_sector": rng.choice(SECTORS),
                    "max_rent": str(rng.choice((450, 550, 650, 0))),
                },
            )
        except FormErrors:
            continue
        if n % 5 != 4:  # most are seen at the desk
            await demands.add_appointment(
                a,
                demand_id,
                {"on_date": (registered + dt.timedelta(days=10)).isoformat(), "attended": "on"},
            )
            made.append(demand_id)
    partners = [p["id"] for p in await PartnerOrganisations.select(PartnerOrganisations.id)][:2]
    decisions = ("accepted", "accepted", "accepted", "adjourned", "refused", "accepted")
    examined = 0
    for k, held in enumerate((on - dt.timedelta(days=60), on - dt.timedelta(days=30))):
        session_id = await committee.create_session(
            a, {"held_on": held.isoformat(), "attendants": "SIAO"}, [str(p) for p in partners]
        )
        for m, demand_id in enumerate(made[k * 8 : k * 8 + 8]):
            await committee.present(a, session_id, demand_id)
            decision = decisions[m % len(decisions)]
            reason = {
                "adjourned": "Pièces administratives manquantes",
                "refused": "Ressources insuffisantes pour le loyer",
            }.get(decision, "")
            await committee.decide(
                a, session_id, demand_id, {"decision": decision, "reason": reason}, []
            )
            examined += 1
    leases = 0
    for dwelling in await allocation.free_dwellings(on):
        ranked = await allocation.ranked_for(dwelling.id, on)
        if not ranked or leases >= 2:
            continue
        try:
            allocation_id = await allocation.allocate(
                a,
                ranked[0]["id"],
                dwelling.id,
                {"allocated_on": (on - dt.timedelta(days=20)).isoformat()},
            )
            await allocation.sign_lease(
                a,
                allocation_id,
                {
                    "signed_on": (on - dt.timedelta(days=10)).isoformat(),
                    "rent": f"{dwelling.rent_cents / 100:.2f}".replace(".", ","),
                    "charges": f"{dwelling.charges_cents / 100:.2f}".replace(".", ","),
                },
            )
            leases += 1
        except FormErrors:
            continue
    actions = 0
    for occupancy in await housing_link.tenants_on(on):
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(GLA_KINDS).value
            day = max(occupancy.start_date, on - dt.timedelta(days=rng.randint(1, 200)))
            await gla.record_gla(
                a, occupancy.household_id, {"kind": kind, "on_date": day.isoformat()}
            )
            actions += 1
    commission_id = await gla.open_commission(
        a, {"held_on": (on - dt.timedelta(days=5)).isoformat()}
    )
    cases = await gla.commission_cases(commission_id)
    causes = [c.value for c in await gla.causes()]
    for case in cases:
        await gla.record_case(
            a,
            case["id"],
            {
                "cause": rng.choice(causes),
                "decision": "Contact avec le ménage et plan d'apurement proposé",
                "outcome": rng.choice(
                    ("pending", "solved", "solved", "solved_household", "litigation")
                ),
            },
            case["version"],
        )
    grants = await _fund_grants(a, on)
    return (
        f"{len(households)} demandes, {examined} dossiers en CEDL, {leases} bail(aux), "
        f"{actions} actions GLA, {len(cases)} situation(s) d'impayé, "
        f"{grants} aide(s) du fonds mutualisé"
    )


#: The fund's grants: (years back, days before today or the month of last year, field,
#: euros, works), each on another dwelling of the stock.
GRANTS = (
    (0, 20, "energy", "2850", "Isolation des combles et remplacement des menuiseries"),
    (0, 75, "energy", "1900", "Pompe à chaleur en remplacement d'une chaudière fioul"),
    (0, 140, "energy", "3400", "Isolation des murs par l'intérieur"),
    (0, 50, "self_renovation", "650", "Peintures et sols avec le locataire (GESTE)"),
    (1, 4, "energy", "2100", "Ventilation mécanique et isolation des combles"),
    (1, 9, "energy", "1250", "Remplacement des radiateurs électriques"),
    (1, 6, "improvement", "1800", "Mise aux normes électriques (permis de louer)"),
)


async def _fund_grants(a: Actor, on: dt.date) -> int:
    fields = await fund.grant_fields()
    dwellings = [c.value for c in fields[0].choices]
    made = 0
    for (back, when, kind, euros, works), dwelling in zip(GRANTS, dwellings, strict=False):
        if back == 0:
            day = max(dt.date(on.year, 1, 1), on - dt.timedelta(days=when))
        else:
            day = dt.date(on.year - back, when, 15)
        await fund.record_grant(
            a,
            {
                "dwelling": dwelling,
                "field": kind,
                "granted_on": day.isoformat(),
                "amount": euros,
                "works": works,
            },
        )
        made += 1
    return made
