"""A subreddit's public JSON listing (``/r/NAME/new.json``), newest first."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from listener.dates import parse_time
from listener.settings import RedditSource
from listener.spiders.base import SourceSpider


class RedditListingSpider(SourceSpider):
    source: RedditSource

    def listing_url(self, after: str | None = None) -> str:
        base = f"{self.source.base_url.rstrip('/')}/r/{self.source.subreddit}/new.json"
        return f"{base}?{urlencode({'after': after})}" if after else base

    async def start(self):
        yield self.request(self.listing_url(), self.parse_listing, cb_kwargs={"page": 1})

    def parse_listing(self, response, page: int):
        self.count("pages")
        try:
            data = json.loads(response.text)["data"]
            children = data["children"]
        except (ValueError, KeyError, TypeError):
            self.count("error/invalid_json")
            return
        new = 0
        for child in children:
            post = child.get("data", {})
            url = f"{self.source.base_url.rstrip('/')}{post.get('permalink', '')}"
            if not post.get("permalink") or self.known_url(url):
                continue
            new += 1
            yield self.post(
                url=url,
                title=post.get("title") or "",
                text=post.get("selftext") or "",
                author=post.get("author"),
                published_at=parse_time(post.get("created_utc")),
            )
        # Newest first: a page with nothing new means the rest was seen before.
        if data.get("after") and new and page < self.source.max_pages:
            yield self.request(
                self.listing_url(data["after"]), self.parse_listing, cb_kwargs={"page": page + 1}
            )
