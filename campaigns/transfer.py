"""Export a stored campaign as the campaign TOML that `campaign import` reads back.

The file has the shape of `campaigns.content_file`; what belongs to the stored campaign only
(its number, status, tracking codes, scheduled times) is written as comments, so importing
the file makes a new draft with new tracking codes. Links keep their UTM parameters; import
replaces them with the new campaign's.
"""

from __future__ import annotations

import json

from campaigns.records import Campaign, Item


def toml_text(value: str) -> str:
    """A TOML string: multi-line when ``value`` has line breaks, else one basic string."""
    if "\n" not in value:
        # JSON escapes are valid in TOML; JSON leaves DEL as it is, TOML forbids it raw.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(
        ch if ch in "\n\t" or ord(ch) >= 0x20 and ord(ch) != 0x7F else f"\\u{ord(ch):04x}"
        for ch in escaped
    )
    return f'"""\n{escaped}"""'  # the newline right after """ is not part of the value


def campaign_toml(campaign: Campaign, items: list[Item]) -> str:
    lines = [
        f"# Campaign {campaign.id} ({campaign.slug}), {campaign.status}; created by "
        f"{campaign.created_by} at {campaign.created_at}.",
        "# `opendeur campaign import FILE` reads this file back as a new draft.",
        "",
        "[campaign]",
    ]
    for key in ("name", "goal", "theme", "audience", "help_page"):
        value = getattr(campaign, key)
        if value is not None:
            lines.append(f"{key} = {toml_text(value)}")
    lines += [f"starts = {campaign.starts}", f"ends = {campaign.ends}"]
    if campaign.address_form:
        lines.append(f"address_form = {toml_text(campaign.address_form)}")
    lines.append(f"message = {toml_text(campaign.message)}")
    for item in items:
        note = f"# item {item.position}: tracking code {item.tracking_code}, {item.status}"
        if item.scheduled_at:
            note += f", scheduled {item.scheduled_at}"
        lines += ["", "[[item]]", note, f"channel = {toml_text(item.channel)}"]
        for key in ("title", "summary", "body", "link"):
            value = getattr(item, key)
            if value is not None:
                lines.append(f"{key} = {toml_text(value)}")
    return "\n".join(lines) + "\n"
