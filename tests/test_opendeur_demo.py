"""`opendeur demo`: the whole loop on the embedded default, safe to run twice."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from opendeur.jobs import recent_runs
from opendeur.store import open_db

# Each demo serves the sample sources and crawls them: a few seconds a run.
pytestmark = pytest.mark.slow


def test_opendeur_demo_runs_twice_safely(run_cli, tmp_path: Path):
    # the one demo test that trains its classifier (the others copy a trained one)
    folder = tmp_path / "demo"
    first = run_cli("demo", "--dir", str(folder))
    migrations = open_db(folder / "opendeur.db")["_sqlite_migrations"].count
    second = run_cli("demo", "--dir", str(folder))
    assert first.exit_code == second.exit_code == 0
    assert f"Configuration written: {folder / 'opendeur.toml'}" in first.stdout
    assert f"Configuration reused: {folder / 'opendeur.toml'}" in second.stdout
    assert "trained classifier spacy-" in first.stdout
    assert "already trained" in second.stdout
    assert (folder / "models" / "spacy" / "CURRENT").exists()
    assert re.search(rf"  database +{re.escape(str(folder / 'opendeur.db'))}\n", second.stdout)
    db = open_db(folder / "opendeur.db")
    assert [run["status"] for run in recent_runs(db, "demo")] == ["ok", "ok"]
    assert db["_sqlite_migrations"].count == migrations  # applied once, not per run


def test_opendeur_demo_json_summary(run_cli, tmp_path: Path, copy_trained_models):
    result = run_cli("demo", "--dir", str(copy_trained_models(tmp_path / "d")), "--json")
    summary = json.loads(result.stdout)
    assert summary["config_created"] is True
    assert summary["steps"]["store"]["migration_sets"] == [
        "campaigns",
        "listener",
        "opendeur",
        "themesites",
    ]
    assert summary["look_at"]["database"] == str(tmp_path / "d" / "opendeur.db")
    classified = summary["steps"]["classify"]
    assert classified["classified"] == summary["steps"]["listen"]["posts_in_store"]
    assert 0 < classified["money_trouble"] < classified["signals"]
    assert set(classified["by_kind"]) <= {"personal", "help", "news", "other"}
    assert summary["steps"]["train"]["model"].startswith("spacy-")
    report = summary["steps"]["report"]
    assert report["sections"] == [
        "headline", "trends", "regions", "terms", "examples", "sources", "campaigns",
        "suggestions",
    ]  # fmt: skip
    html = Path(report["html"]).read_text(encoding="utf-8")
    assert all(f'data-section="{name}"' in html for name in report["sections"])
    assert report["headline"]["week"] == report["week"]
    assert summary["look_at"]["weekly report"] == report["html"]


def test_opendeur_demo_default_folder_is_in_user_data(
    run_cli, isolated_user_dirs: Path, copy_trained_models
):
    copy_trained_models(isolated_user_dirs / ".local" / "share" / "opendeur" / "demo")
    result = run_cli("demo", "--json")
    folder = Path(json.loads(result.stdout)["folder"])
    assert folder == isolated_user_dirs / ".local" / "share" / "opendeur" / "demo"


def test_opendeur_demo_quiet_prints_nothing(run_cli, tmp_path: Path, copy_trained_models):
    result = run_cli("--quiet", "demo", "--dir", str(copy_trained_models(tmp_path / "q")))
    assert (result.exit_code, result.output) == (0, "")


def test_opendeur_demo_broken_config_in_its_folder_is_explained(run_cli, tmp_path: Path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "opendeur.toml").write_text("[privacy]\nmin_count = 0\n")
    result = run_cli("demo", "--dir", str(folder))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {folder / 'opendeur.toml'}: privacy.min_count: ")
