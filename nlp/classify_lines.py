"""JSON lines in, JSON lines out: the contract of ``opendeur classify``.

Each input line is an object with ``text`` (and optionally ``id`` and ``region``, a place or
province the text is known to come from). Each output line answers the input line at the
same position: the decision, or ``{"id": ..., "line": N, "error": "..."}``. A bad line never
stops the run; lines are read as bytes, so one line in a wrong encoding spoils only itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from nlp.classifier import TextClassifier
from nlp.language import detect_language
from nlp.normalise import normalise_text
from nlp.textprep import MAX_CLASSIFIED_CHARS

MAX_LINE_BYTES = 1_000_000  # longer lines are refused, not read into a batch
BATCH_LINES = 512
# A text is refused as not Dutch only when the detector is this sure of another language:
# short Dutch chat ("ff bellen?") is often undecided.
OTHER_LANGUAGE_CONFIDENCE = 0.6


@dataclass
class LineOutcome:
    output: dict[str, Any]
    failed: bool


@dataclass
class _Request:
    line: int
    id: Any
    text: str
    region: str | None


def _parse(number: int, raw: bytes) -> _Request | dict[str, Any]:
    def error(message: str, ident: Any = None) -> dict[str, Any]:
        return {"id": ident, "line": number, "error": message}

    if len(raw) > MAX_LINE_BYTES:
        return error(f"line too long ({len(raw):,} bytes; at most {MAX_LINE_BYTES:,})")
    try:
        decoded = raw.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as problem:
        return error(f"not UTF-8 (byte {problem.start}); save the file as UTF-8")
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as problem:
        return error(f"not valid JSON: {problem.msg} (column {problem.colno})")
    if not isinstance(record, dict):
        return error('expected a JSON object like {"id": 1, "text": "..."}')
    ident = record.get("id")
    text = record.get("text")
    if not isinstance(text, str):
        return error('missing "text" (a string)', ident)
    if not normalise_text(text):
        return error("empty text", ident)
    region = record.get("region")
    if region is not None and not isinstance(region, str):
        return error('"region" must be a place or province name', ident)
    guess = detect_language(text)
    if guess.language not in ("nl", "") and guess.confidence >= OTHER_LANGUAGE_CONFIDENCE:
        return error(f"not Dutch (looks like {guess.language}); only Dutch is classified", ident)
    return _Request(number, ident, text, region)


def classify_lines(
    classifier: TextClassifier, lines: Iterable[bytes], batch_lines: int = BATCH_LINES
) -> Iterator[LineOutcome]:
    """Classify JSON lines in batches; yield one outcome per non-blank input line, in order."""
    batch: list[_Request | dict[str, Any]] = []
    for number, raw in enumerate(lines, start=1):
        raw = raw.rstrip(b"\r\n")
        if not raw.strip():
            continue
        batch.append(_parse(number, raw))
        if len(batch) >= batch_lines:
            yield from _run(classifier, batch)
            batch = []
    if batch:
        yield from _run(classifier, batch)


def _run(
    classifier: TextClassifier, batch: list[_Request | dict[str, Any]]
) -> Iterator[LineOutcome]:
    requests = [item for item in batch if isinstance(item, _Request)]
    results = iter(
        classifier.classify([r.text for r in requests], [r.region for r in requests])
        if requests
        else []
    )
    for item in batch:
        if not isinstance(item, _Request):
            yield LineOutcome(item, failed=True)
            continue
        result = next(results)
        output = {"id": item.id, **result.as_dict(), "model": classifier.version}
        output["truncated"] = len(normalise_text(item.text)) > MAX_CLASSIFIED_CHARS
        yield LineOutcome(output, failed=False)
