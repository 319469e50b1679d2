"""The Dutch content of the theme sites (data/sites): it parses, is complete, and reads at B1.

Readability thresholds are the project's own B1 warning levels from `nlp.readability`:
Flesch-Douma at least 60 ("easy") on texts of three sentences or more, no sentence over 20
words, at most 10% uncommon words; plus the plain-language guidance in its docstring of about
15 words per sentence on average. Tone (`nlp.tone`): no officialese, no forced jollity, no "u"
or "de huurder" beside "je", and jargon only in the texts that explain it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from nlp.datafiles import data_path
from nlp.readability import (
    FLESCH_DOUMA_WARNING,
    LONG_SENTENCE_WARNING,
    MIN_SENTENCES_FOR_SCORE,
    UNCOMMON_SHARE_WARNING,
    readability,
)
from nlp.tone import tone_findings

SITES = data_path("sites")
MEAN_SENTENCE_WORDS = 15.0
SAMPLE = {
    "organisatie": "Woonstichting De Voorbeeldhaven",
    "telefoon": "010 123 45 67",
    "email": "huurengeld@voorbeeldhaven.nl",
    "team": "het team Huur en Geld",
    "naam": "Sanne",
    "rol": "budgetcoach",
    "uren": "maandag tot en met vrijdag van 9 tot 17 uur",
    "hulp_pagina": "https://www.voorbeeldhaven.nl/hulp-bij-betalen",
    "terugbel_dagen": "1",
}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
THEMES = ("lenen", "vakantie", "auto", "feestdagen", "winkelen", "energie", "studie", "wonen",
          "inkomen")  # fmt: skip
ARTICLE_THEMES = THEMES[:6]
HELP_SECTIONS = ("wie-neemt-op", "wat-gebeurt-er", "vertrouwelijk", "bereikbaar", "als-je-wacht",
                 "hulp-in-de-buurt")  # fmt: skip
COSTS = {"huur", "energie", "water", "verzekeringen", "telefoon-internet", "abonnementen",
         "vervoer", "schulden", "kinderopvang"}  # fmt: skip
LEVELS = {"goed", "krap", "te-weinig", "tekort"}
FORBIDDEN_TONE = ("tone.officialese", "tone.jollity", "tone.perspective")
# Texts that use jargon (deurwaarder, beslag) on purpose and explain it in plain words.
EXPLAINED_JARGON = {"help.toml section als-je-wacht", "faq.toml question deurwaarder",
                    "faq.toml deurwaarder question"}  # fmt: skip
FAQ_MUST_ASK = (
    "Ik heb een brief gekregen over een achterstand. Wat nu?",
    "Krijg ik een boete?",
    "Kan ik een regeling treffen?",
    "Wat als ik mijn baan kwijt ben?",
    "Moet ik me schamen?",
    "Vertel je het aan anderen?",
    "Wat doet een deurwaarder?",
    "Kan ik huurtoeslag krijgen?",
    "Wat kost het om te bellen?",
)


# --- loading ---------------------------------------------------------------------------------


@cache
def load_toml(name: str) -> dict[str, Any]:
    return tomllib.loads((SITES / name).read_text(encoding="utf-8"))


@cache
def load_markdown(path: Path) -> tuple[dict[str, Any], str]:
    """Front matter (TOML between two lines that are exactly "+++") and the Markdown body."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "+++", f"{path.name}: front matter must start on the first line"
    end = lines.index("+++", 1)
    return tomllib.loads("\n".join(lines[1:end])), "\n".join(lines[end + 1 :])


def markdown_files(folder: str = "") -> list[Path]:
    return sorted(p for p in (SITES / folder).rglob("*.md") if p.name != "README.md")


def fill(text: str) -> str:
    return PLACEHOLDER.sub(lambda m: SAMPLE[m.group(1)], text)


def plain(text: str) -> str:
    """Filled text without Markdown link targets, which readers do not read as words."""
    return re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", fill(text))


def prose() -> Iterator[tuple[str, str]]:
    """Every running text a reader reads, as (label, text): bodies, answers, help texts."""
    help_page = load_toml("help.toml")
    yield "help.toml description", help_page["page"]["description"]
    yield "help.toml intro", help_page["page"]["intro"]
    for section in help_page["section"]:
        yield f"help.toml section {section['id']}", section["body"]
    for key in ("cant_pay_text", "callback_text"):
        yield f"help.toml {key}", help_page["actions"][key]
    for agency in load_toml("agencies.toml")["agency"]:
        yield f"agencies.toml {agency['name']}", agency["what"]
    for question in load_toml("faq.toml")["question"]:
        yield f"faq.toml question {question['id']}", question["answer"]
    for theme, table in load_toml("themes.toml")["theme"].items():
        yield f"themes.toml {theme}", table["home_intro"]
    selfcheck = load_toml("selfcheck.toml")
    yield "selfcheck.toml intro", selfcheck["selfcheck"]["intro"]
    yield "selfcheck.toml income_help", selfcheck["selfcheck"]["income_help"]
    for cost in selfcheck["cost"]:
        yield f"selfcheck.toml cost {cost['id']}", cost["help"]
    for advice in selfcheck["advice"]:
        yield f"selfcheck.toml advice {advice['level']}", advice["text"]
    yield "selfcheck.toml nojs", selfcheck["nojs"]["text"]
    for path in markdown_files():
        meta, body = load_markdown(path)
        name = path.relative_to(SITES).as_posix()
        yield name, body
        for key in ("summary", "description"):
            if key in meta:
                yield f"{name} {key}", meta[key]


def short_strings() -> Iterator[tuple[str, str]]:
    """Titles, headings, labels and search phrases: checked for tone, too short to score."""
    help_page = load_toml("help.toml")
    yield "help.toml title", help_page["page"]["title"]
    for section in help_page["section"]:
        yield f"help.toml heading {section['id']}", section["heading"]
    for key in ("cant_pay_label", "callback_label"):
        yield f"help.toml {key}", help_page["actions"][key]
    for question in load_toml("faq.toml")["question"]:
        yield f"faq.toml {question['id']} question", question["question"]
    for theme, table in load_toml("themes.toml")["theme"].items():
        yield f"themes.toml {theme} search_terms", ". ".join(table["search_terms"])
    selfcheck = load_toml("selfcheck.toml")
    for key in ("title", "income_label"):
        yield f"selfcheck.toml {key}", selfcheck["selfcheck"][key]
    for cost in selfcheck["cost"]:
        yield f"selfcheck.toml cost {cost['id']} label", cost["label"]
    for advice in selfcheck["advice"]:
        yield f"selfcheck.toml advice {advice['level']} heading", advice["heading"]
    for path in markdown_files():
        meta, _ = load_markdown(path)
        yield f"{path.relative_to(SITES).as_posix()} title", meta["title"]


PROSE = list(prose())
ALL_TEXTS = PROSE + list(short_strings())


# --- files, fields and placeholders -------------------------------------------------------------


def test_themesites_content_every_toml_and_front_matter_parses():
    tomls = sorted(SITES.rglob("*.toml"))
    assert {p.name for p in tomls} == {"help.toml", "agencies.toml", "faq.toml", "themes.toml",
                                       "selfcheck.toml"}  # fmt: skip
    for path in tomls:
        tomllib.loads(path.read_text(encoding="utf-8"))
    for path in markdown_files():
        meta, body = load_markdown(path)
        assert meta.get("title") and body.strip(), path


@pytest.mark.parametrize(
    "path", [p for p in sorted(SITES.rglob("*")) if p.is_file() and p.name != "README.md"],
    ids=lambda p: p.relative_to(SITES).as_posix(),
)  # fmt: skip
def test_themesites_content_only_known_placeholders(path: Path):
    text = path.read_text(encoding="utf-8")
    assert set(PLACEHOLDER.findall(text)) <= set(SAMPLE)
    leftover = PLACEHOLDER.sub("", text)
    assert "{" not in leftover and "}" not in leftover, "braces outside a known placeholder"


def _html_tokens(markdown: str) -> list[str]:
    found = []
    for token in MarkdownIt("commonmark").parse(markdown):
        for part in [token, *(token.children or [])]:
            if part.type in ("html_block", "html_inline"):
                found.append(part.content)
    return found


@pytest.mark.parametrize("label,text", PROSE, ids=[label for label, _ in PROSE])
def test_themesites_content_markdown_has_no_raw_html(label: str, text: str):
    assert _html_tokens(text) == []


def test_themesites_content_descriptions_and_summaries_fit_search_results():
    lengths = {"help.toml description": len(load_toml("help.toml")["page"]["description"])}
    for path in markdown_files():
        meta, _ = load_markdown(path)
        for key in ("summary", "description"):
            if key in meta:
                lengths[f"{path.relative_to(SITES)} {key}"] = len(meta[key])
    assert len(lengths) == 1 + 6 + 12 + 2
    assert {k: n for k, n in lengths.items() if not 50 <= n <= 160} == {}


def test_themesites_content_help_page_has_its_sections_and_buttons():
    help_page = load_toml("help.toml")
    assert help_page["page"]["title"] == "Hulp bij huurachterstand"
    sections = {s["id"]: s for s in help_page["section"]}
    assert tuple(s["id"] for s in help_page["section"]) == HELP_SECTIONS
    assert all(s["heading"] and s["body"].strip() for s in sections.values())
    for placeholder in ("{naam}", "{rol}", "{team}"):
        assert placeholder in sections["wie-neemt-op"]["body"]
    for placeholder in ("{uren}", "{telefoon}", "{email}", "{terugbel_dagen} werkdag(en)"):
        assert placeholder in sections["bereikbaar"]["body"]
    steps = re.findall(r"^\d\. ", sections["wat-gebeurt-er"]["body"], flags=re.MULTILINE)
    assert 3 <= len(steps) <= 5
    actions = help_page["actions"]
    assert actions["cant_pay_label"] == "Kun je je huur niet betalen? Klik hier"
    assert actions["callback_label"] == "Bel me vandaag terug"
    assert readability(fill(actions["cant_pay_text"])).sentences == 1


def test_themesites_content_agencies_are_real_https_addresses():
    agencies = load_toml("agencies.toml")["agency"]
    urls = {a["name"]: a["url"] for a in agencies}
    assert urls["Geldfit"] == "https://www.geldfit.nl"
    assert urls["Nibud"] == "https://www.nibud.nl"
    assert urls["Het Juridisch Loket"] == "https://www.juridischloket.nl"
    assert urls["{organisatie}"] == "{hulp_pagina}"
    government = "https://www.rijksoverheid.nl/onderwerpen/schulden"
    assert any(url.startswith(government) for url in urls.values())
    for agency in agencies:
        assert fill(agency["url"]).startswith("https://"), agency["name"]
        assert readability(fill(agency["what"])).sentences == 1, agency["name"]


def test_themesites_content_faq_asks_what_tenants_ask():
    questions = load_toml("faq.toml")["question"]
    assert 10 <= len(questions) <= 12
    ids = [q["id"] for q in questions]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids)
    assert set(FAQ_MUST_ASK) <= {q["question"] for q in questions}
    for question in questions:
        assert 2 <= readability(plain(question["answer"])).sentences <= 5, question["id"]


def test_themesites_content_stories_are_marked_examples():
    stories = markdown_files("stories")
    assert len(stories) == 6
    for path in stories:
        meta, body = load_markdown(path)
        assert set(meta) == {"title", "summary", "theme", "person", "example"}, path.name
        assert meta["example"] is True and meta["theme"] in THEMES
        assert re.fullmatch(r"[A-Z][a-z]+", meta["person"]) and meta["person"] in body
        assert "voorbeeld" in body.strip().splitlines()[-1], "the last line says it is made up"
        assert 150 <= readability(plain(body)).words <= 300, path.name


def test_themesites_content_articles_open_the_door():
    articles = markdown_files("articles")
    assert sorted(p.parent.name for p in articles) == sorted(ARTICLE_THEMES * 2)
    for path in articles:
        meta, body = load_markdown(path)
        assert set(meta) == {"title", "summary", "theme", "tags"}, path.name
        assert meta["theme"] == path.parent.name
        assert meta["tags"] and all(isinstance(t, str) and t for t in meta["tags"])
        assert "Lukt de huur niet (meer)? Bel {team} op {telefoon}" in body, path.name
        assert "{telefoon}" in body.strip().split("\n\n")[-1], "it ends with one clear action"
        assert 300 <= readability(plain(body)).words <= 500, path.name


def test_themesites_content_every_theme_has_a_home_intro():
    themes = load_toml("themes.toml")["theme"]
    assert set(themes) == set(THEMES)
    for theme, table in themes.items():
        assert 2 <= readability(fill(table["home_intro"])).sentences <= 3, theme
        terms = table["search_terms"]
        assert 3 <= len(terms) <= 6 and all(isinstance(t, str) and t for t in terms), theme


def test_themesites_content_selfcheck_bands_cover_every_share():
    selfcheck = load_toml("selfcheck.toml")
    for key in ("title", "intro", "income_label", "income_help"):
        assert selfcheck["selfcheck"][key].strip()
    assert {c["id"] for c in selfcheck["cost"]} == COSTS
    assert all(c["label"] and c["help"] for c in selfcheck["cost"])
    bands = sorted(selfcheck["advice"], key=lambda a: a["min_share"])
    assert {a["level"] for a in bands} == LEVELS and len(bands) == len(LEVELS)
    assert bands[0]["min_share"] == -100.0 and bands[-1]["max_share"] == 1.0
    for lower, upper in zip(bands, bands[1:], strict=False):
        assert lower["max_share"] == upper["min_share"], "a gap or an overlap between bands"
    for band in bands:
        assert isinstance(band["min_share"], float) and isinstance(band["max_share"], float)
        assert band["min_share"] < band["max_share"] and band["heading"]
        if band["level"] != "goed":
            assert "{telefoon}" in band["text"], band["level"]
    assert "{telefoon}" in selfcheck["nojs"]["text"]


def test_themesites_content_pages_and_not_found():
    for name in ("over", "privacy"):
        meta, body = load_markdown(SITES / "pages" / f"{name}.md")
        assert set(meta) == {"title", "description"}, name
    _, over = load_markdown(SITES / "pages" / "over.md")
    _, privacy = load_markdown(SITES / "pages" / "privacy.md")
    assert "{organisatie}" in over
    assert "cookies" in privacy and "trackers" in privacy and "per dag" in privacy
    meta, body = load_markdown(SITES / "404.md")
    assert set(meta) == {"title"}
    assert "](/)" in body and "](/hulp-bij-huurachterstand/)" in body


# --- B1 and tone ----------------------------------------------------------------------------------


@pytest.mark.parametrize("label,text", PROSE, ids=[label for label, _ in PROSE])
def test_themesites_content_reads_at_b1(label: str, text: str):
    score = readability(plain(text))
    assert score.max_sentence_words <= LONG_SENTENCE_WARNING
    assert score.mean_sentence_words <= MEAN_SENTENCE_WORDS
    if score.sentences >= MIN_SENTENCES_FOR_SCORE:
        assert score.flesch_douma >= FLESCH_DOUMA_WARNING
        assert score.uncommon_share <= UNCOMMON_SHARE_WARNING, score.uncommon_words


@pytest.mark.parametrize("label,text", ALL_TEXTS, ids=[label for label, _ in ALL_TEXTS])
def test_themesites_content_tone_is_plain_and_je(label: str, text: str):
    findings = tone_findings(plain(text), "je")
    assert [f.as_dict() for f in findings if f.check in FORBIDDEN_TONE] == []
    jargon = [f.text for f in findings if f.check == "tone.jargon" and f.severity != "info"]
    if label not in EXPLAINED_JARGON:
        assert jargon == [], "jargon belongs only in a text that explains it"
