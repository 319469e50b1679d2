"""Classify stored posts into signals (the ``signals`` and ``signal_topics`` tables).

A post is classified when it has no signal yet or its signal came from another model version.
Reclassification replaces the signal instead of keeping one per model: the weekly report
compares weeks, and a series mixing two models would show the change of model as a change
among tenants. Posts whose text was already purged (DESIGN §5) cannot be read again and keep
the signal of the model that read them; ``model_version`` on each signal says which.

Work goes in batches, each committed on its own: a crash loses at most the batch in hand, and
the next run continues with the posts still unclassified.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from listener.term_counts import count_terms
from nlp.classifier import TextClassifier
from nlp.taxonomy import Classification

# Evidence is kept after the post's text is purged: only the short spans that decided.
MAX_EVIDENCE_CHARS = 40

_PENDING = """
    FROM posts LEFT JOIN signals ON signals.post_id = posts.id
    WHERE posts.text IS NOT NULL
      AND (signals.post_id IS NULL OR signals.model_version != :version)
"""


@dataclass
class ClassifyResult:
    model_version: str
    classified: int = 0
    money_trouble: int = 0


def pending_count(db: Database, model_version: str) -> int:
    return db.execute(f"SELECT count(*) {_PENDING}", {"version": model_version}).fetchone()[0]


def post_text(title: str | None, text: str) -> str:
    """What is classified: the thread title, when there is one, then the post."""
    return f"{title}\n{text}" if title else text


def _evidence_json(result: Classification) -> str:
    return json.dumps(
        [
            {
                "start": e.start,
                "end": e.end,
                "text": e.text[:MAX_EVIDENCE_CHARS],
                "reason": e.reason,
            }
            for e in result.evidence
        ],
        ensure_ascii=False,
    )


def classify_new(
    db: Database,
    classifier: TextClassifier,
    now: datetime,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ClassifyResult:
    """Classify every post lacking a signal of ``classifier``'s version; return the counts."""
    version = classifier.version
    outcome = ClassifyResult(version)
    last_id = 0
    while True:
        rows = db.execute(
            f"SELECT posts.id, posts.title, posts.text, posts.region_hint, posts.week, "
            f"posts.source, signals.post_id IS NULL {_PENDING} AND posts.id > :last "
            f"ORDER BY posts.id LIMIT :limit",
            {"version": version, "last": last_id, "limit": batch_size},
        ).fetchall()
        if not rows:
            return outcome
        results = classifier.classify(
            [post_text(title, text) for _, title, text, *_ in rows],
            [region_hint for *_, region_hint, _, _, _ in rows],
        )
        classified_at = now.isoformat(timespec="seconds")
        with db.atomic():
            for (post_id, _, _, _, week, source, _), result in zip(rows, results, strict=True):
                _store(db, post_id, week, source, version, classified_at, result)
            count_terms(
                db,
                [
                    (week, post_text(title, text), result.money_trouble)
                    for (_, title, text, _, week, _, first), result in zip(
                        rows, results, strict=True
                    )
                    if first
                ],
            )
        outcome.classified += len(rows)
        outcome.money_trouble += sum(r.money_trouble for r in results)
        last_id = rows[-1][0]
        if progress:
            progress(len(rows))


def _store(db, post_id, week, source, version, classified_at, result: Classification) -> None:
    region = result.region.as_dict() if result.region else {}
    db.execute("DELETE FROM signal_topics WHERE post_id = ?", [post_id])
    db.execute(
        "INSERT OR REPLACE INTO signals (post_id, model_version, classified_at, week, source, "
        "money_trouble, score, kind, severity, municipality_code, municipality, province, "
        "evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            post_id, version, classified_at, week, source, int(result.money_trouble),
            min(1.0, max(0.0, result.score)), result.kind, result.severity,
            region.get("code"), region.get("name"), region.get("province"),
            _evidence_json(result),
        ],
    )  # fmt: skip
    for topic in result.topics:
        db.execute(
            "INSERT INTO signal_topics (post_id, topic, week, money_trouble) VALUES (?, ?, ?, ?)",
            [post_id, topic, week, int(result.money_trouble)],
        )


def signal_overview(db: Database) -> dict:
    """Counts for people: signals by kind, severity and topic, and the model versions used."""
    if "signals" not in db.table_names():
        return {}
    one = db.execute(
        "SELECT count(*), coalesce(sum(money_trouble), 0) FROM signals"
    ).fetchone()  # fmt: skip
    return {
        "signals": one[0],
        "money_trouble": one[1],
        "by_kind": dict(db.execute("SELECT kind, count(*) FROM signals GROUP BY kind").fetchall()),
        "by_severity": {
            str(k): v
            for k, v in db.execute(
                "SELECT severity, count(*) FROM signals WHERE money_trouble GROUP BY severity"
            ).fetchall()
        },
        "trouble_by_topic": dict(
            db.execute(
                "SELECT topic, count(*) FROM signal_topics WHERE money_trouble "
                "GROUP BY topic ORDER BY count(*) DESC"
            ).fetchall()
        ),
        "trouble_by_province": dict(
            db.execute(
                "SELECT coalesce(province, '(onbekend)'), count(*) FROM signals "
                "WHERE money_trouble GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall()
        ),
        "model_versions": dict(
            db.execute("SELECT model_version, count(*) FROM signals GROUP BY 1").fetchall()
        ),
    }
