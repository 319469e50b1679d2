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


@pytest.fixture(scope="session")
def sample_server():
    """The sample sources of data/samples on a free port of 127.0.0.1."""
    from listener.sample_server import SampleServer

    with SampleServer() as server:
        yield server


@pytest.fixture
def samples_config(write_config, sample_server, tmp_path) -> Path:
    """The demo's configuration of every sample source, pointed at ``sample_server``."""
    from opendeur.demo import DEMO_CONFIG

    secrets = tmp_path / "secrets.env"
    secrets.write_text("OPENDEUR_HASH_KEY=" + "sample-key-" * 4 + "\n")
    secrets.chmod(0o600)
    return write_config(
        DEMO_CONFIG.replace("{samples}", sample_server.url)
        .replace('path = "opendeur.db"', f'path = "{tmp_path / "samples.db"}"')
        .replace('env_file = "secrets.env"', f'env_file = "{secrets}"')
    )


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def python() -> str:
    """The interpreter running the tests (the project's virtual environment)."""
    return sys.executable


# --- API listener fixtures (X, Facebook) ---


@pytest.fixture
def db_path(db) -> Path:
    """The file behind ``db``, for tests that read its raw bytes (and its -wal file)."""
    return Path(db.execute("PRAGMA database_list").fetchone()[2])


@pytest.fixture
def x_api():
    """A fake X API v2 on 127.0.0.1 (``tests/fake_apis.py``); tests fill ``x_api.tweets``."""
    from fake_apis import NOW, X_TOKEN, FakeXApi

    server = FakeXApi(X_TOKEN, now=NOW).start()
    yield server
    server.stop()


@pytest.fixture
def fake_graph():
    """A fake Graph API on 127.0.0.1 serving the sample Page of ``tests/fake_apis.py``."""
    from fake_apis import sample_graph_api

    server = sample_graph_api().start()
    yield server
    server.stop()


# --- classifier fixtures ---


@pytest.fixture(scope="session")
def local_wordpress(tmp_path_factory: pytest.TempPathFactory):
    """A real WordPress (Debian's packages, PHP and MariaDB) on 127.0.0.1 for the session."""
    from wordpress_service import LocalWordPress

    with LocalWordPress(tmp_path_factory.mktemp("wordpress")) as site:
        yield site


@pytest.fixture(scope="session")
def trained_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with a spaCy classifier trained briefly on the shipped corpus.

    Three epochs instead of ten: the tests need a real model, not the best one.
    """
    from nlp.classifier import ModelStore, TrainOptions
    from nlp.training import train_model

    root = tmp_path_factory.mktemp("models")
    # Thresholds tuned on dev: one training instead of five (the refit is tested on its own).
    train_model("spacy", ModelStore(root), TrainOptions(epochs=3, threshold_folds=0))
    return root


@pytest.fixture(scope="session")
def trained_classifier(trained_models: Path):
    from nlp.classifier import ModelStore

    return ModelStore(trained_models).load("spacy")


@pytest.fixture
def classifier_config(write_config, trained_models: Path, tmp_path: Path) -> Path:
    """A configuration with a database in the test's folder and the trained models."""
    return write_config(
        f'[store]\npath = "{tmp_path / "test.db"}"\n[classifier]\nmodels_dir = "{trained_models}"\n'
    )


@pytest.fixture
def copy_trained_models(trained_models: Path) -> Callable[[Path], Path]:
    """Copy the trained models into FOLDER/models (a demo folder), so the demo need not train."""
    import shutil

    def copy(folder: Path) -> Path:
        shutil.copytree(trained_models, folder / "models", dirs_exist_ok=True)
        return folder

    return copy


class SignalWriter:
    """Stored posts with signals, written straight into the tables, for report tests."""

    def __init__(self, database):
        self.db = database
        self._next = 0

    def add(
        self, week: str, count: int = 1, *, money_trouble: bool = False, topics: tuple = (),
        severity: int = 0, province: str | None = None, municipality: tuple | None = None,
        source: str = "forum", kind: str = "personal", text: str | None = "",
    ) -> None:  # fmt: skip
        """``count`` posts of ``week``; ``municipality`` is (code, name); text "" = a filler."""
        from listener.term_counts import count_terms

        code, name = municipality or (None, None)
        with self.db.atomic():
            for _ in range(count):
                self._next += 1
                body = text if text != "" else f"bericht {self._next}"
                post_id = self.db["posts"].insert(
                    {
                        "source": source, "url_hash": f"u{self._next}",
                        "content_hash": f"c{self._next}", "week": week,
                        "collected_at": "2026-11-20T12:00:00+00:00", "text": body,
                        "language": "nl",
                    }
                ).last_pk  # fmt: skip
                self.db["signals"].insert(
                    {
                        "post_id": post_id, "model_version": "spacy-test", "week": week,
                        "classified_at": "2026-11-20T12:00:00+00:00", "source": source,
                        "money_trouble": int(money_trouble), "score": 0.9 if money_trouble else 0.1,
                        "kind": kind, "severity": severity, "municipality_code": code,
                        "municipality": name, "province": province, "evidence": "[]",
                    }
                )  # fmt: skip
                for topic in topics:
                    self.db["signal_topics"].insert(
                        {"post_id": post_id, "topic": topic, "week": week,
                         "money_trouble": int(money_trouble)}
                    )  # fmt: skip
                if body:
                    count_terms(self.db, [(week, body, money_trouble)])


@pytest.fixture
def signal_writer(db) -> SignalWriter:
    """Write posts with signals of chosen weeks, topics and regions into the test database."""
    return SignalWriter(db)
