"""All fixtures of the test suite (one conftest, as DESIGN §3 asks)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from opendeur.cli import cli

REPO_ROOT = Path(__file__).resolve().parent.parent


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _command_paths(command, (*prefix, name))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test that takes ``command_path`` runs once per command, e.g. ("db", "status")."""
    if "command_path" in metafunc.fixturenames:
        metafunc.parametrize("command_path", list(_command_paths(cli)), ids=" ".join)


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep every test away from the real user's configuration, data and environment."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for name in ("OPENDEUR_CONFIG", "OPENDEUR_HASH_KEY"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write TOML text to a fresh configuration file and return its path."""

    def write(text: str, name: str = "opendeur.toml") -> Path:
        path = tmp_path / "config" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def config_path(write_config: Callable[[str], Path]) -> Path:
    """A valid configuration whose database lives in the test's temporary folder."""
    return write_config('[organisation]\nname = "Woonstichting Test"\n[store]\npath = "test.db"\n')


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Invoke ``opendeur`` in-process; stderr is kept apart from stdout."""

    def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), env=env, input=input, catch_exceptions=False)

    return run


@pytest.fixture
def db(tmp_path: Path):
    """A fresh database with every package's tables."""
    from opendeur.store import open_db

    database = open_db(tmp_path / "test.db")
    yield database
    database.close()


@pytest.fixture
def hasher():
    from listener.identifiers import IdentifierHasher

    return IdentifierHasher(b"test-key-" * 4)


@pytest.fixture
def pipeline(db, hasher):
    """The privacy pipeline on a fresh database, with a fixed clock."""
    from datetime import UTC, datetime

    from listener.pipeline import PostPipeline

    return PostPipeline(db, hasher, clock=lambda: datetime(2026, 11, 20, 12, 0, tzinfo=UTC))


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def python() -> str:
    """The interpreter running the tests (the project's virtual environment)."""
    return sys.executable
