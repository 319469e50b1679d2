"""Language detection for Dutch (and Flemish) posts, with the lingua detector.

lingua ships its models inside the package, so it works offline; it is accurate on short
texts. Candidate languages are the ones met on Dutch social media; Afrikaans is left out on
purpose, because lingua otherwise takes a few informal Dutch posts for Afrikaans.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

CANDIDATE_LANGUAGES = (
    "DUTCH", "ENGLISH", "GERMAN", "FRENCH", "TURKISH", "ARABIC", "POLISH", "SPANISH",
    "ITALIAN", "PORTUGUESE", "INDONESIAN", "SOMALI", "ROMANIAN",
)  # fmt: skip


@dataclass(frozen=True)
class LanguageGuess:
    language: str  # ISO 639-1 code, e.g. "nl"; "" when undecided
    confidence: float  # 0..1 for that language


@cache
def _detector():
    from lingua import Language, LanguageDetectorBuilder

    languages = [getattr(Language, name) for name in CANDIDATE_LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_language(text: str) -> LanguageGuess:
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return LanguageGuess("", 0.0)
    best = values[0]
    return LanguageGuess(best.language.iso_code_639_1.name.lower(), best.value)


def detect_languages(texts: list[str]) -> list[LanguageGuess]:
    """Batch form of :func:`detect_language`; lingua spreads the work over the CPU cores."""
    results = _detector().compute_language_confidence_values_in_parallel(texts)
    guesses = []
    for values in results:
        best = values[0] if values else None
        guesses.append(
            LanguageGuess(best.language.iso_code_639_1.name.lower(), best.value)
            if best
            else LanguageGuess("", 0.0)
        )
    return guesses
