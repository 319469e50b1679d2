"""The words and two-word phrases of a post, for counting which terms rise from week to week.

A post contributes each term once (document frequency), so one long rant repeating a word
does not make it "rise". Terms are lower-cased and folded ("financiële" and "financiele"
count together); Dutch function words, chat fillers, numbers and the scrubber's placeholders
("[NAAM]", "[TELEFOON]") are left out, so no trace of a removed name or number is counted.
A phrase is two kept words that stand next to each other in the text ("tikkie terug",
"klarna betalen"); a function word between them breaks the phrase.
"""

from __future__ import annotations

import re
from functools import cache

from nlp.normalise import fold_accents

MIN_WORD_CHARS = 3
MAX_WORD_CHARS = 40
MAX_TERMS_PER_POST = 300  # a pasted thread must not flood the counts

# Placeholders first (they must not leave "naam" behind), then addresses, then words.
_PLACEHOLDER = re.compile(r"\[[A-Z_]+\]")
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|[@#]\w+", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d\S*|[.,;:!?()\"“”‘’…]+")

# Chat words that carry no topic; spaCy's Dutch stop words miss them.
CHAT_FILLERS = frozenset(
    "ff effe nie nog wel echt gewoon zo heel toch hoor ofzo enzo iemand iets mensen ding "
    "dingen jaar maand week dag keer kan kunnen wil willen moet moeten gaat gaan heb hebt "
    "heeft hebben had zijn was waren wordt worden zou zouden weet weten denk denken zeg "
    "zegt zeggen vind vindt lol haha hahaha jaja nee neen ok oke okay thanks dank bedankt "
    "groet groeten hallo hoi hey".split()
)


@cache
def stop_words() -> frozenset[str]:
    from spacy.lang.nl.stop_words import STOP_WORDS

    return frozenset(fold_accents(w) for w in STOP_WORDS) | CHAT_FILLERS


def _kept(token: str) -> str | None:
    """The form a token is counted under, or None when it does not count."""
    if not token[0].isalpha():
        return None
    word = fold_accents(token.casefold()).replace("’", "'")
    if not MIN_WORD_CHARS <= len(word) <= MAX_WORD_CHARS or word in stop_words():
        return None
    return word


def post_terms(text: str) -> frozenset[str]:
    """Each word and two-word phrase of ``text`` worth counting, once."""
    # A removed link or placeholder breaks a phrase, as punctuation does: nobody wrote the
    # two words around it next to each other.
    text = _ADDRESS.sub(" . ", _PLACEHOLDER.sub(" . ", text))
    terms: set[str] = set()
    previous: str | None = None
    for match in _TOKEN.finditer(text):
        word = _kept(match.group())
        if word is not None:
            terms.add(word)
            if previous is not None:
                terms.add(f"{previous} {word}")
        previous = word
        if len(terms) >= MAX_TERMS_PER_POST:
            break
    return frozenset(terms)
