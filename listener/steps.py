"""The steps of the privacy pipeline, each a small unit registered by name.

A step gets the post being processed and either fills in what it knows or returns the reason
to drop the post. Their order is fixed in ``PIPELINE_STEPS``: personal data is scrubbed before
anything derived from the text is compared or stored, and identifiers are hashed last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlite_utils import Database

from listener.identifiers import IdentifierHasher, iso_week
from listener.items import CollectedPost
from listener.settings import LanguageSettings
from nlp import minhash
from nlp.language import LanguageGuess, detect_language
from nlp.normalise import normalise_text
from nlp.scrub import scrub_personal_data


@dataclass
class WorkingPost:
    """A post on its way through the pipeline; ``post.url`` and ``post.author`` stay here."""

    post: CollectedPost
    collected_at: datetime
    text: str = ""
    title: str = ""
    language: str = ""
    scrubbed: dict[str, int] = field(default_factory=dict)
    url_hash: str = ""
    content_hash: str = ""
    signature: tuple[int, ...] | None = None
    author_hash: str | None = None

    @property
    def week(self) -> str:
        return iso_week(self.post.published_at or self.collected_at)


@dataclass
class StepContext:
    db: Database
    hasher: IdentifierHasher
    language: LanguageSettings


class Normalise:
    name = "normalise"

    def __call__(self, work: WorkingPost, context: StepContext) -> str | None:
        work.text = normalise_text(work.post.text)
        work.title = normalise_text(work.post.title)
        return None if work.text else "empty"


class SkipKnownUrl:
    name = "known_url"

    def __call__(self, work: WorkingPost, context: StepContext) -> str | None:
        work.url_hash = context.hasher.url(work.post.url)
        known = context.db.execute(
            "SELECT 1 FROM posts WHERE url_hash = ?", [work.url_hash]
        ).fetchone()
        return "duplicate" if known else None


SHORT_POST_CHARS = 40


def language_kept(guess: LanguageGuess, settings: LanguageSettings) -> bool:
    return guess.language in settings.keep and guess.confidence >= settings.min_confidence


class KeepLanguage:
    name = "language"

    def __call__(self, work: WorkingPost, context: StepContext) -> str | None:
        # A reply's title is its thread's title: the post's own words decide, the title helps
        # only when there are too few of them to tell.
        text = work.text
        if len(text) < SHORT_POST_CHARS and work.title:
            text = f"{work.title}\n{text}"
        guess = detect_language(text)
        work.language = guess.language
        return None if language_kept(guess, context.language) else "other_language"


class Scrub:
    name = "scrub"

    def __call__(self, work: WorkingPost, context: StepContext) -> str | None:
        text, title = scrub_personal_data(work.text), scrub_personal_data(work.title)
        work.text, work.title = text.text, title.text
        work.scrubbed = dict(text.counts() + title.counts())
        return None


class SkipKnownContent:
    name = "known_content"

    def __call__(self, work: WorkingPost, context: StepContext) -> str | None:
        work.content_hash = context.hasher.content(work.text)
        known = context.db.execute(
            "SELECT 1 FROM posts WHERE content_hash = ? LIMIT 1", [work.content_hash]
        ).fetchone()
        return "duplicate" if known else None


class SkipNearDuplicate:
    """Reposts and posts that quote another whole post, found by MinHash (nlp.minhash)."""

    name = "near_duplicate"

    def __call__(self, work: WorkingPost, context: StepContext) -> str | None:
        work.signature = minhash.signature(work.text)
        if work.signature is None:
            return None
        keys = minhash.band_keys(work.signature)
        rows = context.db.execute(
            "SELECT DISTINCT p.minhash FROM post_bands b JOIN posts p ON p.id = b.post_id "
            f"WHERE b.band_key IN ({', '.join('?' * len(keys))})",
            keys,
        ).fetchall()
        for (blob,) in rows:
            other = minhash.from_bytes(blob)
            if minhash.similarity(work.signature, other) >= minhash.NEAR_DUPLICATE_SIMILARITY:
                return "near_duplicate"
        return None


class HashAuthor:
    name = "author"

    def __call__(self, work: WorkingPost, context: StepContext) -> str | None:
        if work.post.author:
            work.author_hash = context.hasher.author(work.post.source, work.post.author, work.week)
        return None


PIPELINE_STEPS = (
    Normalise(),
    SkipKnownUrl(),
    KeepLanguage(),
    Scrub(),
    SkipKnownContent(),
    SkipNearDuplicate(),
    HashAuthor(),
)


_INSERT_POST = """
    INSERT INTO posts (source, url_hash, content_hash, author_hash, week, published_at,
        collected_at, title, text, language, region_hint, scrubbed, minhash)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def store_post(db: Database, work: WorkingPost) -> int:
    """Insert a processed post; identifiers only as hashes. Returns the new row id."""
    published = work.post.published_at
    cursor = db.execute(
        _INSERT_POST,
        [
            work.post.source,
            work.url_hash,
            work.content_hash,
            work.author_hash,
            work.week,
            published.isoformat() if published else None,
            work.collected_at.isoformat(),
            work.title or None,
            work.text,
            work.language,
            work.post.region_hint,
            json.dumps(work.scrubbed, sort_keys=True) if work.scrubbed else None,
            minhash.to_bytes(work.signature) if work.signature else None,
        ],
    )
    row_id = cursor.lastrowid
    if work.signature is not None:
        db.conn.executemany(
            "INSERT INTO post_bands (band_key, post_id) VALUES (?, ?)",
            [(key, row_id) for key in minhash.band_keys(work.signature)],
        )
    return row_id
