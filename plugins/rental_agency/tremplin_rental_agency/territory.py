"""The agency's metropolis: the postcodes or communes the administrator says form it, for the
share of GLA households « dans la métropole » (ASL 2024: 92,4 % on the territory of the
métropole stéphanoise). Without a saved setting, the default is Saint-Étienne Métropole's 53
communes (the perimeter since 2017), the ASL's own territory.

An entry is a 5-digit postcode or a commune's name; a dwelling belongs to the metropolis when
its postcode is listed or its commune is (case, accents, hyphens and « St »/« Ste » folded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tremplin.api import N_, Actor, FormErrors, domain, normalise, now, transaction
from tremplin_rental_agency.common import write_audit
from tremplin_rental_agency.tables import Territory

gettext = domain(__name__).gettext

DEFAULT_LABEL = "Saint-Étienne Métropole"
DEFAULT_COMMUNES = (
    "Aboën",
    "Andrézieux-Bouthéon",
    "Caloire",
    "Cellieu",
    "Chagnon",
    "Chambœuf",
    "Châteauneuf",
    "Dargoire",
    "Doizieux",
    "Farnay",
    "Firminy",
    "Fontanès",
    "Fraisses",
    "Genilac",
    "L'Étrat",
    "L'Horme",
    "La Fouillouse",
    "La Gimond",
    "La Grand-Croix",
    "La Ricamarie",
    "La Talaudière",
    "La Terrasse-sur-Dorlay",
    "La Tour-en-Jarez",
    "La Valla-en-Gier",
    "Le Chambon-Feugerolles",
    "Lorette",
    "Marcenod",
    "Pavezin",
    "Rive-de-Gier",
    "Roche-la-Molière",
    "Rozier-Côtes-d'Aurec",
    "Saint-Bonnet-les-Oules",
    "Saint-Chamond",
    "Saint-Christo-en-Jarez",
    "Saint-Étienne",
    "Saint-Galmier",
    "Saint-Genest-Lerpt",
    "Saint-Héand",
    "Saint-Jean-Bonnefonds",
    "Saint-Joseph",
    "Saint-Martin-la-Plaine",
    "Saint-Maurice-en-Gourgois",
    "Saint-Nizier-de-Fornas",
    "Saint-Paul-en-Cornillon",
    "Saint-Paul-en-Jarez",
    "Saint-Priest-en-Jarez",
    "Saint-Romain-en-Jarez",
    "Sainte-Croix-en-Jarez",
    "Sorbiers",
    "Tartaras",
    "Unieux",
    "Valfleury",
    "Villars",
)
MAX_ENTRIES = 500
_POSTCODE = re.compile(r"^(?:[0-9]{5}|2[AB][0-9]{3})$")


def commune_key(name: str) -> str:
    """A commune's name folded for comparison: ``"St-Étienne"`` → ``"saint etienne"``."""
    words = normalise(re.sub(r"[-'’]", " ", name or "")).split()
    words = [{"st": "saint", "ste": "sainte"}.get(w, w) for w in words]
    return " ".join(words)


@dataclass(frozen=True)
class Metropolis:
    label: str
    entries: tuple[str, ...]
    version: int  # 0: the default, never saved

    @property
    def postcodes(self) -> frozenset[str]:
        return frozenset(e for e in self.entries if _POSTCODE.match(e))

    @property
    def communes(self) -> frozenset[str]:
        return frozenset(commune_key(e) for e in self.entries if not _POSTCODE.match(e))

    def contains(self, postcode: str, city: str) -> bool:
        """Whether a dwelling at this postcode and commune lies in the metropolis."""
        return postcode.strip() in self.postcodes or (
            bool(city.strip()) and commune_key(city) in self.communes
        )


async def metropolis() -> Metropolis:
    """The metropolis in force (the saved setting, else the default)."""
    row = await Territory.select().order_by(Territory.id).first()
    if row is None:
        return Metropolis(DEFAULT_LABEL, DEFAULT_COMMUNES, 0)
    return Metropolis(row["label"], tuple(_lines(row["entries"])), row["version"])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


async def save_metropolis(actor: Actor, label: str, entries: str, version: int) -> None:
    """Save the metropolis edited from ``version`` (0: the default); every error at once,
    a conflict when someone saved it since."""
    label = label.strip()
    lines = _lines(entries)
    errors: dict[str, str] = {}
    if not label:
        errors["label"] = N_("indiquez le nom de la métropole")
    elif len(label) > 100:
        errors["label"] = N_("100 caractères au plus")
    if not lines:
        errors["entries"] = N_("indiquez au moins un code postal ou une commune")
    elif len(lines) > MAX_ENTRIES:
        errors["entries"] = gettext("{n} lignes au plus").format(n=MAX_ENTRIES)
    else:
        bad = [line for line in lines if len(line) > 100 or not commune_key(line)]
        digits = [line for line in lines if line.isdigit() and not _POSTCODE.match(line)]
        if bad or digits:
            errors["entries"] = gettext("ligne invalide : {line}").format(
                line=(bad + digits)[0][:40]
            )
    if errors:
        raise FormErrors(errors)
    conflict = FormErrors(
        {"_version": "Le territoire a été modifié entre-temps : rechargez la page."}
    )
    async with transaction():
        row = await Territory.select(Territory.id, Territory.version).first()
        if (row["version"] if row else 0) != version:
            raise conflict
        values: dict[Any, Any] = {  # Column keys (insert and update type them apart)
            Territory.label: label,
            Territory.entries: "\n".join(lines),
            Territory.updated_by: actor.user_id,
            Territory.updated_at: now(),
        }
        if row is None:
            try:
                # One row, id 1: of two first saves at once, the second breaks the key.
                await Territory.insert(Territory({Territory.id: 1, **values}))
            except Exception as exc:  # sqlite3 / asyncpg unique violation
                if "unique" not in str(exc).lower() and "duplicate" not in str(exc).lower():
                    raise
                raise conflict from exc
        else:
            changed = await (
                Territory.update({**values, Territory.version: version + 1})
                .where((Territory.id == row["id"]) & (Territory.version == version))
                .returning(Territory.id)
            )
            if not changed:
                raise conflict
        await write_audit(actor, "update", "rental_agency_territory", 1, ["label", "entries"])
