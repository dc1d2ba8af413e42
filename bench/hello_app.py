"""A bare Litestar hello-world: the throughput ceiling the household list is compared with.

Served like Tremplin (uvicorn, 2 workers, access log on) by ``bench/bench_pages.py``::

    python -m uvicorn hello_app:app --app-dir bench --workers 2 --port 8001
"""

from litestar import Litestar, MediaType, get


@get("/", media_type=MediaType.TEXT)
async def hello() -> str:
    return "Hello, world!"


app = Litestar([hello])
