"""What a theme site shows: shipped pages from ``data/sites`` and campaign articles.

Shipped content is Dutch text written for this project, with placeholders for the open door
(``{telefoon}``, ``{team}``...) that :func:`fill` replaces. Campaign articles are the Markdown
files the publisher's theme-site channel writes (``KEY.md``, TOML front matter between ``+++``
lines). A malformed file is skipped with a warning naming it, so one bad article never stops a
build; the count of skipped files is reported.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from nlp.datafiles import data_path

logger = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS = ("organisatie", "telefoon", "email", "team", "naam", "rol", "uren", "hulp_pagina",
                "terugbel_dagen")  # fmt: skip


class ContentError(ValueError):
    """A content file cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    summary: str
    body: str  # Markdown
    published: datetime
    theme: str | None = None
    tags: tuple[str, ...] = ()
    link: str | None = None  # a campaign article's tracked link
    kind: str = "article"  # article (evergreen or campaign) or story
    person: str | None = None
    campaign: str | None = None


@dataclass
class SiteContent:
    help: dict[str, Any]
    agencies: list[dict[str, str]]
    faq: list[dict[str, str]]
    themes: dict[str, dict[str, Any]]
    selfcheck: dict[str, Any]
    pages: dict[str, Article]
    not_found: Article
    stories: list[Article]
    articles: dict[str, list[Article]]  # theme -> evergreen articles
    skipped: list[str] = field(default_factory=list)


def sites_dir() -> Path:
    return data_path("sites")


def load_shipped(folder: Path | None = None) -> SiteContent:
    """Every shipped content file; raises ContentError for a broken one (they are ours)."""
    folder = sites_dir() if folder is None else folder
    help_page = _toml(folder / "help.toml")
    stories = [_markdown_file(p, "story") for p in sorted((folder / "stories").glob("*.md"))]
    articles: dict[str, list[Article]] = {}
    for path in sorted((folder / "articles").glob("*/*.md")):
        articles.setdefault(path.parent.name, []).append(_markdown_file(path, "article"))
    pages = {p.stem: _markdown_file(p, "page") for p in sorted((folder / "pages").glob("*.md"))}
    return SiteContent(
        help=help_page,
        agencies=_toml(folder / "agencies.toml").get("agency", []),
        faq=_toml(folder / "faq.toml").get("question", []),
        themes=_toml(folder / "themes.toml").get("theme", {}),
        selfcheck=_toml(folder / "selfcheck.toml"),
        pages=pages,
        not_found=_markdown_file(folder / "404.md", "page"),
        stories=stories,
        articles=articles,
    )


def load_campaign_articles(folder: Path | None, skipped: list[str]) -> list[Article]:
    """The publisher's articles in ``folder``, newest first; broken files go to ``skipped``."""
    if folder is None or not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.glob("*.md")):
        try:
            found.append(_markdown_file(path, "campaign"))
        except ContentError as error:
            logger.warning("%s", error)
            skipped.append(str(error))
    return sorted(found, key=lambda a: (a.published, a.slug), reverse=True)


def split_front_matter(text: str, origin: str) -> tuple[dict[str, Any], str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "+++":
        raise ContentError(f"{origin}: expected front matter between +++ lines at the top")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise ContentError(f"{origin}: the front matter has no closing +++ line") from None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{origin}: the front matter is not valid TOML: {error}") from None
    return meta, "\n".join(lines[end + 1 :]).strip()


def fill(text: str, values: dict[str, str]) -> str:
    """Replace the known placeholders; an unknown one is an error in our own content."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ContentError(f"unknown placeholder {{{name}}} in: {text[:60]!r}")
        return values[name]

    return PLACEHOLDER.sub(replace, text)


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ContentError(f"{path}: {error}") from None


def _markdown_file(path: Path, kind: str) -> Article:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ContentError(f"{path}: cannot read it as UTF-8 text ({error})") from None
    meta, body = split_front_matter(text, str(path))
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ContentError(f"{path}: the front matter has no title")
    published = _moment(meta.get("date"), path)
    slug = str(meta.get("slug") or path.stem)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug):
        raise ContentError(f"{path}: slug {slug!r} is not lower case letters, digits and -")
    tags = meta.get("tags", [])
    link = meta.get("link")
    if link is not None and not re.match(r"^(https?://[^\s/]|/[^/])", str(link)):
        raise ContentError(f"{path}: link {str(link)[:60]!r} is not an http(s) address")
    return Article(
        slug=slug, title=title.strip(), summary=str(meta.get("summary") or meta.get("description")
        or ""), body=body, published=published, theme=meta.get("theme"),
        tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
        link=link, kind="story" if kind == "story" else "article",
        person=meta.get("person"), campaign=meta.get("campaign"),
    )  # fmt: skip


def _moment(value: Any, path: Path) -> datetime:
    if value is None:
        return datetime(2026, 1, 1, tzinfo=UTC)  # shipped evergreen text: a fixed date
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ContentError(f"{path}: date {value!r} is not an ISO date") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
