"""Tables of the IML sub-lease programme.

None left: the occupancy agreement's renewals moved to housing's one table
(``housing_agreement_renewal``, migration ``iml_sublease_0002``); the app keeps its
migrations so that upgrades move the data.
"""

TABLES: list = []
