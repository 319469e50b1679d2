"""Runs of sources and what each source remembers between runs (tables of listener.store)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database


def start_run(db: Database, source: str, now: datetime) -> int:
    with db.atomic():
        return (
            db["source_runs"]
            .insert({"source": source, "started_at": now.isoformat(), "status": "running"})
            .last_pk
        )


def finish_run(
    db: Database, run_id: int, now: datetime, status: str, counts: dict[str, Any],
    error: str | None = None,
) -> None:  # fmt: skip
    with db.atomic():
        db["source_runs"].update(
            run_id,
            {
                "finished_at": now.isoformat(),
                "status": status,
                "counts": json.dumps(counts, sort_keys=True),
                "error": error,
            },
        )


def load_state(db: Database, source: str) -> dict[str, Any]:
    row = db.execute("SELECT state FROM source_state WHERE source = ?", [source]).fetchone()
    return json.loads(row[0]) if row else {}


def save_state(db: Database, source: str, state: dict[str, Any], now: datetime) -> None:
    with db.atomic():
        db["source_state"].upsert(
            {
                "source": source,
                "state": json.dumps(state, sort_keys=True),
                "updated_at": now.isoformat(),
            },
            pk="source",
        )


def source_overview(db: Database) -> dict[str, dict[str, Any]]:
    """Per source: stored posts, the last run and the last successful run."""
    overview: dict[str, dict[str, Any]] = {}
    for source, posts in db.execute("SELECT source, count(*) FROM posts GROUP BY source"):
        overview.setdefault(source, {})["posts"] = posts
    for row in db.query(
        "SELECT source, status, started_at, finished_at, counts, error FROM source_runs "
        "WHERE id IN (SELECT max(id) FROM source_runs GROUP BY source)"
    ):
        entry = overview.setdefault(row["source"], {})
        entry["last_run"] = {**row, "counts": json.loads(row["counts"] or "{}")}
    for source, finished in db.execute(
        "SELECT source, max(finished_at) FROM source_runs WHERE status = 'ok' GROUP BY source"
    ):
        overview.setdefault(source, {})["last_ok"] = finished
    return overview
