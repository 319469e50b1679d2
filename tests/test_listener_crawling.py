"""Crawling parts that need no server: retries, failure kinds, dates, HTML to text, spiders."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace

import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import DNSLookupError, TimeoutError
from twisted.python.failure import Failure

from listener.dates import parse_time
from listener.html_text import html_to_text
from listener.middlewares import DELAY_KEY, RetryWithBackoff, retry_after_seconds
from listener.settings import DiscourseSource, FeedSource, ForumSource, RedditSource
from listener.spiders.base import failure_kind
from listener.spiders.discourse import DiscourseJsonSpider
from listener.spiders.feed import FeedSpider
from listener.spiders.forum import ForumThreadSpider
from listener.spiders.reddit import RedditListingSpider

PURPOSE = "Bron voor de tests van de crawler"


class Stats:
    def __init__(self):
        self.values: dict[str, int] = {}

    def inc_value(self, key: str, amount: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + amount


def test_listener_retry_after_in_seconds_or_as_a_date():
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert retry_after_seconds(b"120") == 120.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now) == 90
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None


def _crawled_spider():
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(Spider)
    return crawler._create_spider("s")


def _middleware(max_retry_after: float = 300) -> RetryWithBackoff:
    crawler = SimpleNamespace(stats=Stats(), spider=_crawled_spider())
    return RetryWithBackoff(crawler, retries=2, max_retry_after=max_retry_after, base_delay=1.0)


def _response(status: int, headers: dict | None = None) -> HtmlResponse:
    return HtmlResponse(
        "https://forum.example.nl/t/1", status=status, headers=headers or {}, body=b""
    )


def test_listener_retry_honours_retry_after_then_gives_up():
    middleware = _middleware()
    spider = None  # Scrapy 2.13+ calls middleware methods without the spider
    request = Request("https://forum.example.nl/t/1")
    retry = middleware.process_response(request, _response(429, {"Retry-After": "7"}), spider)
    assert isinstance(retry, Request) and retry.meta[DELAY_KEY] == 7.0
    again = middleware.process_response(retry, _response(503), spider)
    assert isinstance(again, Request) and 1.0 <= again.meta[DELAY_KEY] <= 3.0  # backoff, jitter
    last = middleware.process_response(again, _response(503), spider)
    assert last.status == 503  # retries used up: the spider counts it


def test_listener_retry_after_beyond_the_limit_is_not_waited_for():
    middleware = _middleware(max_retry_after=60)
    spider = SimpleNamespace(crawler=SimpleNamespace(stats=Stats()), name="s")
    response = _response(429, {"Retry-After": "3600"})
    assert middleware.process_response(Request("https://x.nl/"), response, spider) is response
    assert middleware.stats.values == {"opendeur/retry_after_too_long": 1}


def test_listener_network_errors_are_retried_with_backoff():
    middleware = _middleware()
    spider = None
    retry = middleware.process_exception(Request("https://x.nl/"), TimeoutError(), spider)
    assert retry.meta["retry_times"] == 1 and retry.meta[DELAY_KEY] > 0
    assert middleware.process_exception(Request("https://x.nl/"), ValueError(), spider) is None


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (HttpError(_response(404)), "http_404"),
        (IgnoreRequest("max redirections reached"), "redirect_loop"),
        (IgnoreRequest("Forbidden by robots.txt"), "robots_forbidden"),
        (DNSLookupError(), "dns_lookup"),
        (TimeoutError(), "timeout"),
    ],
)
def test_listener_failures_are_counted_by_kind(error, kind):
    assert failure_kind(Failure(error)) == kind


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-03T08:12:00+00:00", datetime(2026, 11, 3, 8, 12, tzinfo=UTC)),
        ("Mon, 03 Nov 2026 09:12:00 +0000", datetime(2026, 11, 3, 9, 12, tzinfo=UTC)),
        ("01-11-2026, 10:00", datetime(2026, 11, 1, 10, 0, tzinfo=UTC)),
        (1762246800, datetime(2025, 11, 4, 9, 0, tzinfo=UTC)),
        ("gisteren", None),
        ("31-02-2026", None),
        ("", None),
    ],
)
def test_listener_dates_in_the_forms_sources_use(value, expected):
    assert parse_time(value) == expected


def test_listener_html_to_text_drops_scripts_quotes_and_keeps_blocks():
    html = (
        "<p>Eerste regel<br>tweede <b>regel</b></p><script>var x='verborgen';</script>"
        "<blockquote><cite>iemand schreef:</cite>oude tekst</blockquote>na de quote"
        "<style>p{}</style><iframe src='x'>frame</iframe><!-- commentaar -->"
    )
    text = " ".join(html_to_text(html, remove="blockquote").split())
    assert text == "Eerste regel tweede regel na de quote"
    assert html_to_text("") == html_to_text("   ") == ""


def _spider(cls, source, **kwargs):
    spider = cls(source_name="bron", source=source, **kwargs)
    spider.crawler = SimpleNamespace(stats=Stats())
    return spider


PHPBB_LISTING = b"""<html><body><ul class="topiclist topics">
<li class="row"><a href="/t/1.html" class="topictitle">Huur</a> 2 reacties</li>
<li class="row"><a href="/t/2.html" class="topictitle">Vakantie</a> 0 reacties</li>
</ul><div class="pagination"><ul><li class="arrow next">
<a href="/f/2-p2.html">&gt;</a></li></ul></div>
</body></html>"""
PHPBB_THREAD = b"""<html><body><h2 class="topic-title"><a>Huur te laat</a></h2>
<div id="p11" class="post"><div class="postbody"><p class="author"><strong>
<a class="username">kaaskop_77</a></strong><time datetime="2026-11-03T08:12:00+00:00">x</time>
</p><div class="content">Ik kan de huur niet betalen. <blockquote>oud</blockquote>Help</div>
<div class="signature">Groetjes van de zon</div></div></div>
<div id="p12" class="post"><div class="postbody"><div class="content"></div></div></div>
<div class="pagination"><li class="arrow next"><a href="/t/1-p2.html">2</a></li></div>
</body></html>"""


def test_listener_forum_spider_follows_changed_threads_only():
    source = ForumSource(type="forum", purpose=PURPOSE, preset="phpbb",
                         start_urls=["https://forum.example.nl/f/2.html"])  # fmt: skip
    state: dict = {}
    spider = _spider(ForumThreadSpider, source, state=state)
    listing = HtmlResponse("https://forum.example.nl/f/2.html", body=PHPBB_LISTING)
    requests = list(spider.parse_listing(listing, page=1))
    assert [r.url for r in requests] == [
        "https://forum.example.nl/t/1.html",
        "https://forum.example.nl/t/2.html",
        "https://forum.example.nl/f/2-p2.html",
    ]
    # The first thread is read to its last page; the second never was.
    last_page = HtmlResponse("https://forum.example.nl/t/1.html", body=PHPBB_THREAD.replace(
        b'<div class="pagination">', b'<div class="x">'))  # fmt: skip
    list(spider.parse_thread(last_page, page=1, seen=requests[0].cb_kwargs["seen"]))
    again = list(spider.parse_listing(listing, page=1))
    assert [r.url for r in again] == [
        "https://forum.example.nl/t/2.html",
        "https://forum.example.nl/f/2-p2.html",
    ]


def test_listener_forum_spider_extracts_posts_without_quotes_or_signatures():
    source = ForumSource(type="forum", purpose=PURPOSE, preset="phpbb",
                         start_urls=["https://forum.example.nl/f/2.html"])  # fmt: skip
    spider = _spider(ForumThreadSpider, source)
    response = HtmlResponse("https://forum.example.nl/t/1.html", body=PHPBB_THREAD)
    output = list(spider.parse_thread(response, page=1, seen={}))
    first, second, next_page = output
    assert " ".join(first.text.split()) == "Ik kan de huur niet betalen. Help"
    assert (first.url, first.author, first.title) == (
        "https://forum.example.nl/t/1.html#p11",
        "kaaskop_77",
        "Huur te laat",
    )
    assert first.published_at == datetime(2026, 11, 3, 8, 12, tzinfo=UTC)
    assert second.text.strip() == ""  # an image-only post: the pipeline drops it as empty
    assert next_page.url == "https://forum.example.nl/t/1-p2.html"


def test_listener_forum_spider_counts_pages_without_posts():
    source = ForumSource(type="forum", purpose=PURPOSE, preset="xenforo",
                         start_urls=["https://forum.example.nl/"])  # fmt: skip
    spider = _spider(ForumThreadSpider, source)
    empty = HtmlResponse("https://forum.example.nl/t/9", body=b"<html><body>weg</body></html>")
    assert list(spider.parse_thread(empty, page=1)) == []
    assert spider.crawler.stats.values["opendeur/pages_without_posts"] == 1


FEEDS = {
    "rss": b"""<?xml version="1.0"?><rss version="2.0"
      xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item><title>Huren stijgen</title>
      <link>https://nieuws.example.nl/1</link><description>&lt;p&gt;De huren stijgen
      fors.&lt;/p&gt;</description><pubDate>Mon, 03 Nov 2026 09:12:00 +0000</pubDate>
      <dc:creator>redactie</dc:creator></item></channel></rss>""",
    "atom": b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>
      <title>Huren stijgen</title><link rel="alternate" href="https://nieuws.example.nl/1"/>
      <content type="html">&lt;p&gt;De huren stijgen fors.&lt;/p&gt;</content>
      <updated>2026-11-03T09:12:00Z</updated><author><name>redactie</name></author></entry></feed>""",
}


@pytest.mark.parametrize("kind", sorted(FEEDS))
def test_listener_feed_spider_reads_rss_and_atom(kind):
    source = FeedSource(type="feed", purpose=PURPOSE, urls=["https://nieuws.example.nl/feed"])
    spider = _spider(FeedSpider, source)
    response = TextResponse("https://nieuws.example.nl/feed", body=FEEDS[kind])
    [item] = list(spider.parse_feed(response))
    assert (item.url, item.title, " ".join(item.text.split()), item.author) == (
        "https://nieuws.example.nl/1",
        "Huren stijgen",
        "De huren stijgen fors.",
        "redactie",
    )
    assert item.published_at == datetime(2026, 11, 3, 9, 12, tzinfo=UTC)
    known = _spider(FeedSpider, source, known_url=lambda url: True)
    assert list(known.parse_feed(response)) == []


def test_listener_reddit_spider_pages_until_nothing_is_new():
    source = RedditSource(type="reddit", purpose=PURPOSE, subreddit="geldzaken",
                          base_url="http://127.0.0.1:9")  # fmt: skip
    page = {"kind": "Listing", "data": {"after": "t3_b", "children": [{"kind": "t3", "data": {
        "title": "Huur", "selftext": "Ik kom niet rond.", "author": "anon_123",
        "created_utc": 1762246800.0, "permalink": "/r/geldzaken/comments/a/huur/"}}]}}  # fmt: skip
    spider = _spider(RedditListingSpider, source)
    response = TextResponse(spider.listing_url(), body=json.dumps(page).encode())
    item, next_page = list(spider.parse_listing(response, page=1))
    assert item.url == "http://127.0.0.1:9/r/geldzaken/comments/a/huur/"
    assert next_page.url == "http://127.0.0.1:9/r/geldzaken/new.json?after=t3_b"
    seen = _spider(RedditListingSpider, source, known_url=lambda url: True)
    assert list(seen.parse_listing(response, page=1)) == []
    broken = TextResponse(spider.listing_url(), body=b"<html>rate limited</html>")
    assert list(spider.parse_listing(broken, page=1)) == []
    assert spider.crawler.stats.values["opendeur/error/invalid_json"] == 1


def test_listener_discourse_spider_reads_changed_topics_once():
    source = DiscourseSource(type="discourse", purpose=PURPOSE, base_url="http://127.0.0.1:9/d")
    spider = _spider(DiscourseJsonSpider, source)
    latest = {"topic_list": {"topics": [{"id": 7, "posts_count": 2, "last_posted_at": "x"}]}}
    response = TextResponse("http://127.0.0.1:9/d/latest.json", body=json.dumps(latest).encode())
    [request] = list(spider.parse_latest(response))
    topic = {"id": 7, "slug": "huur", "title": "Huur", "post_stream": {"posts": [
        {"post_number": 1, "username": "anon_123", "created_at": "2026-11-01T10:00:00.000Z",
         "cooked": "<p>Ik kan de huur niet betalen.</p>"}]}}  # fmt: skip
    topic_response = TextResponse(request.url, body=json.dumps(topic).encode())
    [item] = list(spider.parse_topic(topic_response, **request.cb_kwargs))
    assert (item.url, item.text.strip()) == (
        "http://127.0.0.1:9/d/t/huur/7/1",
        "Ik kan de huur niet betalen.",
    )
    assert list(spider.parse_latest(response)) == []  # unchanged since it was read
