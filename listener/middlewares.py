"""Downloader middleware: retries with exponential backoff and jitter that honour Retry-After.

Scrapy's own RetryMiddleware retries at once and ignores Retry-After; a polite crawler waits
as long as the server asks (up to ``OPENDEUR_MAX_RETRY_AFTER`` seconds, beyond which the
request is given up and the source tries again on its next run).
"""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import get_retry_request
from twisted.internet.error import (
    ConnectionLost,
    ConnectionRefusedError,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web.client import ResponseFailed

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})
RETRY_EXCEPTIONS = (
    ConnectionLost, ConnectionRefusedError, DNSLookupError, TCPTimedOutError, TimeoutError,
    ResponseFailed,
)  # fmt: skip
DELAY_KEY = "opendeur_delay"


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a number, or an HTTP date."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class RetryWithBackoff:
    def __init__(self, crawler, retries: int, max_retry_after: float, base_delay: float):
        # Scrapy 2.13+ no longer passes the spider to middleware methods; the crawler knows it.
        self.crawler = crawler
        self.retries = retries
        self.max_retry_after = max_retry_after
        self.base_delay = base_delay
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        return cls(
            crawler,
            retries=settings.getint("OPENDEUR_RETRIES", 3),
            max_retry_after=settings.getfloat("OPENDEUR_MAX_RETRY_AFTER", 300),
            base_delay=settings.getfloat("OPENDEUR_BACKOFF_BASE", 1.0),
        )

    def _backoff(self, request) -> float:
        attempt = request.meta.get("retry_times", 0)
        return self.base_delay * 2**attempt * random.uniform(0.5, 1.5)

    def _retry(self, request, spider, reason: str, delay: float):
        retry = get_retry_request(
            request, spider=spider or self.crawler.spider, reason=reason,
            max_retry_times=self.retries,
        )  # fmt: skip
        if retry is not None:
            retry.meta[DELAY_KEY] = delay
        return retry

    async def process_request(self, request, spider=None):
        delay = request.meta.pop(DELAY_KEY, 0)
        if delay:
            await asyncio.sleep(delay)
        return None

    def process_response(self, request, response, spider=None):
        if response.status not in RETRY_STATUSES or request.meta.get("dont_retry"):
            return response
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is not None and asked > self.max_retry_after:
            self.stats.inc_value("opendeur/retry_after_too_long")
            return response  # given up for now; the next run tries again
        delay = asked if asked is not None else self._backoff(request)
        return self._retry(request, spider, f"HTTP {response.status}", delay) or response

    def process_exception(self, request, exception, spider=None):
        if isinstance(exception, RETRY_EXCEPTIONS) and not request.meta.get("dont_retry"):
            return self._retry(request, spider, type(exception).__name__, self._backoff(request))
        return None
