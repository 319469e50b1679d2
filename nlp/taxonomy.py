"""The classifier's output (DESIGN §4): labels, and one decision per text with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nlp.gazetteer import Region

KINDS = ("personal", "help", "news", "other")
TROUBLE_TOPICS = ("huur", "energie", "schulden", "lenen", "inkomen")
THEME_TOPICS = ("vakantie", "feestdagen", "auto", "studie", "wonen", "winkelen")
TOPICS = TROUBLE_TOPICS + THEME_TOPICS
SEVERITIES = (0, 1, 2, 3)  # none, worry, arrears or debts, acute


@dataclass(frozen=True)
class Evidence:
    """A span of the text that weighed in the decision, and why (shown to staff)."""

    start: int
    end: int
    text: str
    reason: str  # "trouble term", "personal", "place", "model"

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text, "reason": self.reason}


@dataclass(frozen=True)
class Classification:
    money_trouble: bool
    score: float  # probability that the writer signals their own money trouble
    kind: str
    topics: tuple[str, ...]
    severity: int
    region: Region | None
    evidence: tuple[Evidence, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `opendeur classify` (keep it backwards compatible)."""
        return {
            "money_trouble": self.money_trouble,
            "score": round(self.score, 4),
            "kind": self.kind,
            "topics": list(self.topics),
            "severity": self.severity,
            "region": self.region.as_dict() if self.region else None,
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class LabelScores:
    """What a model backend says about one text: probabilities, before any decision."""

    kind: dict[str, float]  # one per KINDS, summing to about 1
    topics: dict[str, float]  # one per TOPICS, independent
    trouble: float  # probability of money_trouble
