"""Secrets come from the environment or a file outside any repository, never into logs."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from opendeur.errors import ConfigError
from opendeur.secrets import SecretRedactingFilter, Secrets, read_env_file


def _secrets_file(folder: Path, text: str, mode: int = 0o600) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secrets.env"
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_opendeur_secrets_env_file_is_parsed(tmp_path: Path):
    path = _secrets_file(
        tmp_path,
        "# opendeur secrets\n\nOPENDEUR_HASH_KEY=abc123def456\n"
        "export WP_APP_PASSWORD = 'aaaa bbbb cccc'\nX_TOKEN=\"q=1#2\"\n",
    )
    assert read_env_file(path) == {
        "OPENDEUR_HASH_KEY": "abc123def456",
        "WP_APP_PASSWORD": "aaaa bbbb cccc",
        "X_TOKEN": "q=1#2",
    }


def test_opendeur_secrets_environment_wins_over_file():
    secrets = Secrets({"A_KEY": "from-env", "EMPTY": ""}, {"A_KEY": "from-file", "B": "file"})
    assert secrets.get("A_KEY") == "from-env"
    assert secrets.get("B") == "file"
    assert secrets.get("EMPTY") is None  # an empty variable counts as not set
    assert not secrets.is_set("MISSING")


def test_opendeur_secrets_env_file_inside_a_repository_is_refused(tmp_path: Path):
    (tmp_path / "checkout" / ".git").mkdir(parents=True)
    path = _secrets_file(tmp_path / "checkout" / "conf", "A=b\n")
    with pytest.raises(ConfigError, match="inside the git repository .*checkout"):
        read_env_file(path)


def test_opendeur_secrets_malformed_line_names_line_not_value(tmp_path: Path):
    path = _secrets_file(tmp_path, "GOOD=1\nthis-is-the-secret-value\n")
    with pytest.raises(ConfigError) as caught:
        read_env_file(path)
    assert "line 2: expected KEY=VALUE" in str(caught.value)
    assert "this-is-the-secret-value" not in str(caught.value)


def test_opendeur_secrets_missing_file_is_named(tmp_path: Path):
    with pytest.raises(ConfigError, match="secrets file .*missing.env does not exist"):
        read_env_file(tmp_path / "missing.env")


def test_opendeur_secrets_readable_by_others_warns(tmp_path: Path, caplog):
    path = _secrets_file(tmp_path, "A=b\n", mode=0o644)
    with caplog.at_level(logging.WARNING):
        read_env_file(path)
    assert "readable by others; run: chmod 600" in caplog.text


def test_opendeur_secrets_values_are_masked_in_logs():
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "posting with token %s and %s",
        ("tok-123456", "short"),
        None,
    )
    SecretRedactingFilter(["tok-123456", "tok-123456-longer", "short"]).filter(record)
    # Values shorter than six characters are not masked: they would hit ordinary words.
    assert record.getMessage() == "posting with token **** and short"
