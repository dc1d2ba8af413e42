"""Every edit form shows stored values as typed (money in euros, "85,50") and saving it back
unchanged leaves the record identical, for every programme and every kind of field."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.conftest import Session, login
from tremplin.forms import FormErrors, resolve_choices
from tremplin.models import Enrolment
from tremplin.services import enrolments as enr
from tremplin.services import households as hh
from tremplin.types import ChoiceContext, Field

ACTOR = hh.Actor(None)


class FormReader(HTMLParser):
    """The values a browser would submit for the POST form of a page sent to ``action``."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.values: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post" and a.get("action") == self.action:
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.append((a["name"], a.get("value") or ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value") or ""))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values.append((self._textarea, self._text))
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form = False


def sample(field: Field) -> object:
    """A valid typed value for ``field`` (what a user would type)."""
    if field.choices:
        values = [c.value for c in field.choices]
        return values[:2] if field.kind == "multichoice" else values[-1]
    low = field.minimum if field.minimum is not None else 0
    return {
        "text": "Texte accentué é",
        "textarea": "Première ligne\nSeconde ligne",
        "date": "2024-02-03",
        "int": str(max(low, min(3, field.maximum if field.maximum is not None else 3))),
        "money": "85,50",
        "bool": "on",
        "email": "lea@example.fr",
        "phone": "06 01 02 03 04",
    }.get(field.kind, "x")


async def _filled_enrolment(host, programme: str) -> int:
    household_id = await hh.create_household(ACTOR, {"name": f"ALLER-RETOUR {programme}"})
    fields = await resolve_choices(
        enr.enrolment_fields(host, programme),
        ChoiceContext(programme=programme, household_id=household_id),
    )
    raw = {f.name: sample(f) for f in fields if f.name != "referent"}
    raw["referral_date"] = "2024-01-10"
    for _ in range(len(raw)):  # drop the optional values a cross-field check refuses
        try:
            return await enr.create_enrolment(host, ACTOR, household_id, programme, raw)
        except FormErrors as exc:
            required = {f.name for f in fields if f.required}
            dropped = [k for k in exc.errors if k in raw and k not in required]
            assert dropped, exc.errors
            for name in dropped:
                raw.pop(name)
    raise AssertionError("no valid enrolment")


async def _stored(enrolment_id: int) -> dict:
    row = (
        await Enrolment.select(
            Enrolment.referral_date, Enrolment.prescriber, Enrolment.referent, Enrolment.data
        )
        .where(Enrolment.id == enrolment_id)
        .output(load_json=True)
        .first()
    )
    return row


@pytest.mark.parametrize(
    "programme",
    [
        "iml_sublease",
        "iml_mandate",
        "housing_support",
        "iml_youth",
        "alter_logement",
        "boarding_house",
        "cllaj_bail",
        "cllaj_jappart",
        "cllaj_glissant",
        "social_residence",
    ],
)
async def test_the_enrolment_form_posted_back_unchanged_changes_nothing(
    client, users, host, programme
):
    head = Session(client, await login(client, "head_of_service@test.fr"), users["head_of_service"])
    enrolment_id = await _filled_enrolment(host, programme)
    before = await _stored(enrolment_id)
    kinds = {f.kind for f in host.fields(programme) if before["data"].get(f.name) is not None}
    page = await head.get(f"/enrolments/{enrolment_id}/edit")
    assert page.status_code == 200
    reader = FormReader(f"/enrolments/{enrolment_id}/edit")
    reader.feed(page.text)
    form: dict[str, object] = {}
    for name, value in reader.values:
        if name in form:
            previous = form[name]
            form[name] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            form[name] = value
    assert form, "edit form not found"
    if "money" in kinds:
        assert "85,50" in page.text and "8550" not in page.text
    saved = await head.client.post(f"/enrolments/{enrolment_id}/edit", data=form)
    assert saved.status_code == 303, saved.text[:2000]
    assert await _stored(enrolment_id) == before


def _as_submitted(values: list[tuple[str, str]]) -> dict[str, object]:
    form: dict[str, object] = {}
    for name, value in values:
        if name in form:
            previous = form[name]
            form[name] = [*(previous if isinstance(previous, list) else [previous]), value]
        else:
            form[name] = value
    return form


async def test_the_household_form_posted_back_unchanged_changes_nothing(client, users):
    from tremplin.forms import HOUSEHOLD_FIELDS
    from tremplin.models import Household

    head = Session(client, await login(client, "head_of_service@test.fr"), users["head_of_service"])
    household_id = await hh.create_household(ACTOR, {f.name: sample(f) for f in HOUSEHOLD_FIELDS})
    columns = [Household._meta.get_column_by_name(f.name) for f in HOUSEHOLD_FIELDS]
    before = await Household.select(*columns).where(Household.id == household_id).first()
    assert all(before[f.name] for f in HOUSEHOLD_FIELDS)  # every kind of field is filled
    page = await head.get(f"/households/{household_id}/edit")
    reader = FormReader(None)
    reader.feed(page.text)
    form = _as_submitted(reader.values)
    assert "version" in form
    saved = await head.client.post(f"/households/{household_id}/edit", data=form)
    assert saved.status_code == 303, saved.text[:2000]
    after = await Household.select(*columns).where(Household.id == household_id).first()
    assert after == before
