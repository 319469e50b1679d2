"""What a content check reports: one finding, with where it is, why it matters and what to do.

Checks (``nlp.readability``, ``nlp.tone``) return findings; campaign code shows them to
communications staff next to the text. ``explanation`` and ``suggestion`` are written in
plain Dutch (B1) for those staff, so they can be shown as they are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem in a checked text.

    ``start`` and ``end`` are character offsets in the checked text (``text[start:end]`` is
    ``text``). A finding about the whole text spans the whole text.
    """

    check: str  # dotted name, e.g. "tone.officialese" or "readability.sentence_length"
    severity: Severity
    start: int
    end: int
    text: str
    explanation: str
    suggestion: str

    def as_dict(self) -> dict[str, str | int]:
        return asdict(self)


def finding_at(
    source: str,
    start: int,
    end: int,
    *,
    check: str,
    severity: Severity,
    explanation: str,
    suggestion: str,
) -> Finding:
    """A finding whose ``text`` is taken from ``source``, so span and text always agree."""
    return Finding(check, severity, start, end, source[start:end], explanation, suggestion)
