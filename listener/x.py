"""X (Twitter) recent search as a source, through tweepy and the official API v2 (DESIGN §5).

Each run asks ``GET /2/tweets/search/recent`` for Dutch posts matching the source's query
(or one built from ``data/lexicon/x_query_terms.txt``) that are newer than the saved
``since_id``, and hands each post to the privacy pipeline, which hashes the post URL and the
author id before anything is stored.

The HTTP plumbing shared with the Facebook listener lives here too (``ApiUrlAdapter``,
``RedactTokens``, ``RetryPolicy``), because both wrap a library with a hard-coded host.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter
from tweepy.client import Response

from listener.api_listeners import SourceNotConfigured, SourceStopped
from listener.items import CollectedPost
from listener.pipeline import PostPipeline
from listener.settings import XSource
from nlp.datafiles import data_path

logger = logging.getLogger(__name__)

Sleep = Callable[[float], None]
Clock = Callable[[], datetime]

X_API_URL = "https://api.twitter.com"  # tweepy 4.17 hard-codes this host in BaseClient.request
MAX_QUERY_LENGTH = 512  # recent search on the self-serve tiers
QUERY_SUFFIX = ") lang:nl -is:retweet"
# note_tweet holds the full text of posts longer than 280 characters; `text` is cut short.
TWEET_FIELDS = ["created_at", "lang", "author_id", "note_tweet"]
REQUEST_TIMEOUT_SECONDS = 30.0


class ApiUrlAdapter(HTTPAdapter):
    """Send requests meant for ``official`` to ``target`` instead, with a default timeout.

    tweepy and facebook-sdk hard-code their hosts and pass no timeout to requests. Mounted on
    the library's own ``requests.Session``, this adapter gives every request a timeout and,
    when a source's ``api_url`` differs (tests use a local fake server), rewrites the URL;
    the library code itself runs unchanged, as it does against the real API.
    """

    def __init__(self, official: str, target: str, timeout: float):
        super().__init__()
        self.official = official.rstrip("/")
        self.target = target.rstrip("/")
        self.timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        url = request.url or ""
        if self.target != self.official and url.startswith(self.official):
            request.url = self.target + url[len(self.official) :]
            # The session chose proxies for the official host; choose again for the new one
            # so that NO_PROXY (127.0.0.1 in tests) is honoured.
            kwargs["proxies"] = requests.utils.get_environ_proxies(request.url)
        return super().send(request, **kwargs)


def mount_api_url(session: requests.Session, official: str, target: str, timeout: float) -> None:
    session.mount(official.rstrip("/") + "/", ApiUrlAdapter(official, target, timeout))


class RedactTokens(logging.Filter):
    """Mask tokens and response bodies in the DEBUG records of the HTTP libraries.

    tweepy logs each request's headers (with the bearer token) and each response body (posts
    and author ids); urllib3 logs request lines, which carry the Graph API's ``access_token``
    query parameter. Neither belongs in a log file.
    """

    PATTERNS = (
        (re.compile(r"(Bearer\s+)[^\s'\",}]+"), r"\1[REDACTED]"),
        (re.compile(r"(access_token=)[^&\s'\"]+"), r"\1[REDACTED]"),
        (re.compile(r"(\nContent: ).*", re.DOTALL), r"\1[not logged]"),
    )

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def redact(text: str, *secrets: str) -> str:
    for pattern, replacement in RedactTokens.PATTERNS:
        text = pattern.sub(replacement, text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[REDACTED]")
    return text


def redact_library_logs(*logger_names: str) -> None:
    """Attach one ``RedactTokens`` to each named logger (filters act where records start)."""
    for name in logger_names:
        library_logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in library_logger.filters):
            library_logger.addFilter(RedactTokens())


@dataclass(frozen=True)
class RetryPolicy:
    """When to wait and retry, shared by the API listeners.

    Server errors and timeouts are retried ``retries`` times with exponential backoff. A rate
    limit is waited out only when the source allows it and the wait is at most
    ``max_wait_seconds``; otherwise the run stops and the next run continues.
    """

    sleep: Sleep = time.sleep
    retries: int = 3
    backoff_seconds: float = 2.0
    max_wait_seconds: float = 15 * 60
    max_rate_limit_waits: int = 3

    def backoff(self, attempt: int) -> float:
        return self.backoff_seconds * 2**attempt

    def may_wait(self, seconds: float | None, allowed: bool, waits_so_far: int) -> bool:
        return (
            allowed
            and seconds is not None
            and seconds <= self.max_wait_seconds
            and waits_so_far < self.max_rate_limit_waits
        )


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
    """Dutch posts from X's recent search, newest first, continued from ``since_id``."""

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
        if len(self.query) > MAX_QUERY_LENGTH:
            logger.warning(
                "X query of source %s is longer than %d characters", name, MAX_QUERY_LENGTH
            )
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
        """Collect up to ``max_pages`` pages; advance ``state["since_id"]`` only on success.

        The first page holds the newest posts, so its ``newest_id`` is the next ``since_id``.
        Saving it only after the last page means an interrupted run is repeated (the pipeline
        drops what it already stored), never skipped.
        """
        counts: Counter[str] = Counter()
        params: dict[str, Any] = {
            "query": self.query,
            "max_results": 100,
            "tweet_fields": TWEET_FIELDS,
            "user_auth": False,
        }
        if state.get("since_id"):
            params["since_id"] = state["since_id"]
        newest_id = None
        for page in range(self.source.max_pages):
            response = self._search(params, clock, counts)
            counts["pages"] += 1
            if page == 0:
                newest_id = response.meta.get("newest_id")
            for tweet in response.data or []:
                self._collect(tweet, pipeline, counts)
            pipeline.commit()  # a later stop keeps this page
            next_token = response.meta.get("next_token")
            if not next_token:
                break
            params["next_token"] = next_token
        else:
            # Older matches in this window are left behind; raise max_pages if this recurs.
            counts["pages_left"] += 1
            logger.info("Source %s stopped after max_pages=%d", self.name, self.source.max_pages)
        if newest_id:
            state["since_id"] = str(newest_id)
        elif "since_id" not in params:
            state.pop("since_id", None)
        return counts

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

    def _search(self, params: dict[str, Any], clock: Clock, counts: Counter[str]) -> Response:
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
                if not (_since_id_rejected(error) and params.pop("since_id", None)):
                    raise SourceStopped(f"X rejected the search: {_api_messages(error)}") from None
                # X accepts only a since_id from the last 7 days; a paused source starts over.
                logger.warning("Source %s: since_id too old for recent search; dropped", self.name)
                counts["since_id_expired"] += 1
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


def _since_id_rejected(error: tweepy.BadRequest) -> bool:
    return any(
        isinstance(item, dict) and "since_id" in (item.get("parameters") or {})
        for item in error.api_errors
    )


def _api_messages(error: tweepy.HTTPException) -> str:
    return "; ".join(str(m) for m in error.api_messages) or str(error.response.status_code)


def _describe(error: Exception) -> str:
    if isinstance(error, tweepy.HTTPException):
        return f"{error.response.status_code} {error.response.reason}"
    return type(error).__name__
