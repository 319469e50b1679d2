"""Stored campaigns, their content items and audit log, read back as plain records."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from campaigns.content_file import CampaignContent, ContentItem
from campaigns.errors import CampaignNotFound

if TYPE_CHECKING:  # sqlite-utils loads numpy: keep it out of `opendeur --help`
    from sqlite_utils import Database

STATUSES = ("draft", "review", "approved", "scheduled", "published", "failed", "cancelled")


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    slug: str
    goal: str | None
    theme: str
    audience: str | None
    help_page: str
    starts: str  # ISO date
    ends: str  # ISO date
    channels: tuple[str, ...]
    message: str
    address_form: str | None  # None: organisation.address_form
    status: str
    created_by: str
    created_at: str
    edited_by: str  # who last changed the content (four-eyes)
    edited_at: str
    updated_at: str  # last change of any kind

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "channels": list(self.channels)}


@dataclass(frozen=True)
class Item:
    id: int
    campaign_id: int
    position: int  # the item's number within its campaign, from 1
    channel: str
    title: str | None
    summary: str | None
    body: str
    link: str
    tracking_code: str
    scheduled_at: str | None
    status: str
    updated_at: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    campaign_id: int
    at: str
    actor: str
    action: str
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def get_campaign(db: Database, campaign_id: int) -> Campaign:
    row = next(db.query("SELECT * FROM campaigns WHERE id = ?", [campaign_id]), None)
    if row is None:
        raise CampaignNotFound(
            f"there is no campaign {campaign_id}; `opendeur campaign list` shows the campaigns"
        )
    return _campaign(row)


def list_campaigns(db: Database, status: str | None = None) -> list[Campaign]:
    """Every campaign, newest first; ``status`` keeps only those in that status."""
    where, params = ("WHERE status = ?", [status]) if status else ("", [])
    rows = db.query(f"SELECT * FROM campaigns {where} ORDER BY id DESC", params)
    return [_campaign(row) for row in rows]


def campaign_items(db: Database, campaign_id: int) -> list[Item]:
    rows = db.query(
        "SELECT * FROM content_items WHERE campaign_id = ? ORDER BY position", [campaign_id]
    )
    return [Item(**row) for row in rows]


def audit_log(db: Database, campaign_id: int) -> list[AuditEntry]:
    rows = db.execute(
        "SELECT id, campaign_id, at, actor, action, detail FROM campaign_audit "
        "WHERE campaign_id = ? ORDER BY id",
        [campaign_id],
    ).fetchall()
    return [AuditEntry(*row[:5], detail=json.loads(row[5])) for row in rows]


def item_counts(db: Database) -> dict[int, int]:
    """Content items per campaign id."""
    rows = db.execute("SELECT campaign_id, count(*) FROM content_items GROUP BY campaign_id")
    return dict(rows.fetchall())


def content_of(campaign: Campaign, items: list[Item]) -> CampaignContent:
    """A stored campaign in the shape the content checks and the TOML file use."""
    return CampaignContent(
        name=campaign.name, help_page=campaign.help_page, address_form=campaign.address_form,
        items=tuple(ContentItem(channel=i.channel, body=i.body, title=i.title,
                                summary=i.summary, link=i.link) for i in items),
        goal=campaign.goal, theme=campaign.theme, audience=campaign.audience,
        starts=campaign.starts, ends=campaign.ends, message=campaign.message,
    )  # fmt: skip


def _campaign(row: dict[str, Any]) -> Campaign:
    return Campaign(**{**row, "channels": tuple(json.loads(row["channels"]))})
