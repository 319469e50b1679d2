"""The `[channels.NAME]` tables and the `[publish]` section: where content goes, and how.

Each channel is a table with a ``type``; an item of a campaign goes to every enabled channel
of its own type (an ``x`` item to each ``type = "x"`` channel), or of the types in its
``carries`` list. ``dry_run = true`` makes any
channel record the request it would send instead of sending it. Secrets are named by
``*_env`` keys and read from the environment (DESIGN: secrets never in files or the store).
The shell validates these tables with the rest of the file and hands them to the publisher.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"expected an http:// or https:// address, not {value!r}")
    return value.rstrip("/")


def _env_name(value: str) -> str:
    if not re.match(r"^[A-Z_][A-Z0-9_]*$", value):
        raise ValueError(f"expected the name of an environment variable, not {value!r}")
    return value


def _resolve_path(value: Path | None, info: ValidationInfo) -> Path | None:
    """Relative paths are taken relative to the configuration file's folder."""
    if value is None:
        return None
    value = value.expanduser()
    base_dir = (info.context or {}).get("base_dir")
    return Path(base_dir) / value if not value.is_absolute() and base_dir is not None else value


Url = Annotated[str, AfterValidator(_http_url)]
EnvName = Annotated[str, AfterValidator(_env_name)]
Money = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=4)]


ItemType = Literal["wordpress", "x", "facebook", "themesite", "dryrun"]


class _ChannelBase(_Section):
    enabled: StrictBool = Field(True, description="Switch a channel off without removing it.")
    carries: list[ItemType] | None = Field(
        None,
        description="Which campaign items this channel publishes, by their channel "
        '(default: its own type; a theme site may carry "wordpress" articles too).',
    )
    dry_run: StrictBool = Field(
        False, description="Record what would be sent instead of sending it."
    )
    max_per_hour: StrictInt = Field(
        30, ge=1, le=10_000, description="At most this many posts per hour on this channel."
    )
    timeout_seconds: float = Field(30, gt=0, le=300, description="Seconds to wait for an answer.")


class WordPressChannel(_ChannelBase):
    """A WordPress blog through its REST API, logged in with an Application Password."""

    type: Literal["wordpress"]
    url: Url = Field(description="The blog's address, e.g. https://blog.voorbeeld.nl.")
    user: str = Field(min_length=1, description="WordPress user that publishes (an author).")
    password_env: EnvName = Field(
        "OPENDEUR_WP_APP_PASSWORD",
        description="Environment variable with its Application Password.",
    )
    category: str = Field("", description="Category for every post; created when missing.")
    tags: list[str] = Field(
        default_factory=list, description="Tags for every post, besides the campaign's theme."
    )
    featured_image: Path | None = Field(
        None, description="Image uploaded once per post as its featured image (PNG, JPEG, WebP)."
    )
    schedule_on_blog: StrictBool = Field(
        False,
        description="Send items ahead of time as scheduled posts (status future) that "
        "WordPress publishes itself.",
    )

    _resolve = field_validator("featured_image")(_resolve_path)


class XChannel(_ChannelBase):
    """An X account, posting through API v2 with OAuth 1.0a user context (tweepy)."""

    type: Literal["x"]
    consumer_key_env: EnvName = "OPENDEUR_X_CONSUMER_KEY"
    consumer_secret_env: EnvName = "OPENDEUR_X_CONSUMER_SECRET"
    access_token_env: EnvName = "OPENDEUR_X_ACCESS_TOKEN"
    access_token_secret_env: EnvName = "OPENDEUR_X_ACCESS_TOKEN_SECRET"
    api_url: Url = Field("https://api.twitter.com", description="Changed only for tests.")
    # X charges per request and more for a post with a link; prices change, so the operator
    # states them instead of trusting a default.
    price_per_post: Money = Field(description="What X charges for one post without a link.")
    price_per_post_with_link: Money = Field(description="What X charges for a post with a link.")
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    budget_per_campaign: Money = Field(description="Most one campaign may spend on this channel.")
    budget_per_month: Money = Field(description="Most this channel may spend in a month.")


class FacebookChannel(_ChannelBase):
    """The corporation's own Facebook Page: feed posts with a message and a link."""

    type: Literal["facebook"]
    page_id: str = Field(pattern=r"^[0-9A-Za-z._-]+$", description="The Page's id.")
    page_token_env: EnvName = Field(
        "OPENDEUR_FACEBOOK_PAGE_TOKEN", description="Environment variable with a Page token."
    )
    graph_version: str = Field("v21.0", pattern=r"^v\d+\.\d+$")
    api_url: Url = Field("https://graph.facebook.com", description="Changed only for tests.")


class ThemeSiteChannel(_ChannelBase):
    """A theme site: articles written as Markdown files the site builder reads."""

    type: Literal["themesite"]
    content_dir: Path = Field(description="Folder of the site's campaign articles.")
    site: str = Field("", description="The theme site's slug, written into each article.")

    _resolve = field_validator("content_dir")(_resolve_path)


class DryRunChannel(_ChannelBase):
    """Sends nothing: records every item in full, for trials and the demo."""

    type: Literal["dryrun"]


CHANNEL_SETTING_TYPES = ("wordpress", "x", "facebook", "themesite", "dryrun")
ChannelSettings = Annotated[
    WordPressChannel | XChannel | FacebookChannel | ThemeSiteChannel | DryRunChannel,
    Field(discriminator="type"),
]


class PublishSettings(_Section):
    """The publisher: retries, leases and links."""

    max_attempts: StrictInt = Field(
        6, ge=1, le=50, description="Tries per item and channel before it counts as failed."
    )
    backoff_seconds: float = Field(
        60, gt=0, le=3600, description="Wait before the first retry; doubled each time, jittered."
    )
    max_backoff_seconds: float = Field(
        6 * 3600, gt=0, description="Longest wait between two tries."
    )
    lease_seconds: StrictInt = Field(
        300,
        ge=1,
        le=86_400,
        description="How long a worker may take to send one item before another worker "
        "reconciles it with the channel.",
    )
    short_link_base: Url | None = Field(
        None,
        description="Theme-site address for short links (BASE/go/CODE); empty: the help "
        "page with UTM parameters.",
    )
