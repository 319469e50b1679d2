"""The publisher: sends scheduled content items to their channels, each exactly once.

One row in ``publications`` per item and channel is the unit of work. Its state moves

    pending --claim--> sending --receipt--> sent
       ^                  |  \\--permanent error or last attempt--> failed
       +--temporary error-+
    sent --(item cancelled while the blog holds the post for later)--> withdrawn

Exactly once, step by step:

1. A row is created once per item and channel (``UNIQUE (item_id, channel)``), with an
   idempotency key derived from the item's tracking code and the channel's name.
2. A worker claims a row with a conditional UPDATE (pending -> sending, with a lease) and
   commits before it calls the channel, so a crash during or after the call leaves the row in
   ``sending``.
3. The receipt and the state ``sent`` (and the spending ledger row) commit together.
4. A ``sending`` row whose lease has run out was left by a worker that died. Before it is
   sent again, the channel is asked whether the post exists (``Channel.find``): if it does,
   the row becomes ``sent`` with that post's id and nothing is sent twice.

Temporary errors (rate limits, 5xx, timeouts) are retried after an exponential backoff with
jitter, or at the time a rate limit names; permanent ones (authentication, validation,
duplicate content, configuration, budget) fail the item at once and show it to staff.
Each channel also keeps to its own ``max_per_hour``, counted from this table, so the limit
holds across processes and restarts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import socket
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from campaigns.channels.base import Channel, ChannelError, PermanentError, Post, Receipt
from campaigns.records import Campaign, Item, get_campaign
from campaigns.spending import check_budget, record_spending
from campaigns.transitions import audit

logger = logging.getLogger(__name__)

PUBLISHER = "publisher"  # the actor in the audit log
FIND_MARGIN = timedelta(minutes=5)  # clocks differ: look a little before the claim


def publisher_for(
    db: Database, channels: Mapping[str, Any], publish: Any, timezone: str,
    secret: Callable[[str], str | None], **options: Any,
) -> Publisher:  # fmt: skip
    """The publisher of the enabled `[channels.NAME]`, with `[publish]` settings and secrets
    looked up by name (the environment, or the secrets file)."""
    from campaigns.channels import build_channel

    built = {name: build_channel(name, c, secret) for name, c in channels.items() if c.enabled}
    budgets = {name: c for name, c in channels.items() if c.type == "x"}
    return Publisher(db, built, settings=publish, budgets=budgets, timezone=timezone,
                     short_link_base=publish.short_link_base, **options)  # fmt: skip


def idempotency_key(tracking_code: str, channel: str) -> str:
    """Stable per item and channel; lower-case hex, so it fits a WordPress slug."""
    return hashlib.sha256(f"{tracking_code}\0{channel}".encode()).hexdigest()[:16]


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with "equal jitter": half the delay fixed, half random."""

    first_seconds: float
    max_seconds: float
    random: Callable[[], float] = random.random

    def delay(self, attempts: int) -> float:
        ceiling = min(self.max_seconds, self.first_seconds * 2 ** max(attempts - 1, 0))
        return ceiling / 2 + self.random() * ceiling / 2


@dataclass
class RunSummary:
    """What one pass of the publisher did; ``failed`` lists messages for staff."""

    queued: int = 0
    sent: int = 0
    retried: int = 0
    failed: list[str] = field(default_factory=list)
    reconciled: int = 0
    withdrawn: int = 0
    rate_limited: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Publication:
    id: int
    item_id: int
    channel: str
    idempotency_key: str
    state: str
    attempts: int
    sending_since: str | None
    remote_id: str | None


class Publisher:
    """Runs the state machine above against ``db`` for the configured ``channels``.

    ``channels`` maps each configured, enabled channel's name to its :class:`Channel`.
    ``clock`` gives the current time (UTC, aware); tests pass their own.
    """

    def __init__(
        self,
        db: Database,
        channels: Mapping[str, Channel],
        *,
        settings: Any,
        budgets: Mapping[str, Any],
        timezone: str,
        short_link_base: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: Callable[[], float] = random.random,
        worker: str | None = None,
    ):
        self.db = db
        self.channels = dict(channels)
        self.settings = settings
        self.budgets = budgets
        self.zone = ZoneInfo(timezone)
        self.short_link_base = short_link_base
        self.clock = clock
        self.backoff = Backoff(settings.backoff_seconds, settings.max_backoff_seconds, rng)
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"

    # -- one pass -------------------------------------------------------------------------

    def run_once(self) -> RunSummary:
        """Queue what is due, recover crashed sends, send what may go now, close items."""
        summary = RunSummary()
        summary.queued = self.queue_due()
        self.reconcile_stale(summary)
        while (row := self._claim_next(summary)) is not None:
            self._send(row, summary)
        self.withdraw_cancelled(summary)
        self.close_items()
        return summary

    def queue_due(self) -> int:
        """Create the publications of scheduled items that are due (or held by the blog)."""
        now = self.clock()
        created = 0
        for item in self._scheduled_items():
            when = datetime.fromisoformat(str(item.scheduled_at))
            targets = [c for c in self.channels.values() if item.channel in c.carries]
            if not targets and when <= now:
                self._fail_item(
                    item,
                    f"no channel of type {item.channel} is configured; add "
                    f'[channels.NAME] with type = "{item.channel}"',
                )
                continue
            for channel in targets:
                ahead = getattr(channel.settings, "schedule_on_blog", False)
                if when > now and not ahead:
                    continue
                created += self._create_publication(item, channel, now)
        return created

    def reconcile_stale(self, summary: RunSummary) -> None:
        """Rows left in ``sending`` by a worker that died: ask the channel, then decide."""
        now = self.clock()
        rows = self.db.execute(
            "SELECT id FROM publications WHERE state = 'sending' AND lease_until < ?",
            [utc_text(now)],
        ).fetchall()
        for (publication_id,) in rows:
            row = self._publication(publication_id)
            channel = self.channels.get(row.channel)
            item, campaign = self._item_and_campaign(row.item_id)
            if channel is None:
                self._finish_failed(
                    row,
                    item,
                    campaign,
                    PermanentError(f"channel {row.channel} is no longer configured", "config"),
                )
                summary.failed.append(self._failure_line(row, item, "no longer configured"))
                continue
            post = self._post(item, campaign, row)
            since = datetime.fromisoformat(str(row.sending_since)) - FIND_MARGIN
            try:
                receipt = channel.find(post, since)
            except ChannelError as error:
                # Unknown whether it went out: never send blind. Look again later.
                delay = error.retry_after or self.backoff.delay(row.attempts)
                self._update(
                    row.id,
                    "sending",
                    lease_until=utc_text(now + timedelta(seconds=delay)),
                    error_kind=error.kind,
                    error=f"checking after a crash: {error}",
                )
                logger.warning(
                    "publication %s: cannot check %s yet: %s", row.id, row.channel, error
                )
                continue
            if receipt is not None:
                logger.info("publication %s was sent before a crash; recorded, not resent", row.id)
                self._finish_sent(row, item, campaign, channel, post, receipt, reconciled=True)
                summary.reconciled += 1
            else:
                self._update(row.id, "pending", next_attempt_at=utc_text(now), lease_until=None)

    def withdraw_cancelled(self, summary: RunSummary) -> None:
        """Delete posts a blog holds for later (status future) whose item was cancelled."""
        rows = self.db.execute(
            "SELECT p.id FROM publications p JOIN content_items i ON i.id = p.item_id "
            "WHERE p.state = 'sent' AND p.remote_scheduled = 1 AND i.status = 'cancelled'"
        ).fetchall()
        for (publication_id,) in rows:
            row = self._publication(publication_id)
            channel = self.channels.get(row.channel)
            if channel is None or row.remote_id is None:
                continue
            try:
                channel.delete(row.remote_id)
            except ChannelError as error:
                logger.warning("publication %s: cannot withdraw yet: %s", row.id, error)
                continue
            self._update(row.id, "withdrawn")
            summary.withdrawn += 1

    def close_items(self) -> None:
        """Items whose time has come and whose every channel sent: published; campaigns too."""
        now = self.clock()
        for item in self._scheduled_items():
            if datetime.fromisoformat(str(item.scheduled_at)) > now:
                continue
            states = [
                r[0]
                for r in self.db.execute(
                    "SELECT state FROM publications WHERE item_id = ?", [item.id]
                )
            ]
            targets = [c for c in self.channels.values() if item.channel in c.carries]
            if states and all(s == "sent" for s in states) and len(states) >= len(targets):
                with self.db.atomic():
                    self._set_item(item, "published")
                    self._close_campaign(item.campaign_id)

    def next_wake(self) -> datetime | None:
        """When there may be work next: a retry, a due item or a lease that runs out."""
        candidates = [
            self.db.execute(
                "SELECT min(next_attempt_at) FROM publications WHERE state = 'pending'"
            ).fetchone()[0],
            self.db.execute(
                "SELECT min(lease_until) FROM publications WHERE state = 'sending'"
            ).fetchone()[0],
        ]
        times = [datetime.fromisoformat(c) for c in candidates if c]
        now = self.clock()
        upcoming = (datetime.fromisoformat(str(i.scheduled_at)) for i in self._scheduled_items())
        times += [moment for moment in upcoming if moment > now]  # due ones have their rows
        return min(times) if times else None

    # -- claiming and sending -------------------------------------------------------------

    def _claim_next(self, summary: RunSummary) -> Publication | None:
        now = self.clock()
        blocked: set[str] = set()
        while True:
            placeholders = ",".join("?" * len(blocked))
            exclude = f"AND channel NOT IN ({placeholders})" if blocked else ""
            found = self.db.execute(
                "SELECT id, channel FROM publications WHERE state = 'pending' "
                f"AND next_attempt_at <= ? {exclude} ORDER BY next_attempt_at, id LIMIT 1",
                [utc_text(now), *blocked],
            ).fetchone()
            if found is None:
                return None
            publication_id, channel_name = found
            channel = self.channels.get(channel_name)
            if channel is not None:
                free_at = self._rate_limit_free_at(channel, now)
                if free_at is not None:
                    self._update(publication_id, "pending", next_attempt_at=utc_text(free_at))
                    summary.rate_limited += 1
                    blocked.add(channel_name)
                    continue
            lease = now + timedelta(seconds=self.settings.lease_seconds)
            with self.db.atomic():
                claimed = self.db.execute(
                    "UPDATE publications SET state = 'sending', attempts = attempts + 1, "
                    "lease_until = ?, worker = ?, sending_since = ?, updated_at = ? "
                    "WHERE id = ? AND state = 'pending'",
                    [utc_text(lease), self.worker, utc_text(now), utc_text(now), publication_id],
                ).rowcount
            if claimed == 1:  # else another worker took it first: look for the next one
                return self._publication(publication_id)

    def _rate_limit_free_at(self, channel: Channel, now: datetime) -> datetime | None:
        """None when the channel may post now, else when the oldest post in the hour ages out."""
        hour_ago = utc_text(now - timedelta(hours=1))
        sent = self.db.execute(
            "SELECT sent_at FROM publications WHERE channel = ? AND sent_at > ? "
            "AND dry_run = 0 ORDER BY sent_at",
            [channel.name, hour_ago],
        ).fetchall()
        if len(sent) < channel.settings.max_per_hour:
            return None
        oldest = datetime.fromisoformat(sent[len(sent) - channel.settings.max_per_hour][0])
        return oldest + timedelta(hours=1, seconds=1)

    def _send(self, row: Publication, summary: RunSummary) -> None:
        item, campaign = self._item_and_campaign(row.item_id)
        channel = self.channels.get(row.channel)
        try:
            if channel is None:
                raise PermanentError(f"channel {row.channel} is no longer configured", "config")
            if item.status == "cancelled":  # cancelled while waiting for a retry
                self._update(
                    row.id,
                    "withdrawn",
                    lease_until=None,
                    error="the item was cancelled before it was sent",
                )
                return
            post = self._post(item, campaign, row)
            request = channel.request(post)
            self._update(row.id, "sending", request=json.dumps(request, ensure_ascii=False))
            cost = channel.cost(post)
            if cost:
                check_budget(
                    self.db,
                    channel.name,
                    self.budgets[channel.name],
                    campaign.id,
                    cost,
                    self._month(self.clock()),
                    exclude_publication=row.id,
                )
            receipt = channel.publish(post)
        except ChannelError as error:
            self._handle_error(row, item, campaign, error, summary)
            return
        except Exception as error:  # a bug or a library surprise: retry, and keep the trace
            logger.exception("publication %s on %s: unexpected error", row.id, row.channel)
            wrapped = ChannelError(f"unexpected error: {type(error).__name__}: {error}")
            self._handle_error(row, item, campaign, wrapped, summary)
            return
        self._finish_sent(row, item, campaign, channel, post, receipt)
        summary.sent += 1

    def _handle_error(
        self,
        row: Publication,
        item: Item,
        campaign: Campaign,
        error: ChannelError,
        summary: RunSummary,
    ) -> None:
        now = self.clock()
        if error.permanent or row.attempts >= self.settings.max_attempts:
            if not error.permanent:
                error = ChannelError(f"gave up after {row.attempts} attempts: {error}", error.kind)
            self._finish_failed(row, item, campaign, error)
            summary.failed.append(self._failure_line(row, item, str(error)))
            return
        delay = self.backoff.delay(row.attempts)
        if error.retry_after is not None:
            delay = max(error.retry_after, 1.0)
        self._update(
            row.id,
            "pending",
            next_attempt_at=utc_text(now + timedelta(seconds=delay)),
            lease_until=None,
            error_kind=error.kind,
            error=str(error),
        )
        summary.retried += 1
        logger.info(
            "publication %s on %s: %s; next try in %.0f s", row.id, row.channel, error, delay
        )

    # -- outcomes -------------------------------------------------------------------------

    def _finish_sent(
        self,
        row: Publication,
        item: Item,
        campaign: Campaign,
        channel: Channel,
        post: Post,
        receipt: Receipt,
        reconciled: bool = False,
    ) -> None:
        now = self.clock()
        dry_run = receipt.dry_run
        with self.db.atomic():
            self._update(
                row.id,
                "sent",
                remote_id=receipt.remote_id,
                remote_url=receipt.url,
                remote_scheduled=int(receipt.scheduled),
                sent_at=utc_text(now),
                sent_week=iso_week(now.astimezone(self.zone)),
                lease_until=None,
                error_kind=None,
                error=None,
                dry_run=int(dry_run),
            )
            cost = Decimal(0) if dry_run else channel.cost(post)
            if cost:
                record_spending(
                    self.db,
                    row.id,
                    channel.name,
                    campaign.id,
                    cost,
                    channel.currency,
                    self._month(now),
                    utc_text(now),
                )
            audit(
                self.db,
                campaign,
                PUBLISHER,
                "item_sent",
                now,
                to=campaign.status,
                item=item.position,
                channel=row.channel,
                remote_id=receipt.remote_id,
                reconciled=reconciled,
                dry_run=dry_run,
            )

    def _finish_failed(
        self, row: Publication, item: Item, campaign: Campaign, error: ChannelError
    ) -> None:
        with self.db.atomic():
            self._update(
                row.id, "failed", error_kind=error.kind, error=str(error), lease_until=None
            )
            self._fail_item(item, str(error), channel=row.channel)

    def _fail_item(self, item: Item, message: str, channel: str | None = None) -> None:
        """The item, and its campaign while scheduled, become failed; audited. (Inside another
        ``db.atomic()`` this nests as a savepoint.)"""
        now = self.clock()
        with self.db.atomic():
            campaign = get_campaign(self.db, item.campaign_id)
            self._set_item(item, "failed")
            if campaign.status == "scheduled":
                self.db.execute(
                    "UPDATE campaigns SET status = 'failed', updated_at = ? "
                    "WHERE id = ? AND status = 'scheduled'",
                    [utc_text(now), campaign.id],
                )
            audit(self.db, campaign, PUBLISHER, "publish_failed", now,
                  to="failed" if campaign.status == "scheduled" else campaign.status,
                  item=item.position, channel=channel, error=message)  # fmt: skip

    def _set_item(self, item: Item, status: str) -> None:
        self.db.execute(
            "UPDATE content_items SET status = ?, updated_at = ? WHERE id = ?",
            [status, utc_text(self.clock()), item.id],
        )

    def _close_campaign(self, campaign_id: int) -> None:
        statuses = {
            r[0]
            for r in self.db.execute(
                "SELECT status FROM content_items WHERE campaign_id = ?", [campaign_id]
            )
        }
        campaign = get_campaign(self.db, campaign_id)
        if campaign.status == "scheduled" and statuses <= {"published", "cancelled"}:
            self.db.execute(
                "UPDATE campaigns SET status = 'published', updated_at = ? "
                "WHERE id = ? AND status = 'scheduled'",
                [utc_text(self.clock()), campaign_id],
            )
            audit(self.db, campaign, PUBLISHER, "published", self.clock(), to="published")

    # -- helpers --------------------------------------------------------------------------

    def _create_publication(self, item: Item, channel: Channel, now: datetime) -> int:
        key = idempotency_key(item.tracking_code, channel.name)
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO publications (item_id, channel, channel_type, idempotency_key, "
            "next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [item.id, channel.name, channel.type, key, utc_text(now), utc_text(now), utc_text(now)],
        )
        return cursor.rowcount

    def _scheduled_items(self) -> Iterator[Item]:
        rows = self.db.query(
            "SELECT i.* FROM content_items i JOIN campaigns c ON c.id = i.campaign_id "
            # A failed campaign's other items still go out; staff retry the failed one.
            "WHERE i.status = 'scheduled' AND c.status IN ('scheduled', 'failed') "
            "AND i.scheduled_at IS NOT NULL ORDER BY i.scheduled_at, i.id"
        )
        return (Item(**row) for row in list(rows))

    def _publication(self, publication_id: int) -> Publication:
        row = next(
            self.db.query(
                "SELECT id, item_id, channel, idempotency_key, state, attempts, sending_since, "
                "remote_id FROM publications WHERE id = ?",
                [publication_id],
            )
        )
        return Publication(**row)

    def _item_and_campaign(self, item_id: int) -> tuple[Item, Campaign]:
        row = next(self.db.query("SELECT * FROM content_items WHERE id = ?", [item_id]))
        item = Item(**row)
        return item, get_campaign(self.db, item.campaign_id)

    def _post(self, item: Item, campaign: Campaign, row: Publication) -> Post:
        link = item.link
        if self.short_link_base:
            link = f"{self.short_link_base}/go/{item.tracking_code}"
        publish_at = datetime.fromisoformat(item.scheduled_at) if item.scheduled_at else None
        return Post(
            key=row.idempotency_key,
            body=item.body,
            link=link,
            title=item.title,
            summary=item.summary,
            tags=(campaign.theme,),
            campaign=campaign.slug,
            publish_at=publish_at,
        )

    def _update(self, publication_id: int, state: str, **columns: Any) -> None:
        columns = {"state": state, **columns, "updated_at": utc_text(self.clock())}
        assignments = ", ".join(f"{name} = ?" for name in columns)
        self.db.execute(
            f"UPDATE publications SET {assignments} WHERE id = ?",
            [*columns.values(), publication_id],
        )

    def _month(self, moment: datetime) -> str:
        return moment.astimezone(self.zone).strftime("%Y-%m")

    def _failure_line(self, row: Publication, item: Item, message: str) -> str:
        return f"campaign {item.campaign_id} item {item.position} on {row.channel}: {message}"
