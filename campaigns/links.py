"""Tracked links: the help page with UTM parameters, and short codes for ``/go/CODE``.

Every content item links to the campaign's help page with ``utm_source`` (the channel),
``utm_medium`` (social, blog, site; ``test`` for the dry run, so trial runs never mix with
real figures) and ``utm_campaign`` (the campaign's slug). Its tracking code is what the
theme-site server resolves to that link, counting arrivals per code and day.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlite_utils import Database

from campaigns.errors import CampaignError

UTM_MEDIUM = {
    "x": "social",
    "facebook": "social",
    "wordpress": "blog",
    "themesite": "site",
    "dryrun": "test",
}
TRACKING_CODE_BYTES = 5  # 7 URL-safe characters: 2**40 codes
TRACKING_CODE_TRIES = 20
SLUG_MAX = 60


def generate_token() -> str:
    """A fresh candidate tracking code (tests replace this to force collisions)."""
    return secrets.token_urlsafe(TRACKING_CODE_BYTES)


def slugify(name: str) -> str:
    """``"Feestdagen zonder zorgen!"`` -> ``"feestdagen-zonder-zorgen"``; accents dropped."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "campagne"


def unique_slug(db: Database, name: str) -> str:
    """The slug of ``name``, with ``-2``, ``-3``... when another campaign has it."""
    base = slugify(name)
    taken = {
        row[0]
        for row in db.execute(
            "SELECT slug FROM campaigns WHERE slug = ? OR slug LIKE ?", [base, f"{base}-%"]
        )
    }
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def utm_link(url: str, channel: str, campaign_slug: str) -> str:
    """``url`` with this channel's UTM parameters; any utm_* already there are replaced."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_")]  # fmt: skip
    query += [
        ("utm_source", channel),
        ("utm_medium", UTM_MEDIUM[channel]),
        ("utm_campaign", campaign_slug),
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def new_tracking_code(db: Database) -> str:
    """A tracking code no content item has yet (call inside the inserting transaction)."""
    for _ in range(TRACKING_CODE_TRIES):
        code = generate_token()
        if not db.execute("SELECT 1 FROM content_items WHERE tracking_code = ?", [code]).fetchone():
            return code
    raise CampaignError(
        f"no free tracking code after {TRACKING_CODE_TRIES} tries; this should not happen, "
        "try again"
    )
