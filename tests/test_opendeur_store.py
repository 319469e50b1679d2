"""The store: open_db applies every named migration set and upgrades older databases."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from opendeur.errors import StoreError
from opendeur.store import MIGRATION_SETS, apply_migrations, migration_status, open_db


def _sets(version: int) -> list[Migrations]:
    """A package's migration set as released in ``version`` 1, then 2."""
    tenants = Migrations("example")

    @tenants()
    def m001_create(db):
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")

    if version >= 2:

        @tenants()
        def m002_add_week(db):
            db.execute("ALTER TABLE notes ADD COLUMN week TEXT")
            db.execute("UPDATE notes SET week = '2026-W47'")

    return [tenants]


def test_opendeur_store_open_db_applies_every_package_set(tmp_path: Path):
    path = tmp_path / "new" / "opendeur.db"
    db = open_db(path)
    assert path.is_file()
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert "job_runs" in db.table_names()
    states = migration_status(db)
    assert {s.migration_set for s in states} >= {"opendeur"}
    assert all(s.applied_at for s in states)
    assert len(MIGRATION_SETS) == 4


def test_opendeur_store_older_database_is_upgraded(tmp_path: Path):
    path = tmp_path / "old.db"
    old = open_db(path, sets=_sets(1))
    old["notes"].insert({"body": "kept"})
    old.close()

    db = open_db(path, sets=_sets(2))
    assert list(db["notes"].rows) == [{"id": 1, "body": "kept", "week": "2026-W47"}]
    assert [s.name for s in migration_status(db, _sets(2)) if s.applied_at] == [
        "m001_create",
        "m002_add_week",
    ]
    assert apply_migrations(db, _sets(2)) == []  # a second open changes nothing


def test_opendeur_store_status_lists_pending_without_applying(tmp_path: Path):
    path = tmp_path / "old.db"
    open_db(path, sets=_sets(1)).close()
    db = open_db(path, migrate=False, sets=_sets(2))
    pending = [s.name for s in migration_status(db, _sets(2)) if not s.applied_at]
    assert pending == ["m002_add_week"]
    assert "week" not in db["notes"].columns_dict


def test_opendeur_store_failed_migration_leaves_database_unchanged(tmp_path: Path):
    broken = Migrations("broken")

    @broken()
    def m001_ok(db):
        db.execute("CREATE TABLE a (id INTEGER PRIMARY KEY)")

    @broken()
    def m002_fails(db):
        db.execute("CREATE TABLE a (id INTEGER PRIMARY KEY)")  # already exists

    with pytest.raises(sqlite3.OperationalError, match="already exists"):
        open_db(tmp_path / "x.db", sets=[broken])
    db = Database(tmp_path / "x.db")
    assert "a" not in db.table_names()
    assert not db["_sqlite_migrations"].exists() or db["_sqlite_migrations"].count == 0


def test_opendeur_store_newer_database_is_refused(tmp_path: Path):
    path = tmp_path / "newer.db"
    open_db(path, sets=_sets(2)).close()
    with pytest.raises(StoreError, match=r"upgraded by a newer opendeur .*example.m002_add_week"):
        open_db(path, sets=_sets(1))


def test_opendeur_store_not_a_database_is_explained(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_text("this is not SQLite\n" * 100)
    with pytest.raises(StoreError, match=f"cannot open database {path}: file is not a database"):
        open_db(path)


def _open_slowly(path: str, ready) -> None:
    slow = Migrations("slow")

    @slow()
    def m001_slow(db):
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        time.sleep(0.3)  # widen the window in which a second process could step in

    ready.wait()
    open_db(Path(path), sets=[slow]).close()


def test_opendeur_store_concurrent_openers_migrate_once(tmp_path: Path):
    path = tmp_path / "shared.db"
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    workers = [context.Process(target=_open_slowly, args=(str(path), ready)) for _ in range(3)]
    for worker in workers:
        worker.start()
    ready.set()
    for worker in workers:
        worker.join(30)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    rows = list(Database(path)["_sqlite_migrations"].rows_where("migration_set = 'slow'"))
    assert len(rows) == 1
