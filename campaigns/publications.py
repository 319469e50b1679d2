"""Reading publications for staff, and giving a failed one another go."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlite_utils import Database

from campaigns.errors import CampaignNotFound, CampaignStateError
from campaigns.records import get_campaign
from campaigns.roles import Roles
from campaigns.transitions import audit, iso_time


def list_rows(
    db: Database, *, state: str | None = None, campaign_id: int | None = None
) -> list[dict[str, Any]]:
    where, params = [], []
    if state:
        where.append("p.state = ?")
        params.append(state)
    if campaign_id is not None:
        where.append("i.campaign_id = ?")
        params.append(campaign_id)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return list(
        db.query(
            "SELECT p.id, i.campaign_id, i.position, p.channel, p.channel_type, p.state, "
            "p.attempts, p.dry_run, p.next_attempt_at, p.remote_id, p.remote_url, "
            "p.remote_scheduled, p.error_kind, p.error, p.sent_at, p.request "
            f"FROM publications p JOIN content_items i ON i.id = p.item_id {clause} "
            "ORDER BY p.id",
            params,
        )
    )


def retry_failed(
    db: Database, publication_id: int, *, actor: str, roles: Roles, now: datetime
) -> None:
    """failed -> pending with fresh attempts; its item and campaign go back to scheduled."""
    roles.require_any_role(actor, "retry publications")
    row = db.execute(
        "SELECT p.state, p.item_id, i.campaign_id, i.position, p.channel, p.error "
        "FROM publications p JOIN content_items i ON i.id = p.item_id WHERE p.id = ?",
        [publication_id],
    ).fetchone()
    if row is None:
        raise CampaignNotFound(
            f"there is no publication {publication_id}; `opendeur publish list` shows them"
        )
    state, item_id, campaign_id, position, channel, error = row
    if state != "failed":
        raise CampaignStateError(f"publication {publication_id} is {state}; only failed ones retry")
    campaign = get_campaign(db, campaign_id)
    if campaign.status == "cancelled":
        raise CampaignStateError(f"campaign {campaign_id} is cancelled; it publishes nothing")
    stamp = iso_time(now)
    with db.atomic():
        db.execute(
            "UPDATE publications SET state = 'pending', attempts = 0, next_attempt_at = ?, "
            "error_kind = NULL, error = NULL, updated_at = ? WHERE id = ? AND state = 'failed'",
            [stamp, stamp, publication_id],
        )
        db.execute(
            "UPDATE content_items SET status = 'scheduled', updated_at = ? "
            "WHERE id = ? AND status = 'failed'",
            [stamp, item_id],
        )
        db.execute(
            "UPDATE campaigns SET status = 'scheduled', updated_at = ? "
            "WHERE id = ? AND status = 'failed'",
            [stamp, campaign_id],
        )
        audit(
            db,
            campaign,
            actor,
            "publish_retried",
            now,
            to="scheduled",
            item=position,
            channel=channel,
            previous_error=error,
        )
