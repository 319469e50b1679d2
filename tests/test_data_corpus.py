"""The labelled corpus (data/corpus) keeps the shape the classifier relies on."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from nlp.datafiles import data_path

KINDS = {"personal", "help", "news", "other"}
TOPICS = {"huur", "energie", "schulden", "lenen", "inkomen", "vakantie", "feestdagen", "auto",
          "studie", "wonen", "winkelen"}  # fmt: skip
KEYS = {"id", "text", "money_trouble", "kind", "topics", "severity", "place", "style", "split"}
MAIN_FILES = ("personal.jsonl", "organisations.jsonl")
SUPPLEMENTS = tuple(sorted(p.name for p in data_path("corpus").glob("supplement*.jsonl")))
HELDOUT_FILES = ("heldout_personal.jsonl", "heldout_organisations.jsonl")


def _rows(name: str) -> list[dict]:
    with data_path("corpus", name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def main_rows() -> list[dict]:
    return [row for name in MAIN_FILES for row in _rows(name)]


@pytest.fixture(scope="module")
def supplement_rows() -> list[dict]:
    return [row for name in SUPPLEMENTS for row in _rows(name)]


@pytest.fixture(scope="module")
def heldout_rows() -> list[dict]:
    return [row for name in HELDOUT_FILES for row in _rows(name)]


def test_data_corpus_is_large_and_split(main_rows, heldout_rows):
    assert len(main_rows) >= 2000
    assert len(heldout_rows) >= 200
    splits = Counter(row["split"] for row in main_rows)
    assert set(splits) == {"train", "dev", "test"}
    assert splits["test"] >= 0.1 * len(main_rows)
    assert {row["split"] for row in heldout_rows} == {"test"}


def test_data_corpus_supplements_only_add_training_data(supplement_rows):
    assert SUPPLEMENTS, "the supplement files are part of the training data"
    assert {row["split"] for row in supplement_rows} == {"train"}


def test_data_corpus_records_follow_the_labelling_guide(main_rows, supplement_rows, heldout_rows):
    for row in main_rows + supplement_rows + heldout_rows:
        assert set(row) == KEYS, row["id"]
        assert row["text"].strip(), row["id"]
        assert row["kind"] in KINDS, row["id"]
        assert set(row["topics"]) <= TOPICS, row["id"]
        assert row["severity"] in (0, 1, 2, 3), row["id"]
        assert row["place"] is None or isinstance(row["place"], str), row["id"]
        if row["money_trouble"]:
            assert row["kind"] == "personal" and row["severity"] >= 1, row["id"]
        else:
            assert row["severity"] == 0, row["id"]


def test_data_corpus_covers_every_label(main_rows):
    kinds = Counter(row["kind"] for row in main_rows)
    assert min(kinds.values()) >= 200
    topics = Counter(topic for row in main_rows for topic in row["topics"])
    assert set(topics) == TOPICS and min(topics.values()) >= 100
    severities = Counter(row["severity"] for row in main_rows if row["money_trouble"])
    assert min(severities[s] for s in (1, 2, 3)) >= 100
    # hard negatives: organisations' and other people's texts in the trouble vocabulary
    assert (
        sum(row["kind"] != "personal" and "schulden" in row["topics"] for row in main_rows) >= 200
    )


def test_data_corpus_ids_and_texts_are_unique(main_rows, supplement_rows, heldout_rows):
    rows = main_rows + supplement_rows + heldout_rows
    assert len({row["id"] for row in rows}) == len(rows)
    assert len({row["text"] for row in rows}) == len(rows)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_data_corpus_has_no_near_duplicates(main_rows, supplement_rows, heldout_rows):
    """No text reworded from another: a near copy in train and test would flatter the figures.

    Near means most word 3-grams shared (for texts with five or more), or letter 5-grams with
    a Jaccard similarity above 0.6; only the texts sharing a 3-gram are compared.
    """
    index: dict[tuple[str, ...], list[int]] = {}
    texts = [row["text"] for row in main_rows + supplement_rows + heldout_rows]
    ids = [row["id"] for row in main_rows + supplement_rows + heldout_rows]
    near = []
    for n, text in enumerate(texts):
        words = _words(text)
        grams = {tuple(words[i : i + 3]) for i in range(len(words) - 2)}
        shared = Counter(m for gram in grams for m in index.get(gram, ()))
        letters = _letter_grams(text)
        for m, count in shared.most_common(3):
            other = _letter_grams(texts[m])
            jaccard = len(letters & other) / max(1, len(letters | other))
            if (len(grams) >= 5 and count / len(grams) > 0.5) or jaccard > 0.6:
                near.append((ids[n], ids[m]))
        for gram in grams:
            index.setdefault(gram, []).append(n)
    assert near == []


def _letter_grams(text: str) -> set[str]:
    joined = " ".join(_words(text))
    return {joined[i : i + 5] for i in range(len(joined) - 4)}
