"""The `[listener]` section: sources, crawling politeness and the language filter.

Each source is a table under `[listener.sources.NAME]` with a `type` and a `purpose`; the
other keys depend on the type. The shell validates this section with the rest of the file
and hands it to the listener (DESIGN §3).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"expected an http:// or https:// address, not {value!r}")
    return value


def _env_name(value: str) -> str:
    if not re.match(r"^[A-Z_][A-Z0-9_]*$", value):
        raise ValueError(f"expected the name of an environment variable, not {value!r}")
    return value


def _interval(value: str) -> str:
    if not re.fullmatch(r"\d+[mhd]", value):
        raise ValueError(f'expected an interval such as "30m", "6h" or "1d", not {value!r}')
    return value


Url = Annotated[str, AfterValidator(_http_url)]
EnvName = Annotated[str, AfterValidator(_env_name)]
Interval = Annotated[str, AfterValidator(_interval)]
Purpose = Annotated[str, Field(min_length=10, description="Why this source is listened to.")]


class _SourceBase(_Section):
    purpose: Purpose
    enabled: StrictBool = Field(True, description="Switch a source off without removing it.")
    region: str | None = Field(None, description="Municipality or province the source covers.")
    every: Interval = Field("1d", description="How often `listen run --due` runs this source.")


class ForumSelectors(_Section):
    """CSS selectors for a forum engine; a preset fills them for the common engines."""

    thread_row: str = Field(
        "", description="On a listing page: one element per thread (enables incremental crawls)."
    )
    thread_links: str = Field(description="On a listing page (or row): links to threads.")
    listing_next: str = Field("", description="On a listing page: the next-page link.")
    post: str = Field(description="On a thread page: one element per post.")
    text: str = Field(description="Inside a post: the element holding the text.")
    remove: str = Field("", description="Inside the text: quotes, signatures, scripts to drop.")
    author: str = Field("", description="Inside a post: the author's handle (text).")
    time: str = Field("", description="Inside a post: a time element or ::attr(datetime).")
    permalink: str = Field("", description="Inside a post: its id or link, for its URL.")
    thread_next: str = Field("", description="On a thread page: the next-page link.")
    title: str = Field("", description="On a thread page: the thread title.")


class ForumSource(_SourceBase):
    type: Literal["forum"]
    start_urls: list[Url] = Field(min_length=1, description="Listing (board) pages.")
    preset: Literal["phpbb", "xenforo", "discourse_html", "vbulletin"] | None = None
    selectors: ForumSelectors | None = None
    max_listing_pages: StrictInt = Field(3, ge=1)
    max_thread_pages: StrictInt = Field(50, ge=1)


class FeedSource(_SourceBase):
    type: Literal["feed"]
    urls: list[Url] = Field(min_length=1, description="RSS or Atom feed addresses.")


class SitemapSource(_SourceBase):
    type: Literal["sitemap"]
    urls: list[Url] = Field(min_length=1, description="Sitemap or sitemap index addresses.")
    follow: str = Field("", description="Only pages whose address matches this pattern.")
    content: str = Field("article, main", description="CSS selector of the page text.")


class RedditSource(_SourceBase):
    type: Literal["reddit"]
    subreddit: str = Field(pattern=r"^[A-Za-z0-9_]{2,21}$")
    base_url: Url = Field("https://www.reddit.com", description="Changed only for tests.")
    max_pages: StrictInt = Field(5, ge=1)


class DiscourseSource(_SourceBase):
    type: Literal["discourse"]
    base_url: Url = Field(description="The forum's address; its JSON API is read.")
    max_topics: StrictInt = Field(30, ge=1)


def _x_query(value: str) -> str:
    if len(value) > 512:
        raise ValueError(
            f"expected at most 512 characters (X's limit for recent search), got {len(value)}"
        )
    return value


class XSource(_SourceBase):
    type: Literal["x"]
    query: Annotated[str, AfterValidator(_x_query)] = Field(
        "", description="Search query; empty builds one from the lexicon."
    )
    bearer_token_env: EnvName = "OPENDEUR_X_BEARER_TOKEN"
    api_url: Url = Field("https://api.twitter.com", description="Changed only for tests.")
    # X charges per request, so a run may not page on without end.
    max_pages: StrictInt = Field(5, ge=1, le=50, description="Pages of 100 posts per run.")
    wait_on_rate_limit: StrictBool = Field(
        False, description="Wait for the rate limit to reset instead of stopping until next run."
    )


class FacebookSource(_SourceBase):
    type: Literal["facebook"]
    page_id: str = Field(pattern=r"^[0-9A-Za-z._-]+$", description="The corporation's own Page.")
    access_token_env: EnvName = "OPENDEUR_FACEBOOK_PAGE_TOKEN"
    graph_version: str = Field("v21.0", pattern=r"^v\d+\.\d+$")
    api_url: Url = Field("https://graph.facebook.com", description="Changed only for tests.")
    max_posts: StrictInt = Field(25, ge=1, le=100)
    wait_on_rate_limit: StrictBool = Field(
        False, description="Wait for the rate limit to reset instead of stopping until next run."
    )


SOURCE_TYPES = ("forum", "feed", "sitemap", "reddit", "discourse", "x", "facebook")
SourceSettings = Annotated[
    ForumSource
    | FeedSource
    | SitemapSource
    | RedditSource
    | DiscourseSource
    | XSource
    | FacebookSource,
    Field(discriminator="type"),
]


class CrawlSettings(_Section):
    """Politeness and robustness of the web crawler."""

    concurrent_requests_per_domain: StrictInt = Field(2, ge=1, le=16)
    download_delay_seconds: float = Field(1.0, ge=0)
    autothrottle: StrictBool = True
    timeout_seconds: StrictInt = Field(30, ge=1)
    max_page_bytes: StrictInt = Field(5_000_000, ge=10_000)
    retries: StrictInt = Field(3, ge=0, le=10)
    max_retry_after_seconds: StrictInt = Field(
        300, ge=0, description="Longer Retry-After waits end the source's run until next time."
    )
    state_dir: Path | None = Field(
        None, description="Crawl state for resuming (default: next to the database)."
    )


class LanguageSettings(_Section):
    keep: list[str] = Field(["nl"], description="ISO 639-1 codes of the languages kept.")
    min_confidence: float = Field(0.5, ge=0, le=1)


class ListenerSettings(_Section):
    sources: dict[str, SourceSettings] = Field(default_factory=dict)
    crawl: CrawlSettings = Field(default_factory=CrawlSettings)
    language: LanguageSettings = Field(default_factory=LanguageSettings)
