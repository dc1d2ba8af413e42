"""Demo data of the social residence (``tremplin demo``, ``make run``): its furnished units
and the demo residents in them.

A unit is tied to the housing plugin's dwelling of the programme (the housing demo runs
first and houses the residents there), so a resident's unit is the one whose dwelling
carries their rent account.
"""

from __future__ import annotations

from tremplin.api import Actor, DemoContext, DemoData, Enrolments, update_enrolment_data
from tremplin_housing import api as housing
from tremplin_social_residence import units as service
from tremplin_social_residence.workflow import KEY

#: Units without a dwelling in the stock, so the residence is never empty.
MIN_UNITS = 6


async def load_demo(ctx: DemoContext) -> str | None:
    if KEY not in ctx.programmes:
        return None
    rng, on = ctx.rng, ctx.today
    actor = Actor(ctx.users.get("head_of_service") or ctx.users.get("admin"))
    by_dwelling: dict[int, int] = {}
    spare: list[int] = []
    count = 0
    for d in await housing.dwellings(programme=KEY):
        count += 1
        by_dwelling[d.id] = await service.add_unit(
            actor,
            {
                "label": f"{100 + count}",
                "typology": "T1bis" if d.typology == "T2" else "T1",
                "dwelling_id": str(d.id),
            },
        )
    while count < MIN_UNITS:
        count += 1
        spare.append(
            await service.add_unit(
                actor,
                {
                    "label": f"{100 + count}",
                    "typology": rng.choice(("T1", "T1", "T1bis")),
                    "dwelling_id": "",
                },
            )
        )
    residents = 0
    for e in ctx.enrolments_of(KEY, phase="active"):
        occupancy = await housing.current_occupancy(e.household_id, on)
        unit_id = by_dwelling.get(occupancy.dwelling_id) if occupancy else None
        if unit_id is None:  # not housed by the housing demo: a unit with no rent account
            if not spare:
                continue
            unit_id = spare.pop()
        version = await Enrolments.select(Enrolments.version).where(Enrolments.id == e.id).first()
        assert version is not None  # the demo enrolment just created
        await update_enrolment_data(actor, e.id, version["version"], {"unit": unit_id})
        residents += 1
    return f"{count} logements, {residents} résident{'s' if residents > 1 else ''}"


def demo_data() -> list[DemoData]:
    return [DemoData(KEY, load_demo, order=50)]
