"""The baselines the household list is compared with, served exactly like Tremplin
(uvicorn, same number of workers, same run) by ``bench/run.py`` and ``bench/bench_pages.py``:

- ``GET /``: a bare Litestar hello-world (the stack's floor);
- ``GET /rows``: a bare 50-row Jinja page (Litestar + a compiled Jinja2 template, no database),
  the floor of any server-rendered list page.

    python -m uvicorn hello_app:app --app-dir bench --workers 2 --port 8001
"""

from jinja2 import Environment
from litestar import Litestar, MediaType, get

_ENV = Environment(autoescape=True)
_ROWS = _ENV.from_string(
    """<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Ménages</title></head>
<body><table><thead><tr><th>Référence</th><th>Nom</th><th>Composition</th><th>Programme</th>
<th>État</th></tr></thead><tbody>
{% for row in rows %}<tr><td><a href="/households/{{ row.id }}">{{ row.reference }}</a></td>
<td>{{ row.name }}</td><td>{{ row.composition }}</td><td>{{ row.programme }}</td>
<td>{{ row.state }}</td></tr>
{% endfor %}</tbody></table></body></html>"""
)
_DATA = [
    {
        "id": i,
        "reference": f"M-{i:06d}",
        "name": f"MARTIN Éléonore {i}",
        "composition": "Femme seule avec enfants",
        "programme": "IML sous-location",
        "state": "Logé",
    }
    for i in range(1, 51)
]


@get("/", media_type=MediaType.TEXT)
async def hello() -> str:
    return "Hello, world!"


@get("/rows", media_type=MediaType.HTML)
async def rows() -> str:
    return _ROWS.render(rows=_DATA)


app = Litestar([hello, rows])
