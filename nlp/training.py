"""Train a backend on the corpus, tune its thresholds on dev, evaluate and save it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from nlp.classifier import (
    Classifier,
    ModelMeta,
    ModelStore,
    Progress,
    TrainOptions,
    backend_class,
    corpus_checksum,
    new_version,
)
from nlp.corpus import LabelledText, load_corpus, split
from nlp.decide import Thresholds, tune_thresholds
from nlp.evaluation import evaluate_split, headline, meets_targets
from nlp.textprep import TextAnalyser

EVALUATED_SPLITS = ("dev", "test", "heldout")


def _quiet(_: str) -> None:
    return None


def train_model(
    backend: str,
    store: ModelStore,
    options: TrainOptions | None = None,
    corpus: Sequence[LabelledText] | None = None,
    progress: Progress = _quiet,
    now: datetime | None = None,
) -> tuple[Classifier, dict[str, Any]]:
    """Train, tune, evaluate, save as the current version; return it with its evaluation."""
    options = options or TrainOptions()
    rows = list(corpus) if corpus is not None else load_corpus()
    analyser = TextAnalyser()
    train_rows, dev_rows = split(rows, "train"), split(rows, "dev")
    if not train_rows or not dev_rows:
        raise ValueError("the corpus needs a train and a dev split")
    progress(f"analysing {len(train_rows) + len(dev_rows)} texts")
    train_pairs = list(zip(analyser.analyse([r.text for r in train_rows]), train_rows, strict=True))
    dev_analyses = analyser.analyse([r.text for r in dev_rows])
    model = backend_class(backend).train(
        train_pairs, list(zip(dev_analyses, dev_rows, strict=True)), options, progress
    )
    thresholds = tune_thresholds(
        model.predict(dev_analyses),
        [r.money_trouble for r in dev_rows],
        [r.topics for r in dev_rows],
    )
    meta = ModelMeta(
        backend=backend,
        version=new_version(backend, now),
        created_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        corpus_sha256=corpus_checksum(),
        thresholds=thresholds,
        options={k: str(v) if v is not None else None for k, v in vars(options).items()},
    )
    classifier = Classifier(model, meta, analyser)
    report = evaluate_classifier(classifier, rows)
    meta.figures = {name: headline(f) for name, f in report["splits"].items() if f.get("texts")}
    store.save(model, meta)
    progress(f"saved {meta.version} in {store.root / backend}")
    return classifier, report


def evaluate_classifier(
    classifier: Classifier, corpus: Sequence[LabelledText] | None = None
) -> dict[str, Any]:
    rows = list(corpus) if corpus is not None else load_corpus()
    splits = {}
    for name in EVALUATED_SPLITS:
        chosen = split(rows, name)
        predictions = classifier.classify([r.text for r in chosen]) if chosen else []
        splits[name] = evaluate_split(chosen, predictions, classifier.analyser.gazetteer)
    report = {
        "model": classifier.version,
        "backend": classifier.meta.backend,
        "corpus_sha256": classifier.meta.corpus_sha256,
        "thresholds": classifier.meta.thresholds.as_dict(),
        "splits": splits,
    }
    if splits["test"].get("texts"):
        report["targets_met"] = meets_targets(splits["test"])
    return report


__all__ = ["Thresholds", "evaluate_classifier", "train_model"]
