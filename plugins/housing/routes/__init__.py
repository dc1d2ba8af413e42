"""The housing pages, all under ``/housing``."""

from tremplin_plugins.housing.routes import arrears, dwellings, occupancies, owners

ROUTES = [*dwellings.ROUTES, *owners.ROUTES, *occupancies.ROUTES, *arrears.ROUTES]

__all__ = ["ROUTES"]
