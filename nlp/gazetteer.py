"""Dutch places in text: municipality (CBS code) and province, from ``data/gazetteer``.

Names are matched longest first ("Bergen op Zoom" before "Bergen"). A name that is also a
common word or person name ("Best", "Goes", "Sluis", listed in ``ambiguous.tsv``) counts only
when written with a capital after a place preposition or "gemeente" ("wij wonen in Best"). A
place name shared by several municipalities ("Hengelo") is settled by the source's province,
else left unresolved. An operator may pass the official CBS table instead of the shipped
``municipalities.tsv`` (same columns: code, name, province, aliases).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nlp.datafiles import data_path

PROVINCES = {
    "groningen": "Groningen", "fryslân": "Fryslân", "friesland": "Fryslân",
    "drenthe": "Drenthe", "overijssel": "Overijssel", "flevoland": "Flevoland",
    "gelderland": "Gelderland", "utrecht": "Utrecht", "noord-holland": "Noord-Holland",
    "zuid-holland": "Zuid-Holland", "zeeland": "Zeeland", "noord-brabant": "Noord-Brabant",
    "brabant": "Noord-Brabant", "limburg": "Limburg",
}  # fmt: skip
_PLACE_CUE = re.compile(
    r"(?:^|\W)(?:in|uit|bij|naar|te|rond|richting|omgeving|regio|gemeente|vanuit|nabij|"
    r"buurt van|wonen|woon|woont)\s*$",
    re.I,
)
_TOKEN = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?|'s-\w[\w-]*", re.U)
MAX_NAME_TOKENS = 5


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    province: str


@dataclass(frozen=True)
class Region:
    """A municipality (with its province), or only a province."""

    province: str
    municipality: Municipality | None = None

    def as_dict(self) -> dict[str, str | None]:
        municipality = self.municipality
        return {
            "code": municipality.code if municipality else None,
            "name": municipality.name if municipality else None,
            "province": self.province,
        }


@dataclass(frozen=True)
class PlaceMatch:
    region: Region
    start: int
    end: int
    text: str


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _key(name: str) -> str:
    return " ".join(name.casefold().replace("’", "'").split())


class Gazetteer:
    def __init__(
        self,
        municipalities: list[Municipality],
        names: dict[str, set[str]],
        ambiguous: set[str],
        villages: set[str] | None = None,
    ):
        self.by_code = {m.code: m for m in municipalities}
        self.names = names  # lower-case name -> municipality codes
        self.ambiguous = ambiguous  # lower-case names that need a cue
        # Names only known as villages or districts: many are also words ("anderen", a village
        # in Drenthe), so they count only when written with a capital.
        self.villages = villages or set()
        # The first word of every name: most words of a text start none, and are skipped
        # before any longer window is tried.
        self._first_words = {key.split()[0] for key in [*names, *PROVINCES] if key.split()}

    @classmethod
    def load(cls, municipalities_file: Path | None = None) -> Gazetteer:
        folder = data_path("gazetteer")
        rows = _rows(municipalities_file or folder / "municipalities.tsv")
        municipalities = [Municipality(r["code"], r["name"], r["province"]) for r in rows]
        names: dict[str, set[str]] = {}
        for row in rows:
            for name in [row["name"], *filter(None, (row.get("aliases") or "").split("|"))]:
                names.setdefault(_key(name), set()).add(row["code"])
        known = {m.code for m in municipalities}
        municipality_names = set(names)
        for row in _rows(folder / "places.tsv"):
            if row["code"] in known:  # an operator's newer table may have merged some away
                names.setdefault(_key(row["place"]), set()).add(row["code"])
        villages = set(names) - municipality_names
        # Names shared by several municipalities ("duplicate") are settled by the province;
        # the other reasons (a common word, a person's name, a foreign place) need a cue.
        ambiguous = {
            _key(r["name"]) for r in _rows(folder / "ambiguous.tsv") if r["reason"] != "duplicate"
        }
        return cls(municipalities, names, ambiguous, villages)

    def resolve(self, name: str | None, province_hint: str | None = None) -> Region | None:
        """A place or province name (a source's configured region) as a Region."""
        if not name:
            return None
        key = _key(name)
        if key in PROVINCES and key in self.villages:
            # "Zeeland" is a province first and a village in Maashorst second
            return Region(PROVINCES[key])
        codes = self.names.get(key, set())
        municipality = self._choose(codes, province_hint)
        if municipality:
            return Region(municipality.province, municipality)
        if key in PROVINCES:
            return Region(PROVINCES[key])
        return None

    def _choose(self, codes: set[str], province_hint: str | None) -> Municipality | None:
        candidates = [self.by_code[code] for code in sorted(codes)]
        if len(candidates) > 1 and province_hint:
            candidates = [m for m in candidates if m.province == province_hint]
        return candidates[0] if len(candidates) == 1 else None

    def find(self, text: str, province_hint: str | None = None) -> PlaceMatch | None:
        """The first place in ``text`` that names a municipality or a province."""
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
        first_words = self._first_words
        for index, (start, end) in enumerate(tokens):
            # a token is one word: its key is its lower case with one kind of apostrophe
            first = text[start:end].casefold().replace("’", "'")
            if first not in first_words and first.split("-")[0] not in first_words:
                continue
            match = self._match_at(text, tokens, index, province_hint)
            if match:
                return match
        return None

    def _match_at(self, text, tokens, index, province_hint) -> PlaceMatch | None:
        for size in range(min(MAX_NAME_TOKENS, len(tokens) - index), 0, -1):
            start, end = tokens[index][0], tokens[index + size - 1][1]
            surface = text[start:end]
            for candidate, candidate_end in self._variants(surface, end):
                region = self._region_for(candidate, text, start, province_hint)
                if region:
                    return PlaceMatch(region, start, candidate_end, text[start:candidate_end])
        return None

    @staticmethod
    def _variants(surface: str, end: int):
        yield surface, end
        if "-" in surface and " " not in surface:
            # "Amsterdam-Zuid", "Rotterdam-Noord": the city before the district
            head = surface.split("-")[0]
            if len(head) > 2:
                yield head, end - len(surface) + len(head)

    def _region_for(self, surface: str, text: str, start: int, province_hint) -> Region | None:
        key = _key(surface)
        if key not in self.names and key not in PROVINCES:
            return None
        capital = surface[:1].isupper()
        if key in self.villages and not capital:
            return None
        if key in self.ambiguous or len(key) <= 3:
            cue = _PLACE_CUE.search(text[max(0, start - 20) : start])
            if not (capital and (cue or _is_heading(text, start, len(surface)))):
                return None
        return self.resolve(surface, province_hint)


_HEADING_AFTER = re.compile(r"\s*(?:[.,:;]|hier\b)", re.I)


def _is_heading(text: str, start: int, length: int) -> bool:
    """A place that opens a post or sentence as its writer's whereabouts: "Emmen hier ook",
    "Kampen. Twee kinderen", "Weert, bijstand"."""
    before = text[:start].rstrip()
    at_sentence_start = not before or before[-1] in ".!?\n"
    return at_sentence_start and bool(_HEADING_AFTER.match(text, start + length))


@cache
def shipped_gazetteer() -> Gazetteer:
    return Gazetteer.load()
