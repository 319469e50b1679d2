"""Channel rules for campaign content: length, link, format and one clear action (DESIGN §6).

`check_item` checks one content item for one channel; `check_campaign` checks that all items
of a campaign carry the same link and the same message. Findings speak plain Dutch (B1, "je").

Offsets: a finding's ``start``/``end`` index ``body``, except checks named ``channel.title_*``
(they index ``title``) and ``channel.summary_*`` (they index ``summary``); ``text`` is always
that string's ``[start:end]``. A finding about the item as a whole (no link, no action, another
message) spans the whole body.

Decisions, so that the checks and the publishers agree:
- The help link is the ``link`` field or, when that is empty, the first URL in the body (the one
  on the help page's host when there is one). Every channel needs it; when ``help_page`` is
  given, the link must point at its host (a leading "www." does not count).
- X: the publisher posts `x_post_text(body, link)`: the body with " " + link appended, unless
  the body already holds the link. The 280 limit is checked on that text.
- Facebook: the message is the body; the link goes in the post's link field.
- WordPress blog and theme site: an article with title, summary (excerpt) and body; the link may
  sit in the body or the link field. Dry run: only the rules every channel shares.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from campaigns.x_length import (
    X_MAX_WEIGHTED_LENGTH,
    url_spans,
    x_post_text,
    x_units,
    x_weighted_length,
)
from nlp.findings import Finding, Severity, finding_at

ChannelType = Literal["x", "facebook", "wordpress", "themesite", "dryrun"]
CHANNEL_TYPES: tuple[str, ...] = ("x", "facebook", "wordpress", "themesite", "dryrun")
ARTICLE_CHANNELS = frozenset({"wordpress", "themesite"})

FACEBOOK_VISIBLE_CHARACTERS = 500
TITLE_MAX = 70
SUMMARY_MIN, SUMMARY_MAX = 50, 160
ARTICLE_MIN_WORDS = 150

# --- one clear action ----------------------------------------------------------------------
# Label -> phrases (imperative, "je"-form, and infinitives as in "Je kunt ons bellen").
_ACTIONS = {
    "bellen": r"bel(?:\s+(?:ons|me|mij|gerust|direct|nu))?|bellen",
    "appen": r"(?:whats)?app(?:\s+ons)?|(?:whats)?appen",
    "mailen": r"mail(?:\s+ons)?|mailen|e-?mail\s+ons|stuur\s+(?:ons\s+)?een\s+(?:e-?)?mail",
    "chatten": r"chat(?:\s+met\s+ons)?|chatten",
    "kijken": r"kijk\s+(?:op|bij)|bekijk|ga\s+naar",
    "lezen": r"lees(?:\s+meer)?",
    "vragen": r"vraag(?:\s+(?:aan|om|hulp|ons))?|aanvragen",
    "klikken": r"klik(?:\s+(?:hier|op))?",
    "een afspraak maken": r"maak\s+een\s+afspraak|plan\s+een\s+(?:afspraak|gesprek)",
    "invullen": r"vul|invullen",
    "checken": r"doe\s+de\s+\w*(?:check|test)|check|checken",
    "aanmelden": r"meld\s+je\s+aan|aanmelden|schrijf\s+je\s+in",
    "downloaden": r"download|downloaden",
    "contact opnemen": r"neem\s+contact\s+op|contact\s+opnemen",
}
_ACTION = re.compile(
    "|".join(
        rf"(?<![\w-])(?P<a{i}>{phrases})(?![\w-])" for i, phrases in enumerate(_ACTIONS.values())
    ),
    re.IGNORECASE,
)
_LABELS = {f"a{i}": label for i, label in enumerate(_ACTIONS)}
# "een vraag", "de app", "per mail": these words are nouns after an article or preposition.
_NOUNS = frozenset("vraag app whatsapp mail chat klik check download".split(" "))
_NOUN_BEFORE = re.compile(
    r"(?:een|de|het|je|jouw|uw|onze|mijn|deze|die|dit|geen|elke|welke|per|via|met)\s+$",
    re.IGNORECASE,
)


def find_actions(text: str) -> list[tuple[int, int, str]]:
    """The calls to action in ``text``: ``(start, end, label)``, e.g. ``(0, 7, "bellen")``."""
    found = []
    for match in _ACTION.finditer(text):
        if match[0].lower() in _NOUNS and _NOUN_BEFORE.search(text, 0, match.start()):
            continue
        found.append((match.start(), match.end(), _LABELS[match.lastgroup or ""]))
    return found


# --- findings ------------------------------------------------------------------------------
# check -> (severity, explanation, suggestion); {names} are filled in by `_finding`.
_MESSAGES: dict[str, tuple[Severity, str, str]] = {
    "channel.link_missing": ("error",
        "Dit bericht heeft geen link naar de hulppagina. Zonder link vindt de lezer niet meteen "
        "hulp.", "Zet de link naar de hulppagina in het linkveld."),
    "channel.link_wrong_host": ("error",
        "De link gaat naar {host}, niet naar de hulppagina op {help_host}.",
        "Gebruik de link naar de hulppagina: {help_page}"),
    "channel.empty": ("error",
        "Dit bericht heeft geen tekst.", "Schrijf een korte tekst met één duidelijke actie."),
    "channel.x_too_long": ("error",
        "Dit bericht is te lang voor X: {total} van de 280 tekens, {excess} te veel. Een link "
        "telt als 23 tekens, een emoji als 2.",
        "Maak de tekst {excess} tekens korter. Laat bijvoorbeeld een bijzin weg."),
    "channel.facebook_too_long": ("warning",
        "Dit bericht heeft {length} tekens. Facebook laat alleen het begin zien; voor de rest "
        "moet de lezer op 'Meer weergeven' klikken.",
        "Zet de boodschap en de actie vooraan, of maak de tekst korter dan 500 tekens."),
    "channel.title_missing": ("error",
        "Een artikel heeft een titel nodig.",
        "Schrijf een korte titel die zegt waar het artikel over gaat."),
    "channel.title_too_long": ("warning",
        "De titel heeft {length} tekens. Zoekmachines laten ongeveer 70 tekens zien en knippen "
        "de rest af.", "Maak de titel korter dan 70 tekens. Zet de belangrijkste woorden vooraan."),
    "channel.summary_missing": ("error",
        "Een artikel heeft een samenvatting nodig. Die staat in zoekresultaten en overzichten.",
        "Schrijf een samenvatting van 50 tot 160 tekens."),
    "channel.summary_length": ("warning",
        "De samenvatting heeft {length} tekens. {why}",
        "Maak de samenvatting 50 tot 160 tekens lang."),
    "channel.body_too_short": ("warning",
        "Het artikel heeft {words} woorden. Met minder dan 150 woorden geef je weinig uitleg en "
        "vinden zoekmachines het artikel slecht.",
        "Schrijf minstens 150 woorden: wat er gebeurt en wat de lezer kan doen."),
    "channel.no_action": ("warning",
        "Geen duidelijke actie: de tekst zegt niet wat de lezer nu kan doen.",
        "Sluit af met één actie, bijvoorbeeld: 'Bel ons' of 'Doe de check'."),
    "channel.many_actions": ("warning",
        "Meer dan één actie: je vraagt de lezer {count} dingen: {actions}. Bij te veel keuzes "
        "doet de lezer vaak niets.",
        "Kies één actie, bijvoorbeeld {first}, en laat de andere weg. Eén bericht, één actie."),
    "campaign.link_differs": ("error",
        "Dit bericht linkt naar {link}, de andere berichten van de campagne naar {reference}.",
        "Gebruik in alle berichten van de campagne dezelfde link naar de hulppagina."),
    "campaign.message_differs": ("warning",
        "Dit bericht heeft geen belangrijk woord gemeen met de titel en samenvatting van het "
        "hoofdbericht. Misschien vertelt het een andere boodschap.",
        "Vertel in elk kanaal dezelfde boodschap, met woorden als: {words}."),
}  # fmt: skip


def _finding(check: str, source: str, span: tuple[int, int] | None = None, **values) -> Finding:
    """The finding ``check`` on ``source[span]``; no span: the whole of ``source``."""
    severity, explanation, suggestion = _MESSAGES[check]
    start, end = span or (0, len(source))
    return finding_at(source, start, end, check=check, severity=severity,
                      explanation=explanation.format(**values),
                      suggestion=suggestion.format(**values))  # fmt: skip


def _host(url: str) -> str:
    url = url if "://" in url else f"https://{url}"
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _effective_link(body: str, link: str | None, help_page: str | None) -> str | None:
    if link and link.strip():
        return link.strip()
    urls = [body[start:end] for start, end in url_spans(body)]
    on_help_host = [url for url in urls if help_page and _host(url) == _host(help_page)]
    return (on_help_host or urls or [None])[0]


def _span_of(text: str, part: str) -> tuple[int, int] | None:
    at = text.find(part) if part else -1
    return (at, at + len(part)) if at >= 0 else None


def _link_findings(body: str, link: str | None, help_page: str | None) -> list[Finding]:
    found = _effective_link(body, link, help_page)
    if found is None:
        return [_finding("channel.link_missing", body)]
    if help_page and _host(found) != _host(help_page):
        return [_finding("channel.link_wrong_host", body, _span_of(body, found),
                         host=_host(found) or found, help_host=_host(help_page),
                         help_page=help_page)]  # fmt: skip
    return []


def _x_findings(body: str, link: str | None) -> list[Finding]:
    total = x_weighted_length(x_post_text(body, link))
    if total <= X_MAX_WEIGHTED_LENGTH:
        return []
    # The span is the part of the body that no longer fits next to the appended link.
    budget, running, start = X_MAX_WEIGHTED_LENGTH - total + x_weighted_length(body), 0, 0
    for start, _, weight in x_units(body):  # noqa: B007 (``start`` is used after the break)
        running += weight
        if running > budget:
            break
    excess = total - X_MAX_WEIGHTED_LENGTH
    return [_finding("channel.x_too_long", body, (start, len(body)), total=total, excess=excess)]


def _article_findings(title: str | None, body: str, summary: str | None) -> list[Finding]:
    findings = []
    title, summary = title or "", summary or ""
    if not title.strip():
        findings.append(_finding("channel.title_missing", title))
    elif len(title) > TITLE_MAX:
        span = (TITLE_MAX, len(title))
        findings.append(_finding("channel.title_too_long", title, span, length=len(title)))
    if not summary.strip():
        findings.append(_finding("channel.summary_missing", summary))
    elif not SUMMARY_MIN <= len(summary) <= SUMMARY_MAX:
        short = len(summary) < SUMMARY_MIN
        span = (0, len(summary)) if short else (SUMMARY_MAX, len(summary))
        why = ("Dat is kort: de lezer ziet dan weinig over het artikel." if short else
               f"Zoekmachines knippen na ongeveer {SUMMARY_MAX} tekens af.")  # fmt: skip
        findings.append(_finding("channel.summary_length", summary, span, length=len(summary),
                                 why=why))  # fmt: skip
    # Blog bodies may be HTML: count the words between the tags.
    words = len(re.findall(r"\w+(?:[-'’]\w+)*", re.sub(r"<[^>]*>", " ", body)))
    if words < ARTICLE_MIN_WORDS:
        findings.append(_finding("channel.body_too_short", body, words=words))
    return findings


def _action_findings(body: str) -> list[Finding]:
    first: dict[str, tuple[int, int]] = {}
    for start, end, label in find_actions(body):
        first.setdefault(label, (start, end))
    if not first:
        return [_finding("channel.no_action", body)]
    if len(first) <= 2:  # one action, or one plus a stray noun-like hit: still one message
        return []
    labels = list(first)
    # The span runs from the first extra action to the last one: the part to cut.
    span = (first[labels[1]][0], max(end for _, end in first.values()))
    actions = f"{', '.join(labels[:-1])} en {labels[-1]}"
    return [_finding("channel.many_actions", body, span, count=len(labels), actions=actions,
                     first=labels[0])]  # fmt: skip


def check_item(
    channel_type: ChannelType, *, title: str | None, body: str, link: str | None,
    summary: str | None = None, help_page: str | None = None,
) -> list[Finding]:  # fmt: skip
    """The channel rules' findings for one content item (see the module's notes)."""
    if channel_type not in CHANNEL_TYPES:
        raise ValueError(
            f"Unknown channel type {channel_type!r}. Available: {', '.join(CHANNEL_TYPES)}."
        )
    findings = _link_findings(body, link, help_page)
    if not body.strip():
        findings.append(_finding("channel.empty", body))
    else:
        findings.extend(_action_findings(body))
    if channel_type == "x":
        findings.extend(_x_findings(body, _effective_link(body, link, help_page)))
    elif channel_type == "facebook" and len(body) > FACEBOOK_VISIBLE_CHARACTERS:
        span = (FACEBOOK_VISIBLE_CHARACTERS, len(body))
        findings.append(_finding("channel.facebook_too_long", body, span, length=len(body)))
    elif channel_type in ARTICLE_CHANNELS:
        findings.extend(_article_findings(title, body, summary))
    return findings


# --- one campaign, one message -------------------------------------------------------------
@dataclass(frozen=True)
class CampaignItemText:
    """The text of one item of a campaign, as `check_campaign` compares it."""

    channel_type: ChannelType
    title: str | None
    body: str
    link: str | None
    summary: str | None = None


def comparable_link(link: str) -> str:
    """A link without scheme, "www.", query (UTM tags included), fragment or final slash."""
    parts = urlsplit(link.strip() if "://" in link else f"https://{link.strip()}")
    return f"{_host(link)}{parts.path.rstrip('/')}"


def _content_words(text: str) -> dict[str, str]:
    """Content words (5+ letters, no stop words) by a crude plural fold: "schulden" -> "schuld"."""
    from spacy.lang.nl.stop_words import STOP_WORDS

    for start, end in sorted(url_spans(text), reverse=True):
        text = text[:start] + " " + text[end:]
    found: dict[str, str] = {}
    for word in re.findall(r"[^\W\d_]{5,}", text.lower()):
        if word not in STOP_WORDS:
            found.setdefault(re.sub(r"(?<=\w{4})(?:en|s|e)$", "", word), word)
    return found


def _reference_link(links: dict[int, str], blog: int) -> str:
    """The most common link; on a tie the blog item's, else the first item's."""
    counts = Counter(links.values())
    tied = [link for link in links.values() if counts[link] == max(counts.values())]
    return links[blog] if links.get(blog) in tied else tied[0]


def check_campaign(items: Sequence[CampaignItemText]) -> list[tuple[int, Finding]]:
    """Cross-item findings as ``(item index, finding)``: same link and same message.

    The reference message is the blog item's title and summary (no blog: the first item's).
    Run `check_item` on each item as well: a missing link is reported there, not here.
    """
    if not items:
        return []
    blog = next((i for i, item in enumerate(items) if item.channel_type == "wordpress"), 0)
    findings: list[tuple[int, Finding]] = []
    links = {i: comparable_link(item.link) for i, item in enumerate(items) if item.link}
    reference = _reference_link(links, blog) if links else ""
    for i, link in links.items():
        if link != reference:
            body = items[i].body
            found = _finding("campaign.link_differs", body, _span_of(body, items[i].link or ""),
                             link=link, reference=reference)  # fmt: skip
            findings.append((i, found))
    ref = items[blog]
    message = _content_words(f"{ref.title or ''} {ref.summary or ''}") or _content_words(ref.body)
    for i, item in enumerate(items):
        words = _content_words(f"{item.title or ''} {item.summary or ''} {item.body}")
        if i != blog and message and not words.keys() & message.keys():
            example = ", ".join(list(message.values())[:5])
            findings.append((i, _finding("campaign.message_differs", item.body, words=example)))
    return findings
