"""Classifier speed (spaCy backend): posts/s on 10,000 short posts, and peak memory.

Measured twice: the classifier alone (texts in, decisions out), and `nlp classify-new`'s path
(read posts from SQLite, classify, write signals in batches). The model is trained briefly
in a temporary folder: speed does not depend on how well it was trained.
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from nlp.classifier import ModelStore, TrainOptions
from nlp.corpus import load_corpus
from nlp.parallel import ParallelClassifier
from nlp.training import train_model

POSTS = 10_000
ROUNDS = 5
TARGET = 2_000  # posts/s on a 2-core CPU (issue 4)
PROCESSES = 2  # the default of classifier.processes


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_rate(classifier, posts: list[str]) -> float:
    rates = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        classifier.classify(posts)
        rates.append(len(posts) / (time.perf_counter() - started))
    return statistics.median(rates)


def short_posts(count: int = POSTS) -> list[str]:
    """Corpus texts of tweet and comment length, repeated with a varying tail up to COUNT."""
    texts = [r.text for r in load_corpus() if len(r.text) <= 280]
    return [f"{texts[i % len(texts)]} ({i // len(texts)})" for i in range(count)]


def run() -> None:
    from listener.signals import classify_new
    from opendeur.store import open_db

    posts = short_posts()
    with tempfile.TemporaryDirectory() as folder:
        store = ModelStore(Path(folder) / "models")
        train_model("spacy", store, TrainOptions(epochs=1, threshold_folds=0))
        classifier = store.load("spacy")
        classifier.classify(posts[:50])  # load the lexicon, gazetteer and lookup tables
        before = _peak_mb()
        rate = _median_rate(classifier, posts)
        print(
            f"  classify, 1 process   median {rate:,.0f} posts/s ({len(posts):,} short posts x "
            f"{ROUNDS} rounds)"
        )
        print(
            f"  peak memory           {_peak_mb():,.0f} MB (before classifying: {before:,.0f} MB)"
        )
        with ParallelClassifier(classifier, PROCESSES) as parallel:
            rate = _median_rate(parallel, posts)
            print(
                f"  classify, {PROCESSES} processes median {rate:,.0f} posts/s (target {TARGET:,}: "
                f"{'met' if rate >= TARGET else 'NOT met'}; the default classifier.processes)"
            )
        # counted once the workers have ended (close() joins them)
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  peak memory, worker   {children:,.0f} MB (forked: pages shared with the parent)")

        db = open_db(Path(folder) / "bench.db")
        with db.atomic():
            db.conn.executemany(
                "INSERT INTO posts (source, url_hash, content_hash, week, collected_at, text, "
                "language) VALUES ('bench', ?, ?, '2026-W47', '2026-11-20T12:00:00', ?, 'nl')",
                [(f"u{i}", f"c{i}", text) for i, text in enumerate(posts)],
            )
        with ParallelClassifier(classifier, PROCESSES) as parallel:
            started = time.perf_counter()
            result = classify_new(db, parallel, datetime.now(UTC), batch_size=500)
            seconds = time.perf_counter() - started
        print(
            f"  classify-new          {result.classified / seconds:,.0f} posts/s "
            f"({result.classified:,} stored posts into signals, batches of 500, "
            f"{PROCESSES} processes)"
        )
        db.close()
