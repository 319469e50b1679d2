"""Forum threads: listing pages -> threads -> thread pages, for any engine.

Incremental: the listing row of each thread (title, reply count, last post time) is
remembered as a keyed hash; a thread whose row did not change since the last run is not
visited again, and listing pagination stops at a page where nothing changed. Posts already
stored are dropped by the pipeline, so revisiting a thread duplicates nothing.
"""

from __future__ import annotations

from typing import Any

from parsel import Selector

from listener.dates import parse_time
from listener.html_text import selector_text
from listener.settings import ForumSelectors, ForumSource
from listener.spiders.base import SourceSpider
from listener.spiders.presets import PRESETS


def _alternatives(css: str) -> list[str]:
    return [part.strip() for part in css.split(", ") if part.strip()]


def first_value(selection: Selector, css: str) -> str:
    """First non-empty value for a selector (comma-separated alternatives tried in order)."""
    for value in all_values(selection, css):
        return value
    return ""


def all_values(selection: Selector, css: str) -> list[str]:
    """Every non-empty value of the first alternative that matches anything."""
    for alternative in _alternatives(css):
        if "::" in alternative:
            values = selection.css(alternative).getall()
        else:
            values = [element.xpath("string()").get() for element in selection.css(alternative)]
        values = [value.strip() for value in values if value and value.strip()]
        if values:
            return values
    return []


def forum_selectors(source: ForumSource) -> ForumSelectors:
    """The source's own selectors, else its engine preset's."""
    if source.selectors is not None:
        return source.selectors
    if source.preset is None:
        raise ValueError("a forum source needs a preset or selectors")
    return PRESETS[source.preset]


class ForumThreadSpider(SourceSpider):
    source: ForumSource

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.selectors = forum_selectors(self.source)
        self.source_state.setdefault("threads", {})

    async def start(self):
        for url in self.source.start_urls:
            yield self.request(url, self.parse_listing, cb_kwargs={"page": 1})

    def parse_listing(self, response, page: int):
        selectors = self.selectors
        self.count("pages")
        changed = 0
        for url, row_text in self._threads(response):
            seen = {}
            if row_text is not None:
                key, fingerprint = self.keyed(url), self.keyed(row_text)
                if self.source_state["threads"].get(key) == fingerprint:
                    continue  # no reply since the last run
                seen = {"key": key, "fingerprint": fingerprint}
            changed += 1
            yield self.request(url, self.parse_thread, cb_kwargs={"page": 1, "seen": seen})
        next_url = first_value(response, selectors.listing_next)
        if next_url and changed and page < self.source.max_listing_pages:
            yield self.request(
                response.urljoin(next_url), self.parse_listing, cb_kwargs={"page": page + 1}
            )

    def _threads(self, response):
        """(thread URL, listing row text or None) for each thread on a listing page."""
        selectors = self.selectors
        if selectors.thread_row:
            rows = response.css(selectors.thread_row)
            if not rows:
                self.count("pages_without_threads")
            for row in rows:
                href = first_value(row, selectors.thread_links)
                if href:
                    yield response.urljoin(href), " ".join(row.xpath("string()").get().split())
        else:
            hrefs = all_values(response, selectors.thread_links)
            if not hrefs:
                self.count("pages_without_threads")
            for href in dict.fromkeys(hrefs):
                yield response.urljoin(href), None

    def parse_thread(self, response, page: int, seen: dict | None = None):
        selectors = self.selectors
        self.count("pages")
        title = first_value(response, selectors.title)
        posts = response.css(selectors.post)
        page_url = response.url.split("#")[0]
        if not posts:
            self.count("pages_without_posts")
        for number, post in enumerate(posts, start=1):
            body = post.css(selectors.text)
            text = selector_text(body[0], selectors.remove) if body else ""
            anchor = first_value(post, selectors.permalink) or f"{page}-{number}"
            yield self.post(
                url=response.urljoin(anchor) if "/" in anchor else f"{page_url}#{anchor}",
                title=title,
                text=text,
                author=first_value(post, selectors.author) or None,
                published_at=parse_time(first_value(post, selectors.time)),
            )
        next_url = first_value(response, selectors.thread_next)
        if next_url and page < self.source.max_thread_pages:
            yield self.request(
                response.urljoin(next_url),  # honours <base href>, which vBulletin uses
                self.parse_thread,
                cb_kwargs={"page": page + 1, "seen": seen},
            )
        elif seen:
            # Remembered only once the whole thread was read: a thread that failed half-way
            # is read again next time.
            self.source_state["threads"][seen["key"]] = seen["fingerprint"]
