"""A tenant's path in a real headless Chromium, against `opendeur serve`'s app under uvicorn.

Open the theme site, click "Kun je je huur niet betalen? Klik hier", then "Bel me vandaag
terug", fill in and send the call-back form, and read who will call. A screenshot of the
confirmation is kept as a test artefact ($OPENDEUR_TEST_ARTIFACTS, else the test's folder).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from site_tools import chromium_driver

from opendeur.store import open_db
from themesites.builder import Organisation, build_site
from themesites.server import SiteRoot, create_app
from themesites.settings import ContactSettings, SiteSettings

pytestmark = [pytest.mark.slow, pytest.mark.service]

CONTACT = ContactSettings(
    phone="010 123 45 67",
    team="het team Huur en Geld",
    person="Samira",
    role="budgetcoach",
    hours="maandag tot vrijdag van 9 tot 17 uur",
)


@pytest.fixture
def site_url(tmp_path):
    import uvicorn

    db_path = tmp_path / "site.db"
    open_db(db_path).close()
    site = SiteSettings(domain="geldvoorelkaar.nl", theme="lenen", title="Geld voor elkaar")
    folder = build_site(
        "geldvoorelkaar", site, CONTACT, Organisation("Woonstichting Test"), tmp_path / "out"
    ).folder
    app = create_app(
        db_path=db_path,
        sites={"geldvoorelkaar": SiteRoot("geldvoorelkaar", "geldvoorelkaar.nl", folder)},
        secret=b"k" * 32,
        contact={
            "organisation": "Woonstichting Test",
            "team": CONTACT.team,
            "person": CONTACT.person,
            "role": CONTACT.role,
            "hours": CONTACT.hours,
            "phone": CONTACT.phone,
            "callback_days": "1",
        },
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, access_log=False, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    # SLUG.localhost reaches this machine in Chromium and picks the site by its Host header.
    yield f"http://geldvoorelkaar.localhost:{port}", db_path
    server.should_exit = True
    thread.join(timeout=10)


def test_themesites_browser_tenant_asks_for_a_call_back(site_url, tmp_path):
    from selenium.webdriver.common.by import By

    base, db_path = site_url
    artefacts = Path(os.environ.get("OPENDEUR_TEST_ARTIFACTS") or tmp_path)
    artefacts.mkdir(parents=True, exist_ok=True)
    with chromium_driver(window=(390, 844)) as driver:
        driver.get(base + "/")
        assert "Geld voor elkaar" in driver.title
        driver.find_element(By.LINK_TEXT, "Kun je je huur niet betalen? Klik hier").click()
        assert driver.current_url == base + "/hulp-bij-huurachterstand/#bellen"
        phone = driver.find_element(By.CSS_SELECTOR, "#bellen .big-phone a")
        assert phone.get_attribute("href") == "tel:+31101234567" and phone.is_displayed()

        driver.find_element(By.LINK_TEXT, "Bel me vandaag terug").click()
        assert driver.current_url == base + "/terugbellen"
        driver.find_element(By.ID, "name").send_keys("Fatima")
        driver.find_element(By.ID, "phone").send_keys("06 1234 5678")
        driver.find_element(By.CSS_SELECTOR, "input[name=best_time][value=ochtend]").click()
        driver.find_element(By.ID, "consent").click()
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

        heading = driver.find_element(By.TAG_NAME, "h1").text
        assert heading == "Bedankt, we bellen je"
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "Samira" in body and "het team Huur en Geld" in body
        shot = artefacts / "themesites-terugbellen-bevestiging.png"
        driver.save_screenshot(str(shot))
        assert driver.get_cookies() == []  # no cookies, ever
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
    assert shot.stat().st_size > 1000
    db = open_db(db_path)
    assert db.execute("SELECT name, phone, best_time FROM callback_requests").fetchall() == [
        ("Fatima", "+31612345678", "ochtend")
    ]


def test_themesites_browser_form_errors_are_shown_next_to_the_fields(site_url):
    from selenium.webdriver.common.by import By

    base, db_path = site_url
    with chromium_driver() as driver:
        driver.get(base + "/terugbellen")
        driver.find_element(By.ID, "name").send_keys("Fatima")
        driver.find_element(By.ID, "phone").send_keys("12345")
        driver.execute_script("document.querySelector('form').noValidate = true")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        phone_error = driver.find_element(By.ID, "phone-error").text
        consent_error = driver.find_element(By.ID, "consent-error").text
        assert phone_error and consent_error
        assert driver.find_element(By.ID, "phone").get_attribute("aria-invalid") == "true"
    assert open_db(db_path).execute("SELECT count(*) FROM callback_requests").fetchone() == (0,)
