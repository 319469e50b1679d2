"""Replace personal data in Dutch text with typed placeholders before anything is stored.

``scrub_personal_data("Bel Sanne op 06-12345678")`` gives ``"Bel [NAAM] op [TELEFOON]"``.
Detectors for each kind of data live in ``scrub_numbers``, ``scrub_addresses`` and
``scrub_names``; where their findings overlap, the kind listed first in ``DETECTORS`` wins
(an e-mail address is not also a name), and then the longer span.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nlp.scrub_addresses import addresses
from nlp.scrub_names import person_names
from nlp.scrub_numbers import (
    Span,
    bsns,
    emails,
    ibans,
    links,
    mentions,
    phone_numbers,
    postcodes,
)

PLACEHOLDERS = {
    "EMAIL": "[EMAIL]",
    "LINK": "[LINK]",
    "IBAN": "[IBAN]",
    "TELEFOON": "[TELEFOON]",
    "BSN": "[BSN]",
    "POSTCODE": "[POSTCODE]",
    "ADRES": "[ADRES]",
    "GEBRUIKER": "[GEBRUIKER]",
    "NAAM": "[NAAM]",
}
DETECTORS: tuple[Callable[[str], Iterable[Span]], ...] = (
    emails,
    links,
    ibans,
    phone_numbers,
    bsns,
    postcodes,
    addresses,
    mentions,
    person_names,
)
_PRIORITY = {kind: rank for rank, kind in enumerate(PLACEHOLDERS)}


@dataclass(frozen=True)
class Found:
    kind: str
    start: int  # offsets in the original text
    end: int


@dataclass(frozen=True)
class Scrubbed:
    text: str
    found: tuple[Found, ...]

    def counts(self) -> Counter[str]:
        return Counter(item.kind for item in self.found)


def find_personal_data(text: str) -> list[Found]:
    """Every stretch of personal data in ``text``, without overlaps, in text order."""
    candidates = [
        Found(kind, start, end) for detect in DETECTORS for start, end, kind in detect(text)
    ]
    candidates.sort(key=lambda f: (_PRIORITY[f.kind], f.start - f.end))
    starts: list[int] = []  # kept spans never overlap, so sorted starts also sort their ends
    kept: list[Found] = []
    for candidate in candidates:
        position = bisect.bisect_left(starts, candidate.start)
        if position > 0 and kept[position - 1].end > candidate.start:
            continue
        if position < len(kept) and kept[position].start < candidate.end:
            continue
        starts.insert(position, candidate.start)
        kept.insert(position, candidate)
    return kept


def scrub_personal_data(text: str) -> Scrubbed:
    """Replace names, contact data, account and citizen numbers and addresses by placeholders."""
    found = find_personal_data(text)
    parts, position = [], 0
    for item in found:
        parts += [text[position : item.start], PLACEHOLDERS[item.kind]]
        position = item.end
    parts.append(text[position:])
    return Scrubbed("".join(parts), tuple(found))
