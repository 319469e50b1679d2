"""The static site builder: one theme site as plain files, built atomically.

``build_site`` renders every page with Jinja2 (autoescaped) and Markdown (cmark-gfm through
``cmarkgfm``, CommonMark in its safe mode: raw HTML and ``javascript:`` links in campaign text
are left out, never trusted), writes them into a fresh folder next to the target and swaps it
into place, so a crash never leaves half a site. cmark is a C library: markdown-it-py took
two thirds of a 2,000-article build, cmark about 35 times less.

Pages and addresses (pretty URLs: each page is ``PATH/index.html``)::

    /                           home: the theme's intro, the open door, latest articles
    /artikelen/  /artikelen/SLUG/     campaign articles (newest first) and evergreen ones
    /verhalen/   /verhalen/SLUG/      example stories
    /vragen/                    questions and answers (FAQPage)
    /hulp-bij-huurachterstand/  the open door: who answers, what happens, help agencies
    /zelf-check/                the budget self-check (runs in the browser, sends nothing)
    /over/  /privacy/           about the site and what it does (not) keep
    /404.html  /sitemap.xml  /robots.txt  /feed.xml (Atom)  /static/...

Every page links to the call-back form at ``/terugbellen``, which the server renders.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import cmarkgfm
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from themesites.content import (
    Article,
    SiteContent,
    fill,
    load_campaign_articles,
    load_shipped,
)

TEMPLATES = Path(__file__).with_name("templates")
STATIC = Path(__file__).with_name("static")
SITE_ASSETS = ("site.css", "selfcheck.js")  # terugbellen.css is the server's own
HELP_PATH = "/hulp-bij-huurachterstand/"
CALLBACK_PATH = "/terugbellen"


class BuildError(RuntimeError):
    """The site cannot be built; the message says why and what to change."""


@dataclass(frozen=True)
class Organisation:
    name: str
    website: str = ""


@dataclass
class BuildResult:
    slug: str
    folder: Path
    pages: int
    articles: int
    seconds: float
    skipped: list[str] = field(default_factory=list)

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def placeholder_values(contact: Any, organisation: Organisation) -> dict[str, str]:
    return {
        "organisatie": organisation.name,
        "telefoon": contact.phone,
        "email": contact.email,
        "team": contact.team,
        "naam": contact.person,
        "rol": contact.role,
        "uren": contact.hours,
        "hulp_pagina": contact.help_page or organisation.website or HELP_PATH,
        "terugbel_dagen": str(contact.callback_days),
    }


def check_ready(slug: str, contact: Any, organisation: Organisation) -> None:
    """Refuse a site without the open door's essentials, naming the settings."""
    missing = [
        name
        for name, value in (
            ("organisation.name", organisation.name),
            ("themesites.contact.phone", contact.phone),
            ("themesites.contact.team", contact.team),
            ("themesites.contact.hours", contact.hours),
        )
        if not str(value).strip()
    ]
    if missing:
        raise BuildError(
            f"site {slug} needs {', '.join(missing)} in the configuration: the open door "
            "shows them on every page"
        )


def build_site(
    slug: str,
    site: Any,
    contact: Any,
    organisation: Organisation,
    out_dir: Path,
    *,
    content: SiteContent | None = None,
    extra_articles: Iterable[Article] = (),
    now: datetime | None = None,
) -> BuildResult:
    """Build site ``slug`` into ``out_dir/slug``; returns what was written and how fast."""
    started = time.perf_counter()
    check_ready(slug, contact, organisation)
    content = load_shipped() if content is None else content
    skipped: list[str] = []
    campaign = load_campaign_articles(site.content_dir, skipped)
    renderer = _Renderer(slug, site, contact, organisation, content, now or datetime.now(UTC))
    articles = renderer.articles([*campaign, *extra_articles])
    target = out_dir / slug
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=out_dir))
    try:
        pages = renderer.write_all(staging, articles)
        if contact.photo:
            _copy_photo(Path(contact.photo), staging)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(slug, target, pages, len(articles), time.perf_counter() - started, skipped)


class _Renderer:
    def __init__(
        self,
        slug: str,
        site: Any,
        contact: Any,
        organisation: Organisation,
        content: SiteContent,
        now: datetime,
    ):
        self.slug, self.site, self.contact, self.organisation = slug, site, contact, organisation
        self.now = now
        self.values = placeholder_values(contact, organisation)
        self.content = _filled(content, self.values)
        self.base_url = f"https://{site.domain}"
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["j2", "html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["md"] = self.md
        self.env.filters["first_upper"] = lambda text: text[:1].upper() + text[1:]
        self.env.filters["dutch_date"] = dutch_date
        self.sitemap: list[tuple[str, datetime]] = []

    def md(self, text: str) -> str:
        """Markdown as HTML; raw HTML in it is shown as text. Shipped text is filled first."""
        from markupsafe import Markup

        return Markup(cmarkgfm.markdown_to_html(text))  # default options: the safe mode

    def text(self, text: str) -> str:
        return fill(text, self.values)

    def articles(self, campaign: list[Article]) -> list[Article]:
        """Campaign articles first (newest first), then the theme's evergreen ones, then others;
        each slug once (a later duplicate gets -2, -3)."""
        evergreen = self.content.articles.get(self.site.theme, [])
        others = [
            a
            for theme, items in sorted(self.content.articles.items())
            if theme != self.site.theme
            for a in items
        ]
        seen: set[str] = set()
        result = []
        for article in [*campaign, *evergreen, *others]:
            slug, number = article.slug, 1
            while slug in seen:
                number += 1
                slug = f"{article.slug}-{number}"
            seen.add(slug)
            result.append(article if slug == article.slug else _with_slug(article, slug))
        return result

    def write_all(self, folder: Path, articles: list[Article]) -> int:
        theme = self.content.themes.get(self.site.theme, {})
        stories = self.content.stories
        pages = 0
        pages += self.page(
            folder,
            "/",
            "home.html.j2",
            title=self.site.title,
            description=self.site.tagline or self.text(theme.get("home_intro", ""))[:160],
            theme=theme,
            articles=articles[:6],
            stories=stories[:3],
            json_ld=[self.organisation_ld(), self.website_ld()],
        )
        pages += self.collection(folder, "/artikelen/", "Artikelen",
                                 f"Alle artikelen van {self.site.title} over geld en wonen.",
                                 articles)  # fmt: skip
        pages += self.collection(
            folder,
            "/verhalen/",
            "Verhalen",
            "Voorbeelden van huurders die op tijd hulp vroegen.",
            stories,
        )
        faq = self.content.faq
        pages += self.page(
            folder,
            "/vragen/",
            "faq.html.j2",
            title="Vragen over huur en geld",
            description="Antwoorden op vragen over een huurachterstand: wat je "
            "kunt doen, wat het kost en wie je helpt.",
            faq=faq,
            json_ld=[self.faq_ld(faq)],
        )
        help_page = self.content.help
        pages += self.page(
            folder,
            HELP_PATH,
            "help.html.j2",
            title=help_page["page"]["title"],
            description=self.text(help_page["page"]["description"]),
            help=help_page,
            agencies=self.content.agencies,
        )
        selfcheck = self.content.selfcheck
        pages += self.page(
            folder,
            "/zelf-check/",
            "selfcheck.html.j2",
            title=selfcheck["selfcheck"]["title"],
            description=self.text(selfcheck["selfcheck"]["intro"])[:160],
            check=selfcheck,
            scripts=["/static/selfcheck.js"],
        )
        for name, page in sorted(self.content.pages.items()):
            pages += self.page(
                folder,
                f"/{name}/",
                "page.html.j2",
                title=page.title,
                description=page.summary,
                page=page,
            )
        missing = self.content.not_found
        self.render(
            folder / "404.html",
            "page.html.j2",
            path="/404.html",
            title=missing.title,
            description=missing.summary,
            page=missing,
            noindex=True,
        )
        pages += 1
        self.write_static(folder, articles)
        return pages

    def collection(self, folder: Path, base: str, heading: str, description: str,
                   items: list[Article]) -> int:  # fmt: skip
        """A list page at ``base`` and one page per item below it; returns the page count."""
        pages = self.page(folder, base, "list.html.j2", title=heading, description=description,
                          items=items, base=base, heading=heading)  # fmt: skip
        for item in items:
            pages += self.page(
                folder,
                f"{base}{item.slug}/",
                "article.html.j2",
                title=item.title,
                description=item.summary,
                article=item,
                og_type="article",
                json_ld=[self.article_ld(item, base)],
            )
        return pages

    def page(self, folder: Path, path: str, template: str, **context: Any) -> int:
        self.render(folder / path.strip("/") / "index.html", template, path=path, **context)
        self.sitemap.append(
            (path, context.get("article").published if context.get("article") else self.now)
        )
        return 1

    def render(self, target: Path, template: str, **context: Any) -> None:
        context.setdefault("json_ld", [])
        context.setdefault("scripts", [])
        context.setdefault("og_type", "website")
        context.setdefault("noindex", False)
        html = self.env.get_template(template).render(
            site=self.site,
            slug=self.slug,
            contact=self.contact,
            org=self.organisation,
            values=self.values,
            base_url=self.base_url,
            help_path=HELP_PATH,
            callback_path=CALLBACK_PATH,
            text=self.text,
            tel=tel_href(self.contact.phone),
            photo=_photo_name(self.contact.photo),
            initials=initials(self.contact.person or self.contact.team),
            ld=json_ld_script,
            **context,
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")

    def write_static(self, folder: Path, articles: list[Article]) -> None:
        static = folder / "static"
        static.mkdir(parents=True, exist_ok=True)
        for name in SITE_ASSETS:
            shutil.copyfile(STATIC / name, static / name)
        urls = "".join(
            f"<url><loc>{escape(self.base_url + path)}</loc>"
            f"<lastmod>{moment.date().isoformat()}</lastmod></url>"
            for path, moment in self.sitemap
        )
        (folder / "sitemap.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n',
            encoding="utf-8",
        )
        (folder / "robots.txt").write_text(
            f"User-agent: *\nDisallow: {CALLBACK_PATH}\nDisallow: /go/\n\n"
            f"Sitemap: {self.base_url}/sitemap.xml\n",
            encoding="utf-8",
        )
        (folder / "feed.xml").write_text(self.atom(articles[:20]), encoding="utf-8")

    # -- structured data ------------------------------------------------------------------

    def organisation_ld(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": self.organisation.name,
            "url": self.base_url + "/",
        }
        if self.contact.phone:
            data["contactPoint"] = {
                "@type": "ContactPoint",
                "telephone": self.contact.phone,
                "contactType": "customer service",
                "availableLanguage": "nl",
            }
        if self.organisation.website:
            data["sameAs"] = [self.organisation.website]
        return data

    def website_ld(self) -> dict[str, Any]:
        return {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": self.site.title,
            "url": self.base_url + "/",
            "inLanguage": "nl",
        }

    def article_ld(self, article: Article, base: str) -> dict[str, Any]:
        return {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": article.title[:110],
            "description": article.summary,
            "inLanguage": "nl",
            "datePublished": article.published.isoformat(timespec="seconds"),
            "mainEntityOfPage": f"{self.base_url}{base}{article.slug}/",
            "author": {"@type": "Organization", "name": self.organisation.name},
            "publisher": {"@type": "Organization", "name": self.organisation.name},
        }

    def faq_ld(self, faq: list[dict[str, str]]) -> dict[str, Any]:
        return {
            "@context": "https://schema.org",
            "@type": "FAQPage",
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": self.text(q["question"]),
                    "acceptedAnswer": {"@type": "Answer", "text": str(self.md(q["answer"]))},
                }
                for q in faq
            ],
        }

    def atom(self, articles: list[Article]) -> str:
        updated = max((a.published for a in articles), default=self.now)
        entries = "".join(
            f"<entry><title>{escape(a.title)}</title>"
            f'<link href="{escape(self.base_url)}/artikelen/{a.slug}/"/>'
            f"<id>{escape(self.base_url)}/artikelen/{a.slug}/</id>"
            f"<updated>{a.published.isoformat(timespec='seconds')}</updated>"
            f"<summary>{escape(a.summary)}</summary></entry>"
            for a in articles
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">'
            f"<title>{escape(self.site.title)}</title>"
            f'<link href="{escape(self.base_url)}/"/>'
            f'<link rel="self" href="{escape(self.base_url)}/feed.xml"/>'
            f"<id>{escape(self.base_url)}/</id>"
            f"<updated>{updated.isoformat(timespec='seconds')}</updated>"
            f"<author><name>{escape(self.organisation.name)}</name></author>"
            f"{entries}</feed>\n"
        )


def json_ld_script(data: dict[str, Any]) -> str:
    """JSON-LD safe inside a script element: ``<`` never appears raw."""
    from markupsafe import Markup

    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(f'<script type="application/ld+json">{text}</script>')


def tel_href(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    if digits.startswith("0") and not digits.startswith("00"):
        digits = "+31" + digits[1:]
    return f"tel:{digits}"


def initials(name: str) -> str:
    words = [w for w in name.replace("-", " ").split() if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words[:2]) or "?"


MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def dutch_date(moment: datetime) -> str:
    return f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"


def _filled(content: SiteContent, values: dict[str, str]) -> SiteContent:
    """Shipped articles, stories and pages with the placeholders filled in (campaign text is
    never filled: a brace in it is just a brace)."""
    import dataclasses

    def article(a: Article) -> Article:
        return dataclasses.replace(
            a,
            title=fill(a.title, values),
            summary=fill(a.summary, values),
            body=fill(a.body, values),
        )

    return dataclasses.replace(
        content,
        stories=[article(a) for a in content.stories],
        articles={t: [article(a) for a in items] for t, items in content.articles.items()},
        pages={name: article(a) for name, a in content.pages.items()},
        not_found=article(content.not_found),
    )


def _with_slug(article: Article, slug: str) -> Article:
    import dataclasses

    return dataclasses.replace(article, slug=slug)


def _photo_name(photo: Path | None) -> str | None:
    return f"/static/contact{Path(photo).suffix.lower()}" if photo else None


def _copy_photo(photo: Path, folder: Path) -> None:
    if photo.suffix.lower() not in (".jpg", ".jpeg", ".png", ".webp"):
        raise BuildError(f"themesites.contact.photo {photo} is not a JPEG, PNG or WebP file")
    try:
        shutil.copyfile(photo, folder / "static" / f"contact{photo.suffix.lower()}")
    except OSError as error:
        raise BuildError(f"cannot copy themesites.contact.photo {photo}: {error}") from None


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` where ``target`` is, keeping the old site until the new one is there."""
    old = target.with_name(f".{target.name}-old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
