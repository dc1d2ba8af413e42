"""« Aide »: the guides of docs/ served by the app, at the section of the current page
(issue 16, point 8)."""

from __future__ import annotations

import re

import pytest

from tremplin.web.pages.guide import SECTIONS, docs_dir, help_anchor, slugify


def test_every_page_section_exists_in_the_user_guide():
    text = (docs_dir() / "guide-utilisateur.md").read_text("utf-8")
    headings = {slugify(h) for h in re.findall(r"^#{1,3} (.+)$", text, re.MULTILINE)}
    missing = [title for _prefix, title in SECTIONS if slugify(title) not in headings]
    assert missing == []


def test_anchor_of_a_page():
    assert slugify("Les rapports d'activité") == "les-rapports-dactivité"
    assert help_anchor("/households") == "#la-liste-des-ménages-et-la-recherche"
    assert help_anchor("/households/12") == "#la-fiche-du-ménage"
    assert help_anchor("/households/new") == "#créer-un-ménage"
    assert help_anchor("/") == "#le-tableau-de-bord"
    assert help_anchor("/nowhere") == ""


async def test_guides_are_served_offline_with_anchors_and_internal_links(client, social_worker):
    page = await social_worker.get("/aide")
    assert page.status_code == 200
    assert '<h2 id="la-liste-des-ménages-et-la-recherche">' in page.text
    assert '<h3 id="trier-filtrer-et-exporter-la-liste">' in page.text
    assert 'href="/aide/admin"' in page.text  # admin.md rewritten inside /aide
    assert "<script" not in page.text.split("<main", 1)[1]  # Markdown HTML is not passed through
    admin = await social_worker.get("/aide/admin")
    assert admin.status_code == 200 and "<h1" in admin.text
    programme = await social_worker.get("/aide/programmes/cllaj")
    assert programme.status_code == 200


@pytest.mark.parametrize("name", ["../pyproject", "nope", "admin.md", "%2e%2e/README"])
async def test_only_guides_are_served(social_worker, name):
    assert (await social_worker.get(f"/aide/{name}")).status_code == 404


async def test_every_page_has_the_help_link_and_the_skip_link(social_worker):
    page = await social_worker.get("/households")
    assert '<a class="skip-link" href="#main">Aller au contenu</a>' in page.text
    assert 'href="/aide#la-liste-des-ménages-et-la-recherche">Aide</a>' in page.text
    assert 'id="main-nav"' in (await social_worker.get("/aide")).text  # with the menu
