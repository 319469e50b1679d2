"""Tables owned by `listener`, as the named migration set "listener" (DESIGN §3).

`posts` holds scrubbed text only, and no identifier of a writer or a post: URLs and handles
arrive as keyed hashes (see `listener.identifiers`). The text is dropped after the retention
period (`purge_old_text`); the row, its hashes and its week stay for counting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("listener")


@migrations()
def m001_posts(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE posts (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            url_hash TEXT NOT NULL UNIQUE,
            content_hash TEXT NOT NULL,
            author_hash TEXT,
            week TEXT NOT NULL,
            published_at TEXT,
            collected_at TEXT NOT NULL,
            title TEXT,
            text TEXT,
            language TEXT NOT NULL,
            region_hint TEXT,
            scrubbed TEXT CHECK (scrubbed IS NULL OR json_valid(scrubbed)),
            minhash BLOB,
            purged_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX posts_content_hash ON posts (content_hash)")
    db.execute("CREATE INDEX posts_source_published ON posts (source, published_at)")
    db.execute("CREATE INDEX posts_week ON posts (week)")
    db.execute(
        "CREATE INDEX posts_collected_unpurged ON posts (collected_at) WHERE text IS NOT NULL"
    )
    # Locality-sensitive hashing bands of each post's MinHash, for near-duplicate lookups.
    db.execute(
        """
        CREATE TABLE post_bands (
            band_key INTEGER NOT NULL,
            post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE
        )
        """
    )
    db.execute("CREATE INDEX post_bands_key ON post_bands (band_key)")
    db["posts"].enable_fts(["title", "text"], create_triggers=True, tokenize="unicode61")


@migrations()
def m002_sources(db: Database) -> None:
    # What a source needs to continue where it stopped (times, keyed hashes of threads), as JSON;
    # never a post or writer identifier (DESIGN §5).
    db.execute(
        """
        CREATE TABLE source_state (
            source TEXT PRIMARY KEY,
            state TEXT NOT NULL CHECK (json_valid(state)),
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE source_runs (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'stopped')),
            counts TEXT CHECK (counts IS NULL OR json_valid(counts)),
            error TEXT
        )
        """
    )
    db.execute("CREATE INDEX source_runs_source ON source_runs (source, started_at)")


def purge_old_text(db: Database, now: datetime, retention_days: int) -> int:
    """Drop the text of posts collected more than ``retention_days`` ago; return how many.

    With 0 days every stored text goes. Counts, hashes, weeks and signals stay.
    """
    cutoff = (now - timedelta(days=retention_days)).isoformat()
    with db.atomic():
        cursor = db.execute(
            "UPDATE posts SET text = NULL, title = NULL, purged_at = ? "
            "WHERE text IS NOT NULL AND collected_at <= ?",
            [now.isoformat(), cutoff],
        )
    return cursor.rowcount
