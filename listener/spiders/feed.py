"""RSS 2.0 and Atom feeds (news sites, blogs): one post per item or entry."""

from __future__ import annotations

from listener.dates import parse_time
from listener.html_text import html_to_text
from listener.settings import FeedSource
from listener.spiders.base import SourceSpider


class FeedSpider(SourceSpider):
    source: FeedSource

    async def start(self):
        for url in self.source.urls:
            yield self.request(url, self.parse_feed)

    def parse_feed(self, response):
        self.count("pages")
        selector = response.selector
        selector.remove_namespaces()
        entries = selector.xpath("//item | //entry")
        if not entries:
            self.count("feeds_without_items")
        for entry in entries:
            link = (
                entry.xpath("link[@rel='alternate']/@href | link[not(@rel)]/@href").get()
                or entry.xpath("link/text()").get()
                or entry.xpath("guid/text() | id/text()").get()
                or ""
            ).strip()
            if not link:
                self.count("items_without_link")
                continue
            if self.known_url(response.urljoin(link)):
                continue  # feeds list newest first; stored items need no second look
            body = (
                entry.xpath("content/text() | encoded/text()").get()
                or entry.xpath("description/text() | summary/text()").get()
            )
            yield self.post(
                url=response.urljoin(link),
                title=html_to_text(entry.xpath("title/text()").get() or ""),
                text=html_to_text(body or ""),
                author=(
                    entry.xpath("author/name/text() | creator/text() | author/text()").get() or None
                ),
                published_at=parse_time(
                    entry.xpath(
                        "pubDate/text() | published/text() | updated/text() | date/text()"
                    ).get()
                ),
            )
