"""Detector for person names in Dutch text.

Dutch capitalises only proper nouns and sentence starts, so a capitalised word inside a
sentence that is a known first name or surname is almost always a person. Names that are also
ordinary words, places or brands (``data/names/ambiguous_names.txt``: Roos, Bas, Visser, Best)
need more: a cue before them (mevrouw, oma, groetjes, ik ben, t.n.v.), a surname after them,
another name they are listed with ("Roel en Iris"), or a mid-sentence capital that is not
after a place preposition ("in Best").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from nlp.names import NameLists, name_lists
from nlp.scrub_numbers import Span

_TOKEN = re.compile(
    r"(?P<initials>(?<![\w.])[A-ZÀ-ÖØ-Þ]\.(?: ?[A-ZÀ-ÖØ-Þ]\.){0,3})"
    r"|(?P<word>[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*)"
)
_TITLE_OR_RELATION = re.compile(
    r"(?:^|[^\w])(?:mevrouw|mevr\.?|mw\.?|meneer|mr\.?|dhr\.?|heer|fam\.?|familie|dokter|"
    r"dr\.?|drs\.?|ir\.?|ing\.?|prof\.?|juf|juffrouw|meester|zuster|dominee|ds\.?|oma|opa|"
    r"tante|oom|zus|zusje|broer|broertje|buurman|buurvrouw|buurjongen|buurmeisje|collega|"
    r"zoon|zoontje|dochter|dochtertje|moeder|vader|mama|papa|mam|pap|schoonmoeder|"
    r"schoonvader|vriend|vriendin|vriendje|vriendinnetje|nicht|neef|ex|partner|"
    r"t\.?n\.?v\.?|namens|een zekere|genaamd|heet|heette|ik ben|mijn naam is|naam ?:?|"
    r"debiteur ?:|huurder ?:|afzender ?:|contactpersoon ?:|aanvrager ?:)[ \t]*$",
    re.I,
)
_GREETING = re.compile(
    r"(?:^|[^\w])(?:groetjes|groeten|groet|gr|mvg|m\.v\.g\.|liefs|hoi|hallo|hey|hee|hi|beste|"
    r"lieve|dag|doei|bedankt|dank|tnx|thanks|dankjewel|kusjes|xx|x)[\s,.!:]*$",
    re.I,
)
_PLACE_PREPOSITION = re.compile(
    r"(?:^|[^\w])(?:in|uit|naar|bij|te|rond|richting|via|nabij|omgeving|regio|gemeente|"
    r"provincie|vanuit)[ \t]*$",
    re.I,
)
_ARTICLE = re.compile(r"(?:^|[^\w])(?:de|het|een|die|dat|deze|onze|hun)[ \t]*$")
# Particles that begin a surname written on its own ("De Wit", "Van Dijk"); "In", "Op" and
# "Aan" also begin sentences far more often than names.
_SURNAME_INITIAL_PARTICLES = frozenset("van de den der ter ten von du da le la el al".split())
_COORDINATION = re.compile(r"^(?:,? en |, | & | of |,)$")
_SENTENCE_END = ".!?\n:;"
_OPENING_MARKS = " \t\"'«‘“(*-–—"


@dataclass
class _Token:
    text: str
    start: int
    end: int
    initials: bool
    sentence_start: bool

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper() and not (len(self.text) > 1 and self.text.isupper())


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        # A bounded look back keeps long pages linear; 40 characters of only spaces and
        # quotes before a word are as good as a sentence start.
        before = text[max(0, match.start() - 40) : match.start()].rstrip(_OPENING_MARKS)
        tokens.append(
            _Token(
                text=match.group(),
                start=match.start(),
                end=match.end(),
                initials=match.group("initials") is not None,
                sentence_start=not before or before[-1] in _SENTENCE_END,
            )
        )
    return tokens


def _adjacent(text: str, left: _Token, right: _Token) -> bool:
    """Only spaces between two tokens: they can belong to one name."""
    gap = text[left.end : right.start]
    return 0 < len(gap) <= 2 and gap.strip(" ") == ""


@cache
def _not_person_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    longest_first = sorted(names, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, longest_first))})(?!\w)")


def _protected_ranges(text: str, lists: NameLists) -> list[tuple[int, int]]:
    return [m.span() for m in _not_person_pattern(lists.not_person_names).finditer(text)]


class _NameFinder:
    def __init__(self, text: str, lists: NameLists):
        self.text = text
        self.lists = lists
        self.tokens = _tokens(text)

    def _before(self, token: _Token) -> str:
        return self.text[max(0, token.start - 40) : token.start]

    def _is_listed(self, word: str) -> bool:
        return word in self.lists.first_names or word in self.lists.surnames

    def _surname_follows(self, index: int, any_capitalised: bool = False) -> bool:
        """The next tokens are a known surname: "Visser", "de Wit", "van der Berg".

        After initials any capitalised word is a surname ("J.P. Hendriksma"); elsewhere an
        unknown word after a particle is more often a place ("Den Haag", "Bergen op Zoom").
        """
        for following in self.tokens[index + 1 : index + 4]:
            if not _adjacent(self.text, self.tokens[index], following):
                return False
            if following.text.lower() in self.lists.particles:
                index += 1
                continue
            return following.capitalised and (
                any_capitalised or following.text in self.lists.surnames
            )
        return False

    def starts_name(self, index: int) -> bool:
        token = self.tokens[index]
        if token.initials:
            return self._surname_follows(index, any_capitalised=True)
        before = self._before(token)
        if token.text in self.lists.particles and _TITLE_OR_RELATION.search(before):
            return self._surname_follows(index, any_capitalised=True)  # "mevrouw de Boer"
        if not token.capitalised:
            return False
        word, lists = token.text, self.lists
        listed = self._is_listed(word)
        if _TITLE_OR_RELATION.search(before):
            return True
        if listed and _GREETING.search(before):
            return True
        if word.lower() in lists.particles:
            # "De Wit", "Van Dijk": a capitalised particle before a known surname
            return word.lower() in _SURNAME_INITIAL_PARTICLES and self._surname_follows(index)
        if not listed:
            return False
        if word.lower() not in lists.ambiguous:
            return True
        if self._surname_follows(index):
            return True
        # "op de Dam", "het Kruis": after an article the word is a thing or a place
        return not (
            token.sentence_start or _PLACE_PREPOSITION.search(before) or _ARTICLE.search(before)
        )

    def name_end(self, index: int, protected: set[int]) -> int:
        """Extend a name over particles and capitalised words that follow it directly."""
        end_index = index
        pending_particles = 0
        for following in range(index + 1, min(index + 6, len(self.tokens))):
            token = self.tokens[following]
            if following in protected or not _adjacent(
                self.text, self.tokens[following - 1], token
            ):
                break
            if token.text.lower() in self.lists.particles:
                pending_particles += 1
                continue
            if not (token.capitalised or token.initials):
                break
            end_index, pending_particles = following, 0
        return self.tokens[end_index].end

    def find(self) -> Iterator[Span]:
        protected = self._protected_tokens()
        found = {
            index
            for index in range(len(self.tokens))
            if index not in protected and self.starts_name(index)
        }
        self._add_coordinated(found, protected)
        covered_until = -1
        for index in sorted(found):
            token = self.tokens[index]
            if token.start < covered_until:
                continue
            covered_until = self.name_end(index, protected)
            yield token.start, covered_until, "NAAM"

    def _protected_tokens(self) -> set[int]:
        """Indices of tokens inside a not-a-person name ("Albert Heijn", "Den Haag")."""
        ranges = _protected_ranges(self.text, self.lists)  # in text order, not overlapping
        protected, current = set(), 0
        for index, token in enumerate(self.tokens):
            while current < len(ranges) and ranges[current][1] <= token.start:
                current += 1
            if current < len(ranges) and ranges[current][0] <= token.start:
                protected.add(index)
        return protected

    def _add_coordinated(self, found: set[int], protected: set[int]) -> None:
        """Listed names next to a found name are names too: "Roel en Iris", "Roos, Jade"."""
        queue = list(found)
        while queue:
            index = queue.pop()
            for neighbour in (index - 1, index + 1):
                if neighbour in found or neighbour in protected:
                    continue
                if not 0 <= neighbour < len(self.tokens):
                    continue
                token = self.tokens[neighbour]
                if not (token.capitalised and self._is_listed(token.text)):
                    continue
                left, right = sorted((self.tokens[index], token), key=lambda t: t.start)
                if _COORDINATION.match(self.text[left.end : right.start]):
                    found.add(neighbour)
                    queue.append(neighbour)


def person_names(text: str) -> Iterator[Span]:
    yield from _NameFinder(text, name_lists()).find()
