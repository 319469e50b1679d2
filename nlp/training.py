"""Train a backend on the corpus, tune its decision thresholds, evaluate and save it.

Two ways to tune the thresholds, chosen per backend (``threshold_folds``):

- *on dev* (``threshold_folds = 0``): the model learns from the train split and the thresholds
  are tuned on its dev predictions. One training; the transformers backend does this.
- *out of fold, then refit* (``threshold_folds = K``): the texts of the original train split
  and dev are cut into K folds; each fold is predicted by a model trained on the other folds
  plus every supplement, the thresholds are tuned on all those out-of-fold predictions, and
  the final model learns from train and dev together. K + 1 trainings. Against tuning on dev,
  cross-validation on the train split measured money-trouble F1 +0.008 to +0.012, kind
  macro-F1 +0.007 and topics micro-F1 +0.011 (README, "The classifier"): the dev texts teach
  the model, and thresholds tuned on about 2,000 predictions instead of 363 move less by
  chance. Dev figures of such a model would be figures on its own training texts, so its
  report shows the out-of-fold figures instead; the test and held-out splits stay untouched
  either way.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

from nlp.classifier import (
    Classifier,
    ClassifierError,
    ModelBackend,
    ModelMeta,
    ModelStore,
    Progress,
    TrainOptions,
    backend_class,
    corpus_checksum,
    new_version,
)
from nlp.corpus import LabelledText, is_supplement, load_corpus, split
from nlp.decide import Thresholds, decide, tune_thresholds
from nlp.evaluation import evaluate_split, headline, meets_targets
from nlp.taxonomy import Classification, LabelScores
from nlp.textprep import Analysis, TextAnalyser

EVALUATED_SPLITS = ("dev", "test", "heldout")
OUT_OF_FOLD = "out_of_fold"


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
    model_class = backend_class(backend)
    folds = options.threshold_folds
    if folds is None:
        folds = model_class.threshold_folds
    analyser = TextAnalyser()
    train_rows, dev_rows = split(rows, "train"), split(rows, "dev")
    if not train_rows or not dev_rows:
        raise ValueError("the corpus needs a train and a dev split")
    progress(f"analysing {len(train_rows) + len(dev_rows)} texts")
    analyses = _analyse(analyser, train_rows + dev_rows)
    if folds:
        # The final model does not depend on the thresholds: it learns while the fold
        # models do, on another core when there is one.
        trained_on = ["train", "dev"]
        with _FoldModels(model_class, analyses, train_rows + dev_rows, folds, options,
                         progress) as fold_models:  # fmt: skip
            progress(f"training the final model on {len(train_rows) + len(dev_rows)} texts")
            model = model_class.train(
                [(analyses[r.id], r) for r in train_rows + dev_rows], [], options, progress
            )
            held_rows, scores = fold_models.out_of_fold_scores()
        thresholds = _tuned(scores, held_rows)
        decisions = [
            decide(analyses[r.id], s, thresholds) for r, s in zip(held_rows, scores, strict=True)
        ]
        out_of_fold = evaluate_split(held_rows, decisions, analyser.gazetteer)
    else:
        trained_on = ["train"]
        model = model_class.train(
            [(analyses[r.id], r) for r in train_rows],
            [(analyses[r.id], r) for r in dev_rows],
            options,
            progress,
        )
        thresholds = _tuned(model.predict([analyses[r.id] for r in dev_rows]), dev_rows)
        out_of_fold = {}
    meta = ModelMeta(
        backend=backend,
        version=new_version(backend, now),
        created_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        corpus_sha256=corpus_checksum(),
        thresholds=thresholds,
        options={
            **{k: str(v) if v is not None else None for k, v in vars(options).items()},
            "threshold_folds": str(folds),
        },
        trained_on=trained_on,
        out_of_fold=out_of_fold,
    )
    classifier = Classifier(model, meta, analyser)
    report = evaluate_classifier(classifier, rows)
    meta.figures = {name: headline(f) for name, f in report["splits"].items() if f.get("texts")}
    store.save(model, meta)
    progress(f"saved {meta.version} in {store.root / backend}")
    return classifier, report


def _analyse(analyser: TextAnalyser, rows: Sequence[LabelledText]) -> dict[str, Analysis]:
    return dict(zip((r.id for r in rows), analyser.analyse([r.text for r in rows]), strict=True))


def _tuned(scores: Sequence[LabelScores], rows: Sequence[LabelledText]) -> Thresholds:
    """Thresholds tuned on the scores of ``rows`` against their gold labels."""
    return tune_thresholds(scores, [r.money_trouble for r in rows], [r.topics for r in rows])


def fold_parts(rows: Sequence[LabelledText], folds: int, seed: int) -> list[list[LabelledText]]:
    """``rows`` cut into ``folds`` parts, the same for the same ids and seed."""
    order = sorted(rows, key=lambda r: hashlib.sha256(f"{seed}:{r.id}".encode()).digest())
    return [order[k::folds] for k in range(folds)]


# What the fold workers need, set just before they fork: they inherit it instead of receiving
# the analysed corpus through a pipe.
_fold_work: dict[str, Any] = {}


def _train_fold(k: int) -> list[LabelScores]:
    """Train on every part but the k-th (and the supplements); predict the k-th."""
    work = _fold_work
    parts, analyses = work["parts"], work["analyses"]
    fold_train = [r for j, part in enumerate(parts) if j != k for r in part]
    model = work["model_class"].train(
        [(analyses[r.id], r) for r in fold_train + work["supplements"]],
        [],
        work["options"],
        work["progress"],
    )
    return model.predict([analyses[r.id] for r in parts[k]])


class _FoldModels:
    """The K fold models of out-of-fold threshold tuning, trained in worker processes.

    Only the original texts are held out; supplements always train: they were written to
    fill gaps, so they would not show how the model does on texts as the corpus samples them.
    With ``options.processes`` above 1 the folds are trained by forked workers while the
    caller goes on; otherwise one after the other when the scores are asked for.
    """

    def __init__(self, model_class: type[ModelBackend], analyses: dict[str, Analysis],
                 rows: Sequence[LabelledText], folds: int, options: TrainOptions,
                 progress: Progress):  # fmt: skip
        original = [r for r in rows if not is_supplement(r)]
        if folds < 2 or len(original) < folds:
            raise ClassifierError(
                f"threshold folds must be 0 (tune on dev) or at least 2 and at most the "
                f"number of train and dev texts, not {folds}"
            )
        self.parts = fold_parts(original, folds, options.seed)
        supplements = [r for r in rows if is_supplement(r)]
        _fold_work.update(parts=self.parts, analyses=analyses, supplements=supplements,
                          model_class=model_class, options=options, progress=progress)  # fmt: skip
        for k, held in enumerate(self.parts, start=1):
            size = len(original) - len(held) + len(supplements)
            progress(f"threshold fold {k}/{folds}: training on {size}, predicting {len(held)}")
        self._workers: ProcessPoolExecutor | None = None
        self._pending: list[Future] = []
        # torch (and CUDA above all) does not survive a fork: the transformers folds take turns
        processes = min(options.processes, folds) if model_class.name == "spacy" else 1
        if processes > 1:
            # an executor, not a Pool: a worker killed (out of memory) fails the training
            # with BrokenProcessPool instead of leaving it waiting for ever
            try:
                self._workers = ProcessPoolExecutor(
                    processes, mp_context=multiprocessing.get_context("fork")
                )
                self._pending = [self._workers.submit(_train_fold, k) for k in range(folds)]
            except BaseException:
                self.__exit__()  # __exit__ is not called when __init__ fails
                raise

    def out_of_fold_scores(self) -> tuple[list[LabelledText], list[LabelScores]]:
        if self._workers is not None:
            per_fold = [pending.result() for pending in self._pending]
        else:
            per_fold = [_train_fold(k) for k in range(len(self.parts))]
        return [r for part in self.parts for r in part], [s for f in per_fold for s in f]

    def __enter__(self) -> _FoldModels:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._workers is not None:
            # after an error: folds not started are dropped, running ones finish first
            self._workers.shutdown(wait=True, cancel_futures=True)
        _fold_work.clear()


def evaluate_classifier(
    classifier: Classifier, corpus: Sequence[LabelledText] | None = None
) -> dict[str, Any]:
    rows = list(corpus) if corpus is not None else load_corpus()
    # measured once, when the thresholds were tuned: the fold models were not kept
    splits = {OUT_OF_FOLD: classifier.meta.out_of_fold} if classifier.meta.out_of_fold else {}
    for name in EVALUATED_SPLITS:
        if name in classifier.meta.trained_on:
            continue  # figures on its own training texts would flatter it
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
    analyses = _analyse(analyser, train_rows + dev_rows)
    parts = fold_parts(original, folds, options.seed)
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
        thresholds = _tuned(model.predict([analyses[r.id] for r in dev_rows]), dev_rows)
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
