"""The web shell: Litestar app, pages (Jinja2 + htmx) and the JSON API."""
