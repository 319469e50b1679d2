"""The shipped personal-data evaluation set and name lists are well-formed (data/scrub, data/names).

The scrubber itself arrives with the listener; these checks keep the labelled data honest
meanwhile: valid offsets, valid check digits, enough examples of every type.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from nlp.datafiles import data_path

ENTITY_TYPES = {"NAAM", "EMAIL", "TELEFOON", "IBAN", "BSN", "ADRES", "POSTCODE"}
MINIMUM_PER_TYPE = {
    "NAAM": 120, "TELEFOON": 80, "EMAIL": 50, "IBAN": 40, "BSN": 40, "POSTCODE": 50, "ADRES": 50,
}  # fmt: skip


def _lines(name: str) -> list[dict]:
    with data_path("scrub", name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def with_personal_data() -> list[dict]:
    return _lines("with_personal_data.jsonl")


@pytest.fixture(scope="module")
def clean() -> list[dict]:
    return _lines("clean.jsonl")


def _iban_is_valid(iban: str) -> bool:
    compact = re.sub(r"\s", "", iban).upper()
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def _bsn_passes_11_test(bsn: str) -> bool:
    digits = [int(d) for d in re.sub(r"\D", "", bsn)]
    weights = [9, 8, 7, 6, 5, 4, 3, 2, -1]
    return len(digits) == 9 and sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def test_data_scrub_sets_are_large_enough(with_personal_data, clean):
    assert len(with_personal_data) >= 200
    assert len(clean) >= 200
    counts = Counter(e["type"] for row in with_personal_data for e in row["entities"])
    assert set(counts) == ENTITY_TYPES
    assert {t: counts[t] for t in MINIMUM_PER_TYPE if counts[t] < MINIMUM_PER_TYPE[t]} == {}


def test_data_scrub_entities_are_valid_spans(with_personal_data, clean):
    texts = [row["text"] for row in with_personal_data + clean]
    assert len(texts) == len(set(texts)), "duplicate snippets"
    assert all(row["entities"] == [] for row in clean)
    for row in with_personal_data:
        spans = sorted((e["start"], e["end"]) for e in row["entities"])
        assert row["entities"], row["id"]
        for (_, end), (next_start, _) in zip(spans, spans[1:], strict=False):
            assert end <= next_start, f"{row['id']}: overlapping spans"
        for entity in row["entities"]:
            value = row["text"][entity["start"] : entity["end"]]
            assert entity["type"] in ENTITY_TYPES
            assert value and value == value.strip(), f"{row['id']}: {value!r}"
            if entity["type"] == "IBAN":
                assert _iban_is_valid(value), f"{row['id']}: {value}"
            if entity["type"] == "BSN":
                assert _bsn_passes_11_test(value), f"{row['id']}: {value}"


@pytest.mark.parametrize(
    ("name", "minimum"),
    [("first_names.txt", 1000), ("surnames.txt", 700), ("tussenvoegsels.txt", 20),
     ("ambiguous_names.txt", 50)],
)  # fmt: skip
def test_data_names_lists_are_sorted_unique_and_large_enough(name, minimum):
    entries = data_path("names", name).read_text(encoding="utf-8").splitlines()
    assert len(entries) >= minimum
    assert entries == sorted(set(entries))
    assert all(entry == entry.strip() and entry for entry in entries)


def test_data_names_ambiguous_names_come_from_the_lists():
    names = {
        entry.lower()
        for name in ("first_names.txt", "surnames.txt")
        for entry in data_path("names", name).read_text(encoding="utf-8").splitlines()
    }
    ambiguous = data_path("names", "ambiguous_names.txt").read_text(encoding="utf-8").split()
    assert set(ambiguous) <= names
