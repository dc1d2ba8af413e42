"""Pages of the rental agency (filled below)."""

ROUTES: tuple = ()
