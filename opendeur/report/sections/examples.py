"""Examples: a few short, scrubbed excerpts per trouble topic; off unless switched on.

Off by default (DESIGN §5): a quoted sentence can be searched back to its writer. When a
corporation switches ``privacy.show_excerpts`` on, each excerpt is a few words around what
the classifier found, from a topic that has at least the threshold of signals this week,
without links, handles or hashtags.
"""

from __future__ import annotations

import json

from nlp.taxonomy import TROUBLE_TOPICS
from opendeur.report.excerpts import excerpt
from opendeur.report.model import Item, ReportContext, SectionResult
from opendeur.report.queries import trouble_per_topic_week
from opendeur.report.words import TOPIC_NAMES

TITLE = "Voorbeelden"


def build(ctx: ReportContext) -> SectionResult:
    section = SectionResult("examples", TITLE)
    if not ctx.show_excerpts:
        section.sentences.append(
            "Voorbeelden staan uit. Een zin uit een bericht is vaak terug te zoeken naar de "
            "schrijver, en dat willen we niet. Wie korte, geschoonde stukjes wil zien, zet "
            "‘show_excerpts’ aan onder [privacy] in de instellingen."
        )
        section.figures = {"shown": False}
        return section
    counts = trouble_per_topic_week(ctx)
    shown: set[int] = set()  # a post about two topics is quoted once
    for topic in TROUBLE_TOPICS:
        if counts[topic][ctx.week] < ctx.counts.threshold:
            continue
        rows = ctx.db.execute(
            "SELECT posts.id, posts.text, signals.evidence FROM signal_topics "
            "JOIN signals ON signals.post_id = signal_topics.post_id "
            "JOIN posts ON posts.id = signals.post_id "
            "WHERE signal_topics.week = ? AND signal_topics.topic = ? "
            "AND signal_topics.money_trouble = 1 AND posts.text IS NOT NULL "
            "ORDER BY signals.score DESC, posts.id LIMIT ?",
            [str(ctx.week), topic, ctx.excerpts_per_topic + len(shown)],
        ).fetchall()
        rows = [row for row in rows if row[0] not in shown][: ctx.excerpts_per_topic]
        for post_id, text, evidence in rows:
            shown.add(post_id)
            spans = [e for e in json.loads(evidence) if e.get("start") is not None]
            first = spans[0] if spans else None
            piece = excerpt(text, first["start"], first["end"]) if first else excerpt(text)
            if piece:
                section.items.append(Item(TOPIC_NAMES[topic].capitalize(), f"“{piece}”"))
    if section.items:
        section.sentences.append(
            "Korte stukjes uit berichten van deze week, zonder namen, links of accounts. "
            f"Alleen bij onderwerpen met minstens {ctx.counts.threshold} signalen."
        )
    else:
        section.sentences.append(
            "Er zijn deze week geen voorbeelden: de teksten zijn al verwijderd (bewaartermijn) "
            f"of geen onderwerp had {ctx.counts.threshold} signalen of meer."
        )
    section.figures = {"shown": True, "examples": len(section.items)}
    return section
