"""A built theme site as checkers and people see it: valid HTML, accessible, local, light.

The site is built from the shipped content plus one campaign article with a list, a link and
hostile text. vnu.jar (the Nu HTML Checker) and axe-core come from ``package.json`` (run
``npm ci --ignore-scripts``); Chromium and ChromeDriver are Debian's.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from site_tools import (
    axe_source,
    chromium_driver,
    find_vnu_jar,
    format_vnu,
    serve_folder,
    validate_html,
)
from test_themesites_builder import CONTACT, NOW, ORG, campaign_article

from themesites.builder import build_site, placeholder_values
from themesites.content import fill, load_shipped
from themesites.settings import SiteSettings

pytestmark = [pytest.mark.slow, pytest.mark.service]

CAMPAIGN_SLUG = "zo-hou-je-december-betaalbaar"
OPEN_DOOR_LINK = "Kun je je huur niet betalen? Klik hier"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PHONE = (390, 844)
MAX_PAGE_BYTES = 100 * 1024  # the HTML plus the CSS and JavaScript it loads


@pytest.fixture(scope="module")
def shipped():
    return load_shipped()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A theme site built from the shipped content and one hostile campaign article."""
    root = tmp_path_factory.mktemp("quality-site")
    articles = root / "artikelen"
    campaign_article(articles, "aaaa1111bbbb2222", "Zo hou je december betaalbaar",
                     "December is duur.\n\n- Maak een lijstje.\n- Spreek een bedrag af.\n\n"
                     "Lees ook [de tips van het Nibud](https://www.nibud.nl).\n\n"
                     'Lukt de huur niet? Bel ons. <script>alert("x")</script> {geen} & co '
                     '<img src=x onerror=alert(1)> "quotes" \'single\'')  # fmt: skip
    settings = SiteSettings(domain="geldvoorelkaar.nl", theme="lenen", title="Geld voor elkaar",
                            tagline="Eerlijke tips over lenen en rondkomen.",
                            content_dir=articles)  # fmt: skip
    result = build_site("geldvoorelkaar", settings, CONTACT, ORG, root / "out", now=NOW)
    assert not result.skipped, result.skipped
    return result.folder


@pytest.fixture(scope="module")
def pages(site: Path, shipped) -> dict[str, str]:
    """One page of each kind: name -> URL path on the site."""
    assert shipped.stories, "the shipped content has no stories"
    found = {
        "home": "/", "artikelen": "/artikelen/", "artikel": f"/artikelen/{CAMPAIGN_SLUG}/",
        "verhalen": "/verhalen/", "verhaal": f"/verhalen/{shipped.stories[0].slug}/",
        "vragen": "/vragen/", "hulp": "/hulp-bij-huurachterstand/", "zelf-check": "/zelf-check/",
        "over": "/over/", "privacy": "/privacy/", "404": "/404.html",
    }  # fmt: skip
    for name, path in found.items():
        assert page_file(site, path).is_file(), (name, path)
    return found


def page_file(site: Path, path: str) -> Path:
    relative = path.strip("/")
    return site / relative if relative.endswith(".html") else site / relative / "index.html"


@pytest.fixture(scope="module")
def server(site: Path):
    with serve_folder(site) as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with chromium_driver(performance_log=True) as driver:
        yield driver


def open_page(driver, url: str) -> None:
    driver.get(url)
    assert driver.execute_script("return document.readyState") == "complete", url


# --- valid HTML and CSS -------------------------------------------------------------------


def test_themesites_quality_html_is_valid(site: Path, pages: dict[str, str]):
    find_vnu_jar()
    files = [page_file(site, path) for path in pages.values()]
    files += sorted(set(site.rglob("*.html")) - set(files))  # every other page too
    files += sorted((site / "static").glob("*.css"))
    errors = validate_html(files, css=True)
    assert not errors, f"vnu found {len(errors)} errors:\n{format_vnu(errors, site)}"


# --- accessibility ------------------------------------------------------------------------

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then(results => done({violations: results.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary}))
  }))}))
  .catch(error => done({error: String(error)}));
"""


def describe_violations(found: list[tuple[str, dict]]) -> str:
    lines = []
    for name, v in found:
        lines.append(f"{name}: [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            summary = " ".join(str(node.get("summary") or "").split())
            lines.append(f"    {node['target']} {node['html'][:160]}\n      {summary[:300]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more elements")
    return "\n".join(lines)


def test_themesites_quality_axe_has_no_serious_violations(browser, server, pages):
    source = axe_source()
    serious, minor = [], []
    for name, path in pages.items():
        open_page(browser, server + path)
        browser.execute_script(source)
        result = browser.execute_async_script(AXE_RUN, AXE_TAGS)
        assert "error" not in result, (name, result)
        for violation in result["violations"]:
            target = serious if violation["impact"] in ("serious", "critical") else minor
            target.append((name, violation))
    if minor:
        print("axe, moderate and minor (not failing):\n" + describe_violations(minor))
    assert not serious, "axe found serious or critical violations:\n" + describe_violations(serious)


# --- privacy: nothing leaves the site -----------------------------------------------------


# Not the network: inline data, and Chromium's own pages (the first tab's new-tab page).
LOCAL_SCHEMES = ("data", "blob", "about", "chrome", "chrome-untrusted")


def requested_urls(driver) -> list[str]:
    """URLs of every request in the DevTools performance log since the last call."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(params["request"]["url"])
        elif message.get("method") == "Network.webSocketCreated":
            urls.append(params["url"])
    return urls


def test_themesites_quality_no_third_party_requests(browser, server, pages):
    origin = urlsplit(server)
    browser.get_log("performance")  # drop what came before
    outside: dict[str, set[str]] = {}
    for name, path in pages.items():
        open_page(browser, server + path)
        if name == "zelf-check":  # the check computes on the device: submitting sends nothing
            fill_selfcheck(browser, 2000, {"huur": 900, "energie": 150})
        urls = requested_urls(browser)
        urls += browser.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"
        )
        assert server + path in urls, (name, urls)
        for url in urls:
            parts = urlsplit(url)
            same_origin = (parts.scheme, parts.netloc) == (origin.scheme, origin.netloc)
            if same_origin or parts.scheme in LOCAL_SCHEMES:
                continue
            outside.setdefault(name, set()).add(url)
        assert urlsplit(browser.current_url).netloc == origin.netloc, (name, browser.current_url)
    assert not outside, f"requests to other origins: {outside}"


# --- phones -------------------------------------------------------------------------------


TOO_WIDE = """
const width = document.documentElement.clientWidth, found = [];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode() && found.length < 5) {
  const range = document.createRange();
  range.selectNodeContents(walker.currentNode);
  const right = Math.max(0, ...[...range.getClientRects()].map(r => r.right));
  if (right > width + 1) {
    found.push(`<${walker.currentNode.parentElement.tagName.toLowerCase()}> ends at `
               + `${Math.round(right)}px: ${walker.currentNode.textContent.trim().slice(0, 80)}`);
  }
}
for (const element of document.body.querySelectorAll("*")) {
  if (found.length < 8 && element.getBoundingClientRect().right > width + 1) {
    found.push(element.outerHTML.slice(0, 100));
  }
}
return found;
"""


def test_themesites_quality_fits_a_phone(browser, server, pages):
    from selenium.webdriver.common.by import By

    width, height = PHONE
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1,
                             "mobile": False})  # fmt: skip
    problems = []
    try:
        for name, path in pages.items():
            open_page(browser, server + path)
            sizes = browser.execute_script(
                "const d = document.documentElement; return {scroll: d.scrollWidth, "
                "client: d.clientWidth, inner: window.innerWidth}"
            )
            assert sizes["inner"] == width, sizes
            if sizes["scroll"] > min(sizes["inner"], sizes["client"]):
                wide = browser.execute_script(TOO_WIDE)
                problems.append(f"{name}: scrolls sideways, {sizes}; too wide: {wide}")
            link = browser.find_element(By.LINK_TEXT, OPEN_DOOR_LINK)
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
            box = browser.execute_script(
                "const r = arguments[0].getBoundingClientRect(); return {left: r.left, "
                "right: r.right, top: r.top, bottom: r.bottom, scrollX: window.scrollX}",
                link,
            )
            inside = (box["left"] >= 0 and box["right"] <= width and box["scrollX"] == 0
                      and box["top"] >= 0 and box["bottom"] <= height)  # fmt: skip
            if not (link.is_displayed() and inside):
                problems.append(f"{name}: the open-door link is not fully in view: {box}")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    assert not problems, "\n".join(problems)


# --- the self-check -----------------------------------------------------------------------


def fill_selfcheck(driver, income: float, costs: dict[str, float]) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "inkomen").send_keys(str(income))
    for cost, amount in costs.items():
        driver.find_element(By.ID, f"kosten-{cost}").send_keys(str(amount))
    button = driver.find_element(By.CSS_SELECTOR, "#zelf-check button[type=submit]")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()


def expected_band(check: dict, income: float, costs: float) -> dict:
    """The advice band for what is left, by the rules in data/sites/selfcheck.toml."""
    share = (income - costs) / income if income > 0 else (-100.0 if costs > 0 else 0.0)
    share = max(min(share, 0.9999), -100.0)
    return next(a for a in check["advice"] if a["min_share"] <= share < a["max_share"])


def artifacts_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("OPENDEUR_TEST_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize(
    ("income", "costs"),
    [(2000, {"huur": 900, "energie": 150}),
     (2000, {"huur": 1500, "energie": 400, "schulden": 300})],
    ids=["genoeg-over", "tekort"],
)  # fmt: skip
def test_themesites_quality_selfcheck_gives_advice(browser, server, shipped, tmp_path, income,
                                                   costs):  # fmt: skip
    from selenium.webdriver.common.by import By

    check = shipped.selfcheck
    total = sum(costs.values())
    band = expected_band(check, income, total)
    if total > income:
        assert band["level"] == "tekort", band
    open_page(browser, server + "/zelf-check/")
    form = browser.find_element(By.ID, "zelf-check")
    assert form.is_displayed(), "the script did not show the form"
    assert not browser.find_element(By.ID, "zonder-javascript").is_displayed()
    fill_selfcheck(browser, income, costs)

    outcome = browser.find_element(By.ID, "uitkomst")
    assert outcome.is_displayed()
    text = " ".join(outcome.text.split())
    left = income - total
    for amount in (income, total, abs(left)):
        assert f"{amount:,}".replace(",", ".") in text, (amount, text)
    assert outcome.get_attribute("data-level") == band["level"]
    values = placeholder_values(CONTACT, ORG)
    assert " ".join(fill(band["heading"], values).split()) in text
    first_sentence = fill(band["text"], values).strip().split(".")[0]
    assert " ".join(first_sentence.split()) in text
    for other in check["advice"]:
        if other is not band:
            assert fill(other["heading"], values) not in text, other["level"]
    assert browser.execute_script("return document.activeElement.id") == "uitkomst"

    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", outcome)
    shot = artifacts_dir(tmp_path) / f"themesites-zelf-check-{band['level']}.png"
    assert browser.save_screenshot(str(shot))
    assert shot.is_file() and shot.stat().st_size > 1000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_themesites_quality_selfcheck_without_javascript(server, shipped):
    from selenium.webdriver.common.by import By

    with chromium_driver(javascript=False) as driver:
        open_page(driver, server + "/zelf-check/")
        assert not driver.find_element(By.ID, "zelf-check").is_displayed()
        paper = driver.find_element(By.ID, "zonder-javascript")
        assert paper.is_displayed()
        assert "op papier" in paper.text
        assert driver.find_element(By.ID, "uitkomst").text == ""
        # the open door still works without JavaScript
        assert driver.find_element(By.LINK_TEXT, OPEN_DOOR_LINK).is_displayed()


# --- weight -------------------------------------------------------------------------------


def test_themesites_quality_page_weight(browser, server, site, pages):
    origin = urlsplit(server).netloc
    heavy, weights = [], {}
    for name, path in pages.items():
        open_page(browser, server + path)
        loaded = browser.execute_script(
            "return performance.getEntriesByType('resource')"
            ".filter(e => ['link', 'script', 'css', 'img', 'font'].includes(e.initiatorType))"
            ".map(e => e.name)"
        )
        size = page_file(site, path).stat().st_size
        for url in loaded:
            parts = urlsplit(url)
            assert parts.netloc == origin, url
            size += (site / parts.path.lstrip("/")).stat().st_size
        assert any(url.endswith("/static/site.css") for url in loaded), (name, loaded)
        weights[name] = size
        if size >= MAX_PAGE_BYTES:
            heavy.append(f"{name}: {size} bytes ({loaded})")
    print("page weights (bytes):", weights)
    assert not heavy, "pages of 100 KB or more:\n" + "\n".join(heavy)
