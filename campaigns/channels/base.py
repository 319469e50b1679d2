"""What every channel offers the publisher: publish, update, delete, find and health.

A channel turns a :class:`Post` into one request to one place (a blog, an X account, a
Facebook Page, a theme site) and says what happened in a :class:`Receipt` or a
:class:`ChannelError`. Errors are sorted in two kinds the publisher acts on:

- :class:`PermanentError` (``auth``, ``validation``, ``duplicate``, ``config``, ``budget``):
  trying again will not help; the item is failed and shown to staff.
- :class:`TemporaryError` (``rate_limit``, ``unavailable``): try again later, at
  ``retry_after`` when the channel knows it.

``find`` is how the publisher recovers from a crash between the remote call and its own
commit: it asks the channel whether the post already exists before sending it again.
Messages never contain secrets.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

SecretLookup = Callable[[str], "str | None"]

PERMANENT_KINDS = ("auth", "validation", "duplicate", "config", "budget")
TEMPORARY_KINDS = ("rate_limit", "unavailable")


@dataclass(frozen=True)
class Post:
    """One content item as a channel sends it."""

    key: str  # idempotency key: the same item on the same channel always has the same key
    body: str
    link: str  # the tracked link the post carries
    title: str | None = None
    summary: str | None = None
    tags: tuple[str, ...] = ()
    campaign: str = ""  # the campaign's slug
    publish_at: datetime | None = None  # when it should appear (timezone-aware)


@dataclass(frozen=True)
class Receipt:
    """What the channel answered: the remote post's id and address."""

    remote_id: str
    url: str | None = None
    scheduled: bool = False  # the channel will publish it itself at ``publish_at``
    dry_run: bool = False  # nothing was sent


class ChannelError(Exception):
    """The channel refused or failed; ``str(error)`` is safe to show and to store."""

    kind: str = "unavailable"
    permanent: bool = False

    def __init__(self, message: str, kind: str | None = None, retry_after: float | None = None):
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        self.retry_after = retry_after  # seconds, when the channel says when to come back


class PermanentError(ChannelError):
    kind = "validation"
    permanent = True

    def __init__(self, message: str, kind: str = "validation"):
        if kind not in PERMANENT_KINDS:
            raise ValueError(f"not a permanent error kind: {kind}")
        super().__init__(message, kind)


class TemporaryError(ChannelError):
    kind = "unavailable"

    def __init__(self, message: str, kind: str = "unavailable", retry_after: float | None = None):
        if kind not in TEMPORARY_KINDS:
            raise ValueError(f"not a temporary error kind: {kind}")
        super().__init__(message, kind, retry_after)


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str
    extra: dict[str, Any] = field(default_factory=dict)


class Channel(ABC):
    """A configured place to publish; ``name`` is its table name in ``[channels.NAME]``."""

    type: ClassVar[str]

    def __init__(self, name: str, settings: Any, secret: SecretLookup):
        self.name = name
        self.settings = settings
        self._secret = secret

    @property
    def carries(self) -> tuple[str, ...]:
        """The item channels this channel publishes (``carries``, else its own type)."""
        return tuple(getattr(self.settings, "carries", None) or (self.type,))

    def require_secret(self, env_name: str, what: str) -> str:
        value = self._secret(env_name)
        if not value:
            raise PermanentError(
                f"channel {self.name}: {what} is missing; set the environment variable "
                f"{env_name} (or put it in the secrets file)",
                "config",
            )
        return value

    @abstractmethod
    def request(self, post: Post) -> dict[str, Any]:
        """What ``publish`` would send, without secrets: shown by dry runs and kept as a record."""

    @abstractmethod
    def publish(self, post: Post) -> Receipt: ...

    @abstractmethod
    def update(self, remote_id: str, post: Post) -> Receipt: ...

    @abstractmethod
    def delete(self, remote_id: str) -> None: ...

    @abstractmethod
    def find(self, post: Post, since: datetime) -> Receipt | None:
        """The remote post made from ``post`` (sent at or after ``since``), if there is one."""

    @abstractmethod
    def health(self) -> Health: ...

    def cost(self, post: Post) -> Decimal:
        """What the platform charges for publishing ``post`` (most charge nothing)."""
        return Decimal(0)

    @property
    def currency(self) -> str:
        return ""
