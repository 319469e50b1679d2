"""The optional backend: a pretrained transformer fine-tuned on the corpus (multi-label).

One ``AutoModelForSequenceClassification`` head with 16 independent sigmoid outputs: the four
kinds, the eleven topics and ``money_trouble``. The base model is a checkpoint the operator
put on disk (a Dutch BERT or RoBERTa, say); nothing is ever downloaded, so every load passes
``local_files_only=True`` and a folder that is not a complete checkpoint is a
``ClassifierError`` the operator can act on, not a hub lookup.

Kinds are trained as four independent labels too, rather than as a softmax head next to a
sigmoid one: a single head and a single loss keep the model a stock Hugging Face model that
``save_pretrained``/``from_pretrained`` round-trip as is. ``predict`` renormalises the four
kind probabilities so that ``nlp.decide`` sees them like every other backend's.

The model reads ``Analysis.text`` (the normalised text, not the lemmas of ``model_text``):
its own subword tokenizer is what the pretraining saw. Training is a plain torch loop
(AdamW, linear warm-up and decay) rather than ``transformers.Trainer``, whose own logging,
checkpoint folders and argument object would be more to configure than the loop itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import torch
from torch.nn.functional import binary_cross_entropy_with_logits
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PreTrainedModel,
    get_linear_schedule_with_warmup,
    set_seed,
)

from nlp.classifier import ClassifierError, Progress, TrainOptions
from nlp.corpus import LabelledText
from nlp.taxonomy import KINDS, TOPICS, LabelScores
from nlp.textprep import Analysis

TROUBLE_LABEL = "money_trouble"
LABELS: tuple[str, ...] = (*KINDS, *TOPICS, TROUBLE_LABEL)
DEFAULT_EPOCHS = 3
DEFAULT_BATCH_SIZE = 16
PREDICT_BATCH_SIZE = 32
LEARNING_RATE = 5e-5
WEIGHT_DECAY = 0.01
WARMUP_FRACTION = 0.1
MAX_GRAD_NORM = 1.0
SETTINGS_FILE = "opendeur_transformers.json"
# Tokenizers without a configured limit report a huge sentinel (int(1e30)) as model_max_length.
SANE_MAX_LENGTH = 100_000
EXPECTED_CHECKPOINT = (
    "a local Hugging Face checkpoint folder with config.json, tokenizer files "
    "(tokenizer.json or vocab files) and weights (model.safetensors or pytorch_model.bin)"
)


def resolve_device(requested: str) -> torch.device:
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ClassifierError(
            "device 'cuda' was asked for but torch sees no CUDA GPU; "
            "set classifier.device to 'auto' or 'cpu'"
        )
    if requested not in ("cpu", "cuda"):
        raise ClassifierError(f"unknown device {requested!r}; choose auto, cpu or cuda")
    return torch.device(requested)


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return (lines[0] if lines else type(error).__name__)[:200]


def _targets(row: LabelledText) -> list[float]:
    return [
        *(float(row.kind == kind) for kind in KINDS),
        *(float(topic in row.topics) for topic in TOPICS),
        float(row.money_trouble),
    ]


def _batches(count: int, size: int, order: Sequence[int] | None = None) -> Iterator[list[int]]:
    indices = list(order) if order is not None else list(range(count))
    for start in range(0, count, size):
        yield indices[start : start + size]


class TransformersBackend:
    name: ClassVar[str] = "transformers"
    # Fine-tuning five times to tune thresholds costs too much: they are tuned on dev.
    threshold_folds: ClassVar[int] = 0

    def __init__(self, model: PreTrainedModel, tokenizer: Any, max_length: int,
                 device: torch.device):  # fmt: skip
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.device = device

    @classmethod
    def train(
        cls,
        train: Sequence[tuple[Analysis, LabelledText]],
        dev: Sequence[tuple[Analysis, LabelledText]],
        options: TrainOptions,
        progress: Progress,
    ) -> TransformersBackend:
        device = resolve_device(options.device)
        # Seeded before loading: the new classification head is initialised at random.
        set_seed(options.seed)
        model, tokenizer = _load_base(options.base_model)
        backend = cls(model.to(device), tokenizer, _max_length(tokenizer, options.max_length),
                      device)  # fmt: skip
        backend._fit(train, dev, options, progress)
        return backend

    def _fit(
        self,
        train: Sequence[tuple[Analysis, LabelledText]],
        dev: Sequence[tuple[Analysis, LabelledText]],
        options: TrainOptions,
        progress: Progress,
    ) -> None:
        epochs = options.epochs or DEFAULT_EPOCHS
        batch_size = options.batch_size or DEFAULT_BATCH_SIZE
        texts = [analysis.text for analysis, _ in train]
        targets = torch.tensor([_targets(row) for _, row in train], dtype=torch.float32)
        steps = epochs * math.ceil(len(texts) / batch_size)
        optimizer = torch.optim.AdamW(
            self.model.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY
        )
        schedule = get_linear_schedule_with_warmup(
            optimizer, num_warmup_steps=int(WARMUP_FRACTION * steps), num_training_steps=steps
        )
        # A generator of its own, so the shuffle order depends on the seed alone and not on
        # how many random numbers model loading happened to draw.
        shuffler = torch.Generator().manual_seed(options.seed)
        dev_texts = [analysis.text for analysis, _ in dev]
        dev_targets = torch.tensor([_targets(row) for _, row in dev], dtype=torch.float32)
        for epoch in range(1, epochs + 1):
            self.model.train()
            order = torch.randperm(len(texts), generator=shuffler).tolist()
            total, seen = 0.0, 0
            for batch in _batches(len(texts), batch_size, order):
                logits = self._logits([texts[i] for i in batch])
                loss = binary_cross_entropy_with_logits(logits, targets[batch].to(self.device))
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), MAX_GRAD_NORM)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
                total += loss.item() * len(batch)
                seen += len(batch)
            line = f"transformers: epoch {epoch}/{epochs}, loss {total / max(seen, 1):.4f}"
            if dev_texts:
                line += f", dev loss {self._mean_loss(dev_texts, dev_targets):.4f}"
            progress(line)
        self.model.eval()

    def _logits(self, texts: list[str]) -> torch.Tensor:
        encoded = self.tokenizer(
            texts, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
        ).to(self.device)
        return self.model(**encoded).logits.float()

    def _mean_loss(self, texts: list[str], targets: torch.Tensor) -> float:
        self.model.eval()
        total = 0.0
        with torch.no_grad():
            for batch in _batches(len(texts), PREDICT_BATCH_SIZE):
                logits = self._logits([texts[i] for i in batch])
                loss = binary_cross_entropy_with_logits(
                    logits, targets[batch].to(self.device), reduction="sum"
                )
                total += loss.item() / len(LABELS)
        return total / len(texts)

    def predict(self, analyses: Sequence[Analysis]) -> list[LabelScores]:
        if not analyses:
            return []
        texts = [analysis.text for analysis in analyses]
        self.model.eval()
        results = []
        with torch.no_grad():
            for batch in _batches(len(texts), PREDICT_BATCH_SIZE):
                probabilities = torch.sigmoid(self._logits([texts[i] for i in batch])).cpu()
                for row in probabilities.tolist():
                    results.append(_scores(row))
        return results

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(folder)
        self.tokenizer.save_pretrained(folder)
        settings = {"labels": list(LABELS), "max_length": self.max_length}
        (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, device: str = "auto") -> TransformersBackend:
        target = resolve_device(device)
        try:
            settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
            max_length = int(settings["max_length"])
            labels = tuple(settings["labels"])
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ClassifierError(
                f"transformers model in {folder} is unreadable ({SETTINGS_FILE}): "
                f"{_first_line(error)}"
            ) from error
        if labels != LABELS:
            raise ClassifierError(
                f"transformers model in {folder} was trained for other labels; train it again"
            )
        try:
            tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
            model = AutoModelForSequenceClassification.from_pretrained(
                folder, local_files_only=True
            )
        except Exception as error:  # transformers fails in many ways; all mean "unreadable"
            raise ClassifierError(
                f"transformers model in {folder} is unreadable: {_first_line(error)}"
            ) from error
        _check_vocabulary(tokenizer, folder)
        model.to(target).eval()
        return cls(model, tokenizer, max_length, target)


def _scores(row: list[float]) -> LabelScores:
    values = dict(zip(LABELS, row, strict=True))
    total = sum(values[kind] for kind in KINDS) or 1.0
    return LabelScores(
        kind={kind: values[kind] / total for kind in KINDS},
        topics={topic: values[topic] for topic in TOPICS},
        trouble=values[TROUBLE_LABEL],
    )


def _max_length(tokenizer: Any, requested: int) -> int:
    # Longer inputs than the position embeddings allow crash mid-training, so clip to the
    # tokenizer's limit when the checkpoint declares one.
    limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(limit, int) and 0 < limit < SANE_MAX_LENGTH:
        return min(requested, limit)
    return requested


def _check_vocabulary(tokenizer: Any, folder: Path) -> None:
    # Without tokenizer files transformers 5 quietly builds a tokenizer that knows only its
    # special tokens, and every word becomes [UNK]: training would "work" on nothing.
    if len(tokenizer.get_vocab()) <= len(set(tokenizer.all_special_tokens)):
        raise ClassifierError(
            f"the folder {folder} has no tokenizer vocabulary; expected {EXPECTED_CHECKPOINT}"
        )


def _load_base(base_model: Path | None) -> tuple[PreTrainedModel, Any]:
    if base_model is None:
        raise ClassifierError(
            "the transformers backend needs a base model: set classifier.base_model or pass "
            f"--base-model with {EXPECTED_CHECKPOINT}"
        )
    folder = Path(base_model).expanduser()
    if not (folder / "config.json").is_file():
        raise ClassifierError(
            f"base model folder {folder} has no config.json; expected {EXPECTED_CHECKPOINT}"
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(
            folder,
            local_files_only=True,
            num_labels=len(LABELS),
            id2label=dict(enumerate(LABELS)),
            label2id={label: index for index, label in enumerate(LABELS)},
            problem_type="multi_label_classification",
            # A checkpoint that already has a classification head of another size gets a
            # new one instead of failing to load.
            ignore_mismatched_sizes=True,
            # Fine-tuning in half precision on CPU diverges or fails: train in float32 even if
            # the checkpoint was saved in bf16/fp16.
            dtype=torch.float32,
        )
    except Exception as error:  # transformers fails in many ways; all mean "not a checkpoint"
        raise ClassifierError(
            f"base model folder {folder} is not a loadable checkpoint ({_first_line(error)}); "
            f"expected {EXPECTED_CHECKPOINT}"
        ) from error
    _check_vocabulary(tokenizer, folder)
    if tokenizer.pad_token is None:
        # Batches need padding; GPT-style tokenizers have none, so reuse end-of-sequence.
        if tokenizer.eos_token is None:
            raise ClassifierError(
                f"the tokenizer in {folder} has no padding token; expected {EXPECTED_CHECKPOINT}"
            )
        tokenizer.pad_token = tokenizer.eos_token
    model.config.pad_token_id = tokenizer.pad_token_id
    return model, tokenizer
