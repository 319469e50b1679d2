"""X (Twitter) recent search as a source, through tweepy and the official API v2 (DESIGN §5).

Each run asks ``GET /2/tweets/search/recent`` for Dutch posts matching the source's query
(or one built from ``data/lexicon/x_query_terms.txt``) from the saved ``newest_time`` on,
and hands each post to the privacy pipeline, which hashes the post URL and the author id
before anything is stored. The saved state is a time, never a tweet id: the shell stores it
as it is, and DESIGN §5 allows no post identifiers in the database.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy
from tweepy.client import Response

from listener.api_http import (
    REQUEST_TIMEOUT_SECONDS,
    RetryPolicy,
    Sleep,
    mount_api_url,
    redact_library_logs,
)
from listener.api_listeners import SourceNotConfigured, SourceStopped
from listener.dates import parse_time
from listener.items import CollectedPost
from listener.pipeline import PostPipeline
from listener.settings import XSource
from nlp.datafiles import data_path

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

X_API_URL = "https://api.twitter.com"  # tweepy 4.17 hard-codes this host in BaseClient.request
MAX_QUERY_LENGTH = 512  # recent search on the self-serve tiers; XSource checks `query` too
QUERY_SUFFIX = ") lang:nl -is:retweet"
# note_tweet holds the full text of posts longer than 280 characters; `text` is cut short.
TWEET_FIELDS = ["created_at", "lang", "author_id", "note_tweet"]
# Recent search refuses a start_time older than 7 days; the minute covers the request's way
# there and a clock that is slightly ahead of X's.
SEARCH_WINDOW = timedelta(days=7) - timedelta(minutes=1)


def load_query_terms() -> list[str]:
    text = data_path("lexicon", "x_query_terms.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def build_query(terms: Iterable[str], limit: int = MAX_QUERY_LENGTH) -> str:
    """``(term OR term ...) lang:nl -is:retweet`` with terms taken in order while it fits."""
    chosen: list[str] = []
    for term in terms:
        if len("(" + " OR ".join([*chosen, term]) + QUERY_SUFFIX) > limit:
            break
        chosen.append(term)
    if not chosen:
        raise ValueError(f"no search term fits in a query of {limit} characters")
    return "(" + " OR ".join(chosen) + QUERY_SUFFIX


class XRecentSearchListener:
    """Dutch posts from X's recent search, newest first, continued from ``newest_time``."""

    def __init__(
        self,
        name: str,
        source: XSource,
        bearer_token: str,
        *,
        sleep: Sleep = time.sleep,
        timeout: float = REQUEST_TIMEOUT_SECONDS,
    ):
        self.name = name
        self.source = source
        self.policy = RetryPolicy(sleep=sleep)
        self.query = source.query or build_query(load_query_terms())
        # wait_on_rate_limit stays off: tweepy would sleep without limit and without our clock.
        self.client = tweepy.Client(bearer_token=bearer_token, wait_on_rate_limit=False)
        mount_api_url(self.client.session, X_API_URL, source.api_url, timeout)
        redact_library_logs("tweepy.client", "urllib3.connectionpool")

    @classmethod
    def from_settings(
        cls, name: str, source: XSource, secrets: Mapping[str, str] | Any, **options: Any
    ) -> XRecentSearchListener:
        token = secrets.get(source.bearer_token_env)
        if not token:
            raise SourceNotConfigured(f"{source.bearer_token_env} not set")
        return cls(name, source, token, **options)

    def run(self, pipeline: PostPipeline, state: dict[str, Any], clock: Clock) -> Counter[str]:
        """Collect up to ``max_pages`` pages; advance ``state["newest_time"]`` only on success.

        ``newest_time`` is the ``created_at`` of the newest post seen, sent back as the
        inclusive ``start_time``: posts of that second come again and the pipeline drops them
        as duplicates. Saving it only after the last page means an interrupted run is
        repeated, never skipped.
        """
        # State saved by the first version of this listener held a tweet id (DESIGN §5).
        state.pop("since_id", None)
        counts: Counter[str] = Counter()
        params: dict[str, Any] = {
            "query": self.query,
            "max_results": 100,
            "tweet_fields": TWEET_FIELDS,
            "user_auth": False,
        }
        start = self._start_time(parse_time(state.get("newest_time")), clock(), counts)
        if start:
            params["start_time"] = f"{start:%Y-%m-%dT%H:%M:%SZ}"
        newest: datetime | None = None
        for _ in range(self.source.max_pages):
            response = self._search(params, clock)
            counts["pages"] += 1
            for tweet in response.data or []:
                self._collect(tweet, pipeline, counts)
                if tweet.created_at and (newest is None or tweet.created_at > newest):
                    newest = tweet.created_at
            pipeline.commit()  # a later stop keeps this page
            next_token = response.meta.get("next_token")
            if not next_token:
                break
            params["next_token"] = next_token
        else:
            # Older matches in this window are left behind; raise max_pages if this recurs.
            counts["pages_left"] += 1
            logger.info("Source %s stopped after max_pages=%d", self.name, self.source.max_pages)
        if newest:
            state["newest_time"] = newest.astimezone(UTC).isoformat(timespec="seconds")
        return counts

    def _start_time(
        self, saved: datetime | None, now: datetime, counts: Counter[str]
    ) -> datetime | None:
        """The saved time, moved up into the last 7 days that recent search covers."""
        if saved is None:
            return None
        earliest = now.astimezone(UTC) - SEARCH_WINDOW
        if saved >= earliest:
            return saved.astimezone(UTC)
        # A source paused for over a week: what fell out of the window is out of reach.
        logger.info(
            "Source %s: newest_time %s is older than recent search reaches; searching from %s",
            self.name,
            saved.isoformat(),
            earliest.isoformat(timespec="seconds"),
        )
        counts["start_time_clamped"] += 1
        return earliest

    def _collect(self, tweet: tweepy.Tweet, pipeline: PostPipeline, counts: Counter[str]) -> None:
        counts["found"] += 1
        if tweet.lang != "nl":
            counts["other_language"] += 1
            return
        note = tweet.data.get("note_tweet") or {}
        post = CollectedPost(
            source=self.name,
            url=f"https://x.com/i/web/status/{tweet.id}",
            text=note.get("text") or tweet.text,
            author=str(tweet.author_id) if tweet.author_id is not None else None,
            published_at=tweet.created_at,
            region_hint=self.source.region,
        )
        counts[pipeline.process(post)] += 1

    def _search(self, params: dict[str, Any], clock: Clock) -> Response:
        """One page, with retries, rate-limit waits and the errors turned into SourceStopped."""
        failures = waits = 0
        while True:
            try:
                return self.client.search_recent_tweets(**params)
            except tweepy.Unauthorized:
                raise SourceStopped(
                    f"X refused the bearer token in {self.source.bearer_token_env} (401)"
                ) from None
            except tweepy.TooManyRequests as error:
                self._wait_for_rate_limit(error, clock, waits)
                waits += 1
            except tweepy.BadRequest as error:
                raise SourceStopped(f"X rejected the search: {_api_messages(error)}") from None
            except (tweepy.Forbidden, tweepy.NotFound) as error:
                raise SourceStopped(
                    f"X refused recent search ({_api_messages(error)}); it needs an access "
                    "tier that includes it"
                ) from None
            except (tweepy.TwitterServerError, requests.Timeout, requests.ConnectionError) as e:
                if failures >= self.policy.retries:
                    raise SourceStopped(
                        f"X API unavailable after {failures + 1} attempts ({_describe(e)}); "
                        "the next run continues"
                    ) from None
                logger.info("X API attempt %d failed (%s); retrying", failures + 1, _describe(e))
                self.policy.sleep(self.policy.backoff(failures))
                failures += 1

    def _wait_for_rate_limit(self, error: tweepy.TooManyRequests, clock: Clock, waits: int) -> None:
        reset = _reset_time(error)
        wait = reset - clock().timestamp() if reset is not None else None
        if self.policy.may_wait(wait, self.source.wait_on_rate_limit, waits):
            logger.info("X rate limit: waiting %.0f s for its reset", wait)
            self.policy.sleep(max(wait or 0.0, 0.0) + 1)
            return
        until = (
            f"until {datetime.fromtimestamp(reset, UTC):%H:%M} UTC"
            if reset is not None
            else "(no reset time given)"
        )
        raise SourceStopped(f"rate limited {until}; the next run continues")


def _reset_time(error: tweepy.TooManyRequests) -> float | None:
    value = error.response.headers.get("x-rate-limit-reset") or error.reset_time
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _api_messages(error: tweepy.HTTPException) -> str:
    return "; ".join(str(m) for m in error.api_messages) or str(error.response.status_code)


def _describe(error: Exception) -> str:
    if isinstance(error, tweepy.HTTPException):
        return f"{error.response.status_code} {error.response.reason}"
    return type(error).__name__
