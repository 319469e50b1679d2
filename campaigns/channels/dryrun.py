"""Channels that send nothing: a dry run of a real channel, and the `dryrun` channel type.

Both answer as if the post went out, with a remote id ``dryrun-KEY``; the publisher keeps the
request that would have been sent, so staff can read exactly what a channel would receive.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from campaigns.channels.base import Channel, Health, Post, Receipt


class DryRunRecorder(Channel):
    """The `dryrun` type: records every field of the item."""

    type = "dryrun"

    def request(self, post: Post) -> dict[str, Any]:
        return {
            "title": post.title,
            "summary": post.summary,
            "body": post.body,
            "link": post.link,
            "tags": list(post.tags),
            "publish_at": post.publish_at.isoformat() if post.publish_at else None,
        }

    def publish(self, post: Post) -> Receipt:
        self.request(post)  # format errors (an X post too long) show in a dry run too
        return Receipt(f"dryrun-{post.key}", dry_run=True)

    def update(self, remote_id: str, post: Post) -> Receipt:
        return Receipt(remote_id, dry_run=True)

    def delete(self, remote_id: str) -> None:
        return None

    def find(self, post: Post, since: datetime) -> Receipt | None:
        return None  # nothing went anywhere, so sending "again" sends nothing twice

    def health(self) -> Health:
        return Health(True, "dry run: nothing is sent")


class DryRun(DryRunRecorder):
    """A real channel's requests, formatted by that channel but never sent (nor charged:
    ``cost`` stays the base channel's zero)."""

    def __init__(self, inner: Channel):
        super().__init__(inner.name, inner.settings, inner._secret)
        self.inner = inner
        self.type = inner.type  # type: ignore[misc]  # the instance reports its inner type

    def request(self, post: Post) -> dict[str, Any]:
        return self.inner.request(post)

    def health(self) -> Health:
        return Health(True, f"dry run of a {self.inner.type} channel: nothing is sent")
