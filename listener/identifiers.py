"""Keyed hashes instead of identifiers (DESIGN §5): URLs, contents and writers.

Post URLs and contents are hashed with the secret key from the environment, so duplicates can
be found without storing where a post came from. Writer handles are hashed with a key derived
for each ISO week: a writer gets a new hash every week and cannot be followed across weeks in
the stored data. Deriving the weekly key from the secret (instead of storing random weekly
keys) means anyone holding the secret could recompute a known handle's hash; the secret
therefore stays out of the database, logs and repository.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from nlp.normalise import comparable_text

MIN_KEY_LENGTH = 16


class HashKeyMissing(Exception):
    """No usable secret key; the message says which variable to set."""


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def canonical_url(url: str) -> str:
    """The form of a URL used for hashing: lower-case host, no default port.

    The fragment stays: forum posts are told apart by it ("topic-1.html#p11").
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, parts.fragment))


class IdentifierHasher:
    def __init__(self, key: bytes):
        if len(key) < MIN_KEY_LENGTH:
            raise HashKeyMissing(f"the hash key must be at least {MIN_KEY_LENGTH} characters")
        self._key = key

    @classmethod
    def from_secret(cls, value: str | None, variable: str) -> IdentifierHasher:
        if not value:
            raise HashKeyMissing(
                f"{variable} is not set: set it to a long random string (for example the "
                "output of `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        if len(value) < MIN_KEY_LENGTH:
            raise HashKeyMissing(
                f"{variable} is too short: use at least {MIN_KEY_LENGTH} characters"
            )
        return cls(value.encode())

    def _digest(self, key: bytes, purpose: str, value: str) -> str:
        message = purpose.encode() + b"\0" + value.encode()
        return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]

    def url(self, url: str) -> str:
        return self._digest(self._key, "url", canonical_url(url))

    def content(self, text: str) -> str:
        return self._digest(self._key, "content", comparable_text(text))

    def state_key(self, value: str) -> str:
        """A keyed hash for a source's saved state (threads, topics), instead of their URLs."""
        return self._digest(self._key, "state", value)

    def author(self, source: str, handle: str, week: str) -> str:
        weekly_key = hmac.new(self._key, b"author-week\0" + week.encode(), hashlib.sha256).digest()
        return self._digest(weekly_key, "author", f"{source}\0{handle.strip().casefold()}")
