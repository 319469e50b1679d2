"""A campaign as a TOML file: its help page and one content item per channel.

This is the file staff write, `opendeur campaign check FILE` reads, and `campaign import` and
`campaign export` read and write. The checks need only the help page and the items; importing
a file as a stored campaign also needs its name, theme, period and message.

```toml
[campaign]
name = "Feestdagen zonder zorgen"
help_page = "https://www.voorbeeld.nl/hulp-bij-betalen"
address_form = "je"          # optional: "je" or "u" (default: organisation.address_form)
goal = "Meer huurders bellen in december voordat er een achterstand is"   # optional
theme = "feestdagen"         # the piggyback topic, one of nlp.taxonomy.TOPICS
audience = "Huurders met kinderen"                                        # optional
starts = 2026-12-01          # the campaign period: TOML dates or "YYYY-MM-DD"
ends = 2026-12-31
message = "December is duur. Lukt de huur niet? Bel ons, we denken mee."  # the one message

[[item]]
channel = "wordpress"        # wordpress, x, facebook, themesite or dryrun
title = "Zo hou je de feestdagen betaalbaar"
summary = "Vier tips om de decembermaand rond te krijgen, en waar je terecht kunt."
body = "..."
link = "https://www.voorbeeld.nl/hulp-bij-betalen"
```
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from campaigns.toml_files import read_toml
from nlp.taxonomy import TOPICS

CHANNEL_TYPES = ("wordpress", "x", "facebook", "themesite", "dryrun")
_TEXT_KEYS = ("name", "help_page", "goal", "theme", "audience", "message")
_DATE_KEYS = ("starts", "ends")
_CAMPAIGN_KEYS = {*_TEXT_KEYS, *_DATE_KEYS, "address_form"}
_ITEM_KEYS = {"channel", "title", "summary", "body", "link"}


class CampaignFileError(ValueError):
    """The campaign file cannot be read; the message names the file and what is wrong."""


@dataclass(frozen=True)
class ContentItem:
    channel: str
    body: str
    title: str | None = None
    summary: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class CampaignContent:
    name: str
    help_page: str | None
    address_form: str | None
    items: tuple[ContentItem, ...]
    goal: str | None = None
    theme: str | None = None
    audience: str | None = None
    starts: str | None = None  # ISO date
    ends: str | None = None  # ISO date
    message: str | None = None


def load_campaign_file(path: Path) -> CampaignContent:
    data = read_toml(path, CampaignFileError, "campaign file")
    return parse_campaign(data, str(path))


def parse_campaign(data: dict[str, Any], origin: str = "campaign") -> CampaignContent:
    problems: list[str] = []
    campaign = data.get("campaign", {})
    if not isinstance(campaign, dict):
        raise CampaignFileError(f"{origin}: [campaign] must be a table")
    problems += [
        f"[campaign] has an unknown key {k!r}" for k in sorted(set(campaign) - _CAMPAIGN_KEYS)
    ]
    problems += [f"unknown top-level key {k!r}" for k in sorted(set(data) - {"campaign", "item"})]
    address_form = campaign.get("address_form")
    if address_form not in (None, "je", "u"):
        problems.append(f'[campaign] address_form must be "je" or "u", not {address_form!r}')
    problems += _campaign_problems(campaign)
    raw_items = data.get("item", [])
    if not isinstance(raw_items, list) or not raw_items:
        problems.append("no [[item]] tables: a campaign needs at least one content item")
        raw_items = []
    items = []
    for number, raw in enumerate(raw_items, start=1):
        where = f"item {number}"
        if not isinstance(raw, dict):
            problems.append(f"{where} must be a table")
            continue
        problems += [f"{where} has an unknown key {k!r}" for k in sorted(set(raw) - _ITEM_KEYS)]
        if raw.get("channel") not in CHANNEL_TYPES:
            problems.append(
                f"{where}: channel must be one of {', '.join(CHANNEL_TYPES)}, "
                f"not {raw.get('channel')!r}"
            )
        for key in _ITEM_KEYS:
            if key in raw and not isinstance(raw[key], str):
                problems.append(f"{where}: {key} must be text")
        if not str(raw.get("body", "")).strip():
            problems.append(f"{where}: body is empty")
        items.append(
            ContentItem(
                channel=str(raw.get("channel")), body=str(raw.get("body", "")),
                title=raw.get("title"), summary=raw.get("summary"), link=raw.get("link"),
            )
        )  # fmt: skip
    if problems:
        raise CampaignFileError(f"{origin}: " + "; ".join(problems))
    return CampaignContent(
        name=str(campaign.get("name", "")), help_page=campaign.get("help_page"),
        address_form=address_form, items=tuple(items), goal=campaign.get("goal"),
        theme=campaign.get("theme"), audience=campaign.get("audience"),
        starts=_iso_date(campaign.get("starts")), ends=_iso_date(campaign.get("ends")),
        message=campaign.get("message"),
    )  # fmt: skip


def _iso_date(value: Any) -> str | None:
    """A TOML date or a "YYYY-MM-DD" text as ISO text; None when absent or not a date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


def _campaign_problems(campaign: dict[str, Any]) -> list[str]:
    problems = [f"[campaign] {key} must be text" for key in _TEXT_KEYS
                if key in campaign and not isinstance(campaign[key], str)]  # fmt: skip
    theme = campaign.get("theme")
    if isinstance(theme, str) and theme not in TOPICS:
        problems.append(f"[campaign] theme must be one of {', '.join(TOPICS)}, not {theme!r}")
    for key in _DATE_KEYS:
        if key in campaign and _iso_date(campaign[key]) is None:
            problems.append(f"[campaign] {key} must be a date like 2026-12-01")
    starts, ends = _iso_date(campaign.get("starts")), _iso_date(campaign.get("ends"))
    if starts and ends and starts > ends:
        problems.append(f"[campaign] starts ({starts}) is after ends ({ends})")
    return problems
