"""Check a campaign's content against the Dutch content rules (DESIGN §6).

Each item's text is checked for readability at B1 and for tone (``nlp.readability``,
``nlp.tone``), each item against its channel's rules, and the campaign as a whole for one
message and one link (``campaigns.channel_rules``). Findings keep the field and the character
span they are about, so staff can find them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from campaigns.channel_rules import CampaignItemText, check_campaign, check_item
from campaigns.content_file import CampaignContent, ContentItem
from nlp.findings import Finding
from nlp.readability import ReadabilityScore, readability, readability_findings
from nlp.tone import tone_findings

TEXT_FIELDS = ("title", "summary", "body")


@dataclass(frozen=True)
class ItemFinding:
    item: int  # 1-based position of the item in the campaign
    channel: str
    field: str  # title, summary, body, or "" for the item as a whole
    finding: Finding

    def as_dict(self) -> dict:
        return {"item": self.item, "channel": self.channel, "field": self.field,
                **self.finding.as_dict()}  # fmt: skip


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[ItemFinding, ...]
    readability: tuple[ReadabilityScore, ...]  # of each item's body, in order

    @property
    def errors(self) -> int:
        return sum(f.finding.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.finding.severity == "warning" for f in self.findings)


def check_content(content: CampaignContent, address_form: str = "je") -> CheckReport:
    """Every finding for every item of ``content``; the campaign's own form wins."""
    form = content.address_form or address_form
    found: list[ItemFinding] = []
    scores = []
    for number, item in enumerate(content.items, start=1):
        found += _item_findings(number, item, form, content.help_page)
        scores.append(readability(item.body))
    texts = [_item_text(item) for item in content.items]
    found += [
        ItemFinding(index + 1, content.items[index].channel, "", finding)
        for index, finding in check_campaign(texts)
    ]
    found.sort(key=lambda f: (f.item, TEXT_FIELDS.index(f.field) if f.field else -1,
                              f.finding.start))  # fmt: skip
    return CheckReport(tuple(found), tuple(scores))


def _item_findings(
    number: int, item: ContentItem, address_form: str, help_page: str | None
) -> list[ItemFinding]:
    found = []
    for field in TEXT_FIELDS:
        text = getattr(item, field)
        if not text:
            continue
        findings: Sequence[Finding] = tone_findings(text, address_form)
        if field == "body":
            findings = [*findings, *readability_findings(text)]
        found += [ItemFinding(number, item.channel, field, f) for f in findings]
    found += [
        ItemFinding(number, item.channel, "", f)
        for f in check_item(
            item.channel,
            title=item.title,
            body=item.body,
            link=item.link,
            summary=item.summary,
            help_page=help_page,
        )  # fmt: skip
    ]
    return found


def _item_text(item: ContentItem) -> CampaignItemText:
    return CampaignItemText(item.channel, item.title, item.body, item.link, item.summary)
