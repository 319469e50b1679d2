"""The weekly report's sections, built from a real database: real numbers, small counts hidden."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest

from campaigns.calendar import load_calendar
from opendeur.report.build import ReportOptions, build_sections, render_html
from opendeur.report.counts import (
    SUPPRESSED,
    SmallCounts,
    compare,
    dutch_number,
    dutch_percent,
)
from opendeur.report.model import ReportContext, SectionResult
from opendeur.report.sections import SECTIONS, section_builder
from opendeur.report.weeks import Week, dutch_date

WEEK = Week.parse("2026-W47")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
BEFORE = [str(w) for w in WEEK.previous(4)]  # 2026-W43 .. 2026-W46
TREND = [str(w) for w in [*WEEK.previous(11), WEEK]]  # 2026-W36 .. 2026-W47
UTRECHT, AMERSFOORT = ("GM0344", "Utrecht"), ("GM0307", "Amersfoort")
ZEIST, HOUTEN = ("GM0355", "Zeist"), ("GM0321", "Houten")
AMSTERDAM, MIDDELBURG = ("GM0363", "Amsterdam"), ("GM0687", "Middelburg")


def _sections(db, week: Week = WEEK, **options) -> dict[str, SectionResult]:
    built = build_sections(db, week, NOW, ReportOptions(**options))
    return {section.name: section for section in built}


def _section(db, name: str, week: Week = WEEK, **context) -> SectionResult:
    ctx = ReportContext(db=db, week=week, now=NOW, counts=SmallCounts(5), **context)
    return section_builder(name)(ctx)


def _svg_words(svg: str) -> str:
    """Everything a reader or screen reader gets from a chart: its text, titles and labels."""
    root = ET.fromstring(svg)
    labels = [element.get("aria-label") for element in root.iter() if element.get("aria-label")]
    return " ".join([*root.itertext(), *labels])


def _numbers(text: str) -> set[int]:
    """The whole numbers in ``text`` ("W47" and "2026-W47" are labels, not numbers)."""
    return {int(n.replace(".", "")) for n in re.findall(r"(?<![\w,.-])\d[\d.]*(?![\w,])", text)}


def _rows(section: SectionResult, table: str) -> list[list]:
    return next(t.rows for t in section.tables if t.name == table)


def _row(section: SectionResult, table: str, label: str) -> list:
    return next(row for row in _rows(section, table) if row[0] == label)


def _text(section: SectionResult) -> str:
    return " ".join(section.sentences)


# --- small counts and Dutch numbers ---


def test_opendeur_report_small_counts_show_hides_one_to_four():
    counts = SmallCounts(5)
    assert [counts.show(n) for n in (0, 1, 4, 5, 120)] == [0, "< 5", "< 5", 5, 120]
    assert counts.show(None) == "< 5"
    assert [counts.visible(n) for n in (0, 3, 5)] == [0, None, 5]
    assert SmallCounts(10).show(9) == "< 10"


def test_opendeur_report_small_counts_mean_withheld_when_any_count_hidden():
    counts = SmallCounts(5)
    assert counts.mean([10, 20, 30]) == 20
    assert counts.mean([0, 0, 0, 0]) == 0
    assert counts.mean([10, 3, 20]) is None
    assert counts.mean([]) is None


def test_opendeur_report_small_counts_breakdown_hides_next_smallest_with_one_hidden_cell():
    counts = SmallCounts(5)
    shown = counts.breakdown({"a": 3, "b": 7, "c": 20, "d": 0, "e": 9})
    assert shown == {"a": "< 5", "b": SUPPRESSED, "c": 20, "d": 0, "e": 9}
    assert SUPPRESSED == "×"


def test_opendeur_report_small_counts_breakdown_two_hidden_cells_need_no_more():
    counts = SmallCounts(5)
    assert counts.breakdown({"a": 3, "b": 2, "c": 20}) == {"a": "< 5", "b": "< 5", "c": 20}
    assert counts.breakdown({"a": 6, "b": 0, "c": 20}) == {"a": 6, "b": 0, "c": 20}


def test_opendeur_report_small_counts_breakdown_never_hides_a_zero():
    counts = SmallCounts(5)
    assert counts.breakdown({"a": 3, "b": 0, "c": 0}) == {"a": "< 5", "b": 0, "c": 0}


def test_opendeur_report_compare_clear_rise_and_fall():
    counts = SmallCounts(5)
    rise = compare(60, [20, 20, 20, 20], counts)
    assert (rise.direction, rise.mean) == ("hoger", 20)
    assert rise.words() == "meer dan in de weken ervoor (gemiddeld 20)"
    fall = compare(5, [20, 20, 20, 20], counts)
    assert fall.direction == "lager"
    assert fall.words() == "minder dan in de weken ervoor (gemiddeld 20)"
    assert compare(0, [20, 20, 20, 20], counts).direction == "lager"


def test_opendeur_report_compare_noise_is_about_the_same():
    counts = SmallCounts(5)
    assert compare(24, [20, 20, 20, 20], counts).direction == "gelijk"
    assert compare(16, [20, 21, 19, 20], counts).direction == "gelijk"
    # More than two standard deviations, but less than the threshold: still "gelijk".
    assert compare(18, [10, 10, 10, 10], SmallCounts(10)).direction == "gelijk"
    assert compare(20, [10, 10, 10, 10], SmallCounts(10)).direction == "hoger"
    assert compare(0, [0, 0, 0, 0], counts).words().startswith("ongeveer even veel")


def test_opendeur_report_compare_hidden_value_gives_unknown():
    counts = SmallCounts(5)
    for current, previous in ((3, [20, 20, 20, 20]), (40, [20, 3, 20, 20]), (40, [])):
        change = compare(current, previous, counts)
        assert (change.direction, change.mean) == ("onbekend", None)
        assert change.words() == "geen vergelijking met de weken ervoor mogelijk"


def test_opendeur_report_dutch_number_uses_dutch_separators():
    assert dutch_number(0) == "0"
    assert dutch_number(1234) == "1.234"
    assert dutch_number(1234567) == "1.234.567"
    assert dutch_number(20.0) == "20"
    assert dutch_number(12.5) == "12,5"
    assert dutch_number(1234.5) == "1.234,5"


def test_opendeur_report_dutch_number_rounds_half_up_as_documented():
    # The docstring promises 12.25 -> "12,3"; a mean of four counts often ends in ,25 or ,75.
    assert dutch_number(12.25) == "12,3"
    assert dutch_number(20.75) == "20,8"


def test_opendeur_report_dutch_percent():
    assert dutch_percent(63, 103) == "61,2%"
    assert dutch_percent(1, 3) == "33,3%"
    assert dutch_percent(0, 10) == "0,0%"
    assert dutch_percent(5, 0) == "–"


# --- headline ---


def _four_calm_weeks(signal_writer, trouble: int = 20, other: int = 30) -> None:
    for week in BEFORE:
        signal_writer.add(week, trouble, money_trouble=True, topics=("huur",), severity=1)
        signal_writer.add(week, other)


def test_opendeur_report_headline_counts_share_and_severity(db, signal_writer):
    _four_calm_weeks(signal_writer)
    signal_writer.add("2026-W47", 30, money_trouble=True, topics=("huur",), severity=1)
    signal_writer.add("2026-W47", 20, money_trouble=True, topics=("schulden",), severity=2)
    signal_writer.add("2026-W47", 10, money_trouble=True, topics=("schulden",), severity=3)
    signal_writer.add("2026-W47", 40)
    headline = _section(db, "headline")
    figures = headline.figures
    assert figures["posts_read"] == 100
    assert figures["classified"] == 100
    assert figures["money_trouble"] == 60
    assert figures["share"] == 0.6
    assert figures["by_severity"] == {"1": 30, "2": 20, "3": 10}
    assert figures["weeks"]["2026-W46"] == {"posts": 50, "money_trouble": 20}
    assert figures["weeks"]["2026-W36"] == {"posts": 0, "money_trouble": 0}
    text = _text(headline)
    assert "lazen we 100 berichten: meer dan in de weken ervoor (gemiddeld 50)" in text
    assert "60 berichten gingen over eigen geldzorgen (60,0% van alle berichten)" in text
    assert "Dat is meer dan in de weken ervoor (gemiddeld 20)." in text
    assert "10 acuut (ernst 3)" in text and "20 achterstand of schulden (ernst 2)" in text
    assert "30 zorgen (ernst 1)" in text
    assert _row(headline, "headline", "Berichten gelezen") == [
        "Berichten gelezen", 100, 50.0, "↑ meer"
    ]  # fmt: skip
    assert _row(headline, "headline", "Signalen van geldzorgen")[1:] == [60, 20.0, "↑ meer"]
    severity_rows = _rows(headline, "headline")[2:]
    assert [row[1:] for row in severity_rows] == [
        [30, 20.0, "↑ meer"], [20, 0.0, "↑ meer"], [10, 0.0, "↑ meer"]
    ]  # fmt: skip


def test_opendeur_report_headline_same_as_before_is_gelijk(db, signal_writer):
    _four_calm_weeks(signal_writer)
    signal_writer.add("2026-W47", 22, money_trouble=True, topics=("huur",), severity=1)
    signal_writer.add("2026-W47", 30)
    headline = _section(db, "headline")
    assert "Dat is ongeveer even veel als in de weken ervoor (gemiddeld 20)." in _text(headline)
    assert _row(headline, "headline", "Signalen van geldzorgen")[1:] == [22, 20.0, "≈ gelijk"]


def test_opendeur_report_headline_week_without_posts_says_so(db, signal_writer):
    _four_calm_weeks(signal_writer)
    headline = _section(db, "headline")
    assert "In week 47 (16 t/m 22 november 2026) lazen we geen berichten." in _text(headline)
    assert "Bronnen" in _text(headline)
    assert headline.figures["posts_read"] == 0
    assert headline.figures["money_trouble"] == 0
    assert headline.figures["share"] is None
    assert _row(headline, "headline", "Signalen van geldzorgen")[1:] == [0, 20.0, "↓ minder"]


def test_opendeur_report_headline_empty_database_explains_its_empty_chart(db):
    headline = _section(db, "headline")
    assert "lazen we geen berichten" in _text(headline)
    assert "Geen signalen in deze weken" in _svg_words(headline.charts[0])


def test_opendeur_report_headline_small_trouble_count_is_hidden_everywhere(db, signal_writer):
    for week in BEFORE:
        signal_writer.add(week, 2, money_trouble=True, topics=("huur",), severity=1)
        signal_writer.add(week, 30)
    signal_writer.add("2026-W47", 3, money_trouble=True, topics=("huur",), severity=2)
    signal_writer.add("2026-W47", 27)
    headline = _section(db, "headline")
    figures = headline.figures
    assert figures["posts_read"] == 30
    assert figures["money_trouble"] == "< 5"
    assert figures["share"] is None
    assert figures["by_severity"] == {"1": 0, "2": "< 5", "3": 0}
    assert figures["weeks"]["2026-W46"] == {"posts": 32, "money_trouble": "< 5"}
    text = _text(headline)
    assert "< 5 berichten gingen over eigen geldzorgen. Dat is geen vergelijking" in text
    assert "%" not in text
    assert _row(headline, "headline", "Signalen van geldzorgen")[1:] == ["< 5", "–", "–"]
    assert _row(headline, "headline", "– ernst 2: achterstand of schulden")[1] == "< 5"
    chart = _svg_words(headline.charts[0])
    for week in (43, 44, 45, 46, 47):
        assert f"week {week} van 2026: minder dan 5" in chart
    assert not re.search(r"week 4[3-7] van 2026: \d", chart)


def test_opendeur_report_headline_secondary_suppression_of_severity(db, signal_writer):
    signal_writer.add("2026-W47", 3, money_trouble=True, severity=3)
    signal_writer.add("2026-W47", 8, money_trouble=True, severity=2)
    signal_writer.add("2026-W47", 30, money_trouble=True, severity=1)
    headline = _section(db, "headline")
    assert headline.figures["money_trouble"] == 41
    assert headline.figures["by_severity"] == {"1": 30, "2": "×", "3": "< 5"}
    assert "< 5 acuut (ernst 3)" in _text(headline)
    assert "een niet getoond aantal achterstand of schulden (ernst 2)" in _text(headline)
    assert 8 not in _numbers(_text(headline))  # 41 - 30 - 8 would give severity 3 away
    assert _row(headline, "headline", "– ernst 2: achterstand of schulden")[1:] == ["×", "–", "–"]
    assert _row(headline, "headline", "– ernst 1: zorgen (krap, rondkomen)")[1] == 30


# --- trends ---


def _trend_data(signal_writer) -> None:
    signal_writer.add("2026-W40", 8, money_trouble=True, topics=("huur",))
    signal_writer.add("2026-W45", 3, money_trouble=True, topics=("huur",))
    signal_writer.add("2026-W47", 15, money_trouble=True, topics=("huur",))
    signal_writer.add("2026-W47", 3, money_trouble=True, topics=("energie",))
    # Topics of posts that are not about the writer's own money trouble do not count.
    signal_writer.add("2026-W47", 9, money_trouble=False, topics=("schulden",))


def test_opendeur_report_trends_twelve_weeks_per_topic_with_hidden_counts(db, signal_writer):
    _trend_data(signal_writer)
    trends = _section(db, "trends")
    table = next(t for t in trends.tables if t.name == "trends")
    assert table.columns == ["Onderwerp", *[f"W{n}" for n in range(36, 48)]]
    assert [row[0] for row in table.rows] == ["huur", "energie", "schulden", "lenen", "inkomen"]
    assert _row(trends, "trends", "huur")[1:] == [0, 0, 0, 0, 8, 0, 0, 0, 0, "< 5", 0, 15]
    assert _row(trends, "trends", "energie")[1:] == [0] * 11 + ["< 5"]
    assert _row(trends, "trends", "schulden")[1:] == [0] * 12
    assert list(trends.figures["huur"]) == TREND
    assert trends.figures["huur"]["2026-W45"] == "< 5"
    assert trends.figures["huur"]["2026-W46"] == 0
    assert trends.figures["huur"]["2026-W47"] == 15
    assert trends.figures["energie"]["2026-W47"] == "< 5"


def test_opendeur_report_trends_sentences_name_counts_and_silent_topics(db, signal_writer):
    _trend_data(signal_writer)
    text = _text(_section(db, "trends"))
    assert "Huur: deze week 15" in text
    assert "Energie: deze week < 5, geen vergelijking met de weken ervoor mogelijk." in text
    assert "Over schulden, lenen en inkomen vonden we in deze 12 weken geen signalen." in text


def test_opendeur_report_trends_chart_never_shows_a_hidden_count(db, signal_writer):
    _trend_data(signal_writer)
    chart = _svg_words(_section(db, "trends").charts[0])
    assert 3 not in _numbers(chart)
    assert "15" in chart and "minder dan 5" in chart


def test_opendeur_report_trends_all_topics_silent_are_named(db, signal_writer):
    signal_writer.add("2026-W47", 20)
    trends = _section(db, "trends")
    assert "Over huur, energie, schulden, lenen en inkomen vonden we" in _text(trends)
    assert "Geen signalen in deze weken" in _svg_words(trends.charts[0])


# --- regions ---


def test_opendeur_report_regions_provinces_with_comparison(db, signal_writer):
    for week in BEFORE:
        signal_writer.add(week, 10, money_trouble=True, province="Utrecht", municipality=UTRECHT)
    add = signal_writer.add
    add("2026-W47", 20, money_trouble=True, province="Utrecht", municipality=UTRECHT)
    add("2026-W47", 8, money_trouble=True, province="Gelderland")
    add("2026-W47", 3, money_trouble=True, province="Zeeland", municipality=MIDDELBURG)
    add("2026-W47", 10, money_trouble=True)
    add("2026-W47", 50, money_trouble=False, province="Drenthe")
    regions = _section(db, "regions")
    provinces = regions.figures["provinces"]
    assert provinces == {
        "Drenthe": 0, "Flevoland": 0, "Fryslân": 0, "Gelderland": 8, "Groningen": 0,
        "Limburg": 0, "Noord-Brabant": 0, "Noord-Holland": 0, "Overijssel": 0, "Utrecht": 20,
        "Zeeland": "< 5", "Zuid-Holland": 0,
    }  # fmt: skip
    assert _row(regions, "regions_provinces", "Utrecht") == ["Utrecht", 20, 10.0]
    assert _row(regions, "regions_provinces", "Gelderland") == ["Gelderland", 8, 0.0]
    assert _row(regions, "regions_provinces", "Zeeland") == ["Zeeland", "< 5", "–"]
    text = _text(regions)
    assert "Signalen zonder plaats staan hier niet bij." in text
    assert "De meeste signalen kwamen uit Utrecht (20)." in text
    chart = _svg_words(regions.charts[0])
    assert 3 not in _numbers(chart) and "Utrecht" in chart and "20" in chart


def test_opendeur_report_regions_signals_without_place_get_no_number(db, signal_writer):
    signal_writer.add("2026-W47", 30, money_trouble=True, province="Utrecht")
    signal_writer.add("2026-W47", 3, money_trouble=True)
    regions = _section(db, "regions")
    assert "plaats onbekend" not in regions.figures["provinces"]
    assert regions.figures["provinces"]["Utrecht"] == 30
    # The headline shows 33 signals; any number for the 3 without a place would show them.
    assert not _numbers(_text(regions)) & {3, 33}
    assert not _numbers(_svg_words(regions.charts[0])) & {3, 33}


def test_opendeur_report_regions_empty_week_says_so(db, signal_writer):
    signal_writer.add("2026-W47", 12)
    regions = _section(db, "regions")
    text = _text(regions)
    assert "Deze week waren er geen signalen van geldzorgen met een bekende provincie." in text
    assert _rows(regions, "regions_municipalities") == []
    caption = next(t.caption for t in regions.tables if t.name == "regions_municipalities")
    assert caption == "Deze week geen signalen met een gemeente"


def test_opendeur_report_regions_municipalities_hidden_ones_last_alphabetically(db, signal_writer):
    add = signal_writer.add
    add("2026-W47", 14, money_trouble=True, province="Utrecht", municipality=UTRECHT)
    add("2026-W47", 9, money_trouble=True, province="Noord-Holland", municipality=AMSTERDAM)
    add("2026-W47", 6, money_trouble=True, province="Utrecht", municipality=AMERSFOORT)
    add("2026-W47", 2, money_trouble=True, province="Utrecht", municipality=ZEIST)
    add("2026-W47", 3, money_trouble=True, province="Utrecht", municipality=HOUTEN)
    add("2026-W47", 1, money_trouble=True, province="Zeeland", municipality=MIDDELBURG)
    add("2026-W47", 7, money_trouble=False, province="Utrecht", municipality=AMERSFOORT)
    assert _rows(_section(db, "regions"), "regions_municipalities") == [
        ["Utrecht", "Utrecht", 14],
        ["Amsterdam", "Noord-Holland", 9],
        ["Amersfoort", "Utrecht", 6],
        ["Houten", "Utrecht", "< 5"],
        ["Middelburg", "Zeeland", "< 5"],
        ["Zeist", "Utrecht", "< 5"],
    ]


def test_opendeur_report_regions_hidden_municipality_not_found_from_its_province(db, signal_writer):
    add = signal_writer.add
    add("2026-W47", 17, money_trouble=True, province="Utrecht", municipality=UTRECHT)
    add("2026-W47", 3, money_trouble=True, province="Utrecht", municipality=AMERSFOORT)
    add("2026-W47", 25, money_trouble=True, province="Noord-Holland", municipality=AMSTERDAM)
    regions = _section(db, "regions")
    province = regions.figures["provinces"]["Utrecht"]
    in_utrecht = [row[2] for row in _rows(regions, "regions_municipalities") if row[1] == "Utrecht"]
    # Utrecht province 20 minus Utrecht city 17 would give Amersfoort's hidden 3 away.
    assert "< 5" in in_utrecht
    assert not (province == 20 and 17 in in_utrecht)


def test_opendeur_report_regions_large_counts_in_dutch_notation(db, signal_writer):
    signal_writer.add("2026-W47", 1200, money_trouble=True, province="Utrecht", text=None)
    assert "De meeste signalen kwamen uit Utrecht (1.200)." in _text(_section(db, "regions"))


# --- emerging terms ---

CALM = "De huur betalen lukt bijna niet meer"
KLARNA = "De huur betalen lukt bijna niet meer, daarom gebruik ik klarna voor boodschappen"
LINKED = "Via @jan_de_vries hoorde ik over klarna https://klarna.example/pay?ref=abc achteraf"


def _rising_klarna(signal_writer, klarna_posts: int = 8, text: str = KLARNA) -> None:
    for week in TREND[:-1]:
        signal_writer.add(week, 10, money_trouble=True, topics=("huur",), text=CALM)
        signal_writer.add(week, 10, text="Mooi weer vandaag in het park")
    signal_writer.add("2026-W40", 1, money_trouble=True, topics=("lenen",), text=KLARNA)
    signal_writer.add("2026-W47", 10 - klarna_posts, money_trouble=True, text=CALM)
    signal_writer.add("2026-W47", klarna_posts, money_trouble=True, topics=("lenen",), text=text)
    signal_writer.add("2026-W47", 4, money_trouble=True, text="Nu ook een tikkie gekregen")
    signal_writer.add("2026-W47", 10, text="Mooi weer vandaag in het park")


def test_opendeur_report_terms_rising_term_found_flat_term_not(db, signal_writer):
    _rising_klarna(signal_writer)
    terms = _section(db, "terms")
    found = [item["term"] for item in terms.figures["terms"]]
    assert "klarna" in found
    assert "huur" not in found and "betalen" not in found
    klarna = next(item for item in terms.figures["terms"] if item["term"] == "klarna")
    assert (klarna["posts"], klarna["posts_before"]) == (8, "< 5")
    assert klarna["z"] >= 1.96
    item = next(i for i in terms.items if i.heading == "klarna")
    assert item.text == "8 berichten deze week, < 5 in de 11 weken ervoor"
    assert _row(terms, "terms", "klarna")[1:3] == [8, "< 5"]


def test_opendeur_report_terms_below_minimum_never_listed(db, signal_writer):
    _rising_klarna(signal_writer)
    terms = _section(db, "terms")
    listed = {item["term"] for item in terms.figures["terms"]}
    assert not any("tikkie" in term for term in listed)  # 4 posts: below the minimum of 5
    assert db.execute(
        "SELECT trouble_posts FROM week_terms WHERE week = '2026-W47' AND term = 'tikkie'"
    ).fetchone() == (4,)  # fmt: skip


def test_opendeur_report_terms_minimum_follows_a_higher_threshold(db, signal_writer):
    _rising_klarna(signal_writer)
    terms = _sections(db, threshold=10, sections=("terms",))["terms"]
    assert terms.figures == {"terms": []}  # klarna's 8 posts are below 10
    assert terms.items == [] and terms.tables == []


def test_opendeur_report_terms_excerpts_drop_links_and_handles(db, signal_writer):
    _rising_klarna(signal_writer, text=LINKED)
    terms = _section(db, "terms", show_excerpts=True)
    detail = next(i.detail for i in terms.items if i.heading == "klarna").casefold()
    assert detail.startswith("bijvoorbeeld: “")
    assert "klarna" in detail and "hoorde" in detail
    for trace in ("@", "jan_de_vries", "http", "klarna.example", "ref=abc"):
        assert trace not in detail
    assert len(detail) < 2 * 160


def test_opendeur_report_terms_without_excerpts_show_no_post_text(db, signal_writer):
    _rising_klarna(signal_writer, text=LINKED)
    terms = _section(db, "terms")
    assert terms.items
    for item in terms.items:
        assert "“" not in item.detail and "Bijvoorbeeld" not in item.detail
        assert "ik over klarna" not in f"{item.heading} {item.text} {item.detail}"


def test_opendeur_report_terms_phrases_never_span_a_removed_link_or_handle(db, signal_writer):
    _rising_klarna(signal_writer, text=LINKED)
    listed = {item["term"] for item in _section(db, "terms").figures["terms"]}
    assert "klarna" in listed
    # In the post a link stands between "klarna" and "achteraf", a handle between "via" and
    # "hoorde": nobody wrote these pairs.
    assert "klarna achteraf" not in listed
    assert "via hoorde" not in listed


def test_opendeur_report_terms_quiet_week_says_so(db, signal_writer):
    signal_writer.add("2026-W47", 3, money_trouble=True, text="klarna weer")
    terms = _section(db, "terms")
    assert terms.figures == {"terms": []}
    assert "kwam geen woord vaak genoeg voor" in _text(terms)


# --- examples ---

HOSTILE = (
    "Ik schreef @huurbaas_jan en zag https://huur.example/x maar mijn huur is te hoog "
    "<script>alert(1)</script>"
)


def test_opendeur_report_examples_off_by_default_and_no_post_text_in_html(db, signal_writer):
    signal_writer.add("2026-W47", 6, money_trouble=True, topics=("huur",), text=HOSTILE)
    options = ReportOptions()
    sections = build_sections(db, WEEK, NOW, options)
    examples = next(s for s in sections if s.name == "examples")
    assert examples.items == []
    assert examples.figures == {"shown": False}
    assert "Voorbeelden staan uit" in _text(examples)
    assert "show_excerpts" in _text(examples)
    html = render_html(sections, WEEK, NOW, options, [])
    for piece in ("mijn huur is te hoog", "huurbaas_jan", "huur.example", "Ik schreef"):
        assert piece not in html


def test_opendeur_report_examples_on_show_scrubbed_excerpts_per_busy_topic(db, signal_writer):
    signal_writer.add("2026-W47", 6, money_trouble=True, topics=("huur",), text=HOSTILE)
    signal_writer.add(
        "2026-W47", 4, money_trouble=True, topics=("energie",), text="geheimzinnige meterkast"
    )
    options = ReportOptions(show_excerpts=True)
    sections = build_sections(db, WEEK, NOW, options)
    examples = next(s for s in sections if s.name == "examples")
    assert examples.figures == {"shown": True, "examples": 3}
    assert [item.heading for item in examples.items] == ["Huur"] * 3
    for item in examples.items:
        assert "mijn huur is te hoog" in item.text
        for trace in ("@", "huurbaas_jan", "http", "huur.example"):
            assert trace not in item.text
    assert "Alleen bij onderwerpen met minstens 5 signalen." in _text(examples)
    html = render_html(sections, WEEK, NOW, options, [])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "geheimzinnige" not in html  # energie had 4 signals: below the threshold


def test_opendeur_report_examples_on_without_busy_topic_says_so(db, signal_writer):
    signal_writer.add("2026-W47", 4, money_trouble=True, topics=("huur",), text=HOSTILE)
    examples = _section(db, "examples", show_excerpts=True)
    assert examples.items == []
    assert "Er zijn deze week geen voorbeelden" in _text(examples)


# --- sources ---


def _run(db, source: str, started: str, status: str = "ok", errors: int = 0, error=None):
    db["source_runs"].insert(
        {"source": source, "started_at": started, "finished_at": started.replace("T03", "T04"),
         "status": status, "counts": f'{{"posts": 10, "error/http": {errors}}}', "error": error}
    )  # fmt: skip


def test_opendeur_report_sources_broken_source_needs_attention(db, signal_writer):
    signal_writer.add("2026-W47", 40, source="forum")
    signal_writer.add("2026-W47", 12, source="nieuws")
    _run(db, "forum", "2026-11-17T03:00:00+00:00")
    _run(db, "forum", "2026-11-20T03:00:00+00:00", errors=2)
    _run(db, "nieuws", "2026-11-10T03:00:00+00:00")
    _run(db, "nieuws", "2026-11-18T03:00:00+00:00", "failed", errors=5, error="HTTP 503")
    _run(db, "reddit", "2026-11-18T03:00:00+00:00")
    _run(db, "reddit", "2026-11-21T03:00:00+00:00", "failed", error="timeout")
    sources = _section(db, "sources", sources=("forum", "nieuws", "reddit", "x"))
    assert sources.figures["needs_attention"] == ["nieuws", "reddit", "x"]
    assert _rows(sources, "sources") == [
        ["forum", 40, 2, 0, 2, "20 november 2026", ""],
        ["nieuws", 12, 1, 1, 5, "10 november 2026", "HTTP 503"],
        ["reddit", 0, 2, 1, 0, "18 november 2026", "timeout"],
        ["x", 0, 0, 0, 0, "nooit", ""],
    ]
    text = _text(sources)
    assert "Deze week lazen we 52 berichten uit 2 van de 4 bronnen." in text
    assert "nieuws (laatst gelukt: 10 november 2026)" in text
    assert "reddit (1 keer mislukt deze week)" in text
    assert "x (laatst gelukt: nooit)" in text
    assert "forum" not in text.split("Let op:")[1]


def test_opendeur_report_sources_all_healthy(db, signal_writer):
    signal_writer.add("2026-W47", 40, source="forum")
    _run(db, "forum", "2026-11-20T03:00:00+00:00")
    sources = _section(db, "sources", sources=("forum",))
    assert sources.figures["needs_attention"] == []
    assert "Alle bronnen werkten deze week." in _text(sources)


def test_opendeur_report_sources_down_all_week_is_named(db):
    _run(db, "forum", "2026-11-01T03:00:00+00:00")
    _run(db, "forum", "2026-11-19T03:00:00+00:00", "failed", error="connection refused")
    sources = _section(db, "sources", sources=("forum",))
    assert sources.figures["needs_attention"] == ["forum"]
    assert "Deze week lazen we 0 berichten uit 0 van de 1 bronnen." in _text(sources)
    assert "forum (laatst gelukt: 1 november 2026)" in _text(sources)


def test_opendeur_report_sources_small_source_count_not_found_by_subtraction(db, signal_writer):
    signal_writer.add("2026-W47", 50, source="forum")
    signal_writer.add("2026-W47", 3, source="nieuws")
    sources = _section(db, "sources", sources=("forum", "nieuws"))
    assert _row(sources, "sources", "nieuws")[1] == "< 5"
    # "53 berichten" is shown, so showing forum's 50 gives nieuws' 3 away.
    shown = 53 in _numbers(_text(sources))
    assert not (shown and _row(sources, "sources", "forum")[1] == 50)


def test_opendeur_report_sources_none_configured_or_read(db):
    assert _text(_section(db, "sources")) == "Er zijn nog geen bronnen ingesteld of gelezen."


# --- campaigns ---


def test_opendeur_report_campaigns_not_started_without_views(db):
    db.execute("DROP VIEW report_publications")  # a store without the campaigns package
    campaigns = _section(db, "campaigns")
    assert "Er zijn nog geen campagnes." in _text(campaigns)
    assert campaigns.tables == []
    assert campaigns.figures == {"published": {}, "arrivals": {}}


def _campaign_views(db) -> None:
    db.execute("DROP VIEW report_publications")  # the packages' own views, replaced here
    db.execute("DROP VIEW report_arrivals")
    db.execute("CREATE TABLE test_pubs (week TEXT, channel TEXT, items INTEGER)")
    db.execute("CREATE TABLE test_arrivals (week TEXT, link TEXT, arrivals INTEGER)")
    db.execute(
        "CREATE VIEW report_publications AS SELECT week, channel, items FROM test_pubs"
    )  # fmt: skip
    db.execute("CREATE VIEW report_arrivals AS SELECT week, link, arrivals FROM test_arrivals")


def test_opendeur_report_campaigns_items_per_channel_and_arrivals_per_link(db):
    _campaign_views(db)
    db.conn.executemany(
        "INSERT INTO test_pubs VALUES (?, ?, ?)",
        [("2026-W47", "wordpress", 2), ("2026-W47", "facebook", 1),
         ("2026-W47", "wordpress", 1), ("2026-W46", "wordpress", 5)],
    )  # fmt: skip
    db.conn.executemany(
        "INSERT INTO test_arrivals VALUES (?, ?, ?)",
        [("2026-W47", "/huur-hulp", 12), ("2026-W47", "/energie", 30),
         ("2026-W47", "/huur-hulp", 2), ("2026-W46", "/huur-hulp", 99)],
    )  # fmt: skip
    campaigns = _section(db, "campaigns")
    assert _rows(campaigns, "campaign_publications") == [["facebook", 1], ["wordpress", 3]]
    assert _rows(campaigns, "campaign_arrivals") == [["/energie", 30], ["/huur-hulp", 14]]
    assert campaigns.figures == {
        "published": {"facebook": 1, "wordpress": 3},
        "arrivals": {"/energie": 30, "/huur-hulp": 14},
    }
    assert "Deze week zijn er 4 berichten gepubliceerd." in _text(campaigns)
    assert "Via de links kwamen deze week 44 bezoeken binnen." in _text(campaigns)


def test_opendeur_report_campaigns_quiet_week_says_so(db):
    _campaign_views(db)
    db.conn.execute("INSERT INTO test_pubs VALUES ('2026-W46', 'wordpress', 5)")
    campaigns = _section(db, "campaigns")
    assert "Deze week is er niets gepubliceerd." in _text(campaigns)
    assert "Deze week kwam niemand binnen via een campagnelink." in _text(campaigns)
    assert campaigns.tables == []


def test_opendeur_report_campaigns_reads_the_publishers_view(db):
    """Sent posts count in their week; dry runs and unsent rows do not."""
    db.execute(
        "INSERT INTO campaigns (id, name, slug, theme, help_page, starts, ends, channels, "
        "message, created_by, created_at, edited_by, edited_at, updated_at) VALUES (1, 'c', "
        "'c', 'feestdagen', 'https://v.nl', '2026-11-01', '2026-12-31', '[\"x\"]', 'm', 'a', "
        "'t', 'a', 't', 't')"
    )
    for item, code in ((1, "aaaaaaa"), (2, "bbbbbbb"), (3, "ccccccc")):
        db.execute(
            "INSERT INTO content_items (id, campaign_id, position, channel, body, link, "
            "tracking_code, status, updated_at) VALUES (?, 1, ?, 'x', 'b', 'l', ?, 'scheduled', "
            "'t')",
            [item, item, code],
        )
    rows = [(1, "social", "sent", 0, "2026-W47"), (2, "proef", "sent", 1, "2026-W47"),
            (3, "social", "failed", 0, None)]  # fmt: skip
    for item, channel, state, dry_run, week in rows:
        db.execute(
            "INSERT INTO publications (item_id, channel, channel_type, idempotency_key, state, "
            "dry_run, next_attempt_at, sent_week, created_at, updated_at) "
            "VALUES (?, ?, 'x', ?, ?, ?, 't', ?, 't', 't')",
            [item, channel, f"key{item}", state, dry_run, week],
        )
    campaigns = _section(db, "campaigns")
    assert campaigns.figures["published"] == {"social": 1}


# --- suggestions ---


def _item(section: SectionResult, heading: str):
    return next((item for item in section.items if item.heading == heading), None)


def test_opendeur_report_suggestions_calendar_moments_with_publish_dates(db):
    suggestions = _section(db, "suggestions")
    assert suggestions.figures["rising_topics"] == []
    moments = {moment.id: moment for moment in load_calendar()}
    listed = suggestions.figures["moments"]
    assert len(listed) == len(suggestions.items) == 8
    monday = date(2026, 11, 23)
    for figure, item in zip(listed, suggestions.items, strict=True):
        moment = moments[figure["id"]]
        starts, ends = date.fromisoformat(figure["starts"]), date.fromisoformat(figure["ends"])
        assert ends >= monday and starts <= monday + timedelta(weeks=6 + moment.lead_weeks)
        publish = max(monday, starts - timedelta(weeks=moment.lead_weeks))
        assert (item.heading, item.text) == (moment.name, moment.reason)
        assert item.detail == (
            f"Publiceren vanaf {dutch_date(publish)}; het moment loopt van {dutch_date(starts)} "
            f"tot en met {dutch_date(ends)}."
        )
    assert "De reden staat erbij." in _text(suggestions)


def test_opendeur_report_suggestions_mid_november_include_sinterklaas(db):
    # Reported on Monday 23 November: pakjesavond (5 December) is twelve days away.
    sinterklaas = _item(_section(db, "suggestions"), "Sinterklaas")
    assert sinterklaas is not None
    assert sinterklaas.detail.startswith("Publiceren vanaf 23 november 2026;")
    assert "tot en met 5 december 2026" in sinterklaas.detail


def test_opendeur_report_suggestions_rising_topic_comes_first(db, signal_writer):
    for week in BEFORE:
        signal_writer.add(week, 20, money_trouble=True, topics=("huur",))
        signal_writer.add(week, 20, money_trouble=True, topics=("energie",))
    signal_writer.add("2026-W47", 60, money_trouble=True, topics=("huur",))
    signal_writer.add("2026-W47", 21, money_trouble=True, topics=("energie",))
    suggestions = _section(db, "suggestions")
    assert suggestions.figures["rising_topics"] == ["huur"]
    first, second = suggestions.items[:2]
    assert first.heading == "Meer signalen over huur"
    assert "meer berichten over geldzorgen over huur" in first.text
    assert second.detail.endswith("Past bij de stijging van huur.")
    assert _item(suggestions, "Meer signalen over energie") is None


# --- the whole report ---


def test_opendeur_report_empty_week_every_section_explains_itself(db):
    sections = build_sections(db, WEEK, NOW, ReportOptions())
    assert [s.name for s in sections] == list(SECTIONS)
    for section in sections:
        assert section.sentences, section.name
        for chart in section.charts:
            explained = "Geen" in _svg_words(chart) or "geen signalen" in _text(section)
            assert explained, section.name
    html = render_html(sections, WEEK, NOW, ReportOptions(), [])
    assert "lazen we geen berichten" in html


@pytest.mark.parametrize("name", SECTIONS)
def test_opendeur_report_each_section_alone_on_a_busy_week(db, signal_writer, name):
    _four_calm_weeks(signal_writer)
    signal_writer.add("2026-W47", 3, money_trouble=True, topics=("energie",), severity=3)
    sections = build_sections(db, WEEK, NOW, ReportOptions(sections=(name,)))
    assert [s.name for s in sections] == [name]
    assert sections[0].sentences


def test_opendeur_report_examples_quote_a_post_about_two_topics_once(db, signal_writer):
    for number in range(6):
        signal_writer.add("2026-W47", money_trouble=True, topics=("huur", "schulden"),
                          text=f"Ik heb achterstand nummer {number} met de huur.")  # fmt: skip
    examples = _section(db, "examples", show_excerpts=True)
    quotes = [item.text for item in examples.items]
    assert len(quotes) == len(set(quotes)) == 6  # three under each topic, none twice
    assert [item.heading for item in examples.items] == ["Huur"] * 3 + ["Schulden"] * 3
