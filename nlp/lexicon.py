"""The lexicon of money-trouble terms (``data/lexicon/terms.tsv``) and chat spelling.

Terms are matched on lower-case words or their lemmas, so "schulden" matches the pattern
"schuld"; a pattern ending in ``*`` matches any word with that beginning. Every match keeps
its character span: it is the evidence shown to staff. ``chat_spelling`` is the table of
chat words ("ff", "nie", "kzit") and their standard forms (``spelling.tsv``), which
``nlp.textprep`` applies word by word before matching.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

from nlp.datafiles import data_path
from nlp.normalise import fold_accents

SIGNALS = ("trouble", "theme", "help", "news", "ad", "personal", "negation", "other_person")
_WORD = re.compile(r"[^\W_](?:[\w'’-]*\w)?", re.U)
PREFIX_BUCKET = 3
MAX_MEMOISED_WORDS = 200_000


@dataclass(frozen=True)
class Term:
    pattern: str
    parts: tuple[str, ...]
    topics: tuple[str, ...]
    severity: int
    signal: str


class Word(NamedTuple):
    """A word: its lower-case form (accents folded), its lemma, and where it stands."""

    # A tuple, not a dataclass: texts are made of many words, and tuples are made fast.
    lower: str
    lemma: str
    start: int
    end: int


class TermMatch(NamedTuple):
    term: Term
    start: int
    end: int


def _part_matches(part: str, word: Word) -> bool:
    if part.endswith("*"):
        stem = part[:-1]
        return word.lower.startswith(stem) or word.lemma.startswith(stem)
    return part in (word.lower, word.lemma)


class Lexicon:
    def __init__(self, terms: Iterable[Term]):
        self.terms = list(terms)
        # Index by the first part: most words start no term at all. Prefix patterns are
        # bucketed by their first letters, so a word is compared with a handful, not hundreds.
        self._exact: dict[str, list[Term]] = {}
        self._prefixed: dict[str, list[Term]] = {}
        self._short_prefixed: list[Term] = []
        for term in self.terms:
            first = term.parts[0]
            if not first.endswith("*"):
                self._exact.setdefault(first, []).append(term)
            elif len(first) - 1 >= PREFIX_BUCKET:
                self._prefixed.setdefault(first[:PREFIX_BUCKET], []).append(term)
            else:
                self._short_prefixed.append(term)
        self._starts: dict[tuple[str, str], list[Term]] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        with (path or data_path("lexicon", "terms.tsv")).open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        return cls(
            Term(
                pattern=row["pattern"].strip(),
                parts=tuple(fold_accents(row["pattern"].strip().casefold()).split()),
                topics=tuple(t for t in (row.get("topics") or "").split("|") if t),
                severity=int(row.get("severity") or 0),
                signal=row["signal"].strip(),
            )
            for row in rows
            if row.get("pattern", "").strip()
        )

    def starting_at(self, word: Word) -> list[Term]:
        """Terms whose first part matches ``word``, longest first (memoised per word form)."""
        key = (word.lower, word.lemma)
        found = self._starts.get(key)
        if found is None:
            candidates = set(self._exact.get(word.lower, ())) | set(self._exact.get(word.lemma, ()))
            for form in {word.lower, word.lemma}:
                candidates.update(self._prefixed.get(form[:PREFIX_BUCKET], ()))
            candidates.update(self._short_prefixed)
            found = sorted(
                (t for t in candidates if _part_matches(t.parts[0], word)),
                key=lambda t: (-len(t.parts), t.pattern),
            )
            if len(self._starts) >= MAX_MEMOISED_WORDS:
                self._starts.clear()
            self._starts[key] = found
        return found

    def match(self, words: Sequence[Word]) -> list[TermMatch]:
        """Every term found in ``words``, longest first where they start at the same word."""
        found: list[TermMatch] = []
        for index, word in enumerate(words):
            for term in self.starting_at(word):
                if len(term.parts) == 1:
                    found.append(TermMatch(term, word.start, word.end))
                    continue
                end = index + len(term.parts)
                if end <= len(words) and all(
                    _part_matches(part, words[index + offset])
                    for offset, part in enumerate(term.parts[1:], start=1)
                ):
                    found.append(TermMatch(term, word.start, words[end - 1].end))
        return found


def plain_words(text: str) -> list[Word]:
    """Words without lemmas (the lemma is the lower-case form): for use without spaCy."""
    words = []
    for m in _WORD.finditer(text):
        lower = fold_accents(m.group().casefold())
        words.append(Word(lower, lower, m.start(), m.end()))
    return words


@cache
def shipped_lexicon() -> Lexicon:
    return Lexicon.load()


@cache
def chat_spelling() -> dict[str, str]:
    """Chat word (lower case) -> standard Dutch word or words, from ``spelling.tsv``.

    Rules that depend on context (their note starts with "context:", such as "me" for "mijn"
    before a noun) are left out; ``nlp.textprep`` applies the one it can decide.
    """
    with data_path("lexicon", "spelling.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {
        row["from"].casefold(): row["to"]
        for row in rows
        if row.get("from") and not (row.get("note") or "").casefold().startswith("context:")
    }
