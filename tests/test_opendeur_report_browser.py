"""The weekly report in a real headless Chromium: sections, charts and layout as people see them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from opendeur.report.build import ReportOptions, write_report
from opendeur.report.sections import SECTIONS
from opendeur.report.weeks import Week

pytestmark = pytest.mark.service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WEEK = Week.parse("2026-W47")


@pytest.fixture
def report_html(signal_writer, tmp_path: Path) -> Path:
    for offset, week in enumerate(WEEK.previous(11)):
        signal_writer.add(str(week), 30 + offset, money_trouble=False)
        signal_writer.add(str(week), 6 + offset % 4, money_trouble=True,
                          topics=("huur", "schulden"), severity=2, province="Utrecht",
                          municipality=("GM0344", "Utrecht"))  # fmt: skip
    signal_writer.add(str(WEEK), 40)
    signal_writer.add(str(WEEK), 25, money_trouble=True, topics=("huur",), severity=3,
                      province="Utrecht", municipality=("GM0344", "Utrecht"))  # fmt: skip
    signal_writer.add(str(WEEK), 3, money_trouble=True, topics=("energie",), severity=1,
                      province="Groningen", text="<script>alert(1)</script> koud huis")  # fmt: skip
    report = write_report(
        signal_writer.db, WEEK, tmp_path / "report", datetime(2026, 11, 23, 8, tzinfo=UTC),
        ReportOptions(organisation="Woonstichting <Test>", sources=("forum",)),
    )  # fmt: skip
    return report.html


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        assert path.exists(), f"{path} is missing: apt-get install chromium chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-background-networking", "--disable-sync",
                 "--disable-component-update", "--disable-default-apps"):  # fmt: skip
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


def test_report_shows_every_section_with_its_heading(browser, report_html: Path):
    browser.get(report_html.as_uri())
    sections = browser.find_elements("css selector", "main section")
    assert [s.get_attribute("data-section") for s in sections] == list(SECTIONS)
    for section in sections:
        heading = section.find_element("css selector", "h2")
        assert heading.is_displayed() and heading.text.strip()
        assert section.size["height"] > 40
    links = [
        a.get_attribute("href").split("#")[1]
        for a in browser.find_elements("css selector", "nav a")
    ]
    assert links == list(SECTIONS)


def test_report_charts_are_drawn_at_a_readable_size(browser, report_html: Path):
    browser.get(report_html.as_uri())
    charts = browser.find_elements("css selector", "figure.chart svg")
    assert len(charts) >= 3  # headline, trends and regions
    for chart in charts:
        box = browser.execute_script("return arguments[0].getBoundingClientRect().toJSON()", chart)
        assert box["width"] > 300 and box["height"] > 80, box
        sizes = browser.execute_script(
            "return [...arguments[0].querySelectorAll('text')]"
            ".map(t => t.getBoundingClientRect().height).filter(h => h > 0)",
            chart,
        )
        # Text scales with the chart: labels must stay legible on screen (about 9 px or more).
        assert sizes and min(sizes) >= 9, sizes
    trends = browser.find_element("css selector", "#trends svg")
    lines = browser.execute_script(
        "return [...arguments[0].querySelectorAll('path')].map(p => p.getTotalLength())", trends
    )
    assert any(length > 100 for length in lines)  # the huur line really runs across the weeks


def test_small_counts_and_hostile_text_in_the_browser(browser, report_html: Path):
    browser.get(report_html.as_uri())
    regions = browser.find_element("id", "regions").text
    assert "< 5" in regions  # Groningen's 3 signals
    assert "Groningen\n3" not in regions and " 3 " not in regions
    assert "Woonstichting <Test>" in browser.find_element("css selector", "header").text
    assert browser.execute_script("return document.scripts.length") == 0
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


@pytest.mark.parametrize("width", [1280, 390])
def test_report_fits_the_window_on_screen_and_phone(browser, report_html: Path, width: int):
    browser.set_window_size(width, 900)
    browser.get(report_html.as_uri())
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px at {width}px"
