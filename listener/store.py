"""Tables owned by `listener`, as the named migration set "listener" (DESIGN §3).

`posts` holds scrubbed text only, and no identifier of a writer or a post: URLs and handles
arrive as keyed hashes (see `listener.identifiers`). The text is dropped after the retention
period (`purge_old_text`); the row, its hashes and its week stay for counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from listener.identifiers import iso_week

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


@migrations()
def m003_signals(db: Database) -> None:
    # One signal per post: the decision of the current model (see listener.signals for why
    # reclassification replaces it). Week, source and region are copied from the post so the
    # weekly report aggregates one table through its indexes.
    db.execute(
        """
        CREATE TABLE signals (
            post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
            model_version TEXT NOT NULL,
            classified_at TEXT NOT NULL,
            week TEXT NOT NULL,
            source TEXT NOT NULL,
            money_trouble INTEGER NOT NULL CHECK (money_trouble IN (0, 1)),
            score REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
            kind TEXT NOT NULL CHECK (kind IN ('personal', 'help', 'news', 'other')),
            severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 3),
            municipality_code TEXT,
            municipality TEXT,
            province TEXT,
            evidence TEXT NOT NULL CHECK (json_valid(evidence))
        )
        """
    )
    db.execute("CREATE INDEX signals_week ON signals (week, money_trouble, severity)")
    db.execute("CREATE INDEX signals_version ON signals (model_version)")
    db.execute(
        """
        CREATE TABLE signal_topics (
            post_id INTEGER NOT NULL REFERENCES signals (post_id) ON DELETE CASCADE,
            topic TEXT NOT NULL,
            week TEXT NOT NULL,
            money_trouble INTEGER NOT NULL,
            PRIMARY KEY (post_id, topic)
        )
        """
    )
    db.execute("CREATE INDEX signal_topics_week ON signal_topics (week, topic, money_trouble)")


@migrations()
def m004_week_terms(db: Database) -> None:
    # How many posts of each week used a word or two-word phrase (nlp.terms), counted when a
    # post is first classified, so the weekly report can find rising terms after the texts
    # themselves are purged. Aggregates only; rare terms of old weeks are pruned by
    # `prune_rare_terms`, as a rare term can be a trace of a person.
    db.execute(
        """
        CREATE TABLE week_terms (
            week TEXT NOT NULL,
            term TEXT NOT NULL,
            posts INTEGER NOT NULL,
            trouble_posts INTEGER NOT NULL,
            PRIMARY KEY (week, term)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX week_terms_trouble ON week_terms (week, trouble_posts)")
    # Posts classified before this migration have their terms counted now, while their
    # text is still there.
    from listener.term_counts import count_terms

    count_terms(
        db,
        db.execute(
            "SELECT posts.week, coalesce(posts.title || char(10), '') || posts.text, "
            "signals.money_trouble FROM posts JOIN signals ON signals.post_id = posts.id "
            "WHERE posts.text IS NOT NULL"
        ).fetchall(),
    )


@dataclass(frozen=True)
class PurgeResult:
    purged: int  # texts dropped
    kept_unclassified: int  # past retention but kept: no signal yet


def purge_old_text(
    db: Database, now: datetime, retention_days: int, include_unclassified: bool = False
) -> PurgeResult:
    """Drop the text of posts collected more than ``retention_days`` ago.

    With 0 days every stored text goes. Counts, hashes, weeks and signals stay. A post without
    a signal keeps its text until it is classified (its text is what the signal is made of),
    unless ``include_unclassified``.
    """
    cutoff = (now - timedelta(days=retention_days)).isoformat()
    unclassified = "" if include_unclassified else (
        " AND EXISTS (SELECT 1 FROM signals WHERE signals.post_id = posts.id)"
    )  # fmt: skip
    with db.atomic():
        cursor = db.execute(
            "UPDATE posts SET text = NULL, title = NULL, purged_at = ? "
            "WHERE text IS NOT NULL AND collected_at <= ?" + unclassified,
            [now.isoformat(), cutoff],
        )
        kept = db.execute(
            "SELECT count(*) FROM posts WHERE text IS NOT NULL AND collected_at <= ?", [cutoff]
        ).fetchone()[0]
    return PurgeResult(cursor.rowcount, kept)


def prune_rare_terms(db: Database, now: datetime, retention_days: int, below: int) -> int:
    """Drop term counts under ``below`` posts from weeks whose texts are all past retention.

    A term used by one or two people in a week can be a name the scrubber missed or a
    phrase that leads back to its writer. While texts are kept, the counts are needed for
    the weekly comparison; after that only terms that many people used stay.
    """
    oldest_kept = iso_week(now - timedelta(days=retention_days))
    with db.atomic():
        cursor = db.execute(
            "DELETE FROM week_terms WHERE posts < ? AND week < ?", [below, oldest_kept]
        )
    return cursor.rowcount
