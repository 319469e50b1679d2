"""The SQLite store: ``open_db()`` applies every package's named migration set.

Each floor-2 package owns its tables through its own ``Migrations`` set in its ``store.py``
(DESIGN §3); the shell lists them here and applies them in this order, so a package's tables
never depend on a later package's.
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from opendeur.errors import StoreError

logger = logging.getLogger(__name__)

MIGRATION_SETS = (
    "opendeur.migrations:migrations",
    "listener.store:migrations",
    "campaigns.store:migrations",
    "themesites.store:migrations",
)
BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class MigrationState:
    migration_set: str
    name: str
    applied_at: str | None  # None: pending
    known: bool = True  # False: applied by a newer opendeur than this one


def migration_sets() -> list[Migrations]:
    sets = []
    for reference in MIGRATION_SETS:
        module, attribute = reference.split(":")
        sets.append(getattr(importlib.import_module(module), attribute))
    return sets


def open_db(path: Path, *, migrate: bool = True, sets: list[Migrations] | None = None) -> Database:
    """Open (creating it if needed) the database at ``path`` and bring its schema up to date.

    WAL mode lets the report and the web app read while a crawl writes; foreign keys are a
    per-connection setting in SQLite, so they are switched on here for every connection.
    """
    sets = migration_sets() if sets is None else sets
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(path)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA schema_version").fetchone()  # fails here if not a database
        db.execute("PRAGMA foreign_keys = ON")
        _enable_wal(db)
    except OSError as error:
        raise StoreError(f"cannot create the database folder {path.parent}: {error}") from error
    except sqlite3.DatabaseError as error:
        if "locked" in str(error):
            raise  # another process is writing: the command line says "busy, try again"
        raise StoreError(
            f"cannot open database {path}: {error}; check store.path in the configuration"
        ) from error
    _refuse_newer_schema(db, sets, path)
    if migrate:
        apply_migrations(db, sets)
    return db


def _enable_wal(db: Database) -> None:
    # WAL mode is stored in the file, so only the first opener switches it. SQLite does not
    # wait on the busy handler while switching journal mode, so when several processes open a
    # new database at once the losers retry here until the busy timeout.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.enable_wal()
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def apply_migrations(db: Database, sets: list[Migrations]) -> list[tuple[str, str]]:
    """Apply pending migrations of all sets in one write transaction; return what was applied.

    ``BEGIN IMMEDIATE`` takes the write lock first, so two processes opening an old database
    at once (the scheduler and a report, say) upgrade it one after the other instead of both
    trying the same migration.
    """
    if not any(s.pending(db) for s in sets):
        return []
    applied: list[tuple[str, str]] = []
    db.execute("BEGIN IMMEDIATE")
    try:
        for migration_set in sets:
            for migration in migration_set.pending(db):
                if not migration.transactional:
                    raise StoreError(
                        f"migration {migration_set.name}.{migration.name} is not transactional; "
                        "opendeur migrations must run inside a transaction"
                    )
                applied.append((migration_set.name, migration.name))
            migration_set.apply(db)
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    for set_name, name in applied:
        logger.info("Applied migration %s.%s", set_name, name)
    return applied


def migration_status(db: Database, sets: list[Migrations] | None = None) -> list[MigrationState]:
    """Every migration of every set, applied or pending, plus any the code does not know."""
    sets = migration_sets() if sets is None else sets
    states: list[MigrationState] = []
    for migration_set in sets:
        applied = {m.name: m.applied_at for m in migration_set.applied(db)}
        declared = _declared(migration_set)
        known = {m.name for m in declared}
        for migration in declared:
            states.append(
                MigrationState(migration_set.name, migration.name, applied.get(migration.name))
            )
        for name, applied_at in applied.items():
            if name not in known:
                states.append(MigrationState(migration_set.name, name, applied_at, known=False))
    return states


def _declared(migration_set: Migrations) -> list:
    # sqlite-utils 4.2 has no public accessor for a set's declared migrations.
    return list(migration_set._migrations)


def _refuse_newer_schema(db: Database, sets: list[Migrations], path: Path) -> None:
    unknown = [s for s in migration_status(db, sets) if not s.known]
    if unknown:
        names = ", ".join(f"{s.migration_set}.{s.name}" for s in unknown)
        raise StoreError(
            f"database {path} was upgraded by a newer opendeur (unknown migrations: {names}); "
            "install that version or newer"
        )
