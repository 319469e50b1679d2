"""The X channel: posts through API v2 ``POST /2/tweets`` with tweepy, OAuth 1.0a user context.

The text is the item's body and its tracked link; X counts a link as 23 characters
(`campaigns.x_length`) and refuses more than 280. X charges per request, more for a post with
a link: ``cost`` gives the configured price, which the publisher writes to the spending
ledger. ``find`` reads the account's own recent posts (``GET /2/users/:id/tweets``) and
matches the tracked link, which is unique per item and channel.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import requests
import tweepy

from campaigns.channels.base import (
    Channel,
    ChannelError,
    Health,
    PermanentError,
    Post,
    Receipt,
    TemporaryError,
)
from campaigns.channels.http import mount, retry_after_seconds
from campaigns.x_length import X_MAX_WEIGHTED_LENGTH, x_post_text, x_weighted_length

X_API_URL = "https://api.twitter.com"
POST_URL = "https://x.com/i/web/status/{id}"


class XAccount(Channel):
    type = "x"

    def __init__(self, name: str, settings: Any, secret: Any):
        super().__init__(name, settings, secret)
        self._client: tweepy.Client | None = None
        self._user_id: str | None = None

    @property
    def client(self) -> tweepy.Client:
        if self._client is None:
            s = self.settings
            self._client = tweepy.Client(
                consumer_key=self.require_secret(s.consumer_key_env, "the API key"),
                consumer_secret=self.require_secret(s.consumer_secret_env, "the API key secret"),
                access_token=self.require_secret(s.access_token_env, "the access token"),
                access_token_secret=self.require_secret(
                    s.access_token_secret_env, "the access token secret"
                ),
                wait_on_rate_limit=False,  # the publisher decides when to come back
            )
            mount(self._client.session, X_API_URL, s.api_url, s.timeout_seconds)
        return self._client

    def request(self, post: Post) -> dict[str, Any]:
        text = x_post_text(post.body.strip(), post.link)
        length = x_weighted_length(text)
        if length > X_MAX_WEIGHTED_LENGTH:
            raise PermanentError(
                f"channel {self.name}: the post is {length} characters as X counts them "
                f"(a link counts 23); at most {X_MAX_WEIGHTED_LENGTH} fit. Shorten the body"
            )
        return {"method": "POST", "path": "/2/tweets", "json": {"text": text}}

    def publish(self, post: Post) -> Receipt:
        text = self.request(post)["json"]["text"]
        response = self._call(self.client.create_tweet, text=text, user_auth=True)
        tweet_id = str(response.data["id"])
        return Receipt(tweet_id, POST_URL.format(id=tweet_id))

    def update(self, remote_id: str, post: Post) -> Receipt:
        raise PermanentError(
            f"channel {self.name}: X posts cannot be changed through the API; delete the post "
            "and publish a new one",
            "validation",
        )

    def delete(self, remote_id: str) -> None:
        self._call(self.client.delete_tweet, remote_id, user_auth=True)

    def find(self, post: Post, since: datetime) -> Receipt | None:
        user_id = self._me()
        start = since.astimezone(UTC).replace(microsecond=0)
        response = self._call(
            self.client.get_users_tweets,
            user_id,
            start_time=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            max_results=100,
            tweet_fields=["created_at", "entities"],
            user_auth=True,
        )
        text = x_post_text(post.body.strip(), post.link)
        for tweet in response.data or []:
            urls = (tweet.entities or {}).get("urls", [])
            if tweet.text == text or any(u.get("expanded_url") == post.link for u in urls):
                return Receipt(str(tweet.id), POST_URL.format(id=tweet.id))
        return None

    def health(self) -> Health:
        try:
            user_id = self._me()
        except ChannelError as error:
            return Health(False, str(error))
        return Health(True, f"logged in to X as user {user_id}")

    def cost(self, post: Post) -> Decimal:
        with_link = bool(post.link)
        s = self.settings
        return Decimal(s.price_per_post_with_link if with_link else s.price_per_post)

    @property
    def currency(self) -> str:
        return str(self.settings.currency)

    def _me(self) -> str:
        if self._user_id is None:
            response = self._call(self.client.get_me, user_auth=True)
            self._user_id = str(response.data["id"])
        return self._user_id

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        """One API call with X's answers sorted into the publisher's error kinds."""
        try:
            return method(*args, **kwargs)
        except tweepy.TooManyRequests as error:
            wait = retry_after_seconds(error.response.headers, time.time())
            raise TemporaryError(
                f"channel {self.name}: X rate limit reached (429)", "rate_limit", wait
            ) from None
        except tweepy.Unauthorized:
            raise PermanentError(
                f"channel {self.name}: X refused the keys and tokens (401); check them in the "
                "X developer portal",
                "auth",
            ) from None
        except tweepy.Forbidden as error:
            messages = _messages(error)
            kind = "duplicate" if "duplicate" in messages.lower() else "auth"
            raise PermanentError(
                f"channel {self.name}: X refused (403): {messages}", kind
            ) from None
        except (tweepy.BadRequest, tweepy.NotFound) as error:
            raise PermanentError(
                f"channel {self.name}: X rejected the request "
                f"({error.response.status_code}): {_messages(error)}"
            ) from None
        except tweepy.TwitterServerError as error:
            raise TemporaryError(
                f"channel {self.name}: X is unavailable ({error.response.status_code})"
            ) from None
        except tweepy.HTTPException as error:  # another status: treat as temporary, once more
            raise TemporaryError(
                f"channel {self.name}: X answered {error.response.status_code}"
            ) from None
        except (requests.Timeout, requests.ConnectionError) as error:
            raise TemporaryError(
                f"channel {self.name}: no answer from X ({type(error).__name__})"
            ) from None


def _messages(error: tweepy.HTTPException) -> str:
    return "; ".join(str(m) for m in error.api_messages) or str(error.response.reason)
