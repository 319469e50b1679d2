"""A Graph API client for reading one Page's edges, built on facebook-sdk.

Why facebook-sdk, and how it is wrapped
    The design card names ``facebook-sdk`` (3.1.0, 2018). Its ``GraphAPI(version=...)``
    accepts only 2.8–3.1, all retired by Meta, and its host is the module constant
    ``FACEBOOK_GRAPH_URL``. Its request code is still sound for reading: a GET with
    ``access_token`` as a query parameter, JSON parsed, ``{"error": ...}`` raised as
    ``GraphAPIError``. So the client is built without a version (the check runs only in
    ``__init__``), then ``graph.version`` is set to the source's ``graph_version`` (v21.0 by
    default); a URL-rewriting adapter on ``graph.session`` adds a timeout and, for tests,
    points it at ``api_url``. This patches frozen code: if a facebook-sdk release ever
    changes these attributes, ``tests/test_listener_facebook.py`` fails at once.

    What facebook-sdk lacks is added here: it drops the HTTP status and headers (needed for
    HTTP 429, 5xx and the rate-limit usage headers), so a session response hook keeps the
    last response; and its transport errors carry the URL with the token, so they are
    re-raised with the token masked.

Alternatives
    ``python-facebook-api`` (0.24, maintained) takes any version string and a base URL, but
    adds a dependency the design card does not name for one GET pattern. A thin httpx or
    requests client of about 60 lines would remove the patching; it is the way out if
    facebook-sdk stops working, and this module's interface (``PageGraphClient.edge`` and
    the ``GraphError`` classes) is what such a client would keep.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import facebook
import requests

from listener.api_http import mount_api_url, redact, redact_library_logs

logger = logging.getLogger(__name__)

GRAPH_URL = facebook.FACEBOOK_GRAPH_URL.rstrip("/")
# 102/190/463/467: invalid or expired token; 10 and 200–299: a permission is missing.
AUTH_CODES = frozenset({10, 102, 190, 463, 467, *range(200, 300)})
# 4 app, 17 user, 32 Page, 613 custom; 80001–80014 business use case (Page tokens).
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TRANSIENT_CODES = frozenset({1, 2})  # "unknown error", "service temporarily unavailable"
USAGE_HEADERS = ("x-business-use-case-usage", "x-app-usage", "x-page-usage")


class GraphError(Exception):
    """The Graph API answered with an error; ``message`` never holds the token."""

    def __init__(self, message: str, status: int | None = None, code: int | None = None):
        super().__init__(message)
        self.message, self.status, self.code = message, status, code


class GraphAuthError(GraphError):
    """The token is invalid, expired or lacks a permission."""


class GraphRateLimited(GraphError):
    """Too many calls; ``wait_seconds`` is Meta's estimate, when a usage header gives one."""

    def __init__(self, message: str, status: int | None, code: int | None, wait: float | None):
        super().__init__(message, status, code)
        self.wait_seconds = wait


class GraphUnavailable(GraphError):
    """A 5xx, a transient error, a timeout or a broken connection: worth retrying."""


class PageGraphClient:
    """GET requests on Graph API edges, with a current version and errors classified."""

    def __init__(self, access_token: str, version: str, api_url: str, timeout: float):
        self._token = access_token
        self.graph = facebook.GraphAPI(access_token=access_token, timeout=timeout)
        self.graph.version = version  # after __init__: its check only knows 2.8–3.1
        mount_api_url(self.graph.session, GRAPH_URL, api_url, timeout)
        self._last: requests.Response | None = None
        self.graph.session.hooks["response"].append(self._keep)
        redact_library_logs("urllib3.connectionpool")

    def _keep(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = response

    def edge(self, object_id: str, edge: str, **params: Any) -> dict[str, Any]:
        """One page of ``/{version}/{object_id}/{edge}``; raises a ``GraphError``."""
        self._last = None
        try:
            result = self.graph.get_connections(object_id, edge, **params)
        except facebook.GraphAPIError as error:
            body = error.result if isinstance(error.result, dict) else {}
            raise self._classify(body.get("error") or {}, str(error.message)) from None
        except KeyError:  # facebook-sdk reads headers["content-type"] unguarded
            raise self._classify({}, "response without a content type") from None
        except (requests.Timeout, requests.ConnectionError) as error:
            # The message holds the URL, and the URL holds the token.
            detail = redact(f"{type(error).__name__}: {error}", self._token)
            raise GraphUnavailable(detail) from None
        status = self._last.status_code if self._last is not None else 200
        if status >= 400 or not isinstance(result, dict):
            raise self._classify({}, f"unexpected answer with HTTP {status}")
        return result

    def _classify(self, error: dict[str, Any], message: str) -> GraphError:
        status = self._last.status_code if self._last is not None else None
        code = error.get("code")
        message = redact(str(error.get("message") or message), self._token)
        if code in RATE_LIMIT_CODES or status == 429:
            return GraphRateLimited(message, status, code, self._regain_access_seconds())
        if code in AUTH_CODES or status == 401:
            return GraphAuthError(message, status, code)
        if (status or 0) >= 500 or code in TRANSIENT_CODES or error.get("is_transient"):
            return GraphUnavailable(message, status, code)
        return GraphError(message, status, code)

    def _regain_access_seconds(self) -> float | None:
        """The longest ``estimated_time_to_regain_access`` (minutes) in the usage headers."""
        if self._last is None:
            return None
        minutes = [
            value
            for name in USAGE_HEADERS
            for value in _find_key(
                _json_header(self._last, name), "estimated_time_to_regain_access"
            )
        ]
        return max(minutes) * 60.0 if minutes else None


def next_cursor(page: dict[str, Any]) -> str | None:
    """The ``after`` cursor of the next page, or None on the last page.

    Graph marks the last page by leaving out ``paging.next``. The cursor is sent as ``after``
    instead of fetching ``next`` itself, because that URL embeds the token and the host.
    """
    paging = page.get("paging") or {}
    return (paging.get("cursors") or {}).get("after") if paging.get("next") else None


def _json_header(response: requests.Response, name: str) -> Any:
    try:
        return json.loads(response.headers.get(name) or "null")
    except ValueError:
        return None


def _find_key(value: Any, key: str) -> Iterator[float]:
    """Numbers under ``key`` anywhere in a parsed header (BUC headers nest them by id)."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name == key and isinstance(item, int | float):
                yield float(item)
            else:
                yield from _find_key(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _find_key(item, key)
