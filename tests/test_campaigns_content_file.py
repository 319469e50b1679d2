"""Campaign files in TOML: read, validated, and refused with one clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from campaigns.content_file import CampaignFileError, load_campaign_file

GOOD = """
[campaign]
name = "Feestdagen zonder zorgen"
help_page = "https://www.voorbeeld.nl/hulp-bij-betalen"
address_form = "je"

[[item]]
channel = "wordpress"
title = "Zo hou je december betaalbaar"
summary = "Tips voor een rustige decembermaand."
body = "Bel ons als je de huur niet kunt betalen."
link = "https://www.voorbeeld.nl/hulp-bij-betalen"

[[item]]
channel = "x"
body = "Krap bij kas in december? Bel ons."
link = "https://www.voorbeeld.nl/hulp-bij-betalen"
"""


def _file(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "campagne.toml"
    path.write_bytes(text.encode(encoding))
    return path


def test_campaigns_content_file_reads_items_in_order(tmp_path: Path):
    content = load_campaign_file(_file(tmp_path, GOOD))
    assert content.name == "Feestdagen zonder zorgen"
    assert content.address_form == "je"
    assert [item.channel for item in content.items] == ["wordpress", "x"]
    assert content.items[1].title is None and content.items[0].summary.startswith("Tips")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[campaign]\nname = 'x'\n", "no \\[\\[item\\]\\] tables"),
        ("[[item]]\nchannel = 'tiktok'\nbody = 'x'\n", "channel must be one of wordpress"),
        ("[[item]]\nchannel = 'x'\nbody = '  '\n", "item 1: body is empty"),
        ("[[item]]\nchannel = 'x'\nbody = 'x'\ncolour = 'red'\n", "unknown key 'colour'"),
        ("[campaign]\naddress_form = 'jij'\n[[item]]\nchannel = 'x'\nbody = 'x'\n",
         'address_form must be "je" or "u"'),
        ("[[item]]\nchannel = 'x'\nbody = 3\n", "body must be text"),
        ("[[item]\n", "not valid TOML"),
    ],
)  # fmt: skip
def test_campaigns_content_file_problems_are_named(tmp_path: Path, text: str, message: str):
    with pytest.raises(CampaignFileError, match=message):
        load_campaign_file(_file(tmp_path, text))


def test_campaigns_content_file_wrong_encoding_and_missing_file(tmp_path: Path):
    with pytest.raises(CampaignFileError, match="not UTF-8"):
        load_campaign_file(_file(tmp_path, GOOD.replace("december", "décembre"), "latin-1"))
    with pytest.raises(CampaignFileError, match="does not exist"):
        load_campaign_file(tmp_path / "nergens.toml")


def test_campaigns_content_file_reads_the_campaign_fields(tmp_path: Path):
    fields = (
        'goal = "Eerder bellen"\ntheme = "feestdagen"\naudience = "Gezinnen"\n'
        'starts = 2026-12-01\nends = "2026-12-31"\nmessage = "Bel ons."\n'
    )
    content = load_campaign_file(_file(tmp_path, GOOD.replace('address_form = "je"\n', fields)))
    assert (content.goal, content.theme, content.audience, content.message) == (
        "Eerder bellen", "feestdagen", "Gezinnen", "Bel ons.",
    )  # fmt: skip
    assert (content.starts, content.ends) == ("2026-12-01", "2026-12-31")
    assert load_campaign_file(_file(tmp_path, GOOD)).theme is None  # all optional


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ('theme = "kerst"', "theme must be one of huur, energie"),
        ("starts = 2026-12-01T09:00:00", "starts must be a date like 2026-12-01"),
        ('ends = "31-12-2026"', "ends must be a date like 2026-12-01"),
        ("starts = 2026-12-31\nends = 2026-12-01", "starts \\(2026-12-31\\) is after ends"),
        ("message = 5", "message must be text"),
    ],
)
def test_campaigns_content_file_bad_campaign_fields_are_named(tmp_path, fields, message):
    text = GOOD.replace('address_form = "je"', fields)
    with pytest.raises(CampaignFileError, match=message):
        load_campaign_file(_file(tmp_path, text))
