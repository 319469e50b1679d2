"""Tracked links: UTM parameters, slugs, and unique tracking codes for /go/CODE."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from campaigns import links, workflow
from campaigns.errors import CampaignError
from campaigns.records import campaign_items
from campaigns.roles import Roles

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HELP = "https://www.voorbeeld.nl/hulp-bij-betalen"


def _new(db, name: str = "Zomer zonder zorgen", channels=("x", "facebook", "wordpress")) -> int:
    fields = workflow.NewCampaign(
        name=name,
        theme="vakantie",
        help_page=HELP,
        starts=date(2027, 6, 1),
        ends=date(2027, 8, 31),
        channels=channels,
        message="Op vakantie? Bel ons als het krap is.",
    )
    return workflow.create_campaign(db, fields, actor="ann", roles=Roles(), now=NOW)


@pytest.mark.parametrize(
    ("channel", "medium"),
    [
        ("x", "social"),
        ("facebook", "social"),
        ("wordpress", "blog"),
        ("themesite", "site"),
        ("dryrun", "test"),
    ],
)
def test_campaigns_links_utm_parameters_per_channel(channel, medium):
    link = links.utm_link(f"{HELP}?ref=brief&utm_source=oud#bellen", channel, "zomer")
    parts = urlsplit(link)
    assert parse_qs(parts.query) == {
        "ref": ["brief"],
        "utm_source": [channel],
        "utm_medium": [medium],
        "utm_campaign": ["zomer"],
    }
    assert (parts.netloc, parts.path, parts.fragment) == (
        "www.voorbeeld.nl",
        "/hulp-bij-betalen",
        "bellen",
    )


def test_campaigns_links_slug_is_ascii_and_unique(db):
    assert links.slugify("Feestdagen zónder zorgen!  2026") == "feestdagen-zonder-zorgen-2026"
    assert links.slugify("€€€") == "campagne"
    first, second = _new(db, "Zomer"), _new(db, "zomer!")
    slugs = [
        db.execute("SELECT slug FROM campaigns WHERE id = ?", [i]).fetchone()[0]
        for i in (first, second)
    ]
    assert slugs == ["zomer", "zomer-2"]
    assert campaign_items(db, second)[0].link.endswith("utm_campaign=zomer-2")


def test_campaigns_links_tracking_codes_are_short_url_safe_and_unique(db):
    codes = [item.tracking_code for i in range(5) for item in campaign_items(db, _new(db))]
    assert len(set(codes)) == len(codes) == 15
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{7}", code) for code in codes)


def test_campaigns_links_tracking_code_collision_is_retried(db, monkeypatch):
    candidates = iter(["AAAAAAA", "AAAAAAA", "AAAAAAA", "BBBBBBB", "CCCCCCC"])
    monkeypatch.setattr(links, "generate_token", lambda: next(candidates))
    campaign_id = _new(db)
    assert [i.tracking_code for i in campaign_items(db, campaign_id)] == [
        "AAAAAAA",
        "BBBBBBB",
        "CCCCCCC",
    ]


def test_campaigns_links_no_free_code_leaves_nothing_behind(db, monkeypatch):
    monkeypatch.setattr(links, "generate_token", lambda: "AAAAAAA")
    with pytest.raises(CampaignError, match="no free tracking code after 20 tries"):
        _new(db)  # the second item cannot get a code: the whole creation is rolled back
    for table in ("campaigns", "content_items", "campaign_audit"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_campaigns_links_tracking_code_unique_index(db):
    import sqlite3

    first = campaign_items(db, _new(db))[0]
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "UPDATE content_items SET tracking_code = ? WHERE id <> ?",
            [first.tracking_code, first.id],
        )
