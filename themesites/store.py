"""Tables owned by `themesites`, as the named migration set "themesites" (DESIGN §3).

`opendeur.store.open_db()` applies this set after the "campaigns" set, whose view
``tracked_links (code, target, campaign_id)`` the arrival report joins. Migrations are frozen
once released: fix a mistake with a new migration, never by editing an old one.

- ``arrivals``: visits through ``/go/CODE`` links, one count per code and day (Europe/Amsterdam).
  No address, user agent or cookie is kept: counts only (DESIGN §5).
- ``report_arrivals (week, link, arrivals)``: arrivals per ISO week and link target, for the
  weekly report.
- ``callback_requests``: the one table with personal data a tenant gives us (name, phone,
  note), kept apart and purged after handling; a CHECK refuses a handled row that still holds it.
- ``callback_access_log``: who touched which request, append-only (triggers refuse UPDATE and
  DELETE).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("themesites")

BEST_TIMES = ("ochtend", "middag", "maakt-niet-uit")

# The ISO week of a 'YYYY-MM-DD' column without strftime('%V'/'%G') (SQLite 3.46 and later only):
# an ISO week belongs to the year of its Thursday, and is numbered by that Thursday's day of
# the year. date(day, '-3 days', 'weekday 4') is the Thursday of the Monday-to-Sunday week of day.
ISO_WEEK_SQL = (
    "strftime('%Y', {thu}) || '-W' || "
    "printf('%02d', (CAST(strftime('%j', {thu}) AS INTEGER) - 1) / 7 + 1)"
)


def iso_week_sql(day_column: str) -> str:
    """SQL text for the ISO week ("2026-W47") of a 'YYYY-MM-DD' column."""
    return ISO_WEEK_SQL.format(thu=f"date({day_column}, '-3 days', 'weekday 4')")


@migrations()
def m001_arrivals_and_callbacks(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE arrivals (
            code TEXT NOT NULL,
            day TEXT NOT NULL CHECK (date(day) IS day),  -- IS: date() of junk is NULL
            count INTEGER NOT NULL DEFAULT 0 CHECK (count >= 0),
            PRIMARY KEY (code, day)
        )
        """
    )
    # Arrivals of a code that no content item knows any more still count, under the code.
    db.execute(
        f"""
        CREATE VIEW report_arrivals AS
        SELECT {iso_week_sql("a.day")} AS week,
               coalesce(t.target, a.code) AS link,
               sum(a.count) AS arrivals
        FROM arrivals AS a LEFT JOIN tracked_links AS t ON t.code = a.code
        GROUP BY 1, 2
        """
    )
    best_times = ", ".join(f"'{value}'" for value in BEST_TIMES)
    db.execute(
        f"""
        CREATE TABLE callback_requests (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,
            name TEXT,
            phone TEXT,
            best_time TEXT NOT NULL CHECK (best_time IN ({best_times})),
            note TEXT,
            consent_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            handled_at TEXT,
            handled_by TEXT,
            CHECK ((handled_at IS NULL) = (handled_by IS NULL)),
            CHECK (handled_at IS NOT NULL OR (name IS NOT NULL AND phone IS NOT NULL)),
            CHECK (handled_at IS NULL OR (name IS NULL AND phone IS NULL AND note IS NULL))
        )
        """
    )
    db.execute("CREATE INDEX callback_requests_open ON callback_requests (handled_at, id)")
    # request_id has no foreign key on purpose: the log must outlive any later clean-up of
    # callback_requests, and a foreign key would block that clean-up.
    db.execute(
        """
        CREATE TABLE callback_access_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL CHECK (actor <> ''),
            action TEXT NOT NULL,
            request_id INTEGER
        )
        """
    )
    db.execute("CREATE INDEX callback_access_log_request ON callback_access_log (request_id, id)")
    for event in ("UPDATE", "DELETE"):
        db.execute(
            f"""
            CREATE TRIGGER callback_access_log_no_{event.lower()}
            BEFORE {event} ON callback_access_log
            BEGIN SELECT RAISE(ABORT, 'callback_access_log is append-only'); END
            """
        )
