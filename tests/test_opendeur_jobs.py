"""The job log records every run of a main job, also when it fails or is interrupted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from opendeur.jobs import job_run, recent_runs
from opendeur.store import open_db


class FakeClock:
    def __init__(self):
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def test_opendeur_jobs_run_records_ok_with_summary(tmp_path: Path):
    db = open_db(tmp_path / "j.db")
    with job_run(db, "demo", clock=FakeClock()) as run:
        assert db["job_runs"].get(run.id)["status"] == "running"
        run.summary["posts"] = 3
    [row] = recent_runs(db, "demo")
    assert row["status"] == "ok"
    assert row["summary"] == {"posts": 3}
    assert (row["started_at"], row["finished_at"]) == (
        "2026-11-22T09:00:01+00:00",
        "2026-11-22T09:00:02+00:00",
    )


def test_opendeur_jobs_failed_run_keeps_error_and_drops_uncommitted_work(tmp_path: Path):
    db = open_db(tmp_path / "j.db")
    db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    with pytest.raises(ValueError), job_run(db, "crawl", clock=FakeClock()):
        db.execute("BEGIN")
        db.execute("INSERT INTO things DEFAULT VALUES")
        raise ValueError("source down")
    [row] = recent_runs(db, "crawl")
    assert (row["status"], row["error"]) == ("failed", "ValueError: source down")
    assert db["things"].count == 0


def test_opendeur_jobs_ok_run_keeps_work_left_in_an_open_transaction(tmp_path: Path):
    db = open_db(tmp_path / "j.db")
    db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    with job_run(db, "crawl", clock=FakeClock()):
        db.execute("BEGIN")
        db.execute("INSERT INTO things DEFAULT VALUES")
    db.close()
    assert open_db(tmp_path / "j.db")["things"].count == 1


def test_opendeur_jobs_interrupted_run_is_marked(tmp_path: Path):
    db = open_db(tmp_path / "j.db")
    with pytest.raises(KeyboardInterrupt), job_run(db, "publish", clock=FakeClock()):
        raise KeyboardInterrupt
    assert recent_runs(db)[0]["status"] == "interrupted"
