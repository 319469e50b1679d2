"""HTTP plumbing shared by the API listeners (X through tweepy, Facebook through facebook-sdk).

Both libraries hard-code their hosts, pass no timeout to requests and log tokens at DEBUG
level; ``mount_api_url`` and ``redact_library_logs`` fix that on the library's own session and
loggers, and ``RetryPolicy`` decides when a listener waits and retries.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter

Sleep = Callable[[float], None]

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
