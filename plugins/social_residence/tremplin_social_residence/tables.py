"""Tables of the social residence: its furnished units (the stay's derogations are housing's
agreement renewals)."""

from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class ResidenceUnit(Table, tablename="social_residence_unit"):
    """A furnished unit of the residence. ``dwelling_id`` optionally names the housing
    plugin's dwelling that carries its rent account (no foreign key across plugins)."""

    id: Serial

    label = Varchar(length=40)
    typology = Varchar(length=8, default="T1")
    dwelling_id = Integer(null=True, default=None, index=True)
    created_at = Timestamptz()
