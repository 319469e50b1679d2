"""From a backend's probabilities to a decision (DESIGN §4), the same for every backend.

Thresholds are tuned on the dev split when a model is trained and saved with it:
``money_trouble`` is ``score >= thresholds.trouble``; a topic is on when its probability
reaches its own threshold; ``kind`` is the most probable kind, and a money-trouble decision
is always ``personal``. Severity comes from the lexicon: the most severe trouble term found,
at least 1 for a positive decision. The region is the place named in the text, else the
source's own region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from nlp.gazetteer import Region
from nlp.taxonomy import KINDS, TOPICS, Classification, Evidence, LabelScores
from nlp.textprep import Analysis

EVIDENCE_SIGNALS = {
    "trouble": "trouble term",
    "personal": "about the writer",
    "negation": "negation",
    "other_person": "about someone else",
    "help": "help text",
    "news": "news",
    "ad": "advertisement",
    "theme": "theme",
}


@dataclass
class Thresholds:
    trouble: float = 0.5
    topics: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TOPICS, 0.5))

    def as_dict(self) -> dict:
        return {"trouble": self.trouble, "topics": dict(self.topics)}

    @classmethod
    def from_dict(cls, data: dict) -> Thresholds:
        topics = dict.fromkeys(TOPICS, 0.5) | {k: float(v) for k, v in data["topics"].items()}
        return cls(float(data["trouble"]), topics)


def decide(
    analysis: Analysis,
    scores: LabelScores,
    thresholds: Thresholds,
    region_hint: Region | None = None,
) -> Classification:
    money_trouble = scores.trouble >= thresholds.trouble
    kind = "personal" if money_trouble else max(KINDS, key=lambda k: scores.kind.get(k, 0.0))
    topics = tuple(t for t in TOPICS if scores.topics.get(t, 0.0) >= thresholds.topics[t])
    severity = 0
    if money_trouble:
        found = [m.term.severity for m in analysis.matches if m.term.signal == "trouble"]
        severity = max([1, *found])
    place = analysis.place
    region = place.region if place else region_hint
    evidence = _evidence(analysis, money_trouble, kind)
    return Classification(
        money_trouble=money_trouble,
        score=scores.trouble,
        kind=kind,
        topics=topics,
        severity=severity,
        region=region,
        evidence=evidence,
    )


# Which lexicon signals explain which decision; trouble terms, themes and the place always do.
_ALWAYS = {"trouble", "theme"}
_FOR_DECISION = {
    "money_trouble": {"personal"},
    "help": {"help"},
    "news": {"news"},
    "other": {"ad", "other_person"},
    "personal": {"negation", "other_person"},  # a personal post without money trouble
}


def _evidence(analysis: Analysis, money_trouble: bool, kind: str) -> tuple[Evidence, ...]:
    wanted = _ALWAYS | _FOR_DECISION["money_trouble" if money_trouble else kind]
    spans = {
        Evidence(m.start, m.end, analysis.text[m.start : m.end], EVIDENCE_SIGNALS[m.term.signal])
        for m in analysis.matches
        if m.term.signal in wanted
    }
    if analysis.place:
        place = analysis.place
        spans.add(Evidence(place.start, place.end, place.text, "place"))
    # "ik" inside "ik kan", both about the writer: the longer span says it
    kept = [
        e
        for e in spans
        if not any(
            o is not e
            and o.reason == e.reason
            and o.start <= e.start
            and e.end <= o.end
            and (o.end - o.start) > (e.end - e.start)
            for o in spans
        )
    ]
    return tuple(sorted(kept, key=lambda e: (e.start, e.end, e.reason)))


def best_threshold(scores: Sequence[float], gold: Sequence[bool]) -> float:
    """The threshold with the highest F1 on (scores, gold); ties go to the higher one."""
    candidates = sorted({*scores, 0.5})
    best, best_f1 = 0.5, -1.0
    positives = sum(gold)
    for threshold in candidates:
        if not 0.05 <= threshold <= 0.95:
            continue
        tp = sum(s >= threshold and g for s, g in zip(scores, gold, strict=True))
        fp = sum(s >= threshold and not g for s, g in zip(scores, gold, strict=True))
        f1 = 2 * tp / (2 * tp + fp + (positives - tp)) if positives else 0.0
        if f1 >= best_f1:
            best, best_f1 = threshold, f1
    return best


def tune_thresholds(
    scores: Sequence[LabelScores], money_trouble: Sequence[bool], topics: Sequence[Sequence[str]]
) -> Thresholds:
    return Thresholds(
        trouble=best_threshold([s.trouble for s in scores], money_trouble),
        topics={
            topic: best_threshold(
                [s.topics.get(topic, 0.0) for s in scores], [topic in g for g in topics]
            )
            for topic in TOPICS
        },
    )
