"""Tone: officialese, jargon, forced jollity and one perspective (DESIGN §6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.findings import Finding
from nlp.tone import ToneLexicon, ToneLexiconError, shipped_tone_lexicon, tone_findings

# Plain B1 text about calling the corporation when the rent cannot be paid, once with "je" and
# once with "u" (written for these tests).
PLAIN_JE = (
    "Lukt het even niet om de huur te betalen? Dat kan iedereen overkomen. Bel ons dan zo "
    "snel mogelijk op 088 123 45 67. Je krijgt meteen iemand van ons team aan de lijn. Die "
    "weet waarom je belt. Samen kijken we wat er mogelijk is. Bijvoorbeeld een afspraak om de "
    "huur in delen te betalen. Hoe eerder je belt, hoe meer we voor je kunnen doen. Liever "
    "eerst iets lezen? Op onze website staan tips om je geld op een rij te zetten."
)
PLAIN_U = (
    "Lukt het even niet om de huur te betalen? Dat kan iedereen overkomen. Bel ons dan zo "
    "snel mogelijk op 088 123 45 67. U krijgt meteen iemand van ons team aan de lijn. Die "
    "weet waarom u belt. Samen kijken we wat er mogelijk is. Bijvoorbeeld een afspraak om de "
    "huur in delen te betalen. Hoe eerder u belt, hoe meer we voor u kunnen doen. Liever "
    "eerst iets lezen? Op onze website staan tips om uw geld op een rij te zetten."
)


def _spans(findings: list[Finding], check: str) -> list[tuple[str, int, int]]:
    return [(f.text, f.start, f.end) for f in findings if f.check == check]


def _at(text: str, part: str) -> tuple[str, int, int]:
    start = text.index(part)
    return part, start, start + len(part)


def test_nlp_tone_lexicon_lists_the_named_words():
    rules = shipped_tone_lexicon().rules
    named = "u dient, dient u, vrijblijvend*, verschuldigd*, teneinde, middels".split(", ")
    officialese = {p for p, r in rules.items() if r.check == "tone.officialese"}
    assert set(named) <= officialese
    assert len(officialese - set(named)) >= 25
    for pattern in (
        "gelieve indien conform alsmede derhalve dientengevolge woonachtig ingevolge "
        "onverwijld reeds tevens doch echter uiterlijk".split()
    ):
        assert pattern in officialese
    for phrase in ("ten behoeve van", "in het kader van", "zorg dragen", "ter hand"):
        assert phrase in officialese
    assert "te allen tijde" in officialese
    jargon = {p for p, r in rules.items() if r.check == "tone.jargon"}
    for pattern in (
        "incasso* vordering ontbinding* beslag* deurwaarder* betalingsachterstand* "
        "ontruim* dwangbevel* aanmaning* sommatie* vonnis* wsnp schuldsanering*".split()
    ):
        assert pattern in jargon
    assert {"wettelijke rente", "minnelijk traject"} <= jargon
    for rule in rules.values():
        if rule.check != "allow":
            assert rule.severity in ("error", "warning", "info"), rule.pattern


def test_nlp_tone_officialese_found_with_offsets_and_suggestion():
    text = (
        "U dient de huur op tijd te betalen. Dient u het formulier in? Bel vrijblijvend. "
        "Het verschuldigde bedrag. Teneinde dit te regelen, middels een brief. "
        "Wij zullen te allen tijde zorg dragen voor hulp."
    )
    found = tone_findings(text, address_form="u")
    assert _spans(found, "tone.officialese") == [
        _at(text, "U dient"),
        _at(text, "Dient u"),
        _at(text, "vrijblijvend"),
        _at(text, "verschuldigde"),
        _at(text, "Teneinde"),
        _at(text, "middels"),
        _at(text, "te allen tijde"),
        _at(text, "zorg dragen"),
    ]
    by_text = {f.text: f for f in found}
    assert by_text["middels"].suggestion == "Schrijf 'met' of 'via'."
    assert "'altijd'" in by_text["te allen tijde"].suggestion
    assert by_text["U dient"].severity == "warning"
    assert all(f.explanation and f.suggestion for f in found)


def test_nlp_tone_jargon_found_with_plain_alternative():
    text = (
        "Na de aanmaning stuurt het incassobureau een sommatie. Dan volgt de deurwaarder, "
        "een vonnis, beslag en ontruiming. Ook de wettelijke rente en de WSNP komen aan bod."
    )
    found = tone_findings(text)
    assert [t for t, _, _ in _spans(found, "tone.jargon")] == [
        "aanmaning",
        "incassobureau",
        "sommatie",
        "deurwaarder",
        "vonnis",
        "beslag",
        "ontruiming",
        "wettelijke rente",
        "WSNP",
    ]
    by_text = {f.text: f for f in found}
    assert "uit huis gezet" in by_text["ontruiming"].suggestion
    assert "uitspraak van de rechter" in by_text["vonnis"].suggestion
    assert "bedrijf" in by_text["incassobureau"].suggestion  # the specific row, not incasso*
    assert {f.severity for f in found if f.check == "tone.jargon"} == {"warning"}
    for finding in found:
        assert text[finding.start : finding.end] == finding.text


def test_nlp_tone_jargon_leaves_ordinary_phrases_alone():
    text = (
        "Betaal de huur via automatische incasso. Dat neemt weinig tijd in beslag. "
        "Je maakt goede vorderingen. Het uiterlijk van je huis telt niet."
    )
    assert tone_findings(text) == []
    seizure = "Er komt beslag op je loon."
    assert _spans(tone_findings(seizure), "tone.jargon") == [_at(seizure, "beslag")]


def test_nlp_tone_jollity_words_exclamation_marks_and_emoji_runs():
    text = "Geen zorgen!! Betalen is easy 🎉🎉 Helemaal top!"
    found = tone_findings(text)
    assert _spans(found, "tone.jollity") == [
        _at(text, "Geen zorgen"),
        _at(text, "!!"),
        _at(text, "easy"),
        _at(text, "🎉🎉"),
        _at(text, "Helemaal top"),
    ]
    assert {f.severity for f in found} == {"warning"}
    assert "één uitroepteken" in found[1].suggestion
    # One emoji, a skin-toned thumb or a flag is not a run; one exclamation mark is fine.
    assert tone_findings("Bel ons! 👍🏽 Wij helpen je. 🇳🇱") == []


def test_nlp_tone_perspective_flags_every_use_of_the_other_form():
    text = "Bel ons als je de huur niet kunt betalen. Wij helpen u graag met uw vragen."
    found = tone_findings(text, address_form="je")
    u_at = text.index(" u ") + 1
    assert _spans(found, "tone.perspective") == [("u", u_at, u_at + 1), _at(text, "uw")]
    assert {f.severity for f in found} == {"error"}
    assert "kunt u' wordt 'kun je'" in found[0].suggestion


def test_nlp_tone_perspective_follows_the_address_form_setting():
    text = "Kun je de huur niet betalen? Wij helpen u graag. Jouw vragen zijn welkom."
    as_je = tone_findings(text, address_form="je")
    assert [(f.text, f.severity) for f in as_je] == [("u", "error")]
    assert as_je[0].start == text.index(" u ") + 1
    assert as_je[0].suggestion.startswith("Schrijf 'je' in plaats van 'u'.")
    as_u = tone_findings(text, address_form="u")
    assert [(f.text, f.severity) for f in as_u] == [("je", "error"), ("Jouw", "error")]
    assert as_u[1].suggestion.startswith("Schrijf 'uw' in plaats van 'Jouw'.")
    assert "'u'" in as_u[0].explanation


def test_nlp_tone_perspective_without_setting_reports_the_first_minority_use():
    text = "U kunt ons bellen. Wij helpen u. Heb je vragen? Uw huur is belangrijk. Mail je ons?"
    found = tone_findings(text, address_form=None)
    assert [(f.text, f.start, f.severity) for f in found] == [("je", text.index("je"), "error")]
    assert "3 keer de u-vorm" in found[0].explanation
    assert tone_findings(PLAIN_U, address_form=None) == []


def test_nlp_tone_perspective_third_person_beside_the_reader():
    text = (
        "De huurder moet elke maand op tijd betalen. Lukt dat niet, dan kunt u ons bellen. "
        "Als huurder kunt u ook mailen. Een andere huurder vertelde het ons."
    )
    found = tone_findings(text, address_form="u")
    assert [(f.text, f.start, f.severity) for f in found] == [("De huurder", 0, "warning")]
    assert "schrijf 'u' in plaats van 'De huurder'" in found[0].suggestion
    # Without anyone addressed, third person is simply the subject.
    assert tone_findings("De huurder betaalt de huur op tijd.", address_form="u") == []


def test_nlp_tone_plain_b1_text_has_no_findings():
    assert tone_findings(PLAIN_JE, address_form="je") == []
    assert tone_findings(PLAIN_U, address_form="u") == []


def test_nlp_tone_does_not_fire_inside_words_or_on_letters():
    text = (
        "Je jeugd telt. Het duurt een uur. Neem de U-bocht en kies optie U. "
        "Van 9 tot 17 u. Dochters en uurtjes. Je huis, je buurt."
    )
    assert tone_findings(text, address_form="je") == []


def test_nlp_tone_skips_quoted_speech_except_jargon():
    text = (
        "Een buurvrouw zei: “Geen zorgen, je dient gewoon te bellen!!” "
        "Een ander zei: 'Bel ze, je krijgt een aanmaning als je wacht.' "
        "U kunt ons altijd bellen."
    )
    found = tone_findings(text, address_form="u")
    assert [(f.check, f.text) for f in found] == [("tone.jargon", "aanmaning")]


def test_nlp_tone_rejects_an_unknown_address_form():
    with pytest.raises(ValueError, match="address_form"):
        tone_findings("Bel ons.", address_form="jij")  # type: ignore[arg-type]


def test_nlp_tone_lexicon_errors_name_the_line_and_fix(tmp_path: Path):
    header = "pattern\tcheck\tseverity\texplanation\tsuggestion\n"
    path = tmp_path / "tone.tsv"
    path.write_text(header + "middels\ttone.formal\twarning\tAmbtelijk.\tSchrijf 'met'.\n")
    with pytest.raises(ToneLexiconError, match="line 2: unknown check 'tone.formal'"):
        ToneLexicon.load(path)
    path.write_text(header + "Middels\ttone.officialese\twarning\tAmbtelijk.\tSchrijf 'met'.\n")
    with pytest.raises(ToneLexiconError, match="lower-case"):
        ToneLexicon.load(path)
    row = "middels\ttone.officialese\twarning\tAmbtelijk.\tSchrijf 'met'.\n"
    path.write_text(header + row + row)
    with pytest.raises(ToneLexiconError, match="listed twice"):
        ToneLexicon.load(path)


def test_nlp_tone_findings_come_in_text_order_as_dicts():
    text = "Gelieve te betalen. De huurder krijgt een aanmaning!! Kun je bellen?"
    found = tone_findings(text, address_form="je")
    assert [f.start for f in found] == sorted(f.start for f in found)
    assert [f.check for f in found] == [
        "tone.officialese",
        "tone.perspective",
        "tone.jargon",
        "tone.jollity",
    ]
    as_dict = found[0].as_dict()
    assert as_dict["check"] == "tone.officialese"
    assert as_dict["text"] == "Gelieve" == text[as_dict["start"] : as_dict["end"]]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("De huurder dient de huur vooraf te voldoen.", {"tone.officialese"}),
        ("Neem daartoe vrijblijvend contact op met de afdeling.", {"tone.officialese"}),
        ("Indien er een betalingsachterstand is, gaat de vordering naar een incassobureau.",
         {"tone.officialese", "tone.jargon"}),
        ("Geen zorgen!! Wij regelen het 🎉🎉🎉", {"tone.jollity"}),
    ],
)  # fmt: skip
def test_nlp_tone_flags_the_letter_style_of_corporations(sentence: str, expected: set[str]):
    assert expected <= {f.check for f in tone_findings(sentence, "u")}
