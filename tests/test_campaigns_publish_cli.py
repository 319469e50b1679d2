"""`opendeur publish`: from plan to published on every channel, and the operator commands."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime

import pytest
from fake_publish_apis import FakeGraphPublishApi, FakeXPublishApi

NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
X_SECRETS = {
    "OPENDEUR_X_CONSUMER_KEY": "ck-cli-test",
    "OPENDEUR_X_CONSUMER_SECRET": "cs-cli-test-secret",
    "OPENDEUR_X_ACCESS_TOKEN": "at-cli-test",
    "OPENDEUR_X_ACCESS_TOKEN_SECRET": "ats-cli-test-secret",
}
PAGE_TOKEN = "EAAB-page-token-for-tests"
CAMPAIGN_SETTINGS = (
    '[organisation]\nname = "Woonstichting Test"\n'
    '[campaigns]\neditors = ["ann"]\napprovers = ["bob"]\n'
    'help_page = "https://www.voorbeeld.nl/hulp-bij-betalen"\n'
    'phone = "020 123 45 67"\nteam = "het team Huur en Geld"\n'
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """One settable time for the campaign commands and the publisher."""
    from campaigns import cli_publish

    clock = Clock()
    original = cli_publish.build_publisher
    monkeypatch.setattr("campaigns.cli_support.utc_now", clock)
    monkeypatch.setattr(cli_publish, "build_publisher",
                        lambda obj, **kw: original(obj, clock=clock, **kw))  # fmt: skip
    return clock


@pytest.fixture
def opendeur(run_cli, write_config, tmp_path, clock):
    """``opendeur --config CONFIG ARGS`` at ``clock``'s time; ``channels`` is TOML text."""

    def run(*args: str, channels: str, env: dict[str, str] | None = None):
        config = write_config(
            f'[store]\npath = "{tmp_path / "cli.db"}"\n{CAMPAIGN_SETTINGS}{channels}'
        )
        return run_cli("--config", str(config), *args, env=env)

    return run


def plan_and_schedule(opendeur, channels: str, env=None) -> int:
    created = opendeur("campaign", "plan", "--create", "1", "--as", "ann", "--json",
                       channels=channels)  # fmt: skip
    assert created.exit_code == 0, created.output
    campaign_id = json.loads(created.stdout)["campaign"]["id"]
    for args in (("submit", "--as", "ann"), ("approve", "--as", "bob"),
                 ("schedule", "--at", "2026-11-16T12:00", "--as", "ann")):  # fmt: skip
        result = opendeur("campaign", args[0], str(campaign_id), *args[1:], channels=channels,
                          env=env)  # fmt: skip
        assert result.exit_code == 0, result.output
    return campaign_id


@pytest.mark.service
@pytest.mark.slow
def test_campaigns_publish_cli_plan_to_published_on_every_channel(
    opendeur, clock, local_wordpress, tmp_path
):
    x = FakeXPublishApi(X_SECRETS["OPENDEUR_X_CONSUMER_KEY"]).start()
    graph = FakeGraphPublishApi(PAGE_TOKEN, page_id="104213").start()
    site = tmp_path / "site"
    channels = (
        f'[channels.blog]\ntype = "wordpress"\nurl = "{local_wordpress.url}"\n'
        f'user = "{local_wordpress.user}"\ncategory = "Geld"\n'
        f'[channels.social]\ntype = "x"\napi_url = "{x.url}"\nprice_per_post = 0.01\n'
        "price_per_post_with_link = 0.20\nbudget_per_campaign = 5\nbudget_per_month = 20\n"
        f'[channels.page]\ntype = "facebook"\npage_id = "104213"\napi_url = "{graph.url}"\n'
        f'[channels.themasite]\ntype = "themesite"\ncarries = ["wordpress"]\n'
        f'content_dir = "{site}"\n'
    )
    env = {
        **X_SECRETS,
        "OPENDEUR_FACEBOOK_PAGE_TOKEN": PAGE_TOKEN,
        "OPENDEUR_WP_APP_PASSWORD": local_wordpress.app_password,
        "NO_PROXY": "127.0.0.1",
    }
    try:
        campaign_id = plan_and_schedule(opendeur, channels, env)
        early = opendeur("publish", "due", channels=channels, env=env)
        assert early.exit_code == 0 and "0 sent" in early.stdout  # 09:00 UTC, due at 11:00 UTC
        clock.now = NOW.replace(hour=11)
        due = opendeur("publish", "due", channels=channels, env=env)
        assert due.exit_code == 0, due.output
        assert "4 sent" in due.stdout and "0 failed" in due.stdout
        listed = json.loads(opendeur("publish", "list", "--json", channels=channels).stdout)
        assert {(r["channel"], r["state"]) for r in listed} == {
            ("blog", "sent"),
            ("themasite", "sent"),
            ("social", "sent"),
            ("page", "sent"),
        }
        shown = json.loads(opendeur("campaign", "show", str(campaign_id), "--json",
                                    channels=channels).stdout)  # fmt: skip
        assert shown["campaign"]["status"] == "published"
        assert {i["status"] for i in shown["items"]} == {"published"}
        assert len(x.posts) == 1 and "utm_source=x" in x.posts[0]["entities"]["urls"][0][
            "expanded_url"]  # fmt: skip
        assert len(graph.posts) == 1 and "utm_source=facebook" in graph.posts[0]["link"]
        [article] = site.glob("*.md")
        front = tomllib.loads(article.read_text().split("+++")[1])
        assert "utm_source=wordpress" in front["link"]
        again = opendeur("publish", "due", channels=channels, env=env)
        assert "0 sent" in again.stdout and len(x.posts) == 1  # nothing twice
        spending = opendeur("publish", "spending", channels=channels)
        assert "social 2026-11: USD 0.20 for 1 post(s)" in spending.stdout
    finally:
        x.stop()
        graph.stop()


def dry_channels(tmp_path) -> str:
    return (
        '[channels.social]\ntype = "x"\ndry_run = true\nprice_per_post = 0.01\n'
        "price_per_post_with_link = 0.20\nbudget_per_campaign = 5\nbudget_per_month = 20\n"
        '[channels.page]\ntype = "facebook"\ndry_run = true\npage_id = "1"\n'
        f'[channels.site]\ntype = "themesite"\ncarries = ["wordpress"]\n'
        f'content_dir = "{tmp_path / "site"}"\n'
    )


def test_campaigns_publish_cli_dry_runs_record_what_would_be_sent(opendeur, clock, tmp_path):
    channels = dry_channels(tmp_path)
    plan_and_schedule(opendeur, channels)
    clock.now = NOW.replace(hour=11)
    due = opendeur("publish", "due", "--json", channels=channels)
    assert due.exit_code == 0, due.output
    assert json.loads(due.stdout)["sent"] == 3
    rows = json.loads(opendeur("publish", "list", "--json", channels=channels).stdout)
    social = next(r for r in rows if r["channel"] == "social")
    assert social["dry_run"] == 1 and social["remote_id"].startswith("dryrun-")
    assert "utm_source=x&utm_medium=social" in json.loads(social["request"])["json"]["text"]
    text = opendeur("publish", "list", channels=channels).stdout
    assert "dry run" in text
    # Dry runs are trials: the report's view does not count them, nor the spending ledger.
    spent = opendeur("publish", "spending", channels=channels)
    assert "nothing spent yet" in spent.stdout


def test_campaigns_publish_cli_failure_is_shown_and_retry_resends(opendeur, clock, tmp_path):
    x = FakeXPublishApi("a-different-key").start()  # refuses our key: 401
    channels = (
        f'[channels.social]\ntype = "x"\napi_url = "{x.url}"\nprice_per_post = 0.01\n'
        "price_per_post_with_link = 0.20\nbudget_per_campaign = 5\nbudget_per_month = 20\n"
        '[channels.page]\ntype = "facebook"\ndry_run = true\npage_id = "1"\n'
        f'[channels.site]\ntype = "themesite"\ncarries = ["wordpress"]\n'
        f'content_dir = "{tmp_path / "site"}"\n'
    )
    env = {**X_SECRETS, "NO_PROXY": "127.0.0.1"}
    try:
        campaign_id = plan_and_schedule(opendeur, channels, env)
        clock.now = NOW.replace(hour=11)
        due = opendeur("publish", "due", channels=channels, env=env)
        assert due.exit_code == 1
        assert "failed: campaign" in due.stderr and "401" in due.stderr
        failed = opendeur("publish", "list", "--state", "failed", channels=channels)
        assert "auth: channel social: X refused the keys and tokens (401)" in failed.stdout
        assert X_SECRETS["OPENDEUR_X_CONSUMER_SECRET"] not in failed.stdout + due.stderr
        shown = json.loads(opendeur("campaign", "show", str(campaign_id), "--json",
                                    channels=channels).stdout)  # fmt: skip
        assert shown["campaign"]["status"] == "failed"
        publication = json.loads(
            opendeur("publish", "list", "--state", "failed", "--json", channels=channels).stdout
        )[0]["id"]
        x.consumer_key = X_SECRETS["OPENDEUR_X_CONSUMER_KEY"]  # the operator fixed the key
        retried = opendeur("publish", "retry", str(publication), "--as", "ann", channels=channels)
        assert retried.exit_code == 0, retried.output
        again = opendeur("publish", "due", channels=channels, env=env)
        assert again.exit_code == 0 and "1 sent" in again.stdout
        shown = json.loads(opendeur("campaign", "show", str(campaign_id), "--json",
                                    channels=channels).stdout)  # fmt: skip
        assert shown["campaign"]["status"] == "published"
        assert [a["action"] for a in shown["audit"]].count("publish_retried") == 1
    finally:
        x.stop()


def test_campaigns_publish_cli_post_health_and_errors(opendeur, tmp_path):
    channels = dry_channels(tmp_path)
    posted = opendeur("publish", "post", "site", "--title", "Proefbericht", "--body", "Hallo.",
                      "--link", "https://www.voorbeeld.nl/hulp", channels=channels)  # fmt: skip
    assert posted.exit_code == 0, posted.output
    assert "sent to site" in posted.stdout and len(list((tmp_path / "site").glob("*.md"))) == 1
    dry = opendeur("publish", "post", "social", "--body", "Hallo.", "--link",
                   "https://www.voorbeeld.nl/hulp", "--json", channels=channels)  # fmt: skip
    assert json.loads(dry.stdout)["dry_run"] is True
    too_long = opendeur("publish", "post", "social", "--body", "a" * 300, "--link",
                        "https://www.voorbeeld.nl/hulp", channels=channels)  # fmt: skip
    assert too_long.exit_code == 1 and "[validation]" in too_long.stderr
    unknown = opendeur("publish", "post", "nope", "--body", "x", "--link", "https://v.nl",
                       channels=channels)  # fmt: skip
    assert unknown.exit_code == 1 and "no channel 'nope'; channels: social, page, site" in (
        unknown.stderr)  # fmt: skip
    health = opendeur("publish", "health", channels=channels)
    assert health.exit_code == 0, health.output
    assert "ok   social (x): dry run of a x channel" in health.stdout
    real_x = channels.replace('type = "x"\ndry_run = true', 'type = "x"')
    missing = opendeur("publish", "health", "social", channels=real_x)
    assert missing.exit_code == 1
    assert (
        "FAIL social (x): channel social: the API key is missing; set the environment "
        "variable OPENDEUR_X_CONSUMER_KEY" in missing.stdout
    )


def test_campaigns_publish_cli_schedule_refuses_items_no_channel_carries(opendeur, tmp_path):
    only_x = (
        '[channels.social]\ntype = "x"\ndry_run = true\nprice_per_post = 0.01\n'
        "price_per_post_with_link = 0.20\nbudget_per_campaign = 5\nbudget_per_month = 20\n"
    )
    with pytest.raises(AssertionError, match="no enabled channel has that type"):
        plan_and_schedule(opendeur, only_x)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[channels.blog]\ntype = "blogger"\n',
         "channels.blog.type: unknown type 'blogger'; expected one of: wordpress, x, facebook"),
        ('[channels.social]\ntype = "x"\n',
         "channels.social.price_per_post: required setting is missing"),
        ('[channels.blog]\ntype = "wordpress"\nurl = "ftp://x"\nuser = "r"\n',
         "channels.blog.url: expected an http:// or https:// address"),
        ('[channels.blog]\ntype = "wordpress"\nurl = "http://x"\nuser = "r"\npassword = "geheim"\n',
         "channels.blog.password: secrets do not belong in the configuration file"),
        ('[channels.Blog]\ntype = "dryrun"\n', "channels.Blog"),
    ],
)  # fmt: skip
def test_campaigns_publish_cli_bad_channel_settings_are_one_line(opendeur, toml, expected):
    result = opendeur("publish", "list", channels=toml)
    assert result.exit_code == 1
    assert expected in result.stderr, result.stderr
