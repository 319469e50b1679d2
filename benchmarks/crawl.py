"""End-to-end crawl: a generated phpBB forum of 20,000 posts into the store (target 300 posts/s).

The forum is served by the local sample server (Python's http.server, itself a bottleneck at
roughly 130 pages/s); posts are recombined corpus sentences, so they pass the language filter
and are not near-duplicates of each other. Peak memory is the crawl process's maximum RSS.
"""

from __future__ import annotations

import json
import random
import re
import resource
import tempfile
import time
from pathlib import Path

from listener.crawl import crawl_web_sources
from listener.sample_server import SampleServer
from listener.settings import CrawlSettings, ForumSource, ListenerSettings
from nlp.datafiles import data_path
from opendeur.store import open_db

THREADS = 1000
POSTS_PER_THREAD = 20
THREADS_PER_LISTING_PAGE = 50
TARGET_POSTS_PER_SECOND = 300


def _sentences() -> list[str]:
    sentences = []
    for name in ("personal.jsonl", "organisations.jsonl"):
        with data_path("corpus", name).open(encoding="utf-8") as handle:
            for line in handle:
                text = json.loads(line)["text"]
                sentences += [s for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 5]
    return sentences


def generate_forum(root: Path, threads: int = THREADS, posts: int = POSTS_PER_THREAD) -> int:
    """Write a phpBB-style forum into ``root``; return the number of posts."""
    rng = random.Random(2026)
    sentences = _sentences()
    forum = root / "forum"
    forum.mkdir(parents=True)
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    pages = (threads + THREADS_PER_LISTING_PAGE - 1) // THREADS_PER_LISTING_PAGE
    for page in range(pages):
        rows = "".join(
            f'<li class="row"><a class="topictitle" href="/forum/topic-{t}.html">Onderwerp {t}'
            f"</a> {posts} reacties</li>"
            for t in range(page * THREADS_PER_LISTING_PAGE,
                           min(threads, (page + 1) * THREADS_PER_LISTING_PAGE))
        )  # fmt: skip
        next_link = (
            f'<div class="pagination"><li class="arrow next"><a href="/forum/list-{page + 1}.html">'
            "volgende</a></li></div>"
            if page + 1 < pages
            else ""
        )
        (forum / f"list-{page}.html").write_text(
            f'<html><body><ul class="topiclist topics">{rows}</ul>{next_link}</body></html>'
        )
    for thread in range(threads):
        body = "".join(
            f'<div id="p{thread}-{n}" class="post"><div class="postbody"><p class="author">'
            f'<a class="username">schrijver_{rng.randrange(5000)}</a><time datetime='
            f'"2026-11-{1 + n % 20:02d}T10:00:00+00:00">x</time></p><div class="content">'
            f"{' '.join(rng.sample(sentences, 3))}</div></div></div>"
            for n in range(posts)
        )
        (forum / f"topic-{thread}.html").write_text(
            f'<html><body><h2 class="topic-title"><a>Onderwerp {thread}</a></h2>{body}'
            "</body></html>",
            encoding="utf-8",
        )
    return threads * posts


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="opendeur-bench-") as folder:
        root = Path(folder)
        started = time.perf_counter()
        total = generate_forum(root / "site")
        print(f"  generated {total:,} posts in {time.perf_counter() - started:.1f} s")
        db_path = root / "bench.db"
        open_db(db_path).close()
        settings = ListenerSettings(
            sources={"bench": ForumSource(
                type="forum", purpose="Benchmark van de crawler", preset="phpbb",
                start_urls=["http://127.0.0.1:1/forum/list-0.html"],
                max_listing_pages=THREADS // THREADS_PER_LISTING_PAGE + 1,
            )},
            crawl=CrawlSettings(download_delay_seconds=0, autothrottle=False,
                                concurrent_requests_per_domain=8),
        )  # fmt: skip
        with SampleServer(root=root / "site") as server:
            source = settings.sources["bench"].model_copy(
                update={"start_urls": [f"{server.url}/forum/list-0.html"]}
            )
            settings = settings.model_copy(update={"sources": {"bench": source}})
            started = time.perf_counter()
            counts = crawl_web_sources(db_path, ["bench"], settings, "opendeur-bench", "k" * 32)
            seconds = time.perf_counter() - started
        stored = counts["bench"].get("stored", 0)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        rate = stored / seconds
        verdict = "meets" if rate >= TARGET_POSTS_PER_SECOND else "MISSES"
        print(f"  stored {stored:,} of {total:,} posts in {seconds:.1f} s: {rate:,.0f} posts/s "
              f"({verdict} the {TARGET_POSTS_PER_SECOND} posts/s target)")  # fmt: skip
        reasons = ("duplicate", "near_duplicate", "other_language", "empty")
        dropped = {key: value for key, value in counts["bench"].items() if key in reasons}
        print(f"  pages {counts['bench'].get('pages', 0):,}, dropped {dropped}")
        print(f"  peak memory of the crawl process: {peak_mb:,.0f} MB")
