"""Demo data of the boarding houses (``tremplin demo``, ``make run``): two houses with their
hosts and units, the demo residents in their units and a few activities.

A unit is tied to the housing plugin's dwelling of the same programme (the housing demo runs
first and houses the residents there), so the resident's unit is the one whose dwelling
carries their rent account. Fictional names and addresses only.
"""

from __future__ import annotations

import datetime as dt

from tremplin.api import Actor, DemoContext, DemoData, Enrolments, add_months, update_enrolment_data
from tremplin_boarding_house import activities, houses
from tremplin_boarding_house.workflow import KEY, TYPOLOGIES
from tremplin_housing import api as housing

HOUSES = (
    (
        "Maison des Tilleuls",
        "12 rue des Tilleuls, 42000 Saint-Étienne",
        "Cuisine collective, salon, jardin potager",
    ),
    (
        "Maison du Pré Vert",
        "5 route Nouvelle, 42600 Montbrison",
        "Grande cuisine, salle d'activités, terrasse",
    ),
)
#: Units without a dwelling in the stock, so a house is never empty.
MIN_UNITS = 4
ACTIVITIES = (
    ("meal", "Repas partagé du vendredi", "Couscous préparé par trois résidents."),
    ("workshop", "Atelier jardin", "Plantation des tomates et des courgettes."),
    ("house_meeting", "Conseil de maison", "Organisation du ménage des espaces communs."),
    ("outing", "Sortie au lac", "Pique-nique et promenade, retour en minibus."),
    ("sport_culture", "Séance de cinéma", "Film choisi par les résidents."),
)
_UNIT_TYPOLOGIES = {c.value for c in TYPOLOGIES}


async def load_demo(ctx: DemoContext) -> str | None:
    if KEY not in ctx.programmes:
        return None
    rng, on = ctx.rng, ctx.today
    actor = Actor(ctx.users.get("head_of_service") or ctx.users.get("admin"))
    hosts = [u for u in (ctx.users.get("technician"), ctx.users.get("social_worker")) if u]
    house_ids = []
    for number, (name, address, spaces) in enumerate(HOUSES):
        house_id = await houses.create_house(
            actor,
            {
                "name": name,
                "address": address,
                "collective_spaces": spaces,
                "opened_on": dt.date(on.year - 12 + 3 * number, 9, 1).isoformat(),
            },
        )
        house_ids.append(house_id)
        if hosts:
            await houses.assign_host(
                actor,
                house_id,
                {
                    "user": str(hosts[number % len(hosts)]),
                    "start_date": dt.date(on.year - 3, 1, 15).isoformat(),
                },
            )
    # Units: the programme's dwellings first, shared between the houses, then spare units.
    by_dwelling: dict[int, int] = {}
    labels = [0] * len(house_ids)
    units = 0

    async def unit(index: int, typology: str, dwelling_id: int | None) -> int:
        nonlocal units
        labels[index] += 1
        units += 1
        return await houses.add_unit(
            actor,
            house_ids[index],
            {
                "label": f"Logement {labels[index]}",
                "typology": typology if typology in _UNIT_TYPOLOGIES else "T1",
                "dwelling_id": str(dwelling_id) if dwelling_id else "",
            },
        )

    for number, d in enumerate(await housing.dwellings(programme=KEY)):
        index = number % len(house_ids)
        by_dwelling[d.id] = await unit(index, d.typology, d.id)
    spare = []
    for index in range(len(house_ids)):
        while labels[index] < MIN_UNITS:
            spare.append(await unit(index, rng.choice(("T1", "T1", "T2")), None))
    # Residents in their units.
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
    # Collective life: a few past activities per house, with the residents present.
    count = 0
    for house_id in house_ids:
        present = [str(r["household"]) for r in await houses.residents_of(house_id)]
        for kind, title, notes in rng.sample(ACTIVITIES, 3):
            held_on = add_months(on, -rng.randint(0, 4)) - dt.timedelta(days=rng.randint(1, 20))
            ticked = rng.sample(present, min(len(present), rng.randint(1, 3))) if present else []
            await activities.record_activity(
                actor,
                house_id,
                {
                    "held_on": held_on.isoformat(),
                    "kind": kind,
                    "title": title,
                    "participants": str(len(ticked) + rng.randint(2, 6)),
                    "households": ticked,
                    "notes": notes,
                },
            )
            count += 1
    plural = "s" if residents > 1 else ""
    return (
        f"{len(house_ids)} maisons, {units} logements, {residents} résident{plural}, "
        f"{count} activités"
    )


def demo_data() -> list[DemoData]:
    return [DemoData(KEY, load_demo, order=50)]
