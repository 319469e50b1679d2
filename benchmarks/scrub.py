"""Personal-data scrubbing speed: texts per second and the time for one very large page."""

from __future__ import annotations

import statistics
import time

from nlp.datafiles import data_path
from nlp.scrub import scrub_personal_data
from nlp.scrub_eval import read_jsonl

ROUNDS = 5


def run() -> None:
    texts = [
        row["text"]
        for name in ("with_personal_data.jsonl", "clean.jsonl")
        for row in read_jsonl(data_path("scrub", name))
    ]
    scrub_personal_data("Jan")  # load the name lists outside the timing
    rates = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for text in texts:
            scrub_personal_data(text)
        rates.append(len(texts) / (time.perf_counter() - started))
    print(
        f"  short posts        median {statistics.median(rates):,.0f} texts/s "
        f"({len(texts)} texts x {ROUNDS} rounds)"
    )
    page = "\n".join(texts) * 20
    started = time.perf_counter()
    scrub_personal_data(page)
    seconds = time.perf_counter() - started
    print(
        f"  one large page     {len(page) / 1e6:.1f} MB in {seconds:.2f} s "
        f"({len(page) / seconds / 1e6:.2f} MB/s)"
    )
