"""Detectors for contact data and numbers: e-mail, links, mentions, phone, IBAN, BSN, postcode.

Each detector takes the text and yields ``(start, end, kind)`` spans; ``nlp.scrub`` merges
them. Check digits decide where a pattern alone would be ambiguous (BSN, foreign IBANs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Span = tuple[int, int, str]

# Look-behinds make each pattern start only where a run starts: without them a long run of
# word characters (a hostile page) is scanned again from every position, in quadratic time.
_EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()]+", re.I)
# Links to a person's profile or post lead back to the writer (DESIGN §5); links to an
# organisation's page ("nibud.nl/onderwerpen/") do not and are kept.
_SOCIAL_HOSTS = re.compile(
    r"^(?:https?://)?(?:[\w-]+\.)*(?:twitter\.com|x\.com|t\.co|facebook\.com|fb\.com|"
    r"fb\.me|instagram\.com|tiktok\.com|reddit\.com|redd\.it|linkedin\.com|youtube\.com|"
    r"youtu\.be|threads\.net|snapchat\.com|pinterest\.\w+|t\.me|wa\.me|bsky\.app|"
    r"mastodon\.\w+|tumblr\.com)(?:[/?#:]|$)",
    re.I,
)
_PERSONAL_PATH = re.compile(
    r"/(?:u|user|users|member|members|profile|profiel|people|status|statuses|comments|t|"
    r"topic|topics|thread|threads|showthread|viewtopic|post|posts|p|reel|reels|story|stories|"
    r"photo|photos|video|videos|watch|groups)(?:[/.?#]|$)|[?&](?:u|user|uid|id|t|p|fbid|"
    r"story_fbid)=|/@|/~",
    re.I,
)
_MENTION = re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{2,30}\b")

_SEP = r"[ \u00a0.\-]"
_PHONE = re.compile(
    rf"(?<![\w+(/])(?:(?:\+|00)\d{{2}}{_SEP}?(?:\(0\){_SEP}?)?|\(0\d{{1,3}}\){_SEP}?|0)"
    rf"\d(?:{_SEP}{{0,3}}\d)*"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b", re.I)
_NL_IBAN = re.compile(r"NL\d{2}[A-Z]{4}\d{10}")
_BSN = re.compile(r"(?<![\d.,/-])(?:\d{9}|\d{3} \d{3} \d{3}|\d{4}\.\d{2}\.\d{3})(?![\d]|[.,]\d)")
_POSTCODE = re.compile(r"(?<![\d\w€$.,])([1-9]\d{3})( ?)([A-Za-z]{2})\b")
# Two lowercase letters after a number are usually a word ("in 2024 en 2025"), not a postcode.
_COMMON_TWO_LETTER_WORDS = frozenset(
    "al as at de df dm en er ge hé ik in is je ja km kg ml na nu of om op pm te tv uw we ze zo "
    "zn".split()
)
_NON_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})  # never issued by PostNL


def emails(text: str) -> Iterator[Span]:
    for match in _EMAIL.finditer(text):
        yield match.start(), match.end(), "EMAIL"


def links(text: str) -> Iterator[Span]:
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:!?")
        if _SOCIAL_HOSTS.search(url) or _PERSONAL_PATH.search(url):
            yield match.start(), match.start() + len(url), "LINK"


def mentions(text: str) -> Iterator[Span]:
    for match in _MENTION.finditer(text):
        yield match.start(), match.end(), "GEBRUIKER"


def _is_phone_number(digits: str, international: bool) -> bool:
    if international:
        if digits.startswith("31"):
            return len(digits) == 11  # 31 + 9 national digits without the leading 0
        return 10 <= len(digits) <= 13
    if digits.startswith(("0800", "0900", "0906", "0909")):
        return len(digits) in (8, 11)
    return len(digits) == 10


def phone_numbers(text: str) -> Iterator[Span]:
    for match in _PHONE.finditer(text):
        candidate = match.group()
        # A number may run into the next one ("06-12345678 1234"): drop trailing groups
        # until what is left is a valid number.
        while candidate:
            international = candidate.startswith(("+", "00"))
            digits = re.sub(r"\D", "", candidate.replace("(0)", ""))
            if international:
                digits = digits.removeprefix("00")
            if _is_phone_number(digits, international):
                yield match.start(), match.start() + len(candidate), "TELEFOON"
                break
            shorter = re.sub(rf"{_SEP}+\d+$", "", candidate)
            candidate = "" if shorter == candidate else shorter


def iban_is_valid(iban: str) -> bool:
    compact = re.sub(r"\s", "", iban).upper()
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def ibans(text: str) -> Iterator[Span]:
    for match in _IBAN.finditer(text):
        compact = match.group().replace(" ", "").upper()
        # A Dutch-shaped IBAN is scrubbed even with a typo in it: it is still someone's account.
        if _NL_IBAN.fullmatch(compact) or (15 <= len(compact) <= 34 and iban_is_valid(compact)):
            yield match.start(), match.end(), "IBAN"


def bsn_passes_11_test(number: str) -> bool:
    digits = [int(d) for d in re.sub(r"\D", "", number)]
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return len(digits) == 9 and sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def bsns(text: str) -> Iterator[Span]:
    for match in _BSN.finditer(text):
        if bsn_passes_11_test(match.group()):
            yield match.start(), match.end(), "BSN"


def postcodes(text: str) -> Iterator[Span]:
    for match in _POSTCODE.finditer(text):
        _, space, letters = match.groups()
        if letters.upper() in _NON_POSTCODE_LETTERS:
            continue
        if space and letters.islower() and letters in _COMMON_TWO_LETTER_WORDS:
            continue
        yield match.start(), match.end(), "POSTCODE"
