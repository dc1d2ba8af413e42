"""Configuration: ``tremplin.toml`` plus ``TREMPLIN_*`` environment overrides.

Every setting has a default that suits a laptop running the embedded SQLite database, so
``make run`` needs no configuration file. Production mode refuses to start without a secret.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tremplin.i18n import N_, gettext

__all__ = ["ConfigError", "Settings", "load_settings"]


class ConfigError(Exception):
    """A configuration problem that must stop start-up; the message is shown as is."""


DEV_SECRET = "development-secret-not-for-production"


@dataclass(frozen=True)
class Settings:
    """The whole configuration of one installation."""

    database_url: str = "sqlite:///var/tremplin.sqlite3"
    data_dir: Path = Path("var/data")
    secret_key: str = ""
    #: Enabled plugin keys (programmes and capability plugins such as ``housing``);
    #: ``None`` enables every installed plugin.
    programmes: tuple[str, ...] | None = None
    production: bool = False
    association_name: str = "Association Tremplin (démo)"
    max_upload_bytes: int = 10 * 1024 * 1024
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    secure_cookies: bool | None = None
    #: Extra template folder searched before the theme (an association's overrides).
    templates_dir: Path | None = None
    #: The theme: ``default``, an installed theme's name (entry points ``tremplin.themes``)
    #: or a folder with ``templates/``, ``static/`` and/or ``reports/`` (tremplin.web.themes).
    theme: str = "default"
    language: str = "fr"
    #: Image (PNG, JPEG or SVG) printed on the cover of the activity report.
    logo_path: Path | None = None
    #: CNIL 2023: files leave the active base 2 years after the last contact at the end of
    #: support, and are anonymised after the archive period.
    retention_years: int = 2
    archive_years: int = 5
    #: The audit trail is kept 1 year by default (6 to 36 months).
    audit_retention_months: int = 12
    #: The association's time zone (IANA name): "today" and the dates shown are computed in it.
    time_zone: str = "Europe/Paris"
    #: Programmes the activity report presents together (« IML » = classic + youth):
    #: (group name, programme keys) pairs; TOML ``report_groups = {IML = ["iml_sublease",
    #: "iml_youth"]}``, environment ``TREMPLIN_REPORT_GROUPS="IML=iml_sublease+iml_youth"``.
    report_groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        """The database file of a ``sqlite:///path`` URL (relative paths from the cwd)."""
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def cookies_secure(self) -> bool:
        return self.production if self.secure_cookies is None else self.secure_cookies

    @property
    def effective_secret(self) -> str:
        return self.secret_key or DEV_SECRET


_ENV = {
    "TREMPLIN_DATABASE_URL": "database_url",
    "TREMPLIN_DATA_DIR": "data_dir",
    "TREMPLIN_SECRET_KEY": "secret_key",
    "TREMPLIN_PROGRAMMES": "programmes",
    "TREMPLIN_PRODUCTION": "production",
    "TREMPLIN_ASSOCIATION_NAME": "association_name",
    "TREMPLIN_MAX_UPLOAD_BYTES": "max_upload_bytes",
    "TREMPLIN_TEMPLATES_DIR": "templates_dir",
    "TREMPLIN_THEME": "theme",
    "TREMPLIN_LOGO_PATH": "logo_path",
    "TREMPLIN_LANGUAGE": "language",
    "TREMPLIN_TIME_ZONE": "time_zone",
    "TREMPLIN_REPORT_GROUPS": "report_groups",
}


def _coerce(name: str, value: object) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if name == "programmes":
        if isinstance(value, str):
            items = [p.strip() for p in value.split(",") if p.strip()]
        elif isinstance(value, list):
            items = [str(p).strip() for p in value]
        else:
            raise ConfigError(N_("programmes: une liste de clés de programmes est attendue"))
        return tuple(items)
    if name == "report_groups":
        return _groups(value)
    if "bool" in str(kind):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "oui", "on"}:
            return True
        if text in {"0", "false", "no", "non", "off", ""}:
            return False
        raise ConfigError(
            gettext("{name}: valeur booléenne attendue, reçu {value!r}").format(
                name=name, value=value
            )
        )
    if "int" in str(kind):
        try:
            # value is an untyped TOML or environment value; a wrong one raises, caught below
            return int(value)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise ConfigError(
                gettext("{name}: nombre entier attendu, reçu {value!r}").format(
                    name=name, value=value
                )
            ) from None
    if "Path" in str(kind):
        return Path(str(value))
    return str(value)


def _groups(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Report groups from a TOML table or ``"Name=a+b;Other=c+d"``."""
    pairs: list[tuple[str, list[str]]] = []
    if isinstance(value, str):
        for part in value.split(";"):
            if not part.strip():
                continue
            name, sep, keys = part.partition("=")
            if not sep:
                raise ConfigError(
                    gettext("report_groups : « {part} » (attendu Nom=clé+clé)").format(
                        part=part.strip()
                    )
                )
            pairs.append((name, keys.split("+")))
    elif isinstance(value, dict):
        for name, keys in value.items():
            if not isinstance(keys, list):
                raise ConfigError(
                    gettext("report_groups : une liste de programmes pour « {name} »").format(
                        name=name
                    )
                )
            pairs.append((str(name), [str(k) for k in keys]))
    else:
        raise ConfigError(N_("report_groups : une table Nom = [programmes] est attendue"))
    out = []
    for name, group in pairs:
        members = tuple(k.strip() for k in group if k.strip())
        if not name.strip() or not members:
            raise ConfigError(
                gettext("report_groups : groupe « {name} » sans nom ou vide").format(
                    name=name.strip()
                )
            )
        out.append((name.strip(), members))
    return tuple(out)


def check_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        if not url.startswith("sqlite:///") or url == "sqlite:///":
            raise ConfigError(
                gettext(
                    "database_url invalide : {url!r} (attendu "
                    "sqlite:///chemin/vers/fichier.sqlite3)"
                ).format(url=url)
            )
        return
    if parsed.scheme in {"postgresql", "postgres"}:
        if not parsed.path.strip("/"):
            raise ConfigError(
                gettext("database_url invalide : nom de base manquant dans {url!r}").format(url=url)
            )
        return
    raise ConfigError(
        gettext(
            "database_url invalide : {url!r} (seuls sqlite:/// et postgresql:// sont acceptés)"
        ).format(url=url)
    )


def load_settings(path: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read the TOML file (if any) then the environment; raise ConfigError on any problem."""
    env = os.environ if environ is None else environ
    if path is None:
        path = Path(env.get("TREMPLIN_CONFIG", "tremplin.toml"))
    values: dict[str, object] = {}
    known = {f.name for f in fields(Settings)}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(
                gettext("{path} : TOML invalide ({error})").format(path=path, error=exc)
            ) from None
        section = raw.get("tremplin", raw)
        for key, value in section.items():
            if key not in known:
                raise ConfigError(
                    gettext("{path} : clé inconnue « {key} »").format(path=path, key=key)
                )
            values[key] = _coerce(key, value)
    for var, key in _ENV.items():
        if var in env:
            values[key] = _coerce(key, env[var])
    # values are coerced field by field by _coerce; replace() cannot see their types
    settings = replace(Settings(), **values)  # type: ignore[arg-type]
    check_url(settings.database_url)
    if settings.production and len(settings.secret_key) < 32:
        raise ConfigError(
            N_(
                "secret_key manquante ou trop courte (32 caractères minimum) en mode production : "
                "définissez TREMPLIN_SECRET_KEY"
            )
        )
    if settings.language not in ("fr", "en"):
        raise ConfigError(N_("language : « fr » ou « en »"))
    if not 6 <= settings.audit_retention_months <= 36:
        raise ConfigError(N_("audit_retention_months doit être compris entre 6 et 36"))
    if settings.retention_years < 1 or settings.archive_years < 0:
        raise ConfigError(N_("retention_years (≥ 1) et archive_years (≥ 0) invalides"))
    try:
        ZoneInfo(settings.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            gettext("time_zone : fuseau horaire inconnu {time_zone!r} (ex. Europe/Paris)").format(
                time_zone=settings.time_zone
            )
        ) from None
    if settings.max_upload_bytes <= 0:
        raise ConfigError(N_("max_upload_bytes doit être positif"))
    return settings
