"""« Aide »: the guides of ``docs/`` served by the app, offline and in their current version.

The Markdown is rendered with markdown-it-py on first use and again whenever the file
changes (its modification time is the cache key). Headings get the same anchors as on
GitHub (``## Créer un ménage`` → ``#créer-un-ménage``), so the guides' own tables of
contents work, and the « Aide » link of each page lands on the section about it
(:func:`help_anchor`). Links between guides (``admin.md#x``) stay inside ``/aide``.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template
from markdown_it import MarkdownIt

import tremplin
from tremplin.i18n import N_
from tremplin.web.auth import authenticated

#: The guide shown at ``/aide``; the others at ``/aide/<name>`` (``/aide/admin``…).
DEFAULT_GUIDE = "guide-utilisateur"
#: Page path prefix → section of the user guide (the first prefix that matches wins).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("/households/new", "Créer un ménage"),
    ("/households/", "La fiche du ménage"),
    ("/households", "La liste des ménages et la recherche"),
    ("/enrolments", "Orienter un ménage vers un programme"),
    ("/housing", "Logements et gestion locative"),
    ("/partner", "Le partage avec les partenaires"),
    ("/reports", "Les rapports d'activité"),
    ("/archives", "Archives et durées de conservation"),
    ("/login", "Se connecter"),
    ("/account", "Se connecter"),
    ("/iml_youth", "L'IML jeunes avec la Mission Locale"),
    ("/boarding_house", "Les autres programmes"),
    ("/social_residence", "Les autres programmes"),
    ("/cllaj", "Les autres programmes"),
    ("/iml_mandate", "Les autres programmes"),
    ("/admin/audit", "Confidentialité"),
    ("/admin", "Qui peut faire quoi"),
    ("/", "Le tableau de bord"),
)
_LINK = re.compile(r'href="(?!https?:|mailto:|#|/)([^"#]+)\.md(#[^"]*)?"')


def docs_dir() -> Path:
    """``TREMPLIN_DOCS_DIR``, else the ``docs/`` folder of the source tree."""
    configured = os.environ.get("TREMPLIN_DOCS_DIR")
    if configured:
        return Path(configured)
    return Path(tremplin.__file__).resolve().parents[2] / "docs"


def slugify(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens."""
    text = unicodedata.normalize("NFC", title.strip().lower())
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def help_anchor(path: str) -> str:
    """``#section`` of the user guide about the page at ``path`` (``""`` when none)."""
    for prefix, title in SECTIONS:
        if path == prefix or (prefix != "/" and path.startswith(prefix)):
            return "#" + slugify(title)
    return ""


def _add_anchors(md: MarkdownIt) -> None:
    def heading_open(self, tokens, idx, options, env):  # markdown-it renderer signature
        token = tokens[idx]
        inline = tokens[idx + 1]
        slug = slugify(inline.content)
        seen = env.setdefault("slugs", {})
        if slug in seen:
            seen[slug] += 1
            slug = f"{slug}-{seen[slug]}"
        else:
            seen[slug] = 0
        token.attrSet("id", slug)
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("heading_open", heading_open)


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    _add_anchors(md)
    return md


@lru_cache(maxsize=32)
def _render(path: Path, mtime: float) -> tuple[str, str, list[tuple[str, str]]]:
    """(title, HTML, [(anchor, title) of the ``##`` sections]) of one guide."""
    text = path.read_text("utf-8")
    md = _markdown()
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    title = path.stem
    toc = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag in ("h1", "h2"):
            content = tokens[i + 1].content
            if token.tag == "h1" and title == path.stem:
                title = content
            elif token.tag == "h2":
                toc.append((slugify(content), content))
    html = md.renderer.render(tokens, md.options, {})
    folder = path.parent.relative_to(docs_dir()).as_posix()
    prefix = "" if folder == "." else folder + "/"

    def link(match: re.Match[str]) -> str:
        target = os.path.normpath(prefix + match.group(1)).replace(os.sep, "/")
        return f'href="/aide/{target}{match.group(2) or ""}"'

    return title, _LINK.sub(link, html), toc


def guide_path(name: str) -> Path:
    """The Markdown file of guide ``name``; 404 for anything outside ``docs/``."""
    root = docs_dir().resolve()
    if not re.fullmatch(r"[a-z0-9_-]+(/[a-z0-9_-]+)?", name):
        raise NotFoundException(N_("Page d'aide inconnue"))
    path = (root / f"{name}.md").resolve()
    if root not in path.parents or not path.is_file():
        raise NotFoundException(N_("Page d'aide inconnue"))
    return path


def _page(name: str) -> Template:
    path = guide_path(name)
    title, html, toc = _render(path, path.stat().st_mtime)
    return Template("help.html", context={"title": title, "html": html, "toc": toc, "name": name})


@get("/aide", guards=[authenticated])
async def help_index(request: Request) -> Template:
    return _page(DEFAULT_GUIDE)


@get("/aide/{name:path}", guards=[authenticated])
async def help_page(request: Request, name: FromPath[str]) -> Template:
    return _page(name.strip("/"))


ROUTES = [help_index, help_page]
