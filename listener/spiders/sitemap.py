"""Pages listed in sitemaps (blogs, news archives): the page's main text is one post."""

from __future__ import annotations

import re
from typing import Any

from scrapy.spiders import SitemapSpider

from listener.dates import parse_time
from listener.html_text import selector_text
from listener.settings import SitemapSource
from listener.spiders.base import SourceSpider


class SitemapPageSpider(SourceSpider, SitemapSpider):
    source: SitemapSource

    def __init__(self, source_name: str, source: SitemapSource, **kwargs: Any):
        # SitemapSpider reads these two while it is constructed.
        self.sitemap_urls = list(source.urls)
        self.sitemap_rules = [(re.compile(source.follow or ""), "parse_page")]
        super().__init__(source_name, source, **kwargs)

    def sitemap_filter(self, entries):
        # Pages already stored are not fetched again.
        for entry in entries:
            if "loc" in entry and not self.known_url(entry["loc"]):
                yield entry

    def parse_page(self, response):
        self.count("pages")
        content = response.css(self.source.content)
        if not content:
            self.count("pages_without_content")
            return
        yield self.post(
            url=response.url,
            title=(response.css("h1::text").get() or response.css("title::text").get() or ""),
            text=selector_text(content[0], "nav, header, footer, form, aside, .share, .comments"),
            published_at=parse_time(
                response.css("time::attr(datetime)").get()
                or response.css("meta[property='article:published_time']::attr(content)").get()
            ),
        )
