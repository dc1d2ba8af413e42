"""Demo data (filled below)."""


async def load(ctx) -> str | None:
    return None
