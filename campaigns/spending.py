"""The spending ledger of paid channels, and the budget caps per campaign and month.

X charges per post (more for a post with a link). Each sent post on a paid channel adds a
row to ``channel_spending`` in the transaction that marks it sent, so the ledger and the
publications never disagree. Two checks keep spending under the caps of ``[channels.NAME]``:

- when a campaign is scheduled, :func:`check_schedule` adds what its unsent items will cost
  to what was spent and what other scheduled campaigns will spend, and refuses beyond a cap;
- before each post, :func:`check_budget` checks again, as prices and caps may have changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlite_utils import Database

from campaigns.channels.base import PermanentError
from campaigns.errors import CampaignInputError


def spent(
    db: Database, channel: str, *, month: str | None = None, campaign_id: int | None = None
) -> Decimal:
    """What ``channel`` spent in ``month`` ("YYYY-MM") or on ``campaign_id`` (or both)."""
    where, params = ["channel = ?"], [channel]
    if month is not None:
        where.append("month = ?")
        params.append(month)
    if campaign_id is not None:
        where.append("campaign_id = ?")
        params.append(campaign_id)
    rows = db.execute(f"SELECT amount FROM channel_spending WHERE {' AND '.join(where)}", params)
    return sum((Decimal(amount) for (amount,) in rows), Decimal(0))


def record_spending(
    db: Database,
    publication_id: int,
    channel: str,
    campaign_id: int,
    amount: Decimal,
    currency: str,
    month: str,
    at: str,
) -> None:
    db.execute(
        "INSERT INTO channel_spending (publication_id, channel, campaign_id, month, amount, "
        "currency, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [publication_id, channel, campaign_id, month, str(amount), currency, at],
    )


def check_budget(
    db: Database,
    channel: str,
    settings: Any,
    campaign_id: int,
    cost: Decimal,
    month: str,
    exclude_publication: int | None = None,
) -> None:
    """Refuse a post that would take ``channel`` over its campaign or monthly cap."""
    by_campaign = spent(db, channel, campaign_id=campaign_id) + cost
    by_month = spent(db, channel, month=month) + cost
    if by_campaign > settings.budget_per_campaign:
        raise PermanentError(
            f"channel {channel}: this post ({_money(cost, settings)}) would take campaign "
            f"{campaign_id} to {_money(by_campaign, settings)}, over its budget of "
            f"{_money(settings.budget_per_campaign, settings)} (budget_per_campaign)",
            "budget",
        )
    if by_month > settings.budget_per_month:
        raise PermanentError(
            f"channel {channel}: this post ({_money(cost, settings)}) would take {month} to "
            f"{_money(by_month, settings)}, over the monthly budget of "
            f"{_money(settings.budget_per_month, settings)} (budget_per_month)",
            "budget",
        )


def price_of(settings: Any, with_link: bool = True) -> Decimal:
    return Decimal(settings.price_per_post_with_link if with_link else settings.price_per_post)


def check_schedule(
    db: Database,
    campaign_id: int,
    times: Mapping[int, datetime],
    paid: Mapping[str, Any],
    zone: Any,
) -> None:
    """Refuse scheduling when the campaign's X posts would go over a cap.

    ``times`` maps the item positions being scheduled to their times; ``paid`` maps each
    enabled, sending (not dry-run) paid channel's name to its settings.
    """
    if not paid:
        return
    items = list(
        db.query(
            "SELECT position, channel, link FROM content_items WHERE campaign_id = ? "
            "AND status <> 'published'",
            [campaign_id],
        )
    )
    problems: list[str] = []
    for name, settings in paid.items():
        planned: dict[str, Decimal] = defaultdict(Decimal)
        for item in items:
            if item["channel"] not in (settings.carries or [settings.type]):
                continue
            if item["position"] not in times:
                continue
            month = times[item["position"]].astimezone(zone).strftime("%Y-%m")
            planned[month] += price_of(settings, bool(item["link"]))
        if not planned:
            continue
        total = sum(planned.values(), Decimal(0)) + spent(db, name, campaign_id=campaign_id)
        if total > settings.budget_per_campaign:
            problems.append(
                f"on channel {name} it would spend {_money(total, settings)}, over the campaign "
                f"budget of {_money(settings.budget_per_campaign, settings)}"
            )
        for month, amount in sorted(planned.items()):
            others = _planned_elsewhere(db, name, settings, campaign_id, month, zone)
            month_total = spent(db, name, month=month) + others + amount
            if month_total > settings.budget_per_month:
                problems.append(
                    f"channel {name} would spend {_money(month_total, settings)} in {month} "
                    f"(with what is spent and scheduled), over the monthly budget of "
                    f"{_money(settings.budget_per_month, settings)}"
                )
    if problems:
        raise CampaignInputError(
            f"cannot schedule campaign {campaign_id}: "
            + "; ".join(problems)
            + ". Raise the budget in [channels.NAME], move items to another month or leave "
            "the channel out"
        )


def _planned_elsewhere(
    db: Database, channel: str, settings: Any, campaign_id: int, month: str, zone: Any
) -> Decimal:
    """Scheduled, not yet sent posts of other campaigns in ``month`` on this channel's type."""
    kinds = list(settings.carries or [settings.type])
    rows = db.execute(
        "SELECT i.scheduled_at, i.link FROM content_items i "
        "JOIN campaigns c ON c.id = i.campaign_id "
        "WHERE i.status = 'scheduled' AND c.status = 'scheduled' AND i.campaign_id <> ? "
        f"AND i.channel IN ({','.join('?' * len(kinds))}) AND NOT EXISTS (SELECT 1 "
        "FROM publications p WHERE p.item_id = i.id AND p.channel = ? "
        "AND p.state IN ('sent', 'withdrawn'))",
        [campaign_id, *kinds, channel],
    ).fetchall()
    return sum(
        (
            price_of(settings, bool(link))
            for scheduled_at, link in rows
            if datetime.fromisoformat(scheduled_at).astimezone(zone).strftime("%Y-%m") == month
        ),
        Decimal(0),
    )


def spending_rows(db: Database, channels: Iterable[str]) -> list[dict[str, Any]]:
    """Spent per channel and month, for `opendeur publish spending`."""
    names = list(channels)
    where = f"WHERE channel IN ({','.join('?' * len(names))})" if names else ""
    rows = db.execute(
        f"SELECT channel, month, amount, currency FROM channel_spending {where} "
        "ORDER BY channel, month",
        names,
    ).fetchall()
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    posts: dict[tuple[str, str, str], int] = defaultdict(int)
    for channel, month, amount, currency in rows:
        totals[(channel, month, currency)] += Decimal(amount)
        posts[(channel, month, currency)] += 1
    return [
        {
            "channel": c,
            "month": m,
            "currency": cur,
            "posts": posts[(c, m, cur)],
            "spent": amount_text(total),
        }
        for (c, m, cur), total in totals.items()
    ]


def _money(amount: Decimal, settings: Any) -> str:
    return f"{settings.currency} {amount_text(amount)}"


def amount_text(amount: Decimal) -> str:
    """Cents always, and up to four decimals when a price has them: 0.20, 0.015."""
    exact = Decimal(amount).quantize(Decimal("0.0001")).normalize()
    return f"{exact:.2f}" if exact == exact.quantize(Decimal("0.01")) else f"{exact:f}"
