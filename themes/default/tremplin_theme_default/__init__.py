"""Tremplin's default theme: Jinja templates, CSS, vendored htmx and the Typst report templates.

The package holds data only; the core finds its folders through :data:`ROOT`.
"""

from pathlib import Path

ROOT = Path(__file__).parent
