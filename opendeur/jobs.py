"""A log of main job runs (demo, crawl, report, publish) in the ``job_runs`` table."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class JobRun:
    id: int
    job: str
    summary: dict[str, Any] = field(default_factory=dict)


@contextmanager
def job_run(db: Database, job: str, clock: Clock = utc_now) -> Iterator[JobRun]:
    """Record a run of ``job``: ``running`` first, then ``ok``, ``failed`` or ``interrupted``.

    The ``running`` row is committed before the work starts, so a run killed half-way stays
    visible as ``running`` instead of vanishing.
    """
    with db.atomic():
        row_id = (
            db["job_runs"]
            .insert({"job": job, "started_at": clock().isoformat(), "status": "running"})
            .last_pk
        )
    run = JobRun(id=row_id, job=job)
    try:
        yield run
    except Exception as error:
        _finish(db, run, "failed", clock, error=f"{type(error).__name__}: {error}")
        raise
    except BaseException:  # KeyboardInterrupt, SystemExit from a signal handler
        _finish(db, run, "interrupted", clock)
        raise
    _finish(db, run, "ok", clock)


def _finish(db: Database, run: JobRun, status: str, clock: Clock, error: str | None = None):
    if db.conn.in_transaction:
        # A successful run keeps what it wrote; a failed or interrupted one keeps only what
        # it committed itself, so no half-done batch is stored.
        (db.conn.commit if status == "ok" else db.conn.rollback)()
    with db.atomic():
        db["job_runs"].update(
            run.id,
            {
                "finished_at": clock().isoformat(),
                "status": status,
                "summary": json.dumps(run.summary, ensure_ascii=False, sort_keys=True),
                "error": error,
            },
        )


def recent_runs(db: Database, job: str | None = None, limit: int = 10) -> list[dict[str, Any]]:
    """The latest runs, newest first, with ``summary`` decoded."""
    where, params = ("job = ?", [job]) if job else (None, [])
    rows = db["job_runs"].rows_where(
        where, params, order_by="started_at desc, id desc", limit=limit
    )
    return [{**row, "summary": json.loads(row["summary"] or "{}")} for row in rows]
