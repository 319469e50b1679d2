"""Arrivals through ``/go/CODE`` links: resolve a code, count a visit per code and day.

The campaigns package publishes links as ``/go/CODE`` and keeps what they lead to in its view
``tracked_links (code, target, campaign_id)``; this module reads that view by SQL and never
imports campaigns (DESIGN §3). A visit is counted as one more for its code on its day in
Europe/Amsterdam, and nothing else about the visitor is kept (DESIGN §5).
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

logger = logging.getLogger(__name__)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# campaigns.links makes codes with secrets.token_urlsafe(5): seven URL-safe characters.
CODE = re.compile(r"[A-Za-z0-9_-]{7}")
# A target is followed only when it is a web address or a path on this site; anything else
# (javascript:, //other-host, text with line breaks) is a broken or hostile row.
SAFE_TARGET = re.compile(r"(https?://[^\s/?#]+|/(?![/\\]))[^\s\x00-\x1f\x7f]*", re.ASCII)


def valid_code(code: str) -> bool:
    return CODE.fullmatch(code) is not None


def resolve(db: Database, code: str) -> str | None:
    """The target of tracking code ``code``, or None for an unknown or malformed code.

    A malformed code is refused before any query, so garbage never reaches the database.
    """
    if not valid_code(code):
        return None
    row = db.execute("SELECT target FROM tracked_links WHERE code = ?", [code]).fetchone()
    if row is None or not isinstance(row[0], str):
        return None
    if not SAFE_TARGET.fullmatch(row[0]):
        logger.warning("Not following tracking code %s: its target is not a web address", code)
        return None
    return row[0]


def record_arrival(db: Database, code: str, day: date | str) -> None:
    """Count one arrival for ``code`` on ``day`` (a date, or 'YYYY-MM-DD')."""
    if isinstance(day, datetime):
        raise TypeError("record_arrival counts per day: pass arrival_day(now), not a time")
    day_text = date.fromisoformat(day).isoformat() if isinstance(day, str) else day.isoformat()
    # One statement, so two visits at the same moment both count without a read-modify-write.
    with db.atomic():
        db.execute(
            "INSERT INTO arrivals (code, day, count) VALUES (?, ?, 1) "
            "ON CONFLICT (code, day) DO UPDATE SET count = count + 1",
            [code, day_text],
        )


def arrival_day(now: datetime) -> date:
    """The day in Europe/Amsterdam at the aware moment ``now``: the day an arrival counts on."""
    if now.tzinfo is None:
        raise ValueError("arrival_day needs a timezone-aware time")
    return now.astimezone(AMSTERDAM).date()
