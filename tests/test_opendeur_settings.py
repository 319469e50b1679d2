"""Settings: one TOML file, validated on load, one clear line per bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from opendeur.errors import ConfigError
from opendeur.settings import (
    Settings,
    default_db_path,
    find_config_file,
    load_settings,
    referenced_env_names,
)


def test_opendeur_settings_defaults_without_file(isolated_user_dirs: Path):
    assert find_config_file(None, {}) is None
    loaded = load_settings(None)
    assert loaded.source is None
    assert loaded.settings.privacy.retention_days == 30
    assert loaded.settings.privacy.min_count == 5
    assert loaded.settings.privacy.show_excerpts is False
    # The runtime database lives in the user's data folder, never in the repository.
    assert loaded.settings.store.path == default_db_path()
    assert isolated_user_dirs in loaded.settings.store.path.parents


def test_opendeur_settings_default_file_in_user_config_folder(isolated_user_dirs, write_config):
    default = isolated_user_dirs / ".config" / "opendeur" / "opendeur.toml"
    default.parent.mkdir(parents=True)
    default.write_text("[privacy]\nmin_count = 10\n", encoding="utf-8")
    assert find_config_file(None, {}) == default
    assert load_settings(default).settings.privacy.min_count == 10


def test_opendeur_settings_explicit_path_wins_over_environment(write_config):
    from_env = write_config("[privacy]\nmin_count = 7\n", name="env.toml")
    explicit = write_config("[privacy]\nmin_count = 9\n", name="explicit.toml")
    assert find_config_file(None, {"OPENDEUR_CONFIG": str(from_env)}) == from_env
    assert find_config_file(explicit, {"OPENDEUR_CONFIG": str(from_env)}) == explicit


@pytest.mark.parametrize("origin", ["--config", "$OPENDEUR_CONFIG"])
def test_opendeur_settings_missing_file_is_named(tmp_path: Path, origin: str):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=rf"{missing}.*\(from \{origin}\) does not exist"):
        if origin == "--config":
            find_config_file(missing, {})
        else:
            find_config_file(None, {"OPENDEUR_CONFIG": str(missing)})


def test_opendeur_settings_relative_paths_follow_the_config_file(write_config, monkeypatch):
    path = write_config('[store]\npath = "data/opendeur.db"\n[secrets]\nenv_file = "~/s.env"\n')
    monkeypatch.chdir("/")
    settings = load_settings(path).settings
    assert settings.store.path == path.parent / "data" / "opendeur.db"
    assert settings.secrets.env_file == Path.home() / "s.env"


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            "[privacy]\nretention_days = -3",
            "privacy.retention_days: expected a value greater than or equal to 0, got -3",
        ),
        ('[privacy]\nmin_count = "five"', "privacy.min_count: expected a whole number, got 'five'"),
        ('[privacy]\nshow_excerpts = "yes"', "privacy.show_excerpts: expected true or false"),
        (
            '[privacy]\nhash_key_env = "my-key"',
            "privacy.hash_key_env: expected the name of an environment variable",
        ),
        (
            '[organisation]\naddress_form = "jij"',
            "organisation.address_form: expected 'je' or 'u', got 'jij'",
        ),
        (
            '[organisation]\nwebsite = "ftp://x"',
            "organisation.website: expected an http:// or https:// address",
        ),
        ('[store]\npaht = "x.db"', "store.paht: unknown setting; known settings here: path"),
        (
            "[nonsense]\na = 1",
            "nonsense: unknown setting; known settings here: campaigns, channels, classifier, "
            "listener",
        ),
        ("store = 5", "store: expected a [section] table, got 5"),
    ],
)
def test_opendeur_settings_bad_value_gives_one_line_naming_the_key(write_config, toml, expected):
    path = write_config(toml + "\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.count("\n") == 0
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_opendeur_settings_every_problem_is_listed(write_config):
    path = write_config("[privacy]\nretention_days = -1\nmin_count = 0\n[store]\nx = 1\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "store.x",
        "privacy.retention_days",
        "privacy.min_count",
    ]


@pytest.mark.parametrize("key", ["password", "api_token", "app_secret", "api_key"])
def test_opendeur_settings_literal_secret_is_refused(write_config, key):
    path = write_config(f'[organisation]\n{key} = "hunter2-value"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert (
        f"organisation.{key}: secrets do not belong in the configuration file; set "
        f'{key}_env = "SOME_NAME"' in str(caught.value)
    )
    assert "hunter2-value" not in str(caught.value)


def test_opendeur_settings_invalid_toml_names_the_line(write_config):
    path = write_config("[privacy]\nmin_count = \n")
    with pytest.raises(ConfigError, match=r"not valid TOML: .*line 2"):
        load_settings(path)


def test_opendeur_settings_wrong_encoding_is_explained(tmp_path: Path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[organisation]\nname = "Woonstichting Zuidwest Fryslân"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8 text .*save the file as UTF-8"):
        load_settings(path)


def test_opendeur_settings_lists_referenced_environment_variables():
    assert referenced_env_names(Settings()) == [
        "OPENDEUR_FORM_SECRET", "OPENDEUR_HASH_KEY", "OPENDEUR_SMTP_PASSWORD",
    ]  # fmt: skip


def test_opendeur_settings_report_section(write_config):
    path = write_config(
        '[report]\nout_dir = "r"\nsections = ["headline", "sources"]\n'
        '[report.email]\nhost = "smtp.example.nl"\nrecipients = ["staf@example.nl"]\n'
        'ca_file = "ca.pem"\n'
    )
    report = load_settings(path).settings.report
    assert report.out_dir == path.parent / "r"
    assert report.sections == ["headline", "sources"]
    assert (report.email.host, report.email.port, report.email.security) == (
        "smtp.example.nl", 587, "starttls",
    )  # fmt: skip
    assert report.email.ca_file == path.parent / "ca.pem"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[report]\nsections = ["headline", "kaart"]\n', "unknown section.*kaart.*known: headline"),
        ('[report]\nsections = ["headline", "headline"]\n', "listed twice"),
        ("[report]\ntrend_weeks = 2\n", "report.trend_weeks"),
        ('[report.email]\nsecurity = "ssl"\n', "report.email.security"),
        ('[report.email]\npassword = "geheim"\n', "password"),
    ],
)
def test_opendeur_settings_bad_report_settings_are_explained(write_config, toml, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(write_config(toml))


def test_opendeur_settings_classifier_section(write_config):
    path = write_config('[classifier]\nbackend = "transformers"\nmodels_dir = "m"\n')
    settings = load_settings(path).settings.classifier
    assert (settings.backend, settings.models_dir) == ("transformers", path.parent / "m")
    with pytest.raises(ConfigError, match=r"classifier\.backend: "):
        load_settings(write_config('[classifier]\nbackend = "bert"\n'))
