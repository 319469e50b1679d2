"""The static site builder: pages, open door, search metadata, escaping, atomic builds."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from themesites.builder import BuildError, Organisation, build_site, tel_href
from themesites.content import load_shipped
from themesites.settings import ContactSettings, SiteSettings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
ORG = Organisation("Woonstichting De Voorbeeldhaven", "https://voorbeeldhaven.example.com")
CONTACT = ContactSettings(
    phone="010 123 45 67",
    email="huurengeld@voorbeeldhaven.example.com",
    team="het team Huur en Geld",
    person="Samira",
    role="budgetcoach",
    hours="maandag tot vrijdag van 9 tot 17 uur",
    help_page="https://voorbeeldhaven.example.com/hulp",
)


def campaign_article(folder: Path, key: str, title: str, body: str, **extra: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "title": title,
        "summary": "Vier tips om de maand rond te krijgen, en hulp.",
        "slug": re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"),
        "date": "2026-11-20T09:00:00+01:00",
        "link": "https://voorbeeldhaven.example.com/hulp?utm_source=wordpress",
        **extra,
    }
    front = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items())
    path = folder / f"{key}.md"
    path.write_text(f'+++\n{front}\ntags = ["feestdagen"]\nkey = "{key}"\n+++\n\n{body}\n')
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sites")
    articles = root / "artikelen"
    campaign_article(
        articles,
        "aaaa1111bbbb2222",
        "Zo hou je december betaalbaar",
        "December is duur.\n\n- Maak een lijstje.\n- Spreek een bedrag af.\n\n"
        'Lukt de huur niet? Bel ons. <script>alert("x")</script> {geen} & co',
    )
    (articles / "kapot.md").write_text("geen front matter")
    site = SiteSettings(
        domain="geldvoorelkaar.nl",
        theme="lenen",
        title="Geld voor elkaar",
        tagline="Eerlijke tips over lenen en rondkomen.",
        content_dir=articles,
    )
    result = build_site("geldvoorelkaar", site, CONTACT, ORG, root / "out", now=NOW)
    assert result.skipped and "kapot.md" in result.skipped[0]
    return result.folder


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.scripts.append(data)

    def handle_endtag(self, tag):
        self._in_script = False

    def meta(self, key: str, value: str) -> str | None:
        return next(
            (a.get("content") for t, a in self.tags if t == "meta" and a.get(key) == value), None
        )

    def json_ld(self) -> list[dict]:
        return [json.loads(s) for s in self.scripts]


def read(built: Path, path: str) -> tuple[str, Page]:
    html = (built / path).read_text(encoding="utf-8")
    return html, Page(html)


def test_themesites_builder_writes_every_page_with_pretty_urls(built):
    expected = [
        "index.html",
        "artikelen/index.html",
        "verhalen/index.html",
        "vragen/index.html",
        "hulp-bij-huurachterstand/index.html",
        "zelf-check/index.html",
        "over/index.html",
        "privacy/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "feed.xml",
        "static/site.css",
        "static/selfcheck.js",
        "artikelen/zo-hou-je-december-betaalbaar/index.html",
    ]
    for path in expected:
        assert (built / path).is_file(), path
    assert len(list((built / "verhalen").glob("*/index.html"))) >= 3


def test_themesites_builder_every_page_has_the_open_door_and_metadata(built):
    for page_path in built.rglob("index.html"):
        html, page = read(built, str(page_path.relative_to(built)))
        assert 'href="tel:+31101234567"' in html
        assert "Kun je je huur niet betalen? Klik hier" in html
        assert 'href="/terugbellen"' in html and "Bel me vandaag terug" in html
        description = page.meta("name", "description")
        assert description and 20 <= len(description) <= 170, (page_path, description)
        canonical = next(
            a["href"] for t, a in page.tags if t == "link" and a.get("rel") == "canonical"
        )
        assert canonical.startswith("https://geldvoorelkaar.nl/")
        assert page.meta("property", "og:title") and page.meta("name", "twitter:card")
        assert '<html lang="nl">' in html


def test_themesites_builder_campaign_text_is_escaped_not_executed(built):
    html, page = read(built, "artikelen/zo-hou-je-december-betaalbaar/index.html")
    assert "<script>alert" not in html and "<!-- raw HTML omitted -->alert" in html
    assert "{geen} &amp; co" in html  # a brace in campaign text is just a brace
    assert "<li>Maak een lijstje.</li>" in html
    assert 'href="https://voorbeeldhaven.example.com/hulp?utm_source=wordpress"' in html
    [article] = page.json_ld()
    assert article["@type"] == "Article" and article["headline"] == "Zo hou je december betaalbaar"


def test_themesites_builder_help_page_is_the_open_door(built):
    html, page = read(built, "hulp-bij-huurachterstand/index.html")
    assert 'id="bellen"' in html and "010 123 45 67" in html
    assert "Samira, budgetcoach, van het team Huur en Geld" in html
    assert 'class="initials"' in html and ">S<" in html
    for url in ("https://www.geldfit.nl", "https://www.nibud.nl", "https://www.juridischloket.nl"):
        assert url in html
    assert "{" not in re.sub(r"<script.*?</script>", "", html, flags=re.S)  # placeholders filled


def test_themesites_builder_structured_data_and_search_files(built):
    _, home = read(built, "index.html")
    assert {d["@type"] for d in home.json_ld()} == {"Organization", "WebSite"}
    _, faq = read(built, "vragen/index.html")
    [data] = faq.json_ld()
    assert data["@type"] == "FAQPage" and len(data["mainEntity"]) >= 8
    robots = (built / "robots.txt").read_text()
    assert "Sitemap: https://geldvoorelkaar.nl/sitemap.xml" in robots
    sitemap = (built / "sitemap.xml").read_text()
    assert "<loc>https://geldvoorelkaar.nl/hulp-bij-huurachterstand/</loc>" in sitemap
    assert "404" not in sitemap
    import xml.etree.ElementTree as ET

    feed = ET.fromstring((built / "feed.xml").read_text())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert titles[0] == "Zo hou je december betaalbaar"  # the campaign article first
    _, missing = read(built, "404.html")
    assert missing.meta("name", "robots") == "noindex"


def test_themesites_builder_selfcheck_works_without_javascript(built):
    html, page = read(built, "zelf-check/index.html")
    assert '<form id="zelf-check" class="selfcheck" action="#uitkomst" hidden>' in html
    assert 'id="zonder-javascript"' in html  # the paper method, shown without JavaScript
    assert '<script src="/static/selfcheck.js" defer></script>' in html
    levels = [a["data-level"] for t, a in page.tags if t == "template"]
    assert {"goed", "tekort"} <= set(levels)


def test_themesites_builder_pages_stay_small_and_self_contained(built):
    for path in [*built.rglob("*.html"), *built.glob("static/*")]:
        text = path.read_text(encoding="utf-8")
        assert len(text.encode()) < 100_000, path
        # Nothing from elsewhere: no external scripts, styles, fonts or images.
        assert not re.search(
            r'<(script|link|img)[^>]+(src|href)="(https?:)?//',
            text.replace('rel="canonical" href="https://', "").replace('rel="alternate"', ""),
        ), path
        assert "style=" not in text and "onclick" not in text  # CSP without unsafe-inline


def test_themesites_builder_refuses_a_site_without_the_open_door(tmp_path):
    site = SiteSettings(domain="a.nl", theme="lenen", title="Test")
    with pytest.raises(BuildError, match="themesites.contact.phone"):
        build_site("a", site, ContactSettings(team="t", hours="h"), ORG, tmp_path)
    assert not (tmp_path / "a").exists()


def test_themesites_builder_rebuild_replaces_the_site_whole(tmp_path):
    site = SiteSettings(
        domain="a.nl", theme="vakantie", title="Op vakantie", content_dir=tmp_path / "artikelen"
    )
    campaign_article(tmp_path / "artikelen", "k1", "Eerste artikel", "Tekst.")
    first = build_site("a", site, CONTACT, ORG, tmp_path / "out", now=NOW)
    (tmp_path / "artikelen" / "k1.md").unlink()
    campaign_article(tmp_path / "artikelen", "k2", "Tweede artikel", "Tekst.")
    second = build_site("a", site, CONTACT, ORG, tmp_path / "out", now=NOW)
    assert first.folder == second.folder
    assert not (second.folder / "artikelen" / "eerste-artikel").exists()
    assert (second.folder / "artikelen" / "tweede-artikel" / "index.html").is_file()
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["a"]  # no staging left


def test_themesites_builder_duplicate_slugs_get_numbers(tmp_path):
    folder = tmp_path / "artikelen"
    for key in ("k1", "k2"):
        campaign_article(folder, key, "Zelfde titel", f"Tekst {key}.")
    site = SiteSettings(domain="a.nl", theme="auto", title="Auto", content_dir=folder)
    built = build_site("a", site, CONTACT, ORG, tmp_path / "out", now=NOW).folder
    assert (built / "artikelen" / "zelfde-titel" / "index.html").is_file()
    assert (built / "artikelen" / "zelfde-titel-2" / "index.html").is_file()


def test_themesites_builder_shipped_content_loads():
    content = load_shipped()
    assert content.help["page"]["title"] and content.faq and content.agencies
    assert {"lenen", "vakantie", "auto", "feestdagen", "winkelen", "energie"} <= set(
        content.articles
    )
    assert tomllib  # the campaign channel's front matter is TOML, read with tomllib


def test_themesites_builder_tel_links():
    assert tel_href("010 123 45 67") == "tel:+31101234567"
    assert tel_href("+31 6 1234 5678") == "tel:+31612345678"


def test_themesites_builder_skips_an_article_whose_link_is_not_http(tmp_path):
    folder = tmp_path / "artikelen"
    campaign_article(folder, "k1", "Goed artikel", "Tekst.")
    campaign_article(folder, "k2", "Slecht artikel", "Tekst.", link="javascript:alert(1)")
    site = SiteSettings(domain="a.nl", theme="auto", title="Auto", content_dir=folder)
    result = build_site("a", site, CONTACT, ORG, tmp_path / "out", now=NOW)
    assert len(result.skipped) == 1 and "not an http(s) address" in result.skipped[0]
    assert not (result.folder / "artikelen" / "slecht-artikel").exists()
    assert "javascript:" not in "".join(p.read_text() for p in result.folder.rglob("*.html"))
