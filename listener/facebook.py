"""Comments on the corporation's own Facebook Page, read through the Graph API (DESIGN §5).

Facebook offers no API to search other people's public posts, and scraping is ruled out, so
this source reads only the comments under the Page's own recent posts, with a Page access
token. The Page's posts and its replies to comments are the corporation's own texts: they are
not collected (the posts' messages are not even requested). A commenter's ``from.id``, which
only the Page can see, reaches the pipeline as the author and is stored only as a weekly hash.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from listener.api_http import REQUEST_TIMEOUT_SECONDS, RetryPolicy, Sleep
from listener.api_listeners import SourceNotConfigured, SourceStopped
from listener.dates import parse_time
from listener.graph_api import (
    GraphAuthError,
    GraphError,
    GraphRateLimited,
    GraphUnavailable,
    PageGraphClient,
    next_cursor,
)
from listener.items import CollectedPost
from listener.pipeline import PostPipeline
from listener.settings import FacebookSource

logger = logging.getLogger(__name__)

POST_FIELDS = "id,created_time"  # ids only: the Page's own texts are never collected
COMMENT_FIELDS = "id,message,created_time,from"
GRAPH_PAGE_LIMIT = 100  # the most Graph returns per page on these edges
MAX_COMMENT_PAGES = 50  # per post and run, so one viral post cannot hold a run forever


class FacebookPageListener:
    """New comments under the Page's latest ``max_posts`` posts, continued from ``since``."""

    def __init__(
        self,
        name: str,
        source: FacebookSource,
        access_token: str,
        *,
        sleep: Sleep = time.sleep,
        timeout: float = REQUEST_TIMEOUT_SECONDS,
    ):
        self.name = name
        self.source = source
        self.policy = RetryPolicy(sleep=sleep)
        self.client = PageGraphClient(access_token, source.graph_version, source.api_url, timeout)

    @classmethod
    def from_settings(
        cls, name: str, source: FacebookSource, secrets: Mapping[str, str] | Any, **options: Any
    ) -> FacebookPageListener:
        token = secrets.get(source.access_token_env)
        if not token:
            raise SourceNotConfigured(f"{source.access_token_env} not set")
        return cls(name, source, token, **options)

    def run(
        self, pipeline: PostPipeline, state: dict[str, Any], clock: Callable[[], datetime]
    ) -> Counter[str]:
        """Collect new comments; advance ``state["since"]`` only when the run completes.

        ``since`` is the newest comment time seen. Comments on posts older than the latest
        ``max_posts`` are not read; the ``since`` filter (inclusive, to the second) can
        return a comment again, which the pipeline drops as a duplicate.
        """
        counts: Counter[str] = Counter()
        since = parse_time(state.get("since"))
        newest = since
        params: dict[str, Any] = {
            "fields": COMMENT_FIELDS,
            "filter": "stream",  # replies to comments too, in one flat list
            "limit": GRAPH_PAGE_LIMIT,
        }
        if since:
            params["since"] = int(since.timestamp())
        for post_id in self._post_ids(counts):
            # Post ids read "<numeric page id>_<post>"; the setting may be the Page's name.
            own_ids = {self.source.page_id, post_id.split("_")[0]}
            for page in self._pages(post_id, "comments", MAX_COMMENT_PAGES, params, counts):
                for comment in page.get("data") or []:
                    created = parse_time(comment.get("created_time"))
                    if created and (newest is None or created > newest):
                        newest = created
                    self._collect(comment, created, own_ids, pipeline, counts)
                pipeline.commit()  # a later stop keeps what this page gave
        if newest and newest != since:
            state["since"] = newest.isoformat()
        return counts

    def _post_ids(self, counts: Counter[str]) -> list[str]:
        wanted = self.source.max_posts
        params = {"fields": POST_FIELDS, "limit": min(wanted, GRAPH_PAGE_LIMIT)}
        ids: list[str] = []
        # Graph may return fewer than `limit` per page, so page on until enough ids are in.
        for page in self._pages(self.source.page_id, "posts", wanted, params, counts):
            ids.extend(str(post["id"]) for post in page.get("data") or [] if post.get("id"))
            if len(ids) >= wanted:
                break
        counts["page_posts"] += len(ids[:wanted])
        return ids[:wanted]

    def _collect(
        self,
        comment: dict[str, Any],
        created: datetime | None,
        own_ids: set[str],
        pipeline: PostPipeline,
        counts: Counter[str],
    ) -> None:
        counts["found"] += 1
        author = (comment.get("from") or {}).get("id")
        if author in own_ids:
            counts["own_page"] += 1  # the corporation answering under its own post
            return
        post = CollectedPost(
            source=self.name,
            # The id, not permalink_url: its form has changed over the years, the id has
            # not, and the URL is only hashed to recognise the comment again.
            url=f"https://www.facebook.com/{comment['id']}",
            text=comment.get("message") or "",
            author=str(author) if author else None,
            published_at=created,
            region_hint=self.source.region,
        )
        counts[pipeline.process(post)] += 1

    def _pages(
        self,
        object_id: str,
        edge: str,
        max_pages: int,
        params: dict[str, Any],
        counts: Counter[str],
    ) -> Iterator[dict[str, Any]]:
        for _ in range(max_pages):
            page = self._get(object_id, edge, params)
            counts["pages"] += 1
            yield page
            after = next_cursor(page)
            if not after:
                return
            params = {**params, "after": after}

    def _get(self, object_id: str, edge: str, params: dict[str, Any]) -> dict[str, Any]:
        """One request, with retries and rate-limit waits; errors become SourceStopped."""
        failures = waits = 0
        while True:
            try:
                return self.client.edge(object_id, edge, **params)
            except GraphAuthError as error:
                raise SourceStopped(
                    f"Facebook refused the Page token in {self.source.access_token_env} "
                    f"({error.message})"
                ) from None
            except GraphRateLimited as error:
                wait = error.wait_seconds
                if not self.policy.may_wait(wait, self.source.wait_on_rate_limit, waits):
                    raise SourceStopped("rate limited; the next run continues") from None
                # Meta counts whole minutes: 0 means "less than one", not "now".
                wait = max(wait or 0.0, 60.0)
                logger.info("Facebook rate limit: waiting %.0f s", wait)
                self.policy.sleep(wait)
                waits += 1
            except GraphUnavailable as error:
                if failures >= self.policy.retries:
                    raise SourceStopped(
                        f"Facebook Graph API unavailable after {failures + 1} attempts "
                        f"({error.message}); the next run continues"
                    ) from None
                logger.info("Graph API attempt %d failed (%s)", failures + 1, error.message)
                self.policy.sleep(self.policy.backoff(failures))
                failures += 1
            except GraphError as error:
                raise SourceStopped(f"Facebook refused the request ({error.message})") from None
