"""The application shell's own tables.

Migrations are frozen once released: fix a mistake with a new migration, never by editing
an old one, because databases in the field have already applied it.
"""

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("opendeur")


@migrations()
def m001_job_runs(db: Database) -> None:
    # One row per run of a main job (demo, crawl, report, publish), so staff and the weekly
    # report can see when something last ran and whether it failed.
    db.execute(
        """
        CREATE TABLE job_runs (
            id INTEGER PRIMARY KEY,
            job TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL
                CHECK (status IN ('running', 'ok', 'failed', 'interrupted')),
            summary TEXT CHECK (summary IS NULL OR json_valid(summary)),
            error TEXT
        )
        """
    )
    db.execute("CREATE INDEX job_runs_job_started ON job_runs (job, started_at)")


@migrations()
def m002_reports(db: Database) -> None:
    # The archive of weekly reports: where each one was written and whether it was mailed.
    db.execute(
        """
        CREATE TABLE reports (
            id INTEGER PRIMARY KEY,
            week TEXT NOT NULL,
            created_at TEXT NOT NULL,
            folder TEXT NOT NULL,
            html_file TEXT NOT NULL,
            pdf_file TEXT,
            emailed_at TEXT,
            recipients INTEGER NOT NULL DEFAULT 0,
            summary TEXT CHECK (summary IS NULL OR json_valid(summary))
        )
        """
    )
    db.execute("CREATE INDEX reports_week ON reports (week, created_at)")
