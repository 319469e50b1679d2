"""Parse the publication times that sources give, in the forms Dutch sites use."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_DUTCH_DATE = re.compile(
    r"(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})(?:[,\s]+(?:om\s+)?(?P<H>\d{1,2}):(?P<M>\d{2}))?"
)


def parse_time(value: str | float | int | None) -> datetime | None:
    """ISO 8601, RFC 822 (feeds), Unix seconds, or "01-11-2026, 10:00"; None if unknown.

    Times without a zone are taken as UTC, which is at most two hours off for Dutch sites and
    never moves a post by more than a day.
    """
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    text = value.strip().replace("\xa0", " ")
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            match = _DUTCH_DATE.search(text)
            if match:
                try:
                    parsed = datetime(
                        int(match["y"]), int(match["m"]), int(match["d"]),
                        int(match["H"] or 0), int(match["M"] or 0),
                    )  # fmt: skip
                except ValueError:
                    return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
