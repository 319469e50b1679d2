"""Readability of Dutch campaign text at level B1: sentences, syllables, Flesch-Douma, rare words.

Thresholds, and why:

- Sentence length. Plain-language guidance for Dutch at B1 (the CEFR level most adults read
  with ease) asks for short sentences: about 15 words on average, rarely more than 20. A
  sentence of more than ``LONG_SENTENCE_WARNING`` (20) words is a warning; more than
  ``LONG_SENTENCE_ERROR`` (30) is an error, because many readers lose the thread of such a
  sentence.
- Flesch-Douma. W.H. Douma adapted Rudolf Flesch's Reading Ease formula to Dutch (1960):
  ``206.835 - 0.93 * words/sentence - 77 * syllables/word``. As with Flesch's own scale,
  60-70 reads as "easy" (plain text for a wide audience), 30-50 as "difficult" (officialese,
  policy text). Below ``FLESCH_DOUMA_WARNING`` (60) is a warning and below
  ``FLESCH_DOUMA_ERROR`` (45) an error. A formula on one or two sentences says little, so the
  score is only judged on texts of at least ``MIN_SENTENCES_FOR_SCORE`` (3) sentences.
- Uncommon words. B1 readers know the common words of the language. A word whose Zipf
  frequency in the ``wordfreq`` Dutch list is below ``UNCOMMON_ZIPF`` (3.0, about once per
  million words) counts as uncommon; more than ``UNCOMMON_SHARE_WARNING`` (10%) of them is a
  warning. Dutch glues nouns together ("betaalregeling"), and the frequency list knows few
  compounds, so a word made of two common words counts as common. Numbers, web and e-mail
  addresses, placeholders ("[NAAM]", "{link}"), abbreviations in capitals ("CAK") and
  capitalised words inside a sentence (names) are not judged.

These are the general readability measures used in Dutch plain-language work; they flag
texts to reread, they do not replace reading the text with the audience in mind.

Conventions: every line break between a line that ends a sentence (or a heading) and a new
line ends a sentence, as does a list bullet; a line that runs on in lower case is one
sentence wrapped over lines. Numbers, addresses and placeholders count as words of one
syllable.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import NamedTuple

from nlp.findings import Finding, finding_at
from nlp.normalise import fold_accents

LONG_SENTENCE_WARNING = 20
LONG_SENTENCE_ERROR = 30
FLESCH_DOUMA_WARNING = 60.0
FLESCH_DOUMA_ERROR = 45.0
MIN_SENTENCES_FOR_SCORE = 3
UNCOMMON_ZIPF = 3.0
UNCOMMON_SHARE_WARNING = 0.10

# Abbreviations after which a full stop never ends the sentence: they stand before what they
# introduce. ("enz." and "etc." can end one, so they are not here.)
ABBREVIATIONS = frozenset(
    "bijv bv b.v o.a d.w.z t.o.v m.b.t i.p.v n.a.v m.u.v i.v.m t.a.v incl excl evt ca nr tel "
    "dhr mevr mw mr dr drs ir ing prof zgn blz max min vs resp st str jl".split()
)

_URL = r"(?:https?://|www\.)[^\s<>\"]+?(?=[.,;:!?)\]\"'”’]*(?:\s|$))"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_DOMAIN = (
    r"(?i:\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:nl|be|com|org|net|eu|info)\b"
    r"(?:/[^\s]*?(?=[.,;:!?)\]]*(?:\s|$)))?)"
)
_PLACEHOLDER = r"\[[A-Z_]+\]|\{\{?[^{}\n]*\}?\}"
_TOKEN = re.compile(
    rf"(?P<url>{_URL})|(?P<email>{_EMAIL})|(?P<domain>{_DOMAIN})"
    rf"|(?P<placeholder>{_PLACEHOLDER})|(?P<abbreviation>\b(?:[^\W\d_]\.){{2,}})"
    r"|(?P<number>\d(?:[\w.,:/-]*\w)?)"
    r"|(?P<word>[^\W\d_](?:[\w'’-]*\w)?)"
)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s|$)")
_BULLET = re.compile(r"(?:[-–—•*·▪►✓✔]|\d{1,2}[.)]|[a-zA-Z][.)])\s+")
_NEXT_CHAR = re.compile(r"\s*(\S)")
_LIST_NUMBER = re.compile(r"\s*(?:\d{1,2}|[a-zA-Z])")
_ENDS_SENTENCE_OR_CLAUSE = re.compile(r"[.!?…:;][\"'”’»)\]]*$")


class Token(NamedTuple):
    text: str
    start: int
    end: int
    kind: str  # word, number, url, email, domain, placeholder or abbreviation (o.a.)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str
    tokens: tuple[Token, ...]

    @property
    def words(self) -> int:
        return len(self.tokens)


@dataclass(frozen=True)
class ReadabilityScore:
    flesch_douma: float  # 0.0 for a text without words
    sentences: int
    words: int
    syllables: int
    mean_sentence_words: float
    max_sentence_words: int
    uncommon_share: float  # of the words that were judged (see the module docstring)
    uncommon_words: list[str] = field(default_factory=list)  # distinct, in text order

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# --- syllables -------------------------------------------------------------------------

_VOWELS = frozenset("aeiouyàáâäèéêëìíîïòóôöùúûü")
_DIAERESIS = frozenset("äëïöü")
# Letter groups that make one vowel sound, longest first: "mooi", "nieuw", "bureau", "huis".
_NUCLEI = "aai ooi oei eeu ieu eau aa ee oo uu ie oe eu ui ei ij ou au ai ey ay oy".split()


_VOWEL_RUN = re.compile(r"(?:ij|[aeiouyàáâäèéêëìíîïòóôöùúûü])+")  # the j of "ij" is a vowel


def _nuclei_in_run(run: str) -> int:
    # A diaeresis starts a new syllable ("ruïne", "financiële", "beëindigen"), and may begin a
    # vowel group of its own ("be-ëin-di-gen").
    segments: list[str] = []
    for char in run:
        if char in _DIAERESIS or not segments:
            segments.append(char)
        else:
            segments[-1] += char
    count = 0
    for segment in map(fold_accents, segments):
        index = 0
        while index < len(segment):
            index += next((len(n) for n in _NUCLEI if segment.startswith(n, index)), 1)
            count += 1
    return count


def count_syllables(word: str) -> int:
    """Syllables of a Dutch word, counted as its vowel groups; at least one."""
    word = word.casefold()
    if word[:1] == "y" and word[1:2] in _VOWELS:
        word = word[1:]  # "yoga", "yell": a consonant
    return max(1, sum(_nuclei_in_run(run) for run in _VOWEL_RUN.findall(word)))


# --- sentences and words ------------------------------------------------------------------


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``text[start:end]``; addresses, numbers and placeholders are one token."""
    stop = len(text) if end is None else end
    return [
        Token(m.group(), m.start(), m.end(), m.lastgroup or "word")
        for m in _TOKEN.finditer(text, start, stop)
    ]


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _is_abbreviation(text: str, stop: int) -> bool:
    """Whether the full stop at ``stop`` closes an abbreviation or an initial ("J.")."""
    chunk = text[max(text.rfind(" ", 0, stop), text.rfind("\n", 0, stop)) + 1 : stop]
    chunk = chunk.lstrip("([{\"'“‘„")
    if len(chunk) == 1 and chunk.isupper() and chunk != "U":
        return True
    return chunk.casefold() in ABBREVIATIONS


def _full_stop_boundaries(text: str) -> set[int]:
    cuts = set()
    for m in _SENTENCE_END.finditer(text):
        after = _NEXT_CHAR.match(text, m.end())
        if after and after.group(1).islower():
            continue  # "bijv. huur", "Help! ik ...": the sentence runs on
        if m.group()[0] == "." and len(m.group().rstrip("\"'”’»)]")) == 1:
            if _is_abbreviation(text, m.start()):
                continue
            if _LIST_NUMBER.fullmatch(text[_line_start(text, m.start()) : m.start()]):
                continue  # "1. Bel ons" is a numbered list item, not a sentence "1."
        cuts.add(m.end())
    return cuts


def _line_boundaries(text: str) -> set[int]:
    # A line break ends a sentence unless the line runs on in lower case (wrapped text).
    cuts = set()
    lines = text.split("\n")
    offset = 0
    for line, following in zip(lines, lines[1:], strict=False):
        offset += len(line) + 1
        stripped, upcoming = line.strip(), following.lstrip()
        if (
            not stripped
            or _BULLET.match(upcoming)
            or _ENDS_SENTENCE_OR_CLAUSE.search(stripped)
            or not upcoming[:1].islower()
        ):
            cuts.add(offset)
    return cuts


def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their spans, list bullets left off; stretches without words are dropped."""
    cuts = sorted({0, len(text)} | _full_stop_boundaries(text) | _line_boundaries(text))
    sentences = []
    for begin, end in zip(cuts, cuts[1:], strict=False):
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if begin == _line_start(text, begin) and (bullet := _BULLET.match(text, begin, end)):
            begin = bullet.end()
        found = tuple(tokens(text, begin, end))
        if found:
            sentences.append(Sentence(begin, end, text[begin:end], found))
    return sentences


# --- uncommon words -------------------------------------------------------------------------


@lru_cache(maxsize=50_000)
def zipf(word: str) -> float:
    """Zipf frequency of a lower-case word in wordfreq's Dutch list (0 when unknown)."""
    from wordfreq import zipf_frequency  # loaded on first use: its tables take a moment

    return zipf_frequency(word.replace("’", "'"), "nl")


def _compound_zipf(word: str) -> float:
    """The frequency of the rarer part, for a word made of two known words; else 0."""
    best = 0.0
    for cut in range(3, len(word) - 3):
        head, tail = word[:cut], word[cut:]
        heads = [head]
        if head.endswith("s") and len(head) > 3:  # the linking s of "woningsnood"
            heads.append(head[:-1])
        if head.endswith("e") and len(head) > 3:  # "huizenmarkt", "pannenkoek"
            heads.append(head[:-1])
        tails = [tail, tail[:-2] if tail.endswith("en") else tail, tail.rstrip("s")]
        tail_zipf = max(zipf(t) for t in tails if len(t) >= 4)
        if tail_zipf < UNCOMMON_ZIPF:
            continue
        best = max(best, min(tail_zipf, max(zipf(h) for h in heads)))
    return best


@lru_cache(maxsize=50_000)
def is_uncommon(word: str) -> bool:
    """Whether a (lower-case) Dutch word is uncommon: Zipf below 3, and not a compound of two
    common words."""
    if zipf(word) >= UNCOMMON_ZIPF:
        return False
    if "-" in word or "'" in word or len(word) < 7:
        return True
    return _compound_zipf(word) < UNCOMMON_ZIPF


def _judged(token: Token, first: bool) -> bool:
    word = token.text
    if token.kind != "word" or len(word) < 2 or any(c.isdigit() for c in word):
        return False
    if sum(c.isupper() for c in word) >= 2:
        return False  # an abbreviation in capitals (CAK, WSNP)
    return first or not word[0].isupper()  # a capital inside a sentence: a name


def _uncommon(sentences: list[Sentence]) -> tuple[int, list[Token]]:
    judged = 0
    found = []
    for sentence in sentences:
        for index, token in enumerate(sentence.tokens):
            if _judged(token, first=index == 0):
                judged += 1
                if is_uncommon(token.text.casefold().replace("’", "'")):
                    found.append(token)
    return judged, found


# --- scores and findings --------------------------------------------------------------------


def flesch_douma(words: int, sentences: int, syllables: int) -> float:
    """Douma's Dutch Reading Ease: higher is easier; 60-70 is easy."""
    if not words or not sentences:
        return 0.0
    return 206.835 - 0.93 * (words / sentences) - 77 * (syllables / words)


def _syllables(token: Token) -> int:
    return count_syllables(token.text) if token.kind == "word" else 1


def _score(sentences: list[Sentence]) -> tuple[ReadabilityScore, list[Token]]:
    counts = [s.words for s in sentences]
    words = sum(counts)
    syllables = sum(_syllables(t) for s in sentences for t in s.tokens)
    judged, uncommon = _uncommon(sentences)
    distinct = list(dict.fromkeys(t.text.casefold() for t in uncommon))
    score = ReadabilityScore(
        flesch_douma=flesch_douma(words, len(sentences), syllables),
        sentences=len(sentences),
        words=words,
        syllables=syllables,
        mean_sentence_words=words / len(sentences) if sentences else 0.0,
        max_sentence_words=max(counts, default=0),
        uncommon_share=len(uncommon) / judged if judged else 0.0,
        uncommon_words=distinct,
    )
    return score, uncommon


def readability(text: str) -> ReadabilityScore:
    """Flesch-Douma, sentence lengths and the share of uncommon words of ``text``."""
    return _score(split_sentences(text))[0]


def _sentence_findings(text: str, sentences: list[Sentence]) -> list[Finding]:
    found = []
    for sentence in sentences:
        n = sentence.words
        if n <= LONG_SENTENCE_WARNING:
            continue
        if n > LONG_SENTENCE_ERROR:
            severity, why = "error", f"Deze zin is erg lang: {n} woorden. "
            why += "Bij zinnen van meer dan 30 woorden raken veel lezers de draad kwijt."
        else:
            severity, why = "warning", f"Deze zin heeft {n} woorden. "
            why += "Op B1-niveau zijn zinnen kort: gemiddeld 15 woorden, niet meer dan 20."
        found.append(
            finding_at(
                text,
                sentence.start,
                sentence.end,
                check="readability.sentence_length",
                severity=severity,
                explanation=why,
                suggestion="Maak er twee of drie korte zinnen van, met één boodschap per zin.",
            )
        )
    return found


def _whole_text(text: str) -> tuple[int, int]:
    start = len(text) - len(text.lstrip())
    return start, len(text.rstrip())


def _score_findings(text: str, score: ReadabilityScore) -> list[Finding]:
    if score.sentences < MIN_SENTENCES_FOR_SCORE or score.flesch_douma >= FLESCH_DOUMA_WARNING:
        return []
    severity = "error" if score.flesch_douma < FLESCH_DOUMA_ERROR else "warning"
    start, end = _whole_text(text)
    return [
        finding_at(
            text,
            start,
            end,
            check="readability.flesch_douma",
            severity=severity,
            explanation=(
                f"De tekst scoort {score.flesch_douma:.0f} op de leesbaarheidsschaal van "
                "Flesch-Douma. Hoe hoger, hoe makkelijker. Voor B1 is 60 of hoger goed. "
                "Onder de 45 is de tekst moeilijk voor veel lezers."
            ),
            suggestion=(
                f"Schrijf kortere zinnen (nu gemiddeld {score.mean_sentence_words:.0f} "
                "woorden, maak dat 15 of minder) en kies korte, gewone woorden."
            ),
        )
    ]


def _uncommon_findings(text: str, score: ReadabilityScore, uncommon: list[Token]):
    if score.uncommon_share <= UNCOMMON_SHARE_WARNING:
        return []
    start, end = _whole_text(text)
    listed = ", ".join(score.uncommon_words[:12])
    found = [
        finding_at(
            text,
            start,
            end,
            check="readability.uncommon_words",
            severity="warning",
            explanation=(
                f"{score.uncommon_share:.0%} van de woorden komt weinig voor in het "
                f"Nederlands. Voor B1 is meer dan 10% te veel. Het gaat om: {listed}."
            ),
            suggestion=(
                "Kies gewone woorden die iedereen kent. Moet een moeilijk woord blijven? "
                "Leg het dan uit in een korte zin."
            ),
        )
    ]
    for token in uncommon:
        found.append(
            finding_at(
                text,
                token.start,
                token.end,
                check="readability.uncommon_word",
                severity="info",
                explanation=f"'{token.text}' is een woord dat weinig mensen gebruiken.",
                suggestion="Zoek een gewoner woord, of leg dit woord uit.",
            )
        )
    return found


def readability_findings(text: str) -> list[Finding]:
    """Long sentences, a low Flesch-Douma score and too many uncommon words, in text order."""
    sentences = split_sentences(text)
    score, uncommon = _score(sentences)
    found = _sentence_findings(text, sentences)
    found += _score_findings(text, score)
    found += _uncommon_findings(text, score, uncommon)
    return sorted(found, key=lambda f: (f.start, f.end, f.check))
