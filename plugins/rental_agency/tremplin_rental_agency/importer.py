"""Import of demands from a spreadsheet (filled below)."""

ROUTES: tuple = ()
