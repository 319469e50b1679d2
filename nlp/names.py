"""Dutch name lists shipped in ``data/names`` (see its README), loaded once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nlp.datafiles import data_path


@dataclass(frozen=True)
class NameLists:
    first_names: frozenset[str]  # as written: "Aad", "Jan-Willem", "Hüseyin"
    surnames: frozenset[str]  # core only: "Vries" for "De Vries"; "El Amrani" kept whole
    particles: frozenset[str]  # lowercase tussenvoegsels, single words: "van", "der", "'t"
    ambiguous: frozenset[str]  # lowercase names that are also words, places or brands
    not_person_names: tuple[str, ...]  # "Albert Heijn": person-like names that are not persons


def _read(name: str) -> list[str]:
    text = data_path("names", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


@cache
def name_lists() -> NameLists:
    return NameLists(
        first_names=frozenset(_read("first_names.txt")),
        surnames=frozenset(_read("surnames.txt")),
        particles=frozenset(
            word for entry in _read("tussenvoegsels.txt") for word in entry.split()
        ),
        ambiguous=frozenset(_read("ambiguous_names.txt")),
        not_person_names=tuple(_read("not_person_names.txt")),
    )
