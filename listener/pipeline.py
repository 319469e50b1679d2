"""The privacy pipeline shared by spiders and API listeners (DESIGN §2, §5).

``PostPipeline.process(post)`` runs the steps of ``listener.steps`` and stores what is left.
Posts are committed in small batches: a crash loses at most the uncommitted batch, and
because URLs are unique in the store, running again duplicates nothing.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from sqlite_utils import Database

from listener.identifiers import IdentifierHasher
from listener.items import CollectedPost
from listener.settings import LanguageSettings
from listener.steps import PIPELINE_STEPS, StepContext, WorkingPost, store_post

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
COMMIT_EVERY = 100


def utc_now() -> datetime:
    return datetime.now(UTC)


class PostPipeline:
    def __init__(
        self,
        db: Database,
        hasher: IdentifierHasher,
        language: LanguageSettings | None = None,
        clock: Clock = utc_now,
    ):
        self.context = StepContext(db, hasher, language or LanguageSettings())
        self.clock = clock
        self.counts: Counter[str] = Counter()
        self._uncommitted = 0

    @property
    def db(self) -> Database:
        return self.context.db

    def process(self, post: CollectedPost) -> str:
        """Run one post through the steps; return "stored" or the reason it was dropped."""
        work = WorkingPost(post=post, collected_at=self.clock())
        for step in PIPELINE_STEPS:
            reason = step(work, self.context)
            if reason:
                self.counts[reason] += 1
                return reason
        if not self.db.conn.in_transaction:
            self.db.execute("BEGIN")
        with self.db.atomic():  # a savepoint: a post is stored whole or not at all
            store_post(self.db, work)
        self._uncommitted += 1
        if self._uncommitted >= COMMIT_EVERY:
            self.commit()
        self.counts["stored"] += 1
        return "stored"

    def process_all(self, posts: Iterable[CollectedPost]) -> Counter[str]:
        for post in posts:
            self.process(post)
        self.commit()
        return self.counts

    def commit(self) -> None:
        if self.db.conn.in_transaction:
            self.db.execute("COMMIT")
        self._uncommitted = 0
