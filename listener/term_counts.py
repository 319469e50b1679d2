"""Weekly counts of the words and phrases of classified posts (the ``week_terms`` table)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from sqlite_utils import Database

from nlp.terms import post_terms


def count_terms(db: Database, posts: Iterable[tuple[str, str, bool]]) -> None:
    """Add (week, text, money_trouble) posts to the weekly term counts.

    Terms are counted once per post, when it is first classified: a reclassified post keeps
    its place in the counts (its text may be gone by then), as the signals history does.
    """
    counts: Counter[tuple[str, str]] = Counter()
    trouble: Counter[tuple[str, str]] = Counter()
    for week, text, money_trouble in posts:
        for term in post_terms(text):
            counts[week, term] += 1
            trouble[week, term] += bool(money_trouble)
    if counts:
        db.conn.executemany(
            "INSERT INTO week_terms (week, term, posts, trouble_posts) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (week, term) DO UPDATE SET posts = posts + excluded.posts, "
            "trouble_posts = trouble_posts + excluded.trouble_posts",
            [(week, term, n, trouble[week, term]) for (week, term), n in counts.items()],
        )
