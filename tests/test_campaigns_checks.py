"""`opendeur campaign check`: a campaign file's content against the Dutch content rules."""

from __future__ import annotations

import json
from pathlib import Path

from campaigns.checks import check_content
from campaigns.content_file import load_campaign_file

HELP = "https://www.voorbeeld.nl/hulp-bij-betalen"
BLOG_BODY = (
    "December is een dure maand. Er zijn cadeaus, er is lekker eten en soms een feestje. "
    "Daardoor blijft er aan het eind van de maand weinig over. Dat overkomt veel mensen. "
    "Het helpt om vooraf een bedrag te kiezen voor de feestdagen. Schrijf op wat je wilt "
    "kopen en wat het kost. Kijk daarna wat er echt nodig is. Kinderen vinden samen iets "
    "doen vaak leuker dan een duur cadeau. Een spelletjesavond of een wandeling met "
    "warme chocolademelk kost bijna niets. Lukt het toch niet om de huur te betalen? Wacht "
    "dan niet, want een kleine achterstand is makkelijker op te lossen dan een grote. Bel ons "
    "op 010 123 45 67. Je krijgt dan een medewerker van het team Huur en Geld aan de lijn. "
    "We kijken samen wat je kunt doen, zonder oordeel. Je hoeft niets voor te bereiden. "
    "Het gesprek is gratis en we maken samen een plan dat bij je past. Zo begin je het "
    "nieuwe jaar met een gerust gevoel."
)


def _campaign(tmp_path: Path, blog_body: str = BLOG_BODY, x_body: str = "", form: str = "") -> Path:
    x_body = (
        x_body
        or "December duur? Kies vooraf een bedrag voor de feestdagen. Lukt de huur niet? Bel ons."
    )
    text = f"""
[campaign]
name = "Feestdagen zonder zorgen"
help_page = "{HELP}"
{f'address_form = "{form}"' if form else ""}

[[item]]
channel = "wordpress"
title = "Zo hou je de feestdagen betaalbaar"
summary = "Kies vooraf een bedrag voor de feestdagen, en bel ons als de huur niet lukt."
body = \"\"\"{blog_body}\"\"\"
link = "{HELP}"

[[item]]
channel = "x"
body = "{x_body}"
link = "{HELP}?utm_source=x"
"""
    path = tmp_path / "campagne.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_campaigns_checks_plain_campaign_has_no_errors(tmp_path: Path):
    report = check_content(load_campaign_file(_campaign(tmp_path)))
    assert report.errors == 0, [f.as_dict() for f in report.findings]
    assert report.readability[0].flesch_douma >= 60


def test_campaigns_checks_poor_tone_is_flagged_with_positions(tmp_path: Path):
    poor = (
        "Geachte huurder, u dient de verschuldigde huur teneinde een ontbinding van de "
        "huurovereenkomst te voorkomen middels een betalingsregeling onverwijld te voldoen, "
        "alsmede de kosten van de incasso die reeds door de deurwaarder in rekening gebracht "
        "zijn, conform de voorwaarden die in het kader van de vordering van toepassing zijn. "
        "Bel ons."
    )
    content = load_campaign_file(_campaign(tmp_path, blog_body=poor))
    report = check_content(content, address_form="je")
    checks = {f.finding.check for f in report.findings if f.item == 1 and f.field == "body"}
    assert {"tone.officialese", "tone.jargon", "tone.perspective"} <= checks
    assert "readability.sentence_length" in checks
    assert report.errors > 0
    for found in report.findings:
        if found.field == "body":
            f = found.finding
            assert poor[f.start : f.end] == f.text  # positions point at what was written
    dient = next(f.finding for f in report.findings if f.finding.text.lower() == "u dient")
    assert dient.suggestion


def test_campaigns_checks_campaign_link_and_x_length(tmp_path: Path):
    long_x = "Krap bij kas in december? " * 12 + "Bel ons."
    content = load_campaign_file(_campaign(tmp_path, x_body=long_x))
    report = check_content(content)
    assert any(f.item == 2 and f.finding.check == "channel.x_too_long" for f in report.findings)


def test_campaigns_check_command_prints_findings_and_exits_1_on_errors(
    run_cli, config_path, tmp_path: Path
):
    poor = "U dient de huur onverwijld te voldoen. Bel ons."
    path = _campaign(tmp_path, blog_body=poor)
    result = run_cli("--config", str(config_path), "campaign", "check", str(path))
    assert result.exit_code == 1
    assert 'item 1 (wordpress), body 0-7 "U dient": let op [tone.officialese]' in result.stdout
    assert 'body 0-1 "U": fout [tone.perspective]' in result.stdout
    assert "fouten" in result.stdout.splitlines()[-1]
    as_json = run_cli("--config", str(config_path), "campaign", "check", str(path), "--json")
    figures = json.loads(as_json.stdout)
    assert figures["errors"] >= 1 and {"item", "field", "start", "end", "suggestion"} <= set(
        figures["findings"][0]
    )


def test_campaigns_check_command_clean_file_exits_0(run_cli, config_path, tmp_path: Path):
    result = run_cli("--config", str(config_path), "campaign", "check", str(_campaign(tmp_path)))
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1].startswith("0 fouten")


def test_campaigns_check_command_bad_file_is_one_line(run_cli, config_path, tmp_path: Path):
    path = tmp_path / "kapot.toml"
    path.write_text("[[item]]\nchannel = 'tiktok'\nbody = 'x'\n", encoding="utf-8")
    result = run_cli("--config", str(config_path), "campaign", "check", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "channel must be one of" in result.stderr
