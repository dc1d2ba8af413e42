"""What the Mission Locale sees of a J'APPART young person shared with it (with consent):
the end of the occupancy and how often the social worker met the young person last month.
Never rent amounts; the Mission Locale follows the job project, the association the housing.
"""

from __future__ import annotations

from tremplin.api import Enrolments, PartnerItem, today
from tremplin_cllaj.jappart import meetings_in_last_month
from tremplin_cllaj.rules import JAPPART
from tremplin_cllaj.workflow_jappart import AGREEMENT
from tremplin_housing import api as housing

#: The shareable group of J'APPART the young person consents to.
ML_GROUP = "mission_locale"


async def _housed(household_id: int) -> dict | None:
    return (
        await Enrolments.select(Enrolments.id, Enrolments.entry_date)
        .where(
            (Enrolments.household == household_id)
            & (Enrolments.programme == JAPPART)
            & (Enrolments.state == "housed")
        )
        .output(load_json=True)
        .first()
    )


async def occupancy_end(household_id: int) -> str | None:
    row = await _housed(household_id)
    if row is None or row["entry_date"] is None:
        return None
    return f"{(await housing.agreement_ends([row], AGREEMENT))[row['id']]:%d/%m/%Y}"


async def meetings_last_month(household_id: int) -> str | None:
    if await _housed(household_id) is None:
        return None
    n = (await meetings_in_last_month([household_id], today())).get(household_id, 0)
    return f"{n} rencontre{'s' if n > 1 else ''} (2 à 3 attendues)"


PARTNER_ITEMS = [
    PartnerItem(
        "cllaj_jappart_end",
        JAPPART,
        "Fin de l'occupation J'APPART",
        ML_GROUP,
        occupancy_end,
        order=10,
    ),
    PartnerItem(
        "cllaj_jappart_meetings",
        JAPPART,
        "Rencontres avec le travailleur social le mois dernier",
        ML_GROUP,
        meetings_last_month,
        order=20,
    ),
]
