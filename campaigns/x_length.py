"""X's weighted length of a post: how X counts towards its 280 limit.

A port of twitter-text v3 (config/v3.json and TwitterTextParser, github.com/twitter/twitter-text).
"""

from __future__ import annotations

import re
import unicodedata

X_MAX_WEIGHTED_LENGTH = 280
X_URL_LENGTH = 23

# Code points in these ranges weigh 1, all others 2; a URL weighs 23 whatever its length; an emoji
# (ZWJ sequences, skin tones, flags and keycaps included) weighs 2. Text is NFC-normalised first.
_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))

# twitter-text ships about 1,500 TLDs; we keep every ASCII country code and the generic TLDs that
# Dutch campaign text is likely to hold. A bare domain with another generic TLD counts per
# character, as twitter-text would count it without a match.
_CCTLDS = (
    "ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs "
    "bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec "
    "ee eg er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy "
    "hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz "
    "la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx "
    "my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re "
    "ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th "
    "tj tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw"
).split(" ")
_GTLDS = (
    "com org net edu gov mil int info biz name pro aero asia cat coop jobs mobi museum tel travel "
    "app dev page blog shop store online site website tech cloud digital email link live news "
    "media amsterdam frl brussels vlaanderen gent berlin london paris nyc eus bzh wien koeln "
    "hamburg club top xyz icu vip art design studio agency network services solutions support "
    "academy school education training community social family life love health care money "
    "finance energy house homes rent moda green eco"
).split(" ")
_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_CHARS = f"a-z0-9{_ACCENTS}"
_UNICODE = "[^-_!\"#$%&'()*+,./:;<=>?@\\[\\]^`{|}~\\s\u2000-\u206f]"
_TLD_END = "(?=[^a-z0-9@+-]|$)"
_GTLD = f"(?:(?:{'|'.join(_GTLDS)}){_TLD_END})"
_CCTLD = f"(?:(?:{'|'.join(_CCTLDS)}){_TLD_END})"
_SUBDOMAIN = f"(?>(?:[{_CHARS}][{_CHARS}\\-_]*)?[{_CHARS}]\\.)"
_DOMAIN_NAME = f"(?:(?:[{_CHARS}][{_CHARS}\\-]*)?[{_CHARS}]\\.)"
_UNICODE_NAME = f"(?:(?:{_UNICODE}(?:{_UNICODE}|-)*)?{_UNICODE}\\.)"
_DOMAIN = (
    f"(?:{_SUBDOMAIN}*{_DOMAIN_NAME}(?:{_GTLD}|{_CCTLD}|xn--[-0-9a-z]+))"
    f"|(?:(?:(?<=http://)|(?<=https://))"
    f"(?:{_DOMAIN_NAME}{_CCTLD}|{_UNICODE_NAME}(?:{_GTLD}|{_CCTLD})))"
    f"|(?:{_DOMAIN_NAME}{_CCTLD}(?=/))"
)
_PATH_CHARS = f"[a-z0-9!*';:=+,.$/%#\\[\\]\\-\u2013_~|&@{_ACCENTS}\u0400-\u04ff]"
_PARENS = f"\\((?:{_PATH_CHARS}+|(?:{_PATH_CHARS}*\\({_PATH_CHARS}+\\){_PATH_CHARS}*))\\)"
_PATH_END = f"(?:[a-z0-9=_#/\\-+{_ACCENTS}\u0400-\u04ff]|{_PARENS})"
_PATH = f"(?:(?:{_PATH_CHARS}*(?:{_PARENS}{_PATH_CHARS}*)*{_PATH_END})|(?:@{_PATH_CHARS}+/))"
_QUERY = "[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@]"
_URL = re.compile(
    "(?P<before>[^a-z0-9@\uff20$#\uff03\ufffe\ufeff\uffff]|[\u061c\u200e\u200f\u202a-\u202e"
    "\u2066-\u2069]|^)"
    f"(?P<url>(?P<protocol>https?://)?(?P<host>{_DOMAIN})(?::[0-9]++)?(?:/{_PATH}*+)?"
    f"(?:\\?{_QUERY}*[a-z0-9\\-_&=#/])?)",
    re.IGNORECASE,
)
# Coarse Extended_Pictographic (every emoji base lies in it; the extra symbols weigh 2 anyway).
_PICTO = "\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a-\u2b55\u3030\u303d\u3297\u3299"
_ELEMENT = (
    f"(?:[\u00a9\u00ae]\ufe0f|[{_PICTO}\U0001f000-\U0001faff\U0001fc00-\U0001fffd]"
    "(?:\ufe0f|[\U0001f3fb-\U0001f3ff]|(?!\ufe0e)))"
)
_EMOJI = re.compile(
    "[#*0-9]\ufe0f?\u20e3|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
    f"|[\U0001f1e6-\U0001f1ff]{{2}}|{_ELEMENT}(?:\u200d{_ELEMENT})*"
)


def url_spans(text: str) -> list[tuple[int, int]]:
    """Where twitter-text finds URLs in ``text`` (http/https and bare domains with a known TLD)."""
    spans = []
    for match in _URL.finditer(text):
        if not match["protocol"] and re.search(r"[-_./]$", match["before"]):
            continue  # twitter-text: no bare domain right after "-", "_", "." or "/"
        try:
            host = match["host"].encode("idna").decode("ascii")  # labels of 1-63 characters
        except UnicodeError:
            continue
        url = match["url"]
        if len(url) + len(host) - len(match["host"]) + (0 if match["protocol"] else 8) <= 4096:
            spans.append(match.span("url"))
    return spans


def _nfc_with_origin(text: str) -> tuple[str, list[int]]:
    """NFC text and, for each of its positions (and its end), the offset in ``text``."""
    normal = unicodedata.normalize("NFC", text)
    if normal == text:
        return text, list(range(len(text) + 1))
    # Composition stays within a base character and the combining marks after it, so
    # normalising those runs one by one keeps every position traceable.
    parts, origin, run_start = [], [], 0
    for offset in range(1, len(text) + 1):
        if offset == len(text) or not unicodedata.combining(text[offset]):
            part = unicodedata.normalize("NFC", text[run_start:offset])
            parts.append(part)
            origin.extend([run_start] * len(part))
            run_start = offset
    origin.append(len(text))
    if "".join(parts) != normal:  # a composition across runs (Hangul jamo): offsets approximate
        return normal, [min(i, len(text)) for i in range(len(normal) + 1)]
    return normal, origin


def x_units(text: str) -> list[tuple[int, int, int]]:
    """``(start, end, weight)`` for each counted unit of ``text``: URL, emoji or code point."""
    normal, origin = _nfc_with_origin(text)
    urls = dict(url_spans(normal))
    emoji = {m.start(): m.end() for m in _EMOJI.finditer(normal)}
    units, offset = [], 0
    while offset < len(normal):
        if offset in urls:
            end, weight = urls[offset], X_URL_LENGTH
        elif offset in emoji:
            end, weight = emoji[offset], 2
        else:
            code = ord(normal[offset])
            end, weight = offset + 1, 1 if any(a <= code <= b for a, b in _LIGHT_RANGES) else 2
        units.append((origin[offset], origin[end], weight))
        offset = end
    return units


def x_weighted_length(text: str) -> int:
    """The length X counts for ``text`` (twitter-text v3); a post may weigh at most 280.

    Dutch letters, digits and Latin punctuation weigh 1; "€" (U+20AC) lies outside v3's
    weight-1 ranges and weighs 2, as do CJK characters and each emoji.
    """
    return sum(weight for _, _, weight in x_units(text))


def x_post_text(body: str, link: str | None) -> str:
    """The text the X publisher posts: the body, with the link appended unless already in it."""
    if not link or link in body:
        return body
    return f"{body} {link}"
