"""The labelled corpus (``data/corpus``): texts with their gold labels and fixed split."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nlp.datafiles import data_path

MAIN_FILES = ("personal.jsonl", "organisations.jsonl")
SUPPLEMENT_GLOB = "supplement*.jsonl"  # later training data, all in the train split
HELDOUT_FILES = ("heldout_personal.jsonl", "heldout_organisations.jsonl")


@dataclass(frozen=True)
class LabelledText:
    id: str
    text: str
    money_trouble: bool
    kind: str
    topics: tuple[str, ...]
    severity: int
    place: str | None
    style: str
    split: str  # train, dev or test; "heldout" for the held-out files
    origin: str = ""  # the file it came from, e.g. "supplement_2.jsonl"


def _read(path: Path, split_override: str | None = None) -> list[LabelledText]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            rows.append(
                LabelledText(
                    id=row["id"], text=row["text"], money_trouble=bool(row["money_trouble"]),
                    kind=row["kind"], topics=tuple(row["topics"]), severity=int(row["severity"]),
                    place=row.get("place"), style=row.get("style", ""),
                    split=split_override or row["split"], origin=path.name,
                )
            )  # fmt: skip
    return rows


def load_corpus(folder: Path | None = None) -> list[LabelledText]:
    """Every labelled text: the main files with their split, the held-out files as "heldout"."""
    folder = folder or data_path("corpus")
    rows: list[LabelledText] = []
    for name in MAIN_FILES:
        rows += _read(folder / name)
    for path in sorted(folder.glob(SUPPLEMENT_GLOB)):
        rows += _read(path)
    for name in HELDOUT_FILES:
        if (folder / name).exists():
            rows += _read(folder / name, split_override="heldout")
    return rows


def is_supplement(row: LabelledText) -> bool:
    return row.origin.startswith("supplement")


def split(rows: Iterable[LabelledText], name: str) -> list[LabelledText]:
    return [row for row in rows if row.split == name]
