"""A requests adapter that gives every request a timeout and can point a client elsewhere.

tweepy hard-codes the X host and passes no timeout to requests. Mounted on a client's own
session, this adapter adds the channel's timeout and, when ``api_url`` differs from the
official host (tests use a local fake server), rewrites the URL; the library runs unchanged.
The listener has its own copy: floor-2 packages share no code (DESIGN §3).
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter


class TimeoutRedirectAdapter(HTTPAdapter):
    def __init__(self, official: str, target: str, timeout: float):
        super().__init__()
        self.official, self.target, self.timeout = official.rstrip("/"), target.rstrip("/"), timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        url = request.url or ""
        if self.target != self.official and url.startswith(self.official):
            request.url = self.target + url[len(self.official) :]
            kwargs["proxies"] = requests.utils.get_environ_proxies(request.url)  # NO_PROXY
        return super().send(request, **kwargs)


def mount(session: requests.Session, official: str, target: str, timeout: float) -> None:
    session.mount(official.rstrip("/") + "/", TimeoutRedirectAdapter(official, target, timeout))


def retry_after_seconds(headers: Any, now: float) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds) or ``x-rate-limit-reset`` (epoch)."""
    value = headers.get("retry-after")
    if value and str(value).strip().isdigit():
        return float(value)
    reset = headers.get("x-rate-limit-reset")
    try:
        return max(float(reset) - now, 0.0) if reset else None
    except ValueError:
        return None
