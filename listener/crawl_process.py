"""Run the web sources' spiders in a process of their own: ``python -m listener.crawl_process``.

Scrapy's reactor cannot be restarted within a process, and a crawl is easier to stop, limit and
later spread over machines when it is its own process. The parent (``listener.crawl``) sends
a JSON request on standard input and the hash key in ``$OPENDEUR_CRAWL_HASH_KEY``; this process
opens the database path it is given (the one place below the shell that does, DESIGN §3),
runs the spiders through the privacy pipeline and writes a JSON result file.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter
from scrapy.crawler import Crawler, CrawlerProcess
from sqlite_utils import Database

from listener.identifiers import IdentifierHasher
from listener.pipeline import PostPipeline, utc_now
from listener.preview import PreviewPipeline
from listener.runs import load_state, save_state
from listener.settings import CrawlSettings, LanguageSettings, SourceSettings
from listener.spiders.registry import SPIDERS

HASH_KEY_ENV = "OPENDEUR_CRAWL_HASH_KEY"
BUSY_TIMEOUT_MS = 10_000


class StoreItems:
    """Scrapy item pipeline: hand every collected post to the spider's privacy pipeline
    (or, for `listen test`, to a preview pipeline that stores nothing)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        outcome = self.crawler.spider.post_pipeline.process(item)
        self.crawler.stats.inc_value(f"opendeur/post/{outcome}")
        return item


def scrapy_settings(crawl: CrawlSettings, user_agent: str, log_level: str, test: bool) -> dict:
    return {
        "BOT_NAME": "opendeur",
        "USER_AGENT": user_agent,
        "ROBOTSTXT_OBEY": True,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay_seconds, 0.1),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_DELAY": crawl.download_delay_seconds,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_requests_per_domain,
        "DOWNLOAD_TIMEOUT": crawl.timeout_seconds,
        "DOWNLOAD_MAXSIZE": crawl.max_page_bytes,
        "DOWNLOAD_WARNSIZE": crawl.max_page_bytes // 2,
        "REDIRECT_MAX_TIMES": 10,
        "RETRY_ENABLED": False,  # replaced by RetryWithBackoff
        "OPENDEUR_RETRIES": crawl.retries,
        "OPENDEUR_MAX_RETRY_AFTER": crawl.max_retry_after_seconds,
        "OPENDEUR_BACKOFF_BASE": max(crawl.download_delay_seconds, 0.2),
        "DOWNLOADER_MIDDLEWARES": {"listener.middlewares.RetryWithBackoff": 550},
        "ITEM_PIPELINES": {"listener.crawl_process.StoreItems": 300},
        # `listen test`: the first start address and a few pages behind it are enough.
        "CLOSESPIDER_PAGECOUNT": 6 if test else 0,
        "CLOSESPIDER_ITEMCOUNT": 20 if test else 0,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
        "COOKIES_ENABLED": False,  # nothing to log in to; no tracking either way
    }


def connect(path: str) -> Database:
    db = Database(path)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    return db


def counts_from_stats(stats: dict[str, Any]) -> dict[str, Any]:
    # "opendeur/post/stored" -> "stored", "opendeur/error/http_404" -> "error/http_404"
    counts = {key.removeprefix("opendeur/").removeprefix("post/"): value
              for key, value in stats.items() if key.startswith("opendeur/")}  # fmt: skip
    counts["requests"] = stats.get("downloader/request_count", 0)
    counts["posts_found"] = stats.get("item_scraped_count", 0)
    counts["finish_reason"] = stats.get("finish_reason", "unknown")
    return {key: value for key, value in counts.items() if value}


def run(request: dict[str, Any], hash_key: str) -> dict[str, Any]:
    crawl = CrawlSettings(**request["crawl"])
    language = LanguageSettings(**request["language"])
    test = bool(request.get("test"))
    sources = {
        name: _first_address_only(TypeAdapter(SourceSettings).validate_python(raw), test)
        for name, raw in request["sources"].items()
    }
    db = connect(request["db_path"])
    hasher = IdentifierHasher(hash_key.encode())
    pipeline = PostPipeline(db, hasher, language)
    base = scrapy_settings(crawl, request["user_agent"], request.get("log_level", "WARNING"), test)
    process = CrawlerProcess(settings=base)
    crawlers: dict[str, Crawler] = {}

    def known_url(url: str) -> bool:
        row = db.execute("SELECT 1 FROM posts WHERE url_hash = ?", [hasher.url(url)])
        return row.fetchone() is not None

    for name, source in sources.items():
        custom = {}
        if request.get("state_dir") and not test:
            # Resumable: a crawl killed half-way continues from its queue next time.
            custom["JOBDIR"] = str(Path(request["state_dir"]) / name)
        spider_class = type(
            f"{SPIDERS[source.type].__name__}_{len(crawlers)}",
            (SPIDERS[source.type],),
            {"custom_settings": custom},
        )
        crawler = process.create_crawler(spider_class)
        crawlers[name] = crawler
        process.crawl(
            crawler,
            source_name=name,
            source=source,
            state={} if test else load_state(db, name),  # a test run shows what is there now
            known_url=known_url,
            keyed=hasher.state_key,
            post_pipeline=PreviewPipeline(language) if test else pipeline,
        )
    process.start()
    pipeline.commit()
    results: dict[str, Any] = {}
    for name, crawler in crawlers.items():
        stats = crawler.stats.get_stats()
        results[name] = counts_from_stats(stats)
        spider = crawler.spider
        if test:
            results[name]["previews"] = spider.post_pipeline.previews if spider else []
            continue
        if spider is not None and stats.get("finish_reason") == "finished":
            save_state(db, name, spider.source_state, utc_now())
            jobdir = crawler.settings.get("JOBDIR")
            if jobdir:
                shutil.rmtree(jobdir, ignore_errors=True)  # done: the next run starts afresh
    db.close()
    return results


def _first_address_only(source, test: bool):
    for field in ("start_urls", "urls"):
        if test and getattr(source, field, None):
            return source.model_copy(update={field: getattr(source, field)[:1]})
    return source


def main() -> None:
    hash_key = os.environ.pop(HASH_KEY_ENV, "")
    request = json.load(sys.stdin)
    results = run(request, hash_key)
    Path(request["result_path"]).write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main()
