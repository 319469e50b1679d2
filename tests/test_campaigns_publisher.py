"""The publisher: due items, exactly once, retries, rate limits, budgets, crash recovery."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from campaigns import workflow
from campaigns.channel_settings import PublishSettings, XChannel
from campaigns.channels.base import (
    Channel,
    Health,
    PermanentError,
    Post,
    Receipt,
    TemporaryError,
)
from campaigns.errors import CampaignInputError
from campaigns.publications import list_rows, retry_failed
from campaigns.publisher import Backoff, Publisher, RunSummary, idempotency_key
from campaigns.records import audit_log, campaign_items, get_campaign
from campaigns.roles import Roles

ZONE = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
MESSAGE = "December is duur. Lukt de huur niet? Bel ons, dan zoeken we samen een oplossing."


class Clock:
    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class ScriptedChannel(Channel):
    """A channel whose answers a test scripts: Receipts or errors, in order, then success."""

    def __init__(self, name: str, type_: str = "x", **settings: Any):
        values = {"max_per_hour": 1000, "schedule_on_blog": False, **settings}
        super().__init__(name, type("S", (), values)(), lambda env: None)
        self.type = type_  # type: ignore[misc]
        self.answers: list[Any] = []
        self.published: list[Post] = []  # what reached the "remote"
        self.deleted: list[str] = []
        self.remote: dict[str, Receipt] = {}  # key -> receipt, for find
        self.find_error: Exception | None = None
        self.price = Decimal(0)

    def request(self, post: Post) -> dict[str, Any]:
        return {"text": post.body, "link": post.link}

    def publish(self, post: Post) -> Receipt:
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Exception):
            raise answer
        receipt = answer or Receipt(f"r{len(self.published) + 1}", scheduled=self._ahead(post))
        self.published.append(post)
        self.remote[post.key] = receipt
        return receipt

    def _ahead(self, post: Post) -> bool:
        return bool(self.settings.schedule_on_blog)

    def update(self, remote_id: str, post: Post) -> Receipt:
        return Receipt(remote_id)

    def delete(self, remote_id: str) -> None:
        self.deleted.append(remote_id)

    def find(self, post: Post, since: datetime) -> Receipt | None:
        if self.find_error:
            raise self.find_error
        return self.remote.get(post.key)

    def health(self) -> Health:
        return Health(True, "scripted")

    def cost(self, post: Post) -> Decimal:
        return self.price

    @property
    def currency(self) -> str:
        return "USD"


def scheduled_campaign(db, channels=("x",), at: datetime = START, name="Feest") -> int:
    """A campaign scheduled the way staff do it (create, submit, approve, schedule)."""
    new = workflow.NewCampaign(
        name=name, theme="feestdagen", help_page="https://www.voorbeeld.nl/hulp",
        starts=date(2026, 11, 1), ends=date(2026, 12, 31), channels=channels, message=MESSAGE,
    )  # fmt: skip
    before = at - timedelta(days=2)
    campaign_id = workflow.create_campaign(db, new, actor="ann", roles=Roles(), now=before)
    workflow.submit(db, campaign_id, actor="ann", roles=Roles(), now=before)
    workflow.approve(db, campaign_id, actor="bob", roles=Roles(), now=before)
    workflow.schedule(
        db, campaign_id, at=at, zone=ZONE, actor="ann", roles=Roles(), now=before
    )  # fmt: skip
    return campaign_id


def publisher(db, clock, *channels: Channel, **settings: Any) -> Publisher:
    budgets = settings.pop("budgets", {})
    return Publisher(
        db, {c.name: c for c in channels}, settings=PublishSettings(**settings),
        budgets=budgets, timezone="Europe/Amsterdam", clock=clock, rng=lambda: 0.5,
        worker="test",
    )  # fmt: skip


def states(db) -> list[tuple[str, str, int]]:
    return [(r["channel"], r["state"], r["attempts"]) for r in list_rows(db)]


def test_campaigns_publisher_sends_due_items_once_and_closes_the_campaign(db):
    clock = Clock()
    social = ScriptedChannel("social")
    campaign_id = scheduled_campaign(db, channels=("x",), at=START + timedelta(hours=1))
    pub = publisher(db, clock, social)
    assert pub.run_once().sent == 0  # not due yet
    assert list_rows(db) == []
    clock.advance(hours=1)
    summary = pub.run_once()
    assert (summary.queued, summary.sent, summary.failed) == (1, 1, [])
    assert pub.run_once().sent == 0  # a second pass sends nothing again
    assert len(social.published) == 1
    [item] = campaign_items(db, campaign_id)
    assert item.status == "published"
    assert get_campaign(db, campaign_id).status == "published"
    post = social.published[0]
    assert post.key == idempotency_key(item.tracking_code, "social")
    assert post.link == item.link and "utm_source=x" in post.link
    row = list_rows(db)[0]
    assert (row["state"], row["remote_id"], row["attempts"]) == ("sent", "r1", 1)
    assert json.loads(row["request"]) == {"text": MESSAGE, "link": item.link}
    actions = [entry.action for entry in audit_log(db, campaign_id)]
    assert actions[-2:] == ["item_sent", "published"]
    week = db.execute("SELECT week, channel, items FROM report_publications").fetchall()
    assert week == [("2026-W49", "social", 1)]


def test_campaigns_publisher_sends_an_item_to_every_channel_of_its_type(db):
    clock = Clock()
    one, two = ScriptedChannel("x-nl"), ScriptedChannel("x-regio")
    campaign_id = scheduled_campaign(db)
    publisher(db, clock, one, two).run_once()
    assert len(one.published) == len(two.published) == 1
    assert one.published[0].key != two.published[0].key
    assert get_campaign(db, campaign_id).status == "published"


def test_campaigns_publisher_retries_temporary_errors_with_backoff_then_gives_up(db):
    clock = Clock()
    social = ScriptedChannel("social")
    social.answers = [TemporaryError("503") for _ in range(3)]
    campaign_id = scheduled_campaign(db)
    pub = publisher(db, clock, social, max_attempts=3, backoff_seconds=60)
    assert pub.run_once().retried == 1
    row = list_rows(db)[0]
    # equal jitter with random() = 0.5: 60/2 + 0.5 * 60/2 = 45 s
    assert row["next_attempt_at"] == (START + timedelta(seconds=45)).isoformat()
    assert row["error_kind"] == "unavailable" and row["state"] == "pending"
    assert pub.run_once().retried == 0  # not yet
    clock.advance(seconds=45)
    pub.run_once()
    assert list_rows(db)[0]["next_attempt_at"] == (clock.now + timedelta(seconds=90)).isoformat()
    clock.advance(seconds=90)
    summary = pub.run_once()
    assert len(summary.failed) == 1 and "gave up after 3 attempts" in summary.failed[0]
    assert states(db) == [("social", "failed", 3)]
    assert campaign_items(db, campaign_id)[0].status == "failed"
    assert get_campaign(db, campaign_id).status == "failed"
    assert social.published == []


def test_campaigns_publisher_waits_for_the_time_a_rate_limit_names(db):
    clock = Clock()
    social = ScriptedChannel("social")
    social.answers = [TemporaryError("429", "rate_limit", retry_after=900)]
    scheduled_campaign(db)
    pub = publisher(db, clock, social)
    pub.run_once()
    assert list_rows(db)[0]["next_attempt_at"] == (START + timedelta(seconds=900)).isoformat()
    assert pub.next_wake() == START + timedelta(seconds=900)
    clock.advance(seconds=900)
    assert pub.run_once().sent == 1


def test_campaigns_publisher_permanent_error_fails_at_once_and_retry_resends(db):
    clock = Clock()
    social = ScriptedChannel("social")
    social.answers = [PermanentError("X refused the keys (401)", "auth")]
    campaign_id = scheduled_campaign(db)
    pub = publisher(db, clock, social)
    summary = pub.run_once()
    assert summary.failed and "401" in summary.failed[0]
    row = list_rows(db)[0]
    assert (row["state"], row["error_kind"], row["attempts"]) == ("failed", "auth", 1)
    assert get_campaign(db, campaign_id).status == "failed"
    failure = audit_log(db, campaign_id)[-1]
    assert failure.action == "publish_failed" and failure.detail["channel"] == "social"
    retry_failed(db, row["id"], actor="ann", roles=Roles(), now=clock.now)
    assert get_campaign(db, campaign_id).status == "scheduled"
    assert pub.run_once().sent == 1
    assert get_campaign(db, campaign_id).status == "published"
    assert len(social.published) == 1


def test_campaigns_publisher_retry_refuses_what_did_not_fail(db):
    from campaigns.errors import CampaignNotFound, CampaignStateError

    clock = Clock()
    scheduled_campaign(db)
    publisher(db, clock, ScriptedChannel("social")).run_once()
    with pytest.raises(CampaignStateError, match="is sent"):
        retry_failed(db, 1, actor="ann", roles=Roles(), now=clock.now)
    with pytest.raises(CampaignNotFound):
        retry_failed(db, 99, actor="ann", roles=Roles(), now=clock.now)


def test_campaigns_publisher_unexpected_exception_is_retried_not_fatal(db):
    clock = Clock()
    social = ScriptedChannel("social")
    social.answers = [KeyError("id")]
    scheduled_campaign(db)
    pub = publisher(db, clock, social)
    assert pub.run_once().retried == 1
    assert "unexpected error: KeyError" in list_rows(db)[0]["error"]
    clock.advance(hours=1)
    assert pub.run_once().sent == 1


def test_campaigns_publisher_recovers_a_crash_after_the_remote_call_without_resending(db):
    clock = Clock()
    social = ScriptedChannel("social")
    scheduled_campaign(db)
    pub = publisher(db, clock, social, lease_seconds=60)
    pub.queue_due()
    # A worker claims the row and the remote accepts the post; then the worker dies before
    # its commit: the row stays in "sending".
    row = pub._claim_next(RunSummary())
    assert row is not None and states(db) == [("social", "sending", 1)]
    social.publish(pub._post(*pub._item_and_campaign(row.item_id), row))
    assert len(social.published) == 1
    clock.advance(seconds=30)
    assert pub.run_once().reconciled == 0  # the lease still runs: maybe the worker is alive
    clock.advance(seconds=31)
    summary = pub.run_once()
    assert (summary.reconciled, summary.sent) == (1, 0)
    assert len(social.published) == 1  # found on the channel, not sent again
    assert states(db) == [("social", "sent", 1)]
    assert audit_log(db, 1)[-2].detail["reconciled"] is True


def test_campaigns_publisher_resends_after_a_crash_when_the_channel_has_no_post(db):
    clock = Clock()
    social = ScriptedChannel("social")
    scheduled_campaign(db)
    pub = publisher(db, clock, social, lease_seconds=60)
    pub.queue_due()
    pub._claim_next(RunSummary())  # claimed, then the worker died before sending
    clock.advance(seconds=61)
    summary = pub.run_once()
    assert (summary.reconciled, summary.sent) == (0, 1)
    assert states(db) == [("social", "sent", 2)]


def test_campaigns_publisher_never_sends_blind_when_the_check_fails(db):
    clock = Clock()
    social = ScriptedChannel("social")
    social.find_error = TemporaryError("timeout")
    scheduled_campaign(db)
    pub = publisher(db, clock, social, lease_seconds=60)
    pub.queue_due()
    pub._claim_next(RunSummary())
    clock.advance(seconds=61)
    pub.run_once()
    assert social.published == []
    row = list_rows(db)[0]
    assert row["state"] == "sending" and "checking after a crash" in row["error"]
    social.find_error = None
    clock.advance(hours=1)
    assert pub.run_once().sent == 1


def test_campaigns_publisher_keeps_each_channels_hourly_limit(db):
    clock = Clock()
    social = ScriptedChannel("social", max_per_hour=2)
    for n in range(3):
        scheduled_campaign(db, name=f"Feest {n}")
    pub = publisher(db, clock, social)
    summary = pub.run_once()
    assert (summary.sent, summary.rate_limited) == (2, 1)
    waiting = [r for r in list_rows(db) if r["state"] == "pending"]
    assert waiting[0]["next_attempt_at"] == (START + timedelta(hours=1, seconds=1)).isoformat()
    clock.advance(hours=1, seconds=1)
    assert pub.run_once().sent == 1


def test_campaigns_publisher_item_without_a_channel_fails_with_a_clear_message(db):
    clock = Clock()
    campaign_id = scheduled_campaign(db, channels=("facebook",))
    summary = publisher(db, clock, ScriptedChannel("social")).run_once()
    assert summary.failed == []
    assert get_campaign(db, campaign_id).status == "failed"
    assert 'type = "facebook"' in audit_log(db, campaign_id)[-1].detail["error"]


def x_budget(**values: Any) -> XChannel:
    fields = {"type": "x", "price_per_post": "0.01", "price_per_post_with_link": "0.20",
              "budget_per_campaign": "0.50", "budget_per_month": "1.00", **values}  # fmt: skip
    return XChannel(**fields)


def test_campaigns_publisher_writes_the_spending_ledger_and_stops_at_the_budget(db):
    clock = Clock()
    social = ScriptedChannel("social")
    social.price = Decimal("0.20")
    budgets = {"social": x_budget(budget_per_campaign="0.30")}
    campaign_id = scheduled_campaign(db)
    pub = publisher(db, clock, social, budgets=budgets)
    pub.run_once()
    spent = db.execute("SELECT campaign_id, month, amount FROM channel_spending").fetchall()
    assert spent == [(campaign_id, "2026-12", "0.20")]
    # A second item of the same campaign would take it to 0.40, over 0.30.
    db.execute("UPDATE content_items SET position = 2 WHERE campaign_id = ?", [campaign_id])
    item = campaign_items(db, campaign_id)[0]
    db.execute(
        "INSERT INTO content_items (campaign_id, position, channel, body, link, tracking_code, "
        "scheduled_at, status, updated_at) VALUES (?, 1, 'x', ?, ?, 'abcdefg', ?, 'scheduled', ?)",
        [campaign_id, MESSAGE, item.link, START.isoformat(), START.isoformat()],
    )
    db.execute("UPDATE campaigns SET status = 'scheduled' WHERE id = ?", [campaign_id])
    summary = pub.run_once()
    assert len(summary.failed) == 1 and "budget" in summary.failed[0]
    assert list_rows(db)[1]["error_kind"] == "budget"
    assert len(social.published) == 1


def test_campaigns_schedule_refuses_x_posts_beyond_the_monthly_budget(db):
    paid = {"social": x_budget(budget_per_month="0.30")}
    publishing = workflow.Publishing(frozenset({"x"}), paid)
    first = scheduled_campaign(db, name="Een")
    assert first
    new = workflow.NewCampaign(
        name="Twee", theme="feestdagen", help_page="https://www.voorbeeld.nl/hulp",
        starts=date(2026, 11, 1), ends=date(2026, 12, 31), channels=("x",), message=MESSAGE,
    )  # fmt: skip
    before = START - timedelta(days=20)
    second = workflow.create_campaign(db, new, actor="ann", roles=Roles(), now=before)
    workflow.submit(db, second, actor="ann", roles=Roles(), now=before)
    workflow.approve(db, second, actor="bob", roles=Roles(), now=before)
    with pytest.raises(CampaignInputError, match=r"USD 0\.40 in 2026-12.*0\.30"):
        workflow.schedule(db, second, at=START, zone=ZONE, actor="ann", roles=Roles(),
                          now=before, publishing=publishing)  # fmt: skip
    # Another month has room.
    workflow.schedule(db, second, at=datetime(2026, 11, 20, 9, tzinfo=ZONE), zone=ZONE,
                      actor="ann", roles=Roles(), now=before, publishing=publishing)  # fmt: skip
    with pytest.raises(CampaignInputError, match="no enabled channel has that type"):
        workflow.schedule(db, second, at=START, zone=ZONE, actor="ann", roles=Roles(),
                          now=before, publishing=workflow.Publishing(frozenset(), {}))  # fmt: skip


def test_campaigns_publisher_withdraws_a_held_blog_post_when_the_item_is_cancelled(db):
    clock = Clock()
    blog = ScriptedChannel("blog", "x", schedule_on_blog=True)
    campaign_id = scheduled_campaign(db, at=START + timedelta(days=3))
    pub = publisher(db, clock, blog)
    assert pub.run_once().sent == 1  # sent ahead; the blog holds it until then
    row = list_rows(db)[0]
    assert row["remote_scheduled"] == 1
    assert campaign_items(db, campaign_id)[0].status == "scheduled"
    workflow.cancel(db, campaign_id, reason="niet meer nodig", actor="ann", roles=Roles(),
                    now=clock.now)  # fmt: skip
    assert pub.run_once().withdrawn == 1
    assert blog.deleted == ["r1"]
    assert states(db) == [("blog", "withdrawn", 1)]


def test_campaigns_publisher_held_blog_post_closes_the_item_when_its_time_comes(db):
    clock = Clock()
    blog = ScriptedChannel("blog", "x", schedule_on_blog=True)
    campaign_id = scheduled_campaign(db, at=START + timedelta(days=3))
    pub = publisher(db, clock, blog)
    pub.run_once()
    assert pub.next_wake() == START + timedelta(days=3)
    clock.advance(days=3)
    assert pub.run_once().sent == 0
    assert get_campaign(db, campaign_id).status == "published"


def test_campaigns_publisher_two_workers_never_send_the_same_item(tmp_path):
    """Two processes' connections race for the same rows; each post goes out once."""
    import threading

    from opendeur.store import open_db

    path = tmp_path / "race.db"
    db = open_db(path)
    for n in range(12):
        scheduled_campaign(db, name=f"Race {n}")
    social = ScriptedChannel("social")
    lock = threading.Lock()
    original = social.publish

    def publish(post: Post) -> Receipt:
        with lock:
            return original(post)

    social.publish = publish  # type: ignore[method-assign]
    publisher(db, Clock(), social).queue_due()

    def work() -> None:  # its own connection, like a separate process
        publisher(open_db(path), Clock(), social).run_once()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = [p.key for p in social.published]
    assert len(keys) == 12 and len(set(keys)) == 12
    assert {s for _, s, _ in states(db)} == {"sent"}


def test_campaigns_backoff_doubles_up_to_its_ceiling():
    backoff = Backoff(60, 300, random=lambda: 1.0)
    assert [backoff.delay(n) for n in (1, 2, 3, 4, 5)] == [60, 120, 240, 300, 300]
    low = Backoff(60, 300, random=lambda: 0.0)
    assert low.delay(2) == 60  # never less than half the step


def test_campaigns_publisher_a_failed_channel_does_not_hold_back_the_others(db):
    clock = Clock()
    social, page = ScriptedChannel("social"), ScriptedChannel("page", "facebook")
    social.answers = [PermanentError("refused", "auth")]
    campaign_id = scheduled_campaign(db, channels=("x", "facebook"))
    # The Facebook item goes out a day later, after the X item has failed.
    db.execute(
        "UPDATE content_items SET scheduled_at = ? WHERE campaign_id = ? AND channel = 'facebook'",
        [(START + timedelta(days=1)).isoformat(), campaign_id],
    )
    pub = publisher(db, clock, social, page)
    pub.run_once()
    assert get_campaign(db, campaign_id).status == "failed"
    clock.advance(days=1)
    assert pub.run_once().sent == 1 and len(page.published) == 1
    assert get_campaign(db, campaign_id).status == "failed"  # until staff retry the X item


def test_campaigns_publisher_item_cancelled_while_waiting_for_a_retry_is_not_sent(db):
    clock = Clock()
    social = ScriptedChannel("social")
    social.answers = [TemporaryError("503")]
    campaign_id = scheduled_campaign(db)
    pub = publisher(db, clock, social)
    pub.run_once()
    workflow.cancel(db, campaign_id, reason="stop", actor="ann", roles=Roles(), now=clock.now)
    clock.advance(hours=1)
    pub.run_once()
    assert social.published == []
    assert states(db) == [("social", "withdrawn", 2)]
