"""`campaigns.templates`: the B1 templates in data/templates load, fill and pass the checks."""

from __future__ import annotations

import pytest

from campaigns.calendar import load_calendar
from campaigns.checks import check_content
from campaigns.templates import TemplateError, fill, load_template, load_templates

THEMES = {"feestdagen", "vakantie", "auto", "studie", "wonen", "winkelen", "energie", "lenen",
          "inkomen"}  # fmt: skip
VALUES = {"organisation": "Woonstichting De Voorbeeldige Buurt", "phone": "020 123 45 67",
          "help_page": "https://www.voorbeeld.nl/hulp-bij-betalen",
          "team": "het team Huur en Geld"}  # fmt: skip


def test_campaigns_templates_load_every_theme_with_known_moments():
    templates = load_templates()
    assert {t.theme for t in templates} >= THEMES
    moment_ids = {m.id for m in load_calendar()}
    for template in templates:
        assert template.moments and set(template.moments) <= moment_ids, template.id
        assert template.channels == ("wordpress", "x", "facebook")


@pytest.mark.parametrize("template", load_templates(), ids=lambda t: t.id)
def test_campaigns_templates_fill_and_pass_the_checks(template):
    content = fill(template, **VALUES)
    text = " ".join(f"{i.title or ''} {i.summary or ''} {i.body} {i.link}" for i in content.items)
    assert "{" not in text and "Woonstichting De Voorbeeldige Buurt" in text
    assert content.help_page == VALUES["help_page"]
    report = check_content(content, "je")
    assert report.errors == 0, [f.as_dict() for f in report.findings]


def test_campaigns_templates_unknown_placeholder_refused(tmp_path):
    source = load_templates()[0].path.read_text(encoding="utf-8")
    path = tmp_path / "kapot.toml"
    path.write_text(source.replace("{telefoon}", "{telefoonnummer}"), encoding="utf-8")
    with pytest.raises(TemplateError, match=r"kapot\.toml.*unknown placeholder.*telefoonnummer"):
        load_template(path)


def test_campaigns_templates_fill_refuses_a_missing_value():
    template = load_templates()[0]
    with pytest.raises(TemplateError, match=r"no value for \{telefoon\}, \{team\}"):
        fill(template, **{**VALUES, "phone": "", "team": " "})


def test_campaigns_templates_missing_template_table_named(tmp_path):
    path = tmp_path / "los.toml"
    path.write_text('[campaign]\nname = "x"\n[[item]]\nchannel = "x"\nbody = "Bel ons."\n')
    with pytest.raises(TemplateError, match=r"los\.toml: missing \[template\]"):
        load_template(path)
