"""Classify large batches on several CPU cores.

One Python process classifies about 2,000 short posts a second; the work per text is
independent, so a batch is split over worker processes. The workers are forked from the
process that loaded the model, so they share its memory pages instead of loading the model
again, and are started once and reused for every batch.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from multiprocessing.pool import Pool

from nlp.classifier import Classifier
from nlp.taxonomy import Classification

# Smaller batches are classified in this process: starting work elsewhere costs more.
MIN_PARALLEL_TEXTS = 200

_forked_classifier: Classifier | None = None


def _classify_chunk(texts: list[str], hints: list[str | None]) -> list[Classification]:
    assert _forked_classifier is not None, "worker started without a classifier"
    return _forked_classifier.classify(texts, hints)


class ParallelClassifier:
    """A Classifier that spreads big batches over ``processes`` forked workers."""

    def __init__(self, classifier: Classifier, processes: int):
        self.classifier = classifier
        self.processes = max(1, processes)
        self._pool: Pool | None = None

    @property
    def version(self) -> str:
        return self.classifier.version

    def classify(
        self, texts: Sequence[str], region_hints: Sequence[str | None] | None = None
    ) -> list[Classification]:
        hints = list(region_hints) if region_hints is not None else [None] * len(texts)
        if self.processes == 1 or len(texts) < MIN_PARALLEL_TEXTS:
            return self.classifier.classify(texts, hints)
        size = -(-len(texts) // self.processes)
        chunks = [
            (list(texts[start : start + size]), hints[start : start + size])
            for start in range(0, len(texts), size)
        ]
        results: list[Classification] = []
        for part in self._workers().starmap(_classify_chunk, chunks):
            results += part
        return results

    def _workers(self) -> Pool:
        if self._pool is None:
            global _forked_classifier
            _forked_classifier = self.classifier
            self._pool = multiprocessing.get_context("fork").Pool(self.processes)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> ParallelClassifier:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
