"""Detector for street addresses: a street name followed by a house number.

A street is recognised by its last word ("...straat", "...laan", "Markt"), or, for streets
without such a word ("Kamperfoelie 18"), by a postcode right after the number. Words before
the street core are taken only when they belong to street names: ordinals ("2e"), titles
("Burgemeester", "Dr."), first names ("Ferdinand Bolstraat") and name particles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nlp.names import name_lists
from nlp.scrub_numbers import Span

_STREET_ENDINGS = (
    "straat straatweg weg laan plein gracht kade singel dijk pad hof dreef park steeg markt "
    "plantsoen ring baan boulevard allee wal haven veld erf hoek burg poort zijde dam vaart "
    "oord akker tuin hout brink kant rade hage hoeve meent gaarde wijk dwarsstraat dreve"
).split()
_WORD = r"(?:\d{1,2}(?:e|ste|de)|[^\W\d_][\w'’.-]*)"
_HOUSE_NUMBER = (
    r"\d{1,5}(?:(?:[ -]?(?:bis|hoog|huis|rood|rd|zwart|boven|beneden|bg|[IVX]{1,4}\b|"
    r"[A-Za-z]\b|\d{1,3}(?:hoog)?\b)))*"
)
_STREET_THEN_NUMBER = re.compile(
    rf"(?<![\w'’.-])({_WORD}(?: {_WORD}){{0,4}}) +(?:nr\.? ?)?"
    # "2e Hugo de Grootstraat": an ordinal before a capital starts a street, it is no number
    rf"(?!\d{{1,2}}(?:e|ste|de) [A-Z])({_HOUSE_NUMBER})(?![\w,.]\d)"
)
# "-ring" without "-ering": a Stadsring is a street, a verzekering is not.
_ENDS_LIKE_A_STREET = re.compile(
    rf"(?:{'|'.join(e for e in _STREET_ENDINGS if e != 'ring')}|(?<!e)ring)(?:-\w+)?$", re.I
)
# Streets written in lowercase ("weverstraat 9") are only recognised by unmistakable endings.
_UNMISTAKABLE_ENDINGS = re.compile(
    r"(?:straat|straatweg|laan|weg|plein|gracht|kade|singel|dijk|dreef|steeg|plantsoen)$"
)
_POSTCODE_AFTER = re.compile(r"[,\s]{0,3}[1-9]\d{3} ?[A-Za-z]{2}\b")
_CAPITALISED_ENDINGS = frozenset(ending.capitalize() for ending in _STREET_ENDINGS)
_STREET_PREFIXES = frozenset(
    "burgemeester burg. weth. wethouder dr. dokter prof. professor pr. prins prinses koning "
    "koningin graaf gravin hertog bisschop pastoor president generaal admiraal kapitein sint "
    "st. mgr. ds. jhr. lange korte nieuwe oude hoge lage grote kleine eerste tweede derde "
    "binnen buiten noord zuid oost west van de den der het 't ten ter op in aan bij laan".split()
)
_ORDINAL = re.compile(r"^\d+(?:e|ste|de)$")


def _street_start(words: list[str]) -> int:
    """Index of the first word of the street name; the last word is the street core."""
    first_names = name_lists().first_names
    start = len(words) - 1
    for index in range(len(words) - 2, -1, -1):
        word = words[index]
        if not (word.lower() in _STREET_PREFIXES or word in first_names or _ORDINAL.match(word)):
            break
        start = index
    # A street name never starts with a lowercase particle ("van Wilhelminastraat").
    while start < len(words) - 1 and words[start][0].islower():
        start += 1
    return start


def _street_words(words: list[str], postcode_follows: bool) -> list[str] | None:
    core = words[-1]
    if _ENDS_LIKE_A_STREET.search(core):
        if core.islower() and (core in _STREET_ENDINGS or not _UNMISTAKABLE_ENDINGS.search(core)):
            return None  # "de hoek 3", "zorgverzekering 152": a word, not a street name
        return words[_street_start(words) :]
    particles = name_lists().particles
    for index, word in enumerate(words[:-1]):
        # "Laan van Meerdervoort", "Plein van de Verenigde Naties"
        if word in _CAPITALISED_ENDINGS and words[index + 1].lower() in particles:
            return words[index:]
    if postcode_follows and core[:1].isupper():
        return words[_street_start(words) :]
    return None


def addresses(text: str) -> Iterator[Span]:
    for match in _STREET_THEN_NUMBER.finditer(text):
        street, number = match.group(1), match.group(2)
        words = street.split(" ")
        postcode_follows = bool(_POSTCODE_AFTER.match(text, match.end()))
        kept = _street_words(words, postcode_follows)
        if kept is None:
            continue
        start = match.start(1) + len(" ".join(words[: len(words) - len(kept)]))
        start += 1 if len(kept) < len(words) else 0
        yield start, match.start(2) + len(number.rstrip(" -")), "ADRES"
