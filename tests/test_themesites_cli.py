"""`opendeur site build`, `site callbacks` and `opendeur serve`'s app, from the command line."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

SITE = (
    '[organisation]\nname = "Woonstichting Test"\n'
    '[themesites]\ncallback_staff = ["Ann"]\n'
    "[themesites.contact]\n"
    'phone = "010 123 45 67"\nteam = "het team Huur en Geld"\nhours = "maandag tot vrijdag"\n'
    '[themesites.sites.geldvoorelkaar]\ndomain = "geldvoorelkaar.nl"\ntheme = "lenen"\n'
    'title = "Geld voor elkaar"\n'
)
SECRET = {"OPENDEUR_FORM_SECRET": "s" * 40}


@pytest.fixture
def site_config(write_config, tmp_path):
    def config(extra: str = "") -> str:
        out = f'[themesites]\nout_dir = "{tmp_path / "out"}"\n'
        text = f'[store]\npath = "{tmp_path / "site.db"}"\n' + SITE.replace("[themesites]\n", out)
        return str(write_config(text + extra))

    return config


def test_themesites_cli_build_then_serve_counts_an_arrival(run_cli, site_config, tmp_path):
    config = site_config()
    built = run_cli("--config", config, "site", "build", "--json")
    assert built.exit_code == 0, built.output
    [result] = json.loads(built.stdout)
    assert result["site"] == "geldvoorelkaar" and result["pages"] > 20
    assert (tmp_path / "out" / "geldvoorelkaar" / "index.html").is_file()

    from pathlib import Path

    from opendeur.commands.serve import build_app
    from opendeur.context import AppContext

    obj = AppContext(config_path=Path(config), environ=SECRET)
    obj.db.execute(
        "INSERT INTO campaigns (id, name, slug, theme, help_page, starts, ends, channels, "
        "message, created_by, created_at, edited_by, edited_at, updated_at) VALUES (1, 'c', "
        "'c', 'lenen', 'https://v.nl', '2026-11-01', '2026-12-31', '[\"x\"]', 'm', 'a', 't', "
        "'a', 't', 't')"
    )
    obj.db.execute(
        "INSERT INTO content_items (campaign_id, position, channel, body, link, tracking_code, "
        "status, updated_at) VALUES (1, 1, 'x', 'b', 'https://v.nl/hulp?utm_source=x', "
        "'Ab3_x9Z', 'published', 't')"
    )
    app = build_app(obj, clock=lambda: datetime(2026, 11, 23, 10, tzinfo=UTC))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        home = client.get("/s/geldvoorelkaar/")
        assert home.status_code == 200 and "Geld voor elkaar" in home.text
        assert "content-security-policy" in home.headers
        answer = client.get("/go/Ab3_x9Z", follow_redirects=False)
        assert answer.status_code in (302, 303)
        assert answer.headers["location"] == "https://v.nl/hulp?utm_source=x"
        assert "set-cookie" not in answer.headers
    week = obj.db.execute("SELECT week, link, arrivals FROM report_arrivals").fetchall()
    assert week == [("2026-W48", "https://v.nl/hulp?utm_source=x", 1)]


def test_themesites_cli_serve_refuses_without_build_or_secret(run_cli, site_config):
    config = site_config()
    unbuilt = run_cli("--config", config, "serve", env=SECRET)
    assert unbuilt.exit_code == 1 and "run `opendeur site build` first" in unbuilt.stderr
    assert run_cli("--config", config, "site", "build").exit_code == 0
    no_secret = run_cli("--config", config, "serve", env={"OPENDEUR_FORM_SECRET": ""})
    assert no_secret.exit_code == 1 and "OPENDEUR_FORM_SECRET" in no_secret.stderr


def test_themesites_cli_build_errors_are_one_line(run_cli, site_config, write_config, tmp_path):
    unknown = run_cli("--config", site_config(), "site", "build", "nope")
    assert unknown.exit_code == 1 and "no site nope; sites: geldvoorelkaar" in unknown.stderr
    closed = write_config(
        f'[store]\npath = "{tmp_path / "x.db"}"\n[themesites.sites.a]\ndomain = "a.nl"\n'
        'theme = "lenen"\ntitle = "Aa"\n', name="closed.toml"
    )  # fmt: skip
    result = run_cli("--config", str(closed), "site", "build")
    assert result.exit_code == 1 and "themesites.contact.phone" in result.stderr
    bad = write_config('[themesites.sites.a]\ndomain = "a"\ntheme = "geen"\ntitle = "A"\n',
                       name="bad.toml")  # fmt: skip
    invalid = run_cli("--config", str(bad), "site", "build")
    assert invalid.exit_code == 1
    assert "themesites.sites.a.domain" in invalid.stderr
    assert "unknown theme 'geen'" in invalid.stderr


def test_themesites_cli_callbacks_for_staff_only_and_purged(run_cli, site_config):
    from pathlib import Path

    from opendeur.context import AppContext
    from themesites.callbacks import CallbackForm, store_request

    config = site_config()
    obj = AppContext(config_path=Path(config), environ={})
    form = CallbackForm(name="Fatima", phone="+31612345678", best_time="ochtend", note="Na 10")
    store_request(obj.db, "geldvoorelkaar", form, datetime(2026, 11, 23, 9, tzinfo=UTC))
    refused = run_cli("--config", config, "site", "callbacks", "list", "--as", "Bob")
    assert refused.exit_code == 1 and "may not read call-back requests" in refused.stderr
    listed = run_cli("--config", config, "site", "callbacks", "list", "--as", "ann", "--json")
    assert listed.exit_code == 0, listed.output
    [request] = json.loads(listed.stdout)
    assert (request["name"], request["phone"]) == ("Fatima", "+31612345678")
    done = run_cli("--config", config, "site", "callbacks", "done", str(request["id"]), "--as",
                   "Ann")  # fmt: skip
    assert done.exit_code == 0 and "personal data is erased" in done.stdout
    row = obj.db.execute("SELECT name, phone, note, handled_by FROM callback_requests").fetchone()
    assert row == (None, None, None, "Ann")
    log = [r[0] for r in obj.db.execute("SELECT action FROM callback_access_log ORDER BY id")]
    assert log == ["created", "listed", "viewed", "handled"]
    empty = run_cli("--config", config, "site", "callbacks", "list", "--as", "Ann")
    assert "no open call-back requests" in empty.stdout
