"""The housing pages, all under ``/housing``."""

from tremplin_housing.routes import arrears, captation, dwellings, occupancies, owners

ROUTES = [
    *dwellings.ROUTES,
    *owners.ROUTES,
    *occupancies.ROUTES,
    *arrears.ROUTES,
    *captation.ROUTES,
]

__all__ = ["ROUTES"]
