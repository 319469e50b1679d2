"""One classifier, several model backends registered by name, models in versioned folders.

A backend turns analysed texts into probabilities (``LabelScores``); ``nlp.decide`` turns
those into decisions the same way for every backend. A trained model lives in
``MODELS_DIR/BACKEND/VERSION/`` with ``meta.json`` (version, thresholds, corpus checksum,
figures) and the backend's own files under ``model/``; ``MODELS_DIR/BACKEND/CURRENT`` names
the version in use, and is written last, so a crash while saving leaves the old model in use.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol

from nlp.corpus import LabelledText
from nlp.datafiles import data_path
from nlp.decide import Thresholds, decide
from nlp.gazetteer import Region
from nlp.taxonomy import Classification, Evidence, LabelScores
from nlp.textprep import Analysis, TextAnalyser

# name -> "module:class"; imported on use, so torch is only loaded for "transformers"
BACKENDS = {
    "spacy": "nlp.backends.spacy_textcat:SpacyTextcatBackend",
    "transformers": "nlp.backends.transformers_model:TransformersBackend",
}
CURRENT_FILE = "CURRENT"
META_FILE = "meta.json"
# Positive decisions without a lexicon term are explained by the words that weigh most towards
# money trouble: a backend that can say so itself (``word_weights``, a linear model) is asked;
# otherwise each word is removed in turn and the largest drops in score win (occlusion, for
# texts up to OCCLUSION_MAX_WORDS words).
OCCLUSION_MAX_WORDS = 40
OCCLUSION_SPANS = 2

Progress = Callable[[str], None]


class ClassifierError(Exception):
    """A problem the operator can fix (a missing model, an unknown backend, a bad folder)."""


class ModelMissing(ClassifierError):
    pass


@dataclass
class TrainOptions:
    epochs: int | None = None  # None: the backend's default
    seed: int = 0
    base_model: Path | None = None  # transformers: a local checkpoint folder
    device: str = "auto"  # auto, cpu, cuda
    batch_size: int | None = None
    max_length: int = 256  # transformers: tokens per text
    threshold_folds: int | None = None  # None: the backend's own choice (nlp.training)
    processes: int = 1  # threshold folds trained side by side


class ModelBackend(Protocol):
    name: ClassVar[str]
    # 0: thresholds tuned on dev; K: on K-fold out-of-fold predictions, then a refit on
    # train and dev (nlp.training)
    threshold_folds: ClassVar[int]

    @classmethod
    def train(
        cls,
        train: Sequence[tuple[Analysis, LabelledText]],
        dev: Sequence[tuple[Analysis, LabelledText]],
        options: TrainOptions,
        progress: Progress,
    ) -> ModelBackend: ...

    def predict(self, analyses: Sequence[Analysis]) -> list[LabelScores]: ...

    def save(self, folder: Path) -> None: ...

    @classmethod
    def load(cls, folder: Path, device: str = "auto") -> ModelBackend: ...


def backend_class(name: str) -> type[ModelBackend]:
    if name not in BACKENDS:
        raise ClassifierError(
            f"unknown classifier backend {name!r}; choose one of: {', '.join(BACKENDS)}"
        )
    module, attribute = BACKENDS[name].split(":")
    try:
        return getattr(importlib.import_module(module), attribute)
    except ImportError as error:
        raise ClassifierError(
            f"the {name} backend needs packages that are not installed ({error.name}); "
            f"install them with: pip install 'opendeur[{name}]'"
        ) from error


@dataclass
class ModelMeta:
    backend: str
    version: str
    created_at: str
    corpus_sha256: str
    thresholds: Thresholds
    options: dict[str, Any] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)
    trained_on: list[str] = field(default_factory=lambda: ["train"])  # corpus splits
    # the evaluation of the out-of-fold predictions that tuned the thresholds, if they did
    out_of_fold: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend, "version": self.version, "created_at": self.created_at,
            "corpus_sha256": self.corpus_sha256, "thresholds": self.thresholds.as_dict(),
            "options": self.options, "figures": self.figures, "trained_on": self.trained_on,
            "out_of_fold": self.out_of_fold,
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelMeta:
        return cls(
            backend=data["backend"], version=data["version"], created_at=data["created_at"],
            corpus_sha256=data["corpus_sha256"],
            thresholds=Thresholds.from_dict(data["thresholds"]),
            options=data.get("options", {}), figures=data.get("figures", {}),
            trained_on=list(data.get("trained_on", ["train"])),
            out_of_fold=data.get("out_of_fold", {}),
        )  # fmt: skip


def corpus_checksum(folder: Path | None = None) -> str:
    digest = hashlib.sha256()
    folder = folder or data_path("corpus")
    for path in sorted(folder.glob("*.jsonl")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def new_version(backend: str, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{backend}-{now:%Y%m%d-%H%M%S}"


class ModelStore:
    """The versioned model folders of one models directory."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def current_version(self, backend: str) -> str | None:
        pointer = self.root / backend / CURRENT_FILE
        if not pointer.exists():
            return None
        version = pointer.read_text(encoding="utf-8").strip()
        return version or None

    def folder(self, backend: str, version: str) -> Path:
        if not re.fullmatch(r"\w[\w.-]*", version):
            raise ClassifierError(f"invalid model version {version!r}")
        return self.root / backend / version

    def versions(self, backend: str) -> list[str]:
        base = self.root / backend
        if not base.is_dir():
            return []
        return sorted(p.name for p in base.iterdir() if (p / META_FILE).exists())

    def save(self, backend: ModelBackend, meta: ModelMeta) -> Path:
        folder = self.folder(meta.backend, meta.version)
        staging = folder.with_name(folder.name + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "model").mkdir(parents=True)
        backend.save(staging / "model")
        (staging / META_FILE).write_text(json.dumps(meta.as_dict(), indent=2), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
        self._point(meta.backend, meta.version)
        return folder

    def update_meta(self, meta: ModelMeta) -> None:
        path = self.folder(meta.backend, meta.version) / META_FILE
        path.write_text(json.dumps(meta.as_dict(), indent=2), encoding="utf-8")

    def _point(self, backend: str, version: str) -> None:
        pointer = self.root / backend / CURRENT_FILE
        temporary = pointer.with_suffix(".tmp")
        temporary.write_text(version + "\n", encoding="utf-8")
        os.replace(temporary, pointer)

    def load(self, backend: str, version: str | None = None, device: str = "auto") -> Classifier:
        version = version or self.current_version(backend)
        if version is None:
            raise ModelMissing(
                f"no trained {backend} model in {self.root}; train one with "
                f"`opendeur nlp train --backend {backend}`"
            )
        folder = self.folder(backend, version)
        try:
            meta = ModelMeta.from_dict(json.loads((folder / META_FILE).read_text("utf-8")))
        except (OSError, ValueError, KeyError) as error:
            raise ClassifierError(f"model {version} in {folder} is unreadable: {error}") from error
        model = backend_class(backend).load(folder / "model", device=device)
        return Classifier(model, meta)


class TextClassifier(Protocol):
    """What users of a classifier need: its version, and texts in, decisions out."""

    @property
    def version(self) -> str: ...

    def classify(
        self, texts: Sequence[str], region_hints: Sequence[str | None] | None = None
    ) -> list[Classification]: ...


class Classifier:
    """A trained model with its thresholds: texts in, decisions out."""

    def __init__(self, model: ModelBackend, meta: ModelMeta, analyser: TextAnalyser | None = None):
        self.model = model
        self.meta = meta
        self.analyser = analyser or TextAnalyser()

    @property
    def version(self) -> str:
        return self.meta.version

    def classify(
        self, texts: Sequence[str], region_hints: Sequence[str | None] | None = None
    ) -> list[Classification]:
        hints = [self._region(h) for h in (region_hints or [None] * len(texts))]
        analyses = self.analyser.analyse(texts, [h.province if h else None for h in hints])
        scores = self.model.predict(analyses)
        results = [
            decide(analysis, score, self.meta.thresholds, hint)
            for analysis, score, hint in zip(analyses, scores, hints, strict=True)
        ]
        unexplained = [
            index
            for index, result in enumerate(results)
            if result.money_trouble and not any(e.reason == "trouble term" for e in result.evidence)
        ]
        if unexplained:
            chosen = [analyses[index] for index in unexplained]
            word_weights = getattr(self.model, "word_weights", None)
            spans = (
                self._weighted(chosen, word_weights) if word_weights else self._occlusion(chosen)
            )
            for index, extra in zip(unexplained, spans, strict=True):
                results[index] = replace(results[index], evidence=results[index].evidence + extra)
        return results

    def scores(self, analyses: Sequence[Analysis]) -> list[LabelScores]:
        return self.model.predict(analyses)

    def _region(self, hint: str | None) -> Region | None:
        return self.analyser.gazetteer.resolve(hint) if hint else None

    @staticmethod
    def _weighted(
        analyses: Sequence[Analysis], word_weights: Callable[[Sequence[str]], list[float]]
    ) -> list[tuple[Evidence, ...]]:
        """Per analysis, the words that weigh most towards money trouble (linear models)."""
        explained = []
        for analysis in analyses:
            weights = word_weights([w.lemma for w in analysis.words])
            best: dict[tuple[int, int], float] = {}
            for word, weight in zip(analysis.words, weights, strict=True):
                if not any(c.isalpha() for c in word.lower):
                    continue  # numbers and symbols explain nothing to staff
                span = (word.start, word.end)
                best[span] = max(weight, best.get(span, weight))
            ranked = sorted(best.items(), key=lambda item: -item[1])[:OCCLUSION_SPANS]
            explained.append(
                tuple(
                    Evidence(start, end, analysis.text[start:end], "model")
                    for (start, end), weight in ranked
                    if weight > 0
                )
            )
        return explained

    def _occlusion(self, analyses: Sequence[Analysis]) -> list[tuple[Evidence, ...]]:
        """Per analysis, the words whose removal lowers the money-trouble score most.

        Every variant of every text goes to the model in one batch.
        """
        plans = []
        batch: list[Analysis] = []
        for analysis in analyses:
            words = analysis.words
            spans = sorted({(w.start, w.end) for w in words})
            if not spans or len(spans) > OCCLUSION_MAX_WORDS:
                plans.append((analysis, [], len(batch)))
                continue
            plans.append((analysis, spans, len(batch)))
            batch.append(replace(analysis, matches=()))
            for start, end in spans:
                kept = tuple(w for w in words if (w.start, w.end) != (start, end))
                blanked = analysis.text[:start] + " " * (end - start) + analysis.text[end:]
                batch.append(replace(analysis, text=blanked, words=kept, matches=()))
        scores = [s.trouble for s in self.model.predict(batch)] if batch else []
        explained = []
        for analysis, spans, offset in plans:
            if not spans:
                explained.append(())
                continue
            base = scores[offset]
            drops = [base - s for s in scores[offset + 1 : offset + 1 + len(spans)]]
            ranked = sorted(zip(drops, spans, strict=True), key=lambda pair: -pair[0])
            explained.append(
                tuple(
                    Evidence(start, end, analysis.text[start:end], "model")
                    for drop, (start, end) in ranked[:OCCLUSION_SPANS]
                    if drop > 0
                )
            )
        return explained
