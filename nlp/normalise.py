"""Normalise scraped text: entities, Unicode forms, invisible characters and white space."""

from __future__ import annotations

import html
import re
import unicodedata

# Zero-width and formatting characters hide inside words and break matching, hashing and the
# scrubber; soft hyphens likewise.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


def normalise_text(text: str) -> str:
    """Plain, comparable text: entities decoded, NFC, no invisible characters, tidy spaces.

    Paragraph breaks are kept (at most one empty line); every other run of white space,
    non-breaking spaces included, becomes one space.
    """
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def comparable_text(text: str) -> str:
    """Lower case, letters and digits only: for duplicate detection, not for display."""
    return " ".join(re.findall(r"\w+", normalise_text(text).casefold()))


def fold_accents(text: str) -> str:
    """Letters without diacritics ("financiële" -> "financiele"): posts often leave them out."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
