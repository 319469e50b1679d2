"""What every opendeur spider shares: its source, its state, and counted failures."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from listener.items import CollectedPost

KnownUrl = Callable[[str], bool]
Keyed = Callable[[str], str]


def failure_kind(failure) -> str:
    """A short, stable name for why a request failed, for the run summary."""
    error = failure.value
    if isinstance(error, HttpError):
        return f"http_{error.response.status}"
    if isinstance(error, IgnoreRequest):
        message = str(error).lower()
        if "redirect" in message:
            return "redirect_loop"
        if "robots" in message or "forbidden by robots" in message:
            return "robots_forbidden"
        return "ignored"
    name = type(error).__name__
    if "Cancelled" in name or "size" in str(error).lower():
        return "too_large"
    # DNSLookupError -> dns_lookup, TCPTimedOutError -> tcp_timed_out
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    return snake.removesuffix("_error") or "error"


class SourceSpider(scrapy.Spider):
    """A spider for one configured source.

    ``state`` is what the source saved after its last run (a dict, kept as ``source_state``
    because Scrapy itself uses ``spider.state``); ``known_url`` tells whether a post URL is
    already stored; ``keyed`` hashes a string with the secret key, so state can remember
    threads without storing their URLs.
    """

    def __init__(
        self,
        source_name: str,
        source: Any,
        state: dict | None = None,
        known_url: KnownUrl | None = None,
        keyed: Keyed | None = None,
        **kwargs: Any,
    ):
        super().__init__(name=source_name, **kwargs)
        self.source_name = source_name
        self.source = source
        self.source_state = state if state is not None else {}
        self.known_url = known_url or (lambda url: False)
        self.keyed = keyed or (lambda value: value)

    def post(self, **fields: Any) -> CollectedPost:
        return CollectedPost(source=self.source_name, region_hint=self.source.region, **fields)

    def request(self, url: str, callback, **kwargs: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.failed, **kwargs)

    def failed(self, failure) -> None:
        self.count(f"error/{failure_kind(failure)}")

    def count(self, key: str, amount: int = 1) -> None:
        if self.crawler is not None:
            self.crawler.stats.inc_value(f"opendeur/{key}", amount)
