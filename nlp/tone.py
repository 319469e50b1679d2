"""Tone of Dutch campaign text: officialese, jargon, forced jollity and switches of perspective.

DESIGN §6: campaign content is neither officialese ("u dient", "middels") nor forced jollity
("Geen zorgen!"), keeps one perspective ("je" or "u", as the corporation has set, and no "de
huurder" beside it), and explains or replaces jargon (incasso, vordering, beslag).

Words and phrases live in ``data/lexicon/tone.tsv`` (columns ``pattern``, ``check``,
``severity``, ``explanation``, ``suggestion``), matched the way ``nlp.lexicon`` matches its
terms: lower-case words, accents folded, a part ending in ``*`` matches any word with that
beginning. Where patterns overlap, the one that starts first wins, then the longest, then the
most specific pattern ("incassobureau*" before "incasso*"). Rows with check ``allow`` report
nothing: they shield ordinary phrases ("automatische incasso", "veel tijd in beslag nemen")
from a shorter pattern inside them.

Quoted speech ("Een huurder vertelt: 'Ik durfde niet te bellen.'") is someone else's voice,
so the officialese, jollity and perspective checks skip it; jargon is still flagged there,
because the reader still has to understand it. Exclamation marks in a row and runs of emoji
are found by pattern, not by the word list.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from nlp.datafiles import data_path
from nlp.findings import SEVERITIES, Finding, finding_at
from nlp.lexicon import Lexicon, Term, Word, plain_words
from nlp.normalise import fold_accents

AddressForm = Literal["je", "u"]
LEXICON_CHECKS = ("tone.officialese", "tone.jargon", "tone.jollity")
ALLOW = "allow"
CHECKED_IN_QUOTES = frozenset({"tone.jargon"})
COLUMNS = ["pattern", "check", "severity", "explanation", "suggestion"]
_PATTERN = re.compile(r"[a-z0-9][a-z0-9'-]*\*?(?: [a-z0-9][a-z0-9'-]*\*?)*")


class ToneLexiconError(ValueError):
    """A row of the tone word list is not valid."""


@dataclass(frozen=True)
class ToneRule:
    pattern: str
    check: str
    severity: str  # one of SEVERITIES; "-" for allow rows
    explanation: str
    suggestion: str


class ToneLexicon:
    """The tone word list, matched on the words of a text."""

    def __init__(self, rules: Iterable[ToneRule]):
        self.rules = {rule.pattern: rule for rule in rules}
        self._lexicon = Lexicon(
            Term(rule.pattern, tuple(rule.pattern.split()), (), 0, rule.check)
            for rule in self.rules.values()
        )

    @classmethod
    def load(cls, path: Path | None = None) -> ToneLexicon:
        path = path or data_path("lexicon", "tone.tsv")
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            if reader.fieldnames != COLUMNS:
                raise ToneLexiconError(
                    f"{path.name}: the header must be {' '.join(COLUMNS)} (tab-separated), "
                    f"not {reader.fieldnames}"
                )
            rules = [_rule(row, path.name, line) for line, row in enumerate(reader, start=2)]
        seen: set[str] = set()
        for rule in rules:
            if rule.pattern in seen:
                raise ToneLexiconError(f"{path.name}: pattern {rule.pattern!r} is listed twice")
            seen.add(rule.pattern)
        return cls(rules)

    def find(self, words: list[Word]) -> list[tuple[ToneRule, int, int]]:
        """Matches that do not overlap, in text order; allow rows shield but are left out."""
        matches = sorted(
            self._lexicon.match(words),
            key=lambda m: (m.start, -m.end, -len(m.term.pattern.replace("*", ""))),
        )
        found = []
        covered_until = -1
        for match in matches:
            if match.start < covered_until:
                continue
            covered_until = match.end
            rule = self.rules[match.term.pattern]
            if rule.check != ALLOW:
                found.append((rule, match.start, match.end))
        return found


def _rule(row: dict[str, str], name: str, line: int) -> ToneRule:
    if None in row or any(row.get(column) is None for column in COLUMNS):
        raise ToneLexiconError(f"{name} line {line}: expected 5 tab-separated columns")
    rule = ToneRule(*(row[column].strip() for column in COLUMNS))
    pattern = fold_accents(rule.pattern.casefold())
    if pattern != rule.pattern or not _PATTERN.fullmatch(pattern):
        raise ToneLexiconError(
            f"{name} line {line}: pattern {rule.pattern!r} must be lower-case words without "
            "accents, separated by one space, each optionally ending in '*'"
        )
    if rule.check == ALLOW:
        return rule
    if rule.check not in LEXICON_CHECKS:
        raise ToneLexiconError(
            f"{name} line {line}: unknown check {rule.check!r}; use one of "
            f"{', '.join((*LEXICON_CHECKS, ALLOW))}"
        )
    if rule.severity not in SEVERITIES:
        raise ToneLexiconError(
            f"{name} line {line}: unknown severity {rule.severity!r}; use one of "
            f"{', '.join(SEVERITIES)}"
        )
    if not rule.explanation or not rule.suggestion:
        raise ToneLexiconError(f"{name} line {line}: explanation and suggestion are required")
    return rule


@cache
def shipped_tone_lexicon() -> ToneLexicon:
    return ToneLexicon.load()


# --- quotes ---------------------------------------------------------------------------------

# Typographic quotes pair well; inside them ’ may be an apostrophe ("zo’n"). Straight single
# quotes double as apostrophes ("auto's", "'s avonds"), so they open only before a word that
# is not a clipped article, and close only after a non-space not followed by a letter.
_QUOTES = re.compile(
    r"“[^”\n]*”|„[^”“\n]*[”“]|«[^»\n]*»|‘(?:[^’\n]|’(?=\w))*’(?!\w)|\"[^\"\n]*\""
    r"|(?<!\w)'(?!(?:s|t|n|k|m)\b)(?=\w)(?:[^'\n]|(?<=\w)'(?=\w))+?(?<=\S)'(?!\w)"
)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of quoted speech, quotation marks included."""
    return [(m.start(), m.end()) for m in _QUOTES.finditer(text)]


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


# --- jollity by pattern -----------------------------------------------------------------------

_EMOJI_BASE = (
    "[\U0001f300-\U0001f3fa\U0001f400-\U0001faff\u2600-\u27bf\u2b50\u2b55]"
    "\ufe0f?[\U0001f3fb-\U0001f3ff]?"
)
_EMOJI = rf"(?:[\U0001f1e6-\U0001f1ff]{{2}}|{_EMOJI_BASE}(?:\u200d{_EMOJI_BASE})*)"
_EMOJI_RUN = re.compile(rf"{_EMOJI}(?:[ \t]?{_EMOJI})+")
_EXCLAMATIONS = re.compile(r"[!?]*!(?:[!?]*!)+[!?]*|!\?+|\?+!")


_JOLLY_MARKS = (
    (
        _EXCLAMATIONS,
        "Meer leestekens achter elkaar klinken schreeuwerig of te vrolijk. "
        "Voor iemand met geldzorgen past dat niet.",
        "Gebruik één uitroepteken, of een punt.",
    ),
    (
        _EMOJI_RUN,
        "Een rij emoji's maakt de tekst te luchtig voor wie geldzorgen heeft.",
        "Laat de emoji's weg, of gebruik er hooguit één die past.",
    ),
)


def _jollity_marks(text: str) -> list[Finding]:
    return [
        finding_at(text, m.start(), m.end(), check="tone.jollity", severity="warning",
                   explanation=explanation, suggestion=suggestion)
        for pattern, explanation, suggestion in _JOLLY_MARKS
        for m in pattern.finditer(text)
    ]  # fmt: skip


# --- perspective -------------------------------------------------------------------------------

# Each form of the one address with its counterpart in the other, as a suggestion shows it.
JE_FORMS = {"je": "u", "jij": "u", "jou": "u", "jouw": "uw", "jezelf": "uzelf", "jullie": "u"}
U_FORMS = {"u": "je", "uw": "je (of jouw)", "uzelf": "jezelf"}
_VERB_NOTE = {
    "je": "Let op: het werkwoord verandert soms mee ('kunt u' wordt 'kun je').",
    "u": "Let op: het werkwoord verandert soms mee ('kun je' wordt 'kunt u').",
}
THIRD_PERSON = frozenset("huurder huurders klant klanten bewoner bewoners".split())
_SINGULAR = frozenset({"huurder", "klant", "bewoner"})
_DEFINITE = frozenset("de deze die elke iedere ieder elk".split())
# "Als huurder kun je ...", "Bent u klant bij ons?", "een andere huurder": no switch.
_ROLE = frozenset("als een u je jij ben bent uw jouw andere geen welke onze".split())
_SENTENCE_OPENERS = ".!?…:\n\"“‘'(-–•*"


def _is_pronoun(text: str, words: list[Word], index: int) -> bool:
    word = words[index]
    original = text[word.start : word.end]
    if original == "u" and index and words[index - 1].lower.isdigit():
        return False  # "van 9 tot 17 u"
    if original != "U":
        return True
    # A capital U is the pronoun only where a sentence starts ("U kunt ..."); elsewhere it is
    # a letter ("optie U", "U)", "U.").
    before = text[: word.start].rstrip(" \t")
    if text[word.end : word.end + 1] in (")", ".", ":"):
        return False
    return not before or before[-1] in _SENTENCE_OPENERS


def _pronouns(text: str, words: list[Word], quotes: list[tuple[int, int]]):
    je, u = [], []
    for index, word in enumerate(words):
        if _inside(word.start, quotes):
            continue
        if word.lower in JE_FORMS:
            je.append(word)
        elif word.lower in U_FORMS and _is_pronoun(text, words, index):
            u.append(word)
    return je, u


def _switch(text: str, word: Word, form: str, why: str) -> Finding:
    counterpart = {**JE_FORMS, **U_FORMS}[word.lower]
    shown = text[word.start : word.end]
    return finding_at(
        text,
        word.start,
        word.end,
        check="tone.perspective",
        severity="error",
        explanation=why + " Wisselen tussen 'je' en 'u' maakt een tekst onrustig.",
        suggestion=f"Schrijf '{counterpart}' in plaats van '{shown}'. {_VERB_NOTE[form]}",
    )


def _third_person(text: str, words: list[Word], quotes, form: str) -> list[Finding]:
    found = []
    for index, word in enumerate(words):
        if word.lower not in THIRD_PERSON or _inside(word.start, quotes):
            continue
        before = words[index - 1].lower if index else ""
        if before in _DEFINITE:
            start, severity = words[index - 1].start, "warning"
        elif before in _ROLE or before in ("wij", "we"):
            continue
        else:
            start, severity = word.start, "warning" if word.lower in _SINGULAR else "info"
        span = text[start : word.end]
        found.append(
            finding_at(
                text,
                start,
                word.end,
                check="tone.perspective",
                severity=severity,
                explanation=(
                    f"De tekst spreekt de lezer aan met '{form}', maar hier staat '{span}'. "
                    "Zo lijkt het of het over iemand anders gaat."
                ),
                suggestion=(
                    f"Spreek de lezer direct aan: schrijf '{form}' in plaats van '{span}'. "
                    "Gaat het echt over andere mensen? Maak dat dan duidelijk."
                ),
            )
        )
    return found


def perspective_findings(
    text: str,
    words: list[Word],
    quotes: list[tuple[int, int]],
    address_form: AddressForm | None,
) -> list[Finding]:
    """Uses of the other form of address, and third-person "de huurder" beside it."""
    je, u = _pronouns(text, words, quotes)
    if not je and not u:
        return []
    found = []
    if address_form is not None:
        other = u if address_form == "je" else je
        why = f"Jullie spreken lezers aan met '{address_form}'. Hier staat '{{}}'."
        for word in other:
            shown = text[word.start : word.end]
            found.append(_switch(text, word, address_form, why.format(shown)))
        form = address_form
    else:
        first_je = je[0].start if je else len(text)
        first_u = u[0].start if u else len(text)
        je_wins = len(je) > len(u) or (len(je) == len(u) and first_je < first_u)
        form, minority = ("je", u) if je_wins else ("u", je)
        if minority:
            why = (
                f"In deze tekst staat {len(je)} keer de je-vorm en {len(u)} keer de u-vorm. "
                "Kies één vorm voor de hele tekst."
            )
            found.append(_switch(text, minority[0], form, why))
    return found + _third_person(text, words, quotes, form)


# --- entry point -------------------------------------------------------------------------------


def _lexicon_findings(text: str, words: list[Word], quotes: list[tuple[int, int]]):
    found = []
    for rule, start, end in shipped_tone_lexicon().find(words):
        if rule.check not in CHECKED_IN_QUOTES and _inside(start, quotes):
            continue
        found.append(
            finding_at(
                text,
                start,
                end,
                check=rule.check,
                severity=rule.severity,  # type: ignore[arg-type]  # checked on load
                explanation=rule.explanation,
                suggestion=rule.suggestion,
            )
        )
    return found


def tone_findings(text: str, address_form: AddressForm | None = "je") -> list[Finding]:
    """Officialese, jargon, forced jollity and perspective switches in ``text``, in text order.

    ``address_form`` is the corporation's setting: every use of the other form is an error.
    With ``None`` the text's own majority form counts, and the first use of the minority
    form is reported.
    """
    if address_form not in ("je", "u", None):
        raise ValueError(f"address_form must be 'je', 'u' or None, not {address_form!r}")
    words = plain_words(text)
    quotes = quoted_spans(text)
    found = _lexicon_findings(text, words, quotes)
    found += [f for f in _jollity_marks(text) if not _inside(f.start, quotes)]
    found += perspective_findings(text, words, quotes, address_form)
    return sorted(found, key=lambda f: (f.start, f.end, f.check))
