"""The rules of the status flow, and the two writes every workflow action makes.

``require`` refuses an action the campaign's status does not allow, naming the status and
what is allowed; ``move`` changes the status (and its items') with a conditional UPDATE;
``audit`` appends the audit row. Callers run ``move`` and ``audit`` in one transaction.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from campaigns.errors import CampaignStateError
from campaigns.records import STATUSES, Campaign

# action -> the statuses a campaign may be in for it
ACTIONS: dict[str, frozenset[str]] = {
    "edit": frozenset({"draft", "review"}),
    "submit": frozenset({"draft"}),
    "approve": frozenset({"review"}),
    "schedule": frozenset({"approved", "scheduled"}),  # scheduled: change the times
    "cancel": frozenset({"draft", "review", "approved", "scheduled", "failed"}),
}


def require(campaign: Campaign, action: str) -> Campaign:
    if campaign.status in ACTIONS[action]:
        return campaign
    needs = " or ".join(s for s in STATUSES if s in ACTIONS[action])
    allowed = [name for name, statuses in ACTIONS.items() if campaign.status in statuses]
    raise CampaignStateError(
        f"campaign {campaign.id} is {campaign.status}; {action} needs a campaign in {needs}. "
        f"Allowed now: {', '.join(allowed) if allowed else 'nothing'}"
    )


def move(db: Database, campaign: Campaign, to: str, now: datetime, items: bool = True) -> None:
    """Set the status of ``campaign`` (and its unpublished items), as read before the action.

    Refused when the campaign changed since it was read: another status, or an edit (so
    `submit` never sends on content other than what it checked).
    """
    cursor = db.execute(
        "UPDATE campaigns SET status = ?, updated_at = ? "
        "WHERE id = ? AND status = ? AND edited_at = ?",
        [to, iso_time(now), campaign.id, campaign.status, campaign.edited_at],
    )
    if cursor.rowcount != 1:
        raise CampaignStateError(
            f"campaign {campaign.id} changed while you acted on it; look again with "
            f"`opendeur campaign show {campaign.id}`"
        )
    if items:  # published items stay published whatever happens to the campaign
        db.execute(
            "UPDATE content_items SET status = ?, updated_at = ? "
            "WHERE campaign_id = ? AND status <> 'published'",
            [to, iso_time(now), campaign.id],
        )


def audit(
    db: Database, campaign: Campaign | int, actor: str, action: str, now: datetime, *, to: str,
    **detail: Any,
) -> None:  # fmt: skip
    """One audit row; ``campaign`` as it was before the change, or the id of a new one."""
    before = campaign.status if isinstance(campaign, Campaign) else None
    campaign_id = campaign.id if isinstance(campaign, Campaign) else campaign
    detail = {"from": before, "to": to, **detail}
    db.execute(
        "INSERT INTO campaign_audit (campaign_id, at, actor, action, detail) "
        "VALUES (?, ?, ?, ?, ?)",
        [campaign_id, iso_time(now), actor, action, json.dumps(detail, ensure_ascii=False)],
    )


def iso_time(now: datetime) -> str:
    return now.isoformat(timespec="seconds")
