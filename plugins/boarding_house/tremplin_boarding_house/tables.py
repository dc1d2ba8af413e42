"""Tables of the boarding-house programme: houses, their units, hosts and collective life."""

from piccolo.columns import (
    JSON,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from tremplin.api import Users


class House(Table, tablename="boarding_house_house"):
    """A boarding house (*pension de famille*, *maison relais*)."""

    id: Serial

    name = Varchar(length=120)
    address = Text(default="")
    opened_on = Date(null=True, default=None)
    #: Kitchen, lounge, garden, terrace… as the association describes them.
    collective_spaces = Text(default="")
    created_at = Timestamptz()


class Unit(Table, tablename="boarding_house_unit"):
    """A private unit of a house (T1, T2). ``dwelling_id`` optionally names the housing
    plugin's dwelling that carries its rent account (no foreign key across plugins)."""

    id: Serial

    house = ForeignKey(House, on_delete=OnDelete.restrict, index=True)
    label = Varchar(length=40)
    typology = Varchar(length=8)
    dwelling_id = Integer(null=True, default=None, index=True)
    created_at = Timestamptz()


class Host(Table, tablename="boarding_house_host"):
    """A staff member acting as host (*hôte de maison*) of a house from ``start_date``."""

    id: Serial

    house = ForeignKey(House, on_delete=OnDelete.restrict, index=True)
    user = ForeignKey(Users, on_delete=OnDelete.restrict, index=True)
    start_date = Date()
    end_date = Date(null=True, default=None)
    created_at = Timestamptz()


class Activity(Table, tablename="boarding_house_activity"):
    """A collective activity, outing, event or house meeting (*conseil de maison*)."""

    id: Serial

    house = ForeignKey(House, on_delete=OnDelete.restrict, index=True)
    held_on = Date(index=True)
    kind = Varchar(length=30)
    title = Varchar(length=200)
    #: Everyone who took part, residents or not.
    participants = Integer(default=0)
    #: Household ids of the residents who took part.
    households = JSON(default=[])
    notes = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
