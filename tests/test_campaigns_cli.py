"""`opendeur campaign`: new, import, export, list, show, edit, submit, approve, schedule, cancel."""

from __future__ import annotations

import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from campaigns.content_file import load_campaign_file

HELP = "https://www.voorbeeld.nl/hulp-bij-betalen"
MESSAGE = "December is duur. Lukt de huur niet? Bel ons, dan zoeken we samen een oplossing."
NEW = [
    "campaign",
    "new",
    "--name",
    "Feestdagen zonder zorgen",
    "--theme",
    "feestdagen",
    "--help-page",
    HELP,
    "--start",
    "2026-12-01",
    "--end",
    "2026-12-31",
    "--channel",
    "x",
    "--channel",
    "facebook",
    "--message",
    MESSAGE,
    "--goal",
    "Eerder bellen",
]
CAMPAIGN_FILE = '''
[campaign]
name = "Zomer zonder zorgen"
goal = "Huurders bellen voor de vakantie"
theme = "vakantie"
audience = "Gezinnen"
help_page = "https://www.voorbeeld.nl/hulp-bij-betalen"
starts = 2027-06-01
ends = "2027-08-31"
address_form = "je"
message = "Op vakantie? Lukt de huur daarna niet? Bel ons."

[[item]]
channel = "wordpress"
title = "Zo blijft je vakantie betaalbaar"
summary = "Tips voor een zomer zonder geldzorgen, en waar je terecht kunt."
body = """Een vakantie kost veel geld.
Zeg "nee" tegen lenen, ook al lijkt het makkelijk. Een \\\\ hoort er niet bij.
Bel ons."""
link = "https://www.voorbeeld.nl/hulp-bij-betalen?ref=zomer"

[[item]]
channel = "x"
body = "Op vakantie? Lukt de huur daarna niet? Bel ons."
'''


# Scheduling needs a channel for each item's type; these send nothing.
DRY_CHANNELS = "".join(
    f'[channels.{kind}]\ntype = "{kind}"\ndry_run = true\n{extra}'
    for kind, extra in [
        ("wordpress", 'url = "http://127.0.0.1:9"\nuser = "redactie"\n'),
        (
            "x",
            "price_per_post = 0.01\nprice_per_post_with_link = 0.2\n"
            "budget_per_campaign = 5\nbudget_per_month = 20\n",
        ),
        ("facebook", 'page_id = "123"\n'),
    ]
)


@pytest.fixture
def opendeur(run_cli, write_config, tmp_path, monkeypatch):
    """``opendeur --config ... ARGS`` with a fixed clock; ``roles`` adds [campaigns] lines."""
    monkeypatch.setattr(
        "campaigns.cli_support.utc_now", lambda: datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    )

    def run(*args: str, roles: str = ""):
        config = write_config(
            f'[store]\npath = "{tmp_path / "cli.db"}"\n[campaigns]\n{roles}\n{DRY_CHANNELS}'
        )
        return run_cli("--config", str(config), *args)

    return run


def _json(result) -> dict | list:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _one_line_error(result, starts: str) -> None:
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {starts}"), result.stderr
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def _without_utm(link: str) -> str:
    parts = urlsplit(link)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    return parts._replace(query=urlencode(query)).geturl()


def test_campaigns_cli_new_show_and_list(opendeur):
    created = _json(opendeur(*NEW, "--as", "ann", "--json"))
    campaign, items = created["campaign"], created["items"]
    assert (campaign["id"], campaign["status"], campaign["created_by"]) == (1, "draft", "ann")
    assert [(i["channel"], i["body"]) for i in items] == [("x", MESSAGE), ("facebook", MESSAGE)]
    assert "utm_source=facebook&utm_medium=social" in items[1]["link"]
    shown = opendeur("campaign", "show", "1")
    assert "Campaign 1: Feestdagen zonder zorgen [draft]" in shown.stdout
    assert f"code {items[0]['tracking_code']}" in shown.stdout
    assert "ann  created" in shown.stdout
    listed = _json(opendeur("campaign", "list", "--json"))
    assert [(c["id"], c["items"]) for c in listed] == [(1, 2)]
    assert _json(opendeur("campaign", "list", "--status", "review", "--json")) == []
    assert "Feestdagen zonder zorgen (2 items: x, facebook)" in opendeur("campaign", "list").stdout


def test_campaigns_cli_whole_flow_with_four_eyes(opendeur):
    opendeur(*NEW, "--as", "ann")
    submitted = _json(opendeur("campaign", "submit", "1", "--as", "ann", "--json"))
    assert (submitted["submitted"], submitted["errors"]) == (True, 0)
    _one_line_error(
        opendeur("campaign", "approve", "1", "--as", "ann"),
        "ann created campaign 1 and so may not approve it (four-eyes)",
    )
    assert opendeur("campaign", "approve", "1", "--as", "bob").stdout == (
        "campaign 1 is approved\n"
    )
    scheduled = _json(
        opendeur(
            "campaign",
            "schedule",
            "1",
            "--at",
            "2026-12-01T09:00",
            "--item",
            "2",
            "--at",
            "2026-12-02T19:30+00:00",
            "--as",
            "ann",
            "--json",
        )
    )
    assert scheduled["campaign"]["status"] == "scheduled"
    assert [i["scheduled_at"] for i in scheduled["items"]] == [
        "2026-12-01T09:00:00+01:00",
        "2026-12-02T20:30:00+01:00",
    ]
    assert [(e["actor"], e["action"]) for e in scheduled["audit"]] == [
        ("ann", "created"),
        ("ann", "submitted"),
        ("bob", "approved"),
        ("ann", "scheduled"),
    ]
    cancelled = _json(
        opendeur("campaign", "cancel", "1", "--reason", "Budget op", "--as", "bob", "--json")
    )
    assert cancelled["audit"][-1]["detail"]["reason"] == "Budget op"
    assert (
        "bob  cancelled (scheduled -> cancelled): Budget op"
        in opendeur("campaign", "show", "1").stdout
    )


def test_campaigns_cli_edit_moves_review_back_to_draft(opendeur):
    opendeur(*NEW, "--as", "ann")
    opendeur("campaign", "submit", "1", "--as", "ann")
    result = opendeur(
        "campaign", "edit", "1", "--item", "2", "--body", MESSAGE + " Echt waar.", "--as", "bob"
    )
    assert result.stdout == "item 2: changed body\n"
    shown = _json(opendeur("campaign", "show", "1", "--json"))
    assert (shown["campaign"]["status"], shown["campaign"]["edited_by"]) == ("draft", "bob")
    assert shown["audit"][-1]["detail"]["before"] == {"body": MESSAGE}
    assert opendeur("campaign", "edit", "1", "--item", "1").exit_code == 2  # nothing to change


def test_campaigns_cli_import_export_round_trip(opendeur, tmp_path: Path):
    source = tmp_path / "zomer.toml"
    source.write_text(CAMPAIGN_FILE, encoding="utf-8")
    imported = _json(opendeur("campaign", "import", str(source), "--as", "ann", "--json"))
    assert imported["campaign"]["slug"] == "zomer-zonder-zorgen"
    assert imported["items"][0]["link"].startswith(f"{HELP}?ref=zomer&utm_source=wordpress")
    exported = tmp_path / "export.toml"
    result = opendeur("campaign", "export", "1", "-o", str(exported), "--json")
    assert _json(result)["file"] == str(exported)
    assert "tracking code " + imported["items"][0]["tracking_code"] in exported.read_text()
    again = _json(opendeur("campaign", "import", str(exported), "--as", "bob", "--json"))
    first, second = load_campaign_file(source), load_campaign_file(exported)
    for key in (
        "name",
        "goal",
        "theme",
        "audience",
        "help_page",
        "starts",
        "ends",
        "address_form",
        "message",
    ):
        assert getattr(second, key) == getattr(first, key), key
    assert [(i.channel, i.title, i.summary, i.body) for i in second.items] == [
        (i.channel, i.title, i.summary, i.body) for i in first.items
    ]
    assert 'Zeg "nee"' in second.items[0].body and "Een \\ hoort" in second.items[0].body
    assert [_without_utm(i["link"]) for i in again["items"]] == [f"{HELP}?ref=zomer", HELP]
    assert "utm_campaign=zomer-zonder-zorgen-2" in again["items"][0]["link"]
    codes = {i["tracking_code"] for i in imported["items"] + again["items"]}
    assert len(codes) == 4  # new codes for the new campaign
    printed = opendeur("campaign", "export", "2").stdout
    assert tomllib.loads(printed)["campaign"]["name"] == "Zomer zonder zorgen"


def test_campaigns_cli_import_refuses_an_incomplete_file(opendeur, tmp_path: Path):
    source = tmp_path / "half.toml"
    source.write_text('[campaign]\nname = "Half"\n[[item]]\nchannel = "x"\nbody = "Bel ons."\n')
    _one_line_error(
        opendeur("campaign", "import", str(source)),
        "the campaign file lacks help_page, theme, starts, ends, message",
    )
    source.write_text('[campaign]\ntheme = "kerst"\n[[item]]\nchannel = "x"\nbody = "Bel."\n')
    _one_line_error(opendeur("campaign", "import", str(source)), f"{source}: [campaign] theme")


def test_campaigns_cli_submit_with_errors_prints_findings_and_one_error_line(opendeur):
    opendeur(*NEW[:-8], "--channel", "wordpress", "--message", MESSAGE, "--as", "ann")
    result = opendeur("campaign", "submit", "1", "--as", "ann")
    _one_line_error(result, "campaign 1 has ")
    assert "[channel.summary_missing]" in result.stdout
    as_json = opendeur("campaign", "submit", "1", "--as", "ann", "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["submitted"] is False and report["errors"] >= 1
    checked = opendeur("campaign", "check", "--id", "1", "--json")
    assert checked.exit_code == 1
    assert json.loads(checked.stdout)["errors"] == report["errors"]


def test_campaigns_cli_check_needs_a_file_or_an_id(opendeur, tmp_path: Path):
    assert opendeur("campaign", "check").exit_code == 2
    assert opendeur("campaign", "check", "x.toml", "--id", "1").exit_code == 2
    _one_line_error(opendeur("campaign", "check", "--id", "5"), "there is no campaign 5")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("campaign", "show", "9"), "there is no campaign 9; `opendeur campaign list`"),
        (
            ("campaign", "approve", "1", "--as", "bob"),
            "campaign 1 is draft; approve needs a campaign in review. Allowed now: edit",
        ),
        (("campaign", "schedule", "1", "--at", "2026-12-01T09:00"), "campaign 1 is draft;"),
        (("campaign", "cancel", "1", "--reason", " "), "give a reason for cancelling"),
        (
            ("campaign", "edit", "1", "--item", "4", "--body", "Bel ons."),
            "campaign 1 has no item 4",
        ),
        (("campaign", "export", "3"), "there is no campaign 3"),
    ],
)
def test_campaigns_cli_errors_are_one_line(opendeur, args, error):
    opendeur(*NEW, "--as", "ann")
    _one_line_error(opendeur(*args), error)


def test_campaigns_cli_schedule_outside_the_period_is_one_line(opendeur):
    opendeur(*NEW, "--as", "ann")
    opendeur("campaign", "submit", "1", "--as", "ann")
    opendeur("campaign", "approve", "1", "--as", "bob")
    _one_line_error(
        opendeur("campaign", "schedule", "1", "--at", "2027-01-02T09:00"),
        "cannot schedule campaign 1: item 1 (x) at 2027-01-02 09:00 is outside the campaign "
        "period 2026-12-01 to 2026-12-31; item 2 (facebook)",
    )
    assert opendeur("campaign", "schedule", "1", "--at", "morgen").exit_code == 2
    assert opendeur("campaign", "schedule", "1", "--item", "1").exit_code == 2  # no --at for it


def test_campaigns_cli_roles_come_from_the_configuration(opendeur):
    roles = 'editors = ["ann"]\napprovers = ["bob"]'
    _one_line_error(
        opendeur(*NEW, "--as", "carla", roles=roles),
        "carla may not create campaigns: only editors may (ann)",
    )
    assert opendeur(*NEW, "--as", "Ann", roles=roles).exit_code == 0
    opendeur("campaign", "submit", "1", "--as", "ann", roles=roles)
    _one_line_error(
        opendeur("campaign", "approve", "1", "--as", "ann", roles=roles),
        "ann may not approve campaigns: only approvers may (bob)",
    )
    assert opendeur("campaign", "approve", "1", "--as", "bob", roles=roles).exit_code == 0


def test_campaigns_cli_actor_defaults_to_the_user_name(opendeur, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "dora")
    created = _json(opendeur(*NEW, "--json"))
    assert created["campaign"]["created_by"] == created["audit"][0]["actor"] == "dora"


def test_campaigns_cli_every_json_output_parses(opendeur, tmp_path: Path):
    runs = [
        NEW + ["--as", "ann"],
        ["campaign", "list"],
        ["campaign", "show", "1"],
        ["campaign", "export", "1"],
        ["campaign", "check", "--id", "1"],
        ["campaign", "edit", "1", "--item", "1", "--body", MESSAGE + " Snel.", "--as", "ann"],
        ["campaign", "submit", "1", "--as", "ann"],
        ["campaign", "approve", "1", "--as", "bob"],
        ["campaign", "schedule", "1", "--at", "2026-12-05T10:00", "--as", "ann"],
        ["campaign", "cancel", "1", "--reason", "Test", "--as", "ann"],
    ]
    for args in runs:
        assert _json(opendeur(*args, "--json")) is not None, args
    source = tmp_path / "c.toml"
    source.write_text(CAMPAIGN_FILE, encoding="utf-8")
    assert _json(opendeur("campaign", "import", str(source), "--json"))["campaign"]["id"] == 2


# --- campaign plan ---

PLAN_SETTINGS = (
    'help_page = "https://www.voorbeeld.nl/hulp-bij-betalen"\nphone = "020 123 45 67"\n'
    'team = "het team Huur en Geld"\n'
)


@pytest.fixture
def planner(run_cli, write_config, tmp_path, monkeypatch):
    """``opendeur campaign plan ARGS`` with an organisation name and a fixed clock."""
    monkeypatch.setattr(
        "campaigns.cli_support.utc_now", lambda: datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
    )

    def run(*args: str, campaigns: str = PLAN_SETTINGS, form: str = "je"):
        config = write_config(
            f'[organisation]\nname = "Woonstichting Test"\naddress_form = "{form}"\n'
            f'[store]\npath = "{tmp_path / "plan.db"}"\n[campaigns]\n{campaigns}'
        )
        return run_cli("--config", str(config), "campaign", "plan", *args)

    return run


def test_campaigns_cli_plan_prints_ranked_suggestions_with_reasons(planner):
    result = planner("--weeks", "4")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Campaign suggestions for 2026-11-16, 4 weeks ahead:")
    assert "Sinterklaas (sinterklaas)" in result.output
    assert (
        "- Mensen zoeken vanaf half november naar de feestdagen en aanbiedingen." in result.output
    )
    assert "template feestdagen" in result.output


def test_campaigns_cli_plan_json(planner):
    data = json.loads(planner("--date", "2026-06-05", "--json").output)
    assert data["date"] == "2026-06-05" and data["weeks"] == 8
    first = data["suggestions"][0]
    assert set(first) >= {"rank", "moment_id", "moment_name", "theme", "topics", "publish_from",
                          "starts", "ends", "score", "reasons", "template_id"}  # fmt: skip
    assert "zomervakantie" in [s["moment_id"] for s in data["suggestions"][:3]]


def test_campaigns_cli_plan_create_makes_a_draft_from_the_template(planner):
    ranks = json.loads(planner("--json").output)["suggestions"]
    rank = next(s["rank"] for s in ranks if s["moment_id"] == "sinterklaas")
    result = planner("--create", str(rank), "--as", "ann", "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    campaign = shown["campaign"]
    assert campaign["name"] == "Sinterklaas 2026" and campaign["status"] == "draft"
    assert (campaign["starts"], campaign["ends"]) == ("2026-10-25", "2026-12-05")
    assert campaign["theme"] == "feestdagen" and campaign["created_by"] == "ann"
    assert [item["channel"] for item in shown["items"]] == ["wordpress", "x", "facebook"]
    assert "het team Huur en Geld" in shown["items"][0]["body"]
    assert not any("{" in str(item[key]) for item in shown["items"] for key in ("title", "body"))
    assert [row["action"] for row in shown["audit"]] == ["imported"]


def test_campaigns_cli_plan_create_without_settings_refuses_with_one_line(planner):
    result = planner("--create", "1", "--as", "ann", campaigns='phone = "020 123 45 67"\n')
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: a campaign from a template needs campaigns.help_page, campaigns.team in "
        "the configuration file"
    ]


def test_campaigns_cli_plan_create_refuses_u_corporations(planner):
    result = planner("--create", "1", "--as", "ann", form="u")
    assert result.exit_code == 1
    assert 'no "u" variants yet' in result.output
