"""Web source types and the spider that crawls each, by name."""

from __future__ import annotations

from listener.spiders.base import SourceSpider
from listener.spiders.discourse import DiscourseJsonSpider
from listener.spiders.feed import FeedSpider
from listener.spiders.forum import ForumThreadSpider
from listener.spiders.reddit import RedditListingSpider
from listener.spiders.sitemap import SitemapPageSpider

SPIDERS: dict[str, type[SourceSpider]] = {
    "forum": ForumThreadSpider,
    "feed": FeedSpider,
    "sitemap": SitemapPageSpider,
    "reddit": RedditListingSpider,
    "discourse": DiscourseJsonSpider,
}
