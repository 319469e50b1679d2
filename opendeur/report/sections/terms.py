"""Emerging terms: words and phrases of money-trouble posts that rise against earlier weeks."""

from __future__ import annotations

import json

from opendeur.report.counts import shown_text
from opendeur.report.emerging import rising_terms
from opendeur.report.excerpts import excerpt, find_term
from opendeur.report.model import Item, ReportContext, SectionResult, Table, placeholders

TITLE = "Woorden die opkomen"
TOP_TERMS = 10
MIN_POSTS = 5  # below this, a rise is chance (and the privacy threshold may be higher)
EXAMPLES_PER_TERM = 2


def build(ctx: ReportContext) -> SectionResult:
    section = SectionResult("terms", TITLE)
    before = ctx.trend[:-1]
    minimum = max(MIN_POSTS, ctx.counts.threshold)
    current = dict(
        ctx.db.execute(
            "SELECT term, trouble_posts FROM week_terms WHERE week = ? AND trouble_posts >= ?",
            [str(ctx.week), minimum],
        ).fetchall()
    )
    current_total = _total(ctx, [str(ctx.week)], "trouble_posts")
    if not current:
        section.sentences.append(
            "Deze week kwam geen woord vaak genoeg voor in berichten over geldzorgen "
            f"(minstens {minimum} berichten) om een stijging te kunnen zien."
        )
        section.figures = {"terms": []}
        return section
    names = [str(w) for w in before]
    baseline = _sums(ctx, names, list(current), "trouble_posts")
    background = _sums(ctx, [*names, str(ctx.week)], list(current), "posts")
    found = rising_terms(
        current, current_total,
        baseline, _total(ctx, names, "trouble_posts"),
        background, _total(ctx, [*names, str(ctx.week)], "posts"),
        min_current=minimum, top=TOP_TERMS,
    )  # fmt: skip
    if not found:
        section.sentences.append(
            f"Geen woord steeg deze week duidelijk ten opzichte van de {len(before)} weken ervoor."
        )
        section.figures = {"terms": []}
        return section
    section.sentences.append(
        "Deze woorden en woordparen staan deze week vaker in berichten over geldzorgen dan in "
        f"de {len(before)} weken ervoor. Kijk of ze een nieuw onderwerp of een nieuwe zorg "
        "laten zien."
    )
    for term in found:
        section.items.append(
            Item(
                term.term,
                f"{shown_text(ctx.counts.show(term.current))} berichten deze week, "
                f"{shown_text(ctx.counts.show(term.baseline))} in de {len(before)} weken ervoor",
                _context(ctx, term.term, current),
            )
        )
    section.tables.append(
        Table(
            "terms",
            "Opkomende woorden",
            [
                "Woord",
                "Berichten deze week",
                f"Berichten {len(before)} weken ervoor",
                "Sterkte (z)",
            ],
            [[t.term, ctx.counts.show(t.current), ctx.counts.show(t.baseline), t.z] for t in found],
        )
    )
    section.figures = {
        "terms": [
            {"term": t.term, "posts": ctx.counts.show(t.current),
             "posts_before": ctx.counts.show(t.baseline), "z": t.z}
            for t in found
        ]
    }  # fmt: skip
    return section


def _total(ctx: ReportContext, weeks: list[str], column: str) -> int:
    return ctx.db.execute(
        f"SELECT coalesce(sum({column}), 0) FROM week_terms WHERE week IN ({placeholders(weeks)})",
        weeks,
    ).fetchone()[0]


def _sums(ctx: ReportContext, weeks: list[str], terms: list[str], column: str) -> dict[str, int]:
    return dict(
        ctx.db.execute(
            f"SELECT term, sum({column}) FROM week_terms WHERE week IN ({placeholders(weeks)}) "
            "AND term IN (SELECT value FROM json_each(?)) GROUP BY term",
            [*weeks, json.dumps(terms)],
        ).fetchall()
    )


def _context(ctx: ReportContext, term: str, current: dict[str, int]) -> str:
    """Where the term is used: short excerpts if switched on, else the phrases around it."""
    if ctx.show_excerpts:
        quotes = []
        for (text,) in ctx.db.execute(
            "SELECT posts.text FROM posts_fts JOIN posts ON posts.rowid = posts_fts.rowid "
            "JOIN signals ON signals.post_id = posts.id WHERE posts_fts MATCH ? "
            "AND posts.week = ? AND signals.money_trouble = 1 AND posts.text IS NOT NULL "
            "ORDER BY posts.id LIMIT ?",
            ['"' + term.replace('"', "") + '"', str(ctx.week), EXAMPLES_PER_TERM * 3],
        ):
            span = find_term(text, term)
            if span:
                quotes.append(f"“{excerpt(text, *span, words=6)}”")
            if len(quotes) == EXAMPLES_PER_TERM:
                break
        if quotes:
            return "Bijvoorbeeld: " + " ".join(quotes)
    if " " not in term:
        phrases = sorted(
            (p for p in current if " " in p and term in p.split()), key=lambda p: -current[p]
        )[:4]
        if phrases:
            return "Vaak in: " + ", ".join(f"‘{p}’" for p in phrases)
    return ""
