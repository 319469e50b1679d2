"""Train a backend on the corpus, tune its thresholds on dev, evaluate and save it."""

from __future__ import annotations

import hashlib
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
from nlp.corpus import LabelledText, is_supplement, load_corpus, split
from nlp.decide import tune_thresholds
from nlp.evaluation import evaluate_split, headline, meets_targets
from nlp.taxonomy import Classification
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


def cross_validate(
    backend: str,
    options: TrainOptions | None = None,
    folds: int = 4,
    corpus: Sequence[LabelledText] | None = None,
    progress: Progress = _quiet,
) -> dict[str, Any]:
    """K-fold cross-validation on the train split, for choosing a model design.

    The original train texts are split into ``folds`` parts; each part is predicted by a
    model trained on the other parts plus every supplement, with thresholds tuned on dev.
    The test split is not touched: it stays for reporting the chosen design.
    """
    options = options or TrainOptions()
    rows = list(corpus) if corpus is not None else load_corpus()
    analyser = TextAnalyser()
    train_rows, dev_rows = split(rows, "train"), split(rows, "dev")
    original = [r for r in train_rows if not is_supplement(r)]
    supplements = [r for r in train_rows if is_supplement(r)]
    if folds < 2 or len(original) < folds:
        raise ValueError(f"need at least 2 folds and as many train texts, not {folds}")
    analyses = dict(
        zip(
            (r.id for r in train_rows + dev_rows),
            analyser.analyse([r.text for r in train_rows + dev_rows]),
            strict=True,
        )
    )
    order = sorted(
        original, key=lambda r: hashlib.sha256(f"{options.seed}:{r.id}".encode()).digest()
    )
    parts = [order[k::folds] for k in range(folds)]
    results: list[dict[str, float]] = []
    disagreements: list[dict[str, Any]] = []
    for k, held in enumerate(parts, start=1):
        progress(f"fold {k}/{folds}: training on {len(original) - len(held) + len(supplements)}")
        fold_train = [r for j, part in enumerate(parts, start=1) if j != k for r in part]
        model = backend_class(backend).train(
            [(analyses[r.id], r) for r in fold_train + supplements],
            [(analyses[r.id], r) for r in dev_rows],
            options,
            progress,
        )
        thresholds = tune_thresholds(
            model.predict([analyses[r.id] for r in dev_rows]),
            [r.money_trouble for r in dev_rows],
            [r.topics for r in dev_rows],
        )
        meta = ModelMeta(backend, f"crossval-{k}", "", "", thresholds)
        classifier = Classifier(model, meta, analyser)
        predictions = classifier.classify([r.text for r in held])
        results.append(headline(evaluate_split(held, predictions)))
        disagreements += [
            _disagreement(row, found, k)
            for row, found in zip(held, predictions, strict=True)
            if _disagrees(row, found)
        ]
    mean = {key: round(sum(r[key] for r in results) / folds, 4) for key in results[0]}
    return {
        "backend": backend,
        "folds": folds,
        "mean": mean,
        "per_fold": results,
        "disagreements": sorted(disagreements, key=lambda d: d["id"]),
    }


def _disagrees(row: LabelledText, found: Classification) -> bool:
    return (
        row.money_trouble != found.money_trouble
        or row.kind != found.kind
        or set(row.topics) != set(found.topics)
    )


def _disagreement(row: LabelledText, found: Classification, fold: int) -> dict[str, Any]:
    """An out-of-fold text the model got wrong: what annotators review for label mistakes."""
    return {
        "id": row.id,
        "fold": fold,
        "text": row.text,
        "gold": {"money_trouble": row.money_trouble, "kind": row.kind, "topics": list(row.topics)},
        "predicted": {
            "money_trouble": found.money_trouble,
            "score": round(found.score, 3),
            "kind": found.kind,
            "topics": list(found.topics),
        },
    }
