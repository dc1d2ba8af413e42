"""Demo data of the housing plugin (``tremplin demo``, ``make run``): owners, dwellings at
every stage of the captation pipeline, head leases, the occupancies of the demo households
housed in a housing programme, a few months of rent calls and payments, and two households
in arrears (procedure steps, one repayment plan). The households that left a housing
programme had their occupancy too, closed at their exit with an exit inventory; every other
one records a contribution of the pooled works fund (*fonds mutualisé pour travaux*).

Everything goes through the plugin's services, so the data obeys the same rules as what a
rental manager types. Fictional owners and addresses only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tremplin.api import Actor, DemoContext, DemoData
from tremplin_housing import arrears, captation, ledger, occupancy, plans, stock
from tremplin_housing.calc import add_months, first_of_month
from tremplin_housing.tables import Occupancy

#: The occupancy kind of each programme that houses its households in a dwelling.
KIND_OF = {
    "iml_sublease": "agreement",
    "iml_youth": "agreement",
    "alter_logement": "agreement",
    "cllaj_jappart": "agreement",
    "cllaj_glissant": "agreement",
    "iml_mandate": "lease",
    "social_residence": "residence",
    "boarding_house": "residence",
}
#: Programmes whose dwellings' addresses are confidential (victims of violence).
CONFIDENTIAL = frozenset({"alter_logement"})
#: Units left free in the houses and the residence, so their pages show free units.
SPARE_UNITS = {"boarding_house": 2, "social_residence": 2}
#: Months of rent called, the current one included.
CALLED_MONTHS = 4

OWNERS = (
    ("private_person", "M. Jean-Paul Vidal", "Jean-Paul Vidal"),
    ("private_person", "Mme Hélène Besson", "Hélène Besson"),
    ("company", "SCI Les Tilleuls", "Marc Delorme, gérant"),
    ("company", "SCI du Vieux Pont", "Sophie Arnaud, gérante"),
    ("social_landlord", "Habitat Forez Solidaire (démo)", "Service attributions"),
    ("public_body", "Commune de Valfleury-sur-Loire (démo)", "CCAS"),
)
STREETS = (
    "rue des Jardins",
    "rue Émile Zola",
    "avenue de la Libération",
    "rue du Moulin",
    "impasse des Lilas",
    "rue Paul Bert",
    "cours Fauriel",
    "rue de la Paix",
    "boulevard Thiers",
    "rue des Écoles",
)
TOWNS = (
    ("42000", "Saint-Étienne"),
    ("42400", "Saint-Chamond"),
    ("42600", "Montbrison"),
    ("30100", "Alès"),
    ("59160", "Lomme"),
)
#: Monthly rent and charges in cents, by typology (rent low, rent high, charges).
RENTS = {
    "studio": (36_000, 42_000, 3_500),
    "T1": (40_000, 47_000, 4_000),
    "T2": (49_000, 58_000, 5_500),
    "T3": (59_000, 69_000, 7_000),
    "T4": (68_000, 78_000, 8_500),
}
SURFACES = {"studio": (18, 26), "T1": (25, 34), "T2": (38, 52), "T3": (55, 70), "T4": (72, 88)}


def euros(amount_cents: int) -> str:
    """Cents as the text a form sends (``"412.50"``)."""
    return f"{amount_cents // 100}.{amount_cents % 100:02d}"


class _Stock:
    """Creates dwellings through the captation services: contact, capture, then use."""

    def __init__(self, ctx: DemoContext, actor: Actor, owners: list[int]) -> None:
        self.ctx, self.actor, self.owners = ctx, actor, owners
        self.rng = ctx.rng
        self.count = 0

    def _address(self) -> dict[str, str]:
        postcode, city = self.rng.choice(TOWNS)
        return {
            "address": f"{self.rng.randint(1, 120)} {self.rng.choice(STREETS)}",
            "postcode": postcode,
            "city": city,
        }

    async def prospect(
        self, typology: str, contacted_on: dt.date, programme: str = "", notes: str = ""
    ) -> int:
        low, high = SURFACES[typology]
        self.count += 1
        return await captation.record_contact(
            self.actor,
            {
                "owner": str(self.rng.choice(self.owners)),
                **self._address(),
                "typology": typology,
                "surface_m2": str(self.rng.randint(low, high)),
                "furnished": "on" if programme in ("social_residence", "boarding_house") else "",
                "stock": "private",
                "dpe_class": self.rng.choice("BCCDDDE"),
                "dpe_date": (
                    contacted_on - dt.timedelta(days=self.rng.randint(30, 900))
                ).isoformat(),
                "programme": programme,
                "confidential": "on" if programme in CONFIDENTIAL else "",
                "contacted_on": contacted_on.isoformat(),
                "notes": notes,
            },
            self.ctx.programmes,
        )

    async def captured(
        self, typology: str, captured_on: dt.date, programme: str, lease_kind: str = "head_lease"
    ) -> tuple[int, int]:
        """A dwelling captured on ``captured_on``; returns its id and the monthly rent."""
        contacted = captured_on - dt.timedelta(days=self.rng.randint(15, 60))
        dwelling_id = await self.prospect(typology, contacted, programme)
        low, high, charges = RENTS[typology]
        rent = self.rng.randrange(low, high, 500)
        await captation.capture(
            self.actor,
            dwelling_id,
            {
                "captured_on": captured_on.isoformat(),
                "kind": lease_kind,
                "start_date": captured_on.isoformat(),
                "end_date": "",
                "rent": euros(rent),
                "charges": euros(charges),
                "notice_months": "3",
            },
        )
        return dwelling_id, rent


def _typology(programme: str, rng: Any) -> str:
    if programme in ("social_residence", "cllaj_jappart", "cllaj_glissant", "iml_youth"):
        return rng.choice(("studio", "T1"))
    if programme == "boarding_house":
        return rng.choice(("T1", "T1", "T2"))
    return rng.choice(("T1", "T2", "T2", "T3", "T4"))


async def load_demo(ctx: DemoContext) -> str:
    rng = ctx.rng
    on = ctx.today
    actor = Actor(ctx.users.get("rental_manager") or ctx.users.get("admin"))
    owners = []
    for kind, name, contact in OWNERS:
        owners.append(
            await stock.create_owner(
                actor,
                {
                    "kind": kind,
                    "name": name,
                    "contact_name": contact,
                    "phone": f"04 77 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                    "email": "",
                    "address": "",
                    "notes": "",
                },
            )
        )
    dwellings = _Stock(ctx, actor, owners)
    housed: list[dict[str, Any]] = []
    departures = 0
    # The households housed now, then those who left (their occupancy closed at the exit).
    for e in ctx.enrolments_of(*KIND_OF, phase="active") + ctx.enrolments_of(
        *KIND_OF, phase="closed"
    ):
        if e.programme not in ctx.programmes or e.entry_date is None:
            continue
        kind = KIND_OF[e.programme]
        captured_on = e.entry_date - dt.timedelta(days=rng.randint(20, 90))
        dwelling_id, rent = await dwellings.captured(
            _typology(e.programme, rng),
            captured_on,
            e.programme,
            "mandate" if kind == "lease" else "head_lease",
        )
        charges = RENTS["T1"][2] if kind == "residence" else rng.choice((3_000, 4_500, 6_000))
        benefit = min(rng.randrange(15_000, 32_000, 100), rent)
        occupancy_id = await occupancy.create_occupancy(
            actor,
            dwelling_id,
            {
                "household": str(e.household_id),
                "kind": kind,
                "programme": e.programme,
                "start_date": e.entry_date.isoformat(),
                "rent": euros(rent),
                "charges": euros(charges),
                "benefit": euros(benefit),
                "deposit": euros(0 if kind == "residence" else rent),
                "insurance_expires_on": add_months(e.entry_date, 12).isoformat(),
            },
            ctx.programmes,
        )
        # The demo's enrolments are inserted whole: tie the occupancy to its entry, as the
        # entry transition's effect does.
        await Occupancy.update({Occupancy.enrolment: e.id}).where(Occupancy.id == occupancy_id)
        if e.exit_date is not None:
            await _departure(actor, occupancy_id, max(e.exit_date, e.entry_date), departures)
            departures += 1
        housed.append(
            {
                "occupancy": occupancy_id,
                "household": e.household_id,
                "start": e.entry_date,
                "kind": kind,
                "left": e.exit_date is not None,
            }
        )
    # Free units of the houses and the residence, captured and waiting for a resident.
    for programme, spare in SPARE_UNITS.items():
        if programme in ctx.programmes:
            for _ in range(spare):
                await dwellings.captured(
                    _typology(programme, rng),
                    on - dt.timedelta(days=rng.randint(200, 700)),
                    programme,
                )
    # The captation pipeline: prospects, one in works, one captured but free, one returned.
    await dwellings.prospect(
        "T2",
        on - dt.timedelta(days=12),
        notes="Visite prévue avec le propriétaire, logement rénové en 2021.",
    )
    await dwellings.prospect(
        "T3",
        on - dt.timedelta(days=40),
        "iml_sublease" if "iml_sublease" in ctx.programmes else "",
        notes="Propriétaire intéressé par l'intermédiation locative.",
    )
    await dwellings.prospect("studio", on - dt.timedelta(days=5))
    works, _ = await dwellings.captured("T2", on - dt.timedelta(days=150), "")
    await stock.add_vacancy(
        actor,
        works,
        {
            "start_date": (on - dt.timedelta(days=60)).isoformat(),
            "end_date": "",
            "cause": "works",
            "note": "Réfection de la salle de bains",
        },
    )
    await dwellings.captured("T1", on - dt.timedelta(days=45), "")
    returned, _ = await dwellings.captured("T3", on - dt.timedelta(days=800), "")
    await captation.return_to_owner(
        actor,
        returned,
        {
            "returned_on": (on - dt.timedelta(days=90)).isoformat(),
            "return_reason": "sale",
            "notice_given_on": (on - dt.timedelta(days=190)).isoformat(),
            "notice_months": "3",
        },
    )

    # Rent calls of the last months, then the households' payments.
    current = first_of_month(on)
    months = [add_months(current, -n) for n in range(CALLED_MONTHS - 1, -1, -1)]
    for month in months:
        await ledger.run_rent_calls(actor, month)
    still = [h for h in housed if not h["left"]]
    long_housed = [
        h for h in still if h["start"] <= add_months(current, -3) and h["kind"] != "residence"
    ] or [h for h in still if h["start"] < current]
    in_arrears = rng.sample(long_housed, min(2, len(long_housed)))
    debtors = {h["household"] for h in in_arrears}
    payments = 0
    for h in housed:
        for month in months:
            # Paid in the first days of the month (this month's: by today at the latest).
            day = min(max(month + dt.timedelta(days=rng.randint(4, 11)), h["start"]), on)
            if day < h["start"]:  # an entry after today: nothing called yet
                continue
            owed = await ledger.occupancy_balance(h["occupancy"], day)
            if h["household"] in debtors and month >= months[1]:
                owed = owed * 3 // 10 if month == months[1] else 0
            if owed <= 0:
                continue
            await ledger.record_entry(
                actor,
                h["occupancy"],
                {
                    "kind": "payment",
                    "entry_date": day.isoformat(),
                    "amount": euros(owed),
                    "means": rng.choice(("transfer", "transfer", "direct_debit", "cheque", "cash")),
                    "note": "",
                },
            )
            payments += 1
    # The arrears procedure of the two debtors; the first signed a repayment plan.
    for number, h in enumerate(in_arrears):
        steps = (
            (("first_reminder", 40), ("second_reminder", 25))
            if number == 0
            else (("first_reminder", 50), ("second_reminder", 35), ("formal_notice", 15))
        )
        for step, days_ago in steps:
            await arrears.record_step(
                actor,
                h["household"],
                {
                    "step": step,
                    "done_on": (on - dt.timedelta(days=days_ago)).isoformat(),
                    "note": "Relance envoyée par courrier et appel téléphonique.",
                },
            )
        if number == 0:
            start = on - dt.timedelta(days=10)
            debt = await ledger.occupancy_balance(h["occupancy"], start)
            if debt > 0:
                await plans.create_plan(
                    actor,
                    h["household"],
                    {
                        "start_date": start.isoformat(),
                        "debt": euros(debt),
                        "monthly": euros(max(2_000, -(-debt // 6))),
                        "first_due_on": add_months(current, 1).isoformat(),
                        "note": "Plan signé en présence de la travailleuse sociale.",
                    },
                )
    return (
        f"{len(owners)} propriétaires, {dwellings.count} logements, {len(housed)} "
        f"occupations (dont {departures} terminées), {payments} paiements, "
        f"{len(in_arrears)} ménages en impayé"
    )


async def _departure(actor: Actor, occupancy_id: int, exit_on: dt.date, number: int) -> None:
    """The household leaves on ``exit_on``: the occupancy closed, the exit inventory done
    that day; every other departure needed the works fund for the repairs it left undone."""
    await occupancy.close_occupancy(
        actor,
        occupancy_id,
        {"end_date": exit_on.isoformat(), "exit_reason": "departure" if number % 3 else "end"},
    )
    fund = 0 if number % 2 else (60_000, 145_000, 230_000, 95_000)[number // 2 % 4]
    await occupancy.add_inventory(
        actor,
        occupancy_id,
        {
            "kind": "exit",
            "done_on": exit_on.isoformat(),
            "notes": "Remise en état des peintures et des sols à la charge du fonds mutualisé."
            if fund
            else "Logement rendu en bon état.",
            "fund": euros(fund) if fund else "",
        },
    )


def demo_data() -> list[DemoData]:
    return [DemoData("housing", load_demo, order=10)]
