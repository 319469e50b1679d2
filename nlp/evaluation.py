"""Measure a classifier on the labelled corpus: per-label precision, recall and F1, the kind
confusion matrix, severity and region agreement, and the calibration of ``score``.

Figures are computed on the test split (targets below) and on the held-out files, written in
styles the model never saw in training, so overfitting to the corpus's own style shows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.corpus import LabelledText
from nlp.gazetteer import Gazetteer
from nlp.taxonomy import KINDS, TOPICS, Classification

TARGETS = {"money_trouble_f1": 0.90, "kind_macro_f1": 0.85, "topics_micro_f1": 0.85}
CALIBRATION_BINS = 10


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4), "support": self.tp + self.fn,
        }  # fmt: skip


def binary_counts(predicted: Sequence[bool], gold: Sequence[bool]) -> Counts:
    pairs = list(zip(predicted, gold, strict=True))
    return Counts(
        tp=sum(p and g for p, g in pairs),
        fp=sum(p and not g for p, g in pairs),
        fn=sum(g and not p for p, g in pairs),
    )


def calibration(scores: Sequence[float], gold: Sequence[bool], bins: int = CALIBRATION_BINS):
    """Reliability table, expected calibration error and Brier score of probabilities."""
    table = []
    error = 0.0
    total = len(scores)
    for index in range(bins):
        low, high = index / bins, (index + 1) / bins
        members = [
            (s, g)
            for s, g in zip(scores, gold, strict=True)
            if low <= s < high or (index == bins - 1 and s == 1.0)
        ]
        if not members:
            continue
        mean_score = sum(s for s, _ in members) / len(members)
        observed = sum(g for _, g in members) / len(members)
        error += len(members) / total * abs(mean_score - observed)
        table.append({
            "bin": f"{low:.1f}-{high:.1f}", "count": len(members),
            "mean_score": round(mean_score, 4), "observed": round(observed, 4),
        })  # fmt: skip
    brier = sum((s - g) ** 2 for s, g in zip(scores, gold, strict=True)) / total if total else 0.0
    return {"bins": table, "ece": round(error, 4), "brier": round(brier, 4)}


def evaluate_split(
    rows: Sequence[LabelledText],
    predictions: Sequence[Classification],
    gazetteer: Gazetteer | None = None,
) -> dict[str, Any]:
    if not rows:
        return {"texts": 0}
    gold_money = [r.money_trouble for r in rows]
    money = binary_counts([p.money_trouble for p in predictions], gold_money)
    kinds = {
        k: binary_counts([p.kind == k for p in predictions], [r.kind == k for r in rows])
        for k in KINDS
    }
    confusion = {g: dict.fromkeys(KINDS, 0) for g in KINDS}
    for row, prediction in zip(rows, predictions, strict=True):
        confusion[row.kind][prediction.kind] += 1
    topics = {
        t: binary_counts([t in p.topics for p in predictions], [t in r.topics for r in rows])
        for t in TOPICS
    }
    topic_total = Counts(*(sum(getattr(c, f) for c in topics.values()) for f in ("tp", "fp", "fn")))
    both = [
        (r, p)
        for r, p in zip(rows, predictions, strict=True)
        if r.money_trouble and p.money_trouble
    ]
    severity_exact = sum(r.severity == p.severity for r, p in both) / len(both) if both else 0.0
    result: dict[str, Any] = {
        "texts": len(rows),
        "money_trouble": money.as_dict(),
        "kind": {k: c.as_dict() for k, c in kinds.items()},
        "kind_macro_f1": round(sum(c.f1 for c in kinds.values()) / len(KINDS), 4),
        "kind_confusion": confusion,
        "topics": {t: c.as_dict() for t, c in topics.items()},
        "topics_micro_f1": round(topic_total.f1, 4),
        "topics_macro_f1": round(sum(c.f1 for c in topics.values()) / len(TOPICS), 4),
        "severity_exact_on_true_positives": round(severity_exact, 4),
        "calibration": calibration([p.score for p in predictions], gold_money),
    }
    if gazetteer is not None:
        result["region"] = _region_agreement(rows, predictions, gazetteer)
    return result


def _region_agreement(rows, predictions, gazetteer: Gazetteer) -> dict[str, Any]:
    """How often the region found matches the labelled place (resolved to its municipality)."""
    labelled = found = same = spurious = 0
    for row, prediction in zip(rows, predictions, strict=True):
        gold = gazetteer.resolve(row.place) if row.place else None
        if gold is None:
            spurious += prediction.region is not None
            continue
        labelled += 1
        found += prediction.region is not None
        same += prediction.region is not None and (
            prediction.region.municipality == gold.municipality
            and prediction.region.province == gold.province
        )
    unlabelled = len(rows) - labelled
    return {
        "labelled_places": labelled,
        "found_share": round(found / labelled, 4) if labelled else 0.0,
        "correct_share": round(same / labelled, 4) if labelled else 0.0,
        "spurious_share": round(spurious / unlabelled, 4) if unlabelled else 0.0,
    }


def meets_targets(figures: dict[str, Any]) -> dict[str, bool]:
    return {
        "money_trouble_f1": figures["money_trouble"]["f1"] >= TARGETS["money_trouble_f1"],
        "kind_macro_f1": figures["kind_macro_f1"] >= TARGETS["kind_macro_f1"],
        "topics_micro_f1": figures["topics_micro_f1"] >= TARGETS["topics_micro_f1"],
    }


def headline(figures: dict[str, Any]) -> dict[str, float]:
    return {
        "money_trouble_f1": figures["money_trouble"]["f1"],
        "money_trouble_precision": figures["money_trouble"]["precision"],
        "money_trouble_recall": figures["money_trouble"]["recall"],
        "kind_macro_f1": figures["kind_macro_f1"],
        "topics_micro_f1": figures["topics_micro_f1"],
    }


def _label_line(label: str, c: dict[str, Any]) -> str:
    return (
        f"  {label:<10} P {c['precision']:.3f}  R {c['recall']:.3f}  F1 {c['f1']:.3f}"
        f"  n {c['support']}"
    )


def _split_lines(name: str, figures: dict[str, Any]) -> list[str]:
    money = figures["money_trouble"]
    lines = [
        f"== {name}: {figures['texts']} texts",
        f"money_trouble  P {money['precision']:.3f}  R {money['recall']:.3f}  "
        f"F1 {money['f1']:.3f}  (support {money['support']})",
        f"kind macro-F1 {figures['kind_macro_f1']:.3f}",
        *(_label_line(label, c) for label, c in figures["kind"].items()),
        "kind confusion (rows gold, columns predicted): " + " ".join(KINDS),
        *(
            f"  {gold:<10} " + " ".join(f"{row[k]:>8}" for k in KINDS)
            for gold, row in figures["kind_confusion"].items()
        ),
        f"topics micro-F1 {figures['topics_micro_f1']:.3f}, "
        f"macro-F1 {figures['topics_macro_f1']:.3f}",
        *(_label_line(label, c) for label, c in figures["topics"].items()),
        f"severity exact on true positives {figures['severity_exact_on_true_positives']:.3f}",
    ]
    if "region" in figures:
        region = figures["region"]
        lines.append(
            f"region: {region['labelled_places']} labelled places, "
            f"found {region['found_share']:.3f}, correct {region['correct_share']:.3f}, "
            f"spurious {region['spurious_share']:.3f}"
        )
    cal = figures["calibration"]
    lines.append(f"score calibration: ECE {cal['ece']:.3f}, Brier {cal['brier']:.3f}")
    lines += [
        f"  {b['bin']}  n {b['count']:>4}  mean score {b['mean_score']:.3f}  "
        f"observed {b['observed']:.3f}"
        for b in cal["bins"]
    ]
    return lines


def render_text(report: dict[str, Any]) -> str:
    """The evaluation as plain-text tables, for the terminal and the figures file."""
    lines = [
        f"model {report['model']} ({report['backend']}), corpus {report['corpus_sha256'][:12]}"
    ]
    for name, figures in report["splits"].items():
        if figures.get("texts"):
            lines += ["", *_split_lines(name, figures)]
    targets = report.get("targets_met", {})
    if targets:
        met = ", ".join(
            f"{k} >= {TARGETS[k]:.2f}: {'met' if ok else 'NOT met'}" for k, ok in targets.items()
        )
        lines += ["", f"targets on the test split: {met}"]
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    json_path = folder / "evaluation.json"
    text_path = folder / "evaluation.txt"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    text_path.write_text(render_text(report), encoding="utf-8")
    return json_path, text_path
