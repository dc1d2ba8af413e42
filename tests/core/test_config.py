from pathlib import Path

import pytest

from tremplin.config import ConfigError, load_settings


def test_defaults_suit_the_embedded_database(tmp_path):
    settings = load_settings(tmp_path / "absent.toml", environ={})
    assert settings.database_url == "sqlite:///var/tremplin.sqlite3"
    assert settings.is_sqlite and settings.sqlite_path == Path("var/tremplin.sqlite3")
    assert settings.programmes is None
    assert not settings.production


def test_file_then_environment(tmp_path):
    conf = tmp_path / "tremplin.toml"
    conf.write_text('[tremplin]\nassociation_name = "La Clède"\nprogrammes = ["iml_sublease"]\n')
    settings = load_settings(
        conf,
        environ={
            "TREMPLIN_DATABASE_URL": "postgresql://u@localhost/tremplin",
            "TREMPLIN_PROGRAMMES": "iml_sublease, housing",
            "TREMPLIN_DATA_DIR": "/srv/tremplin/data",
        },
    )
    assert settings.association_name == "La Clède"
    assert settings.programmes == ("iml_sublease", "housing")
    assert settings.database_url.startswith("postgresql://")
    assert settings.data_dir == Path("/srv/tremplin/data")


def test_unknown_key_stops_start_up(tmp_path):
    conf = tmp_path / "tremplin.toml"
    conf.write_text("databse_url = 'sqlite:///x'\n")
    with pytest.raises(ConfigError, match="clé inconnue « databse_url »"):
        load_settings(conf, environ={})


@pytest.mark.parametrize(
    "url", ["mysql://x/y", "sqlite://relative", "postgresql://host/", "nonsense"]
)
def test_bad_database_url(url, tmp_path):
    with pytest.raises(ConfigError, match="database_url invalide"):
        load_settings(tmp_path / "x.toml", environ={"TREMPLIN_DATABASE_URL": url})


def test_production_requires_a_secret(tmp_path):
    with pytest.raises(ConfigError, match="secret_key"):
        load_settings(tmp_path / "x.toml", environ={"TREMPLIN_PRODUCTION": "true"})
    settings = load_settings(
        tmp_path / "x.toml", environ={"TREMPLIN_PRODUCTION": "1", "TREMPLIN_SECRET_KEY": "s" * 40}
    )
    assert settings.production and settings.cookies_secure


def test_bad_values_are_reported(tmp_path):
    with pytest.raises(ConfigError, match="booléenne"):
        load_settings(tmp_path / "x.toml", environ={"TREMPLIN_PRODUCTION": "peut-être"})
    with pytest.raises(ConfigError, match="entier"):
        load_settings(tmp_path / "x.toml", environ={"TREMPLIN_MAX_UPLOAD_BYTES": "beaucoup"})
    conf = tmp_path / "broken.toml"
    conf.write_text("this is = = not toml")
    with pytest.raises(ConfigError, match="TOML invalide"):
        load_settings(conf, environ={})
