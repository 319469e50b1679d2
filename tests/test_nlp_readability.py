"""Readability at B1: syllables, sentences, Flesch-Douma, long sentences and uncommon words."""

from __future__ import annotations

from nlp.findings import Finding
from nlp.readability import (
    count_syllables,
    flesch_douma,
    readability,
    readability_findings,
    split_sentences,
    tokens,
)

# Plain B1 text about calling the corporation when the rent cannot be paid (written for these
# tests).
PLAIN = (
    "Lukt het even niet om de huur te betalen? Dat kan iedereen overkomen. Bel ons dan zo "
    "snel mogelijk op 088 123 45 67. Je krijgt meteen iemand van ons team aan de lijn. Die "
    "weet waarom je belt. Samen kijken we wat er mogelijk is. Bijvoorbeeld een afspraak om de "
    "huur in delen te betalen. Hoe eerder je belt, hoe meer we voor je kunnen doen."
)

# Officialese on purpose: long sentences, long words (written for these tests).
OFFICIALESE = (
    "Indien u niet in staat bent de verschuldigde huurpenningen tijdig te voldoen, dient u "
    "teneinde verdere incassomaatregelen te voorkomen onverwijld contact op te nemen met de "
    "afdeling debiteurenbeheer van de verhuurder, welke u middels een vrijblijvend gesprek zal "
    "informeren omtrent de mogelijkheden tot het treffen van een betalingsregeling. Tevens "
    "wordt u erop gewezen dat bij het uitblijven van betaling de wettelijke rente en "
    "buitengerechtelijke incassokosten verschuldigd zijn, alsmede dat de verhuurder derhalve "
    "genoodzaakt kan zijn een gerechtelijke procedure tot ontbinding van de huurovereenkomst "
    "aanhangig te maken. Gelieve de bijgevoegde machtiging ondertekend te retourneren."
)

SYLLABLES = {
    "huur": 1,
    "huis": 1,
    "u": 1,
    "jouw": 1,
    "één": 1,
    "leeuw": 1,
    "eeuw": 1,
    "vrouw": 1,
    "zo'n": 1,
    "bellen": 2,
    "toeslag": 2,
    "mooie": 2,
    "haaien": 2,
    "koeien": 2,
    "nieuwe": 2,
    "bureau": 2,
    "cadeau": 2,
    "idee": 2,
    "zeeën": 2,
    "naïef": 2,
    "baby": 2,
    "yoga": 2,
    "e-mail": 2,
    "vrijdag": 2,
    "bijeen": 2,
    "vooruit": 2,
    "milieu": 2,
    "auto's": 2,
    "café": 2,
    "betalen": 3,
    "rekening": 3,
    "gemeente": 3,
    "alsjeblieft": 3,
    "aanmaning": 3,
    "deurwaarder": 3,
    "uiterlijk": 3,
    "ruïne": 3,
    "België": 3,
    "ideeën": 3,
    "patiënt": 3,
    "ideaal": 3,
    "theater": 3,
    "radio": 3,
    "huurachterstand": 4,
    "medewerker": 4,
    "financiën": 4,
    "beëindigen": 4,
    "efficiënt": 4,
    "egoïsme": 4,
    "situatie": 4,
    "januari": 4,
    "financiële": 5,
    "coördinatie": 5,
    "geïnteresseerd": 5,
    "schuldhulpverlening": 5,
    "woningcorporatie": 6,
    "energierekening": 6,
}


def test_nlp_readability_counts_dutch_syllables():
    wrong = {w: count_syllables(w) for w, n in SYLLABLES.items() if count_syllables(w) != n}
    assert wrong == {}
    assert count_syllables("bv") == 1  # no vowel: still one syllable


def test_nlp_readability_splits_sentences_around_abbreviations_and_amounts():
    text = (
        "Bel ons, bijv. op maandag. De kosten zijn o.a. € 12,50 per maand. "
        "Dhr. J. de Vries helpt u. Kijk op www.nibud.nl. Mail naar hulp@woon.nl! "
        "Betaal € 1.250,- in delen, enz. Daarna is het klaar."
    )
    assert [s.text for s in split_sentences(text)] == [
        "Bel ons, bijv. op maandag.",
        "De kosten zijn o.a. € 12,50 per maand.",
        "Dhr. J. de Vries helpt u.",
        "Kijk op www.nibud.nl.",
        "Mail naar hulp@woon.nl!",
        "Betaal € 1.250,- in delen, enz.",
        "Daarna is het klaar.",
    ]


def test_nlp_readability_splits_bullets_numbered_lists_and_headings():
    text = (
        "Geldzorgen\n"
        "Dit kun je doen:\n"
        "- bel ons\n"
        "• vraag een afspraak aan\n"
        "1. Eerst bellen.\n"
        "2. Dan praten.\n"
        "Deze zin loopt door\n"
        "op de volgende regel.\n\n"
        "Nieuwe alinea zonder punt"
    )
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Geldzorgen",
        "Dit kun je doen:",
        "bel ons",
        "vraag een afspraak aan",
        "Eerst bellen.",
        "Dan praten.",
        "Deze zin loopt door\nop de volgende regel.",
        "Nieuwe alinea zonder punt",
    ]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text


def test_nlp_readability_counts_addresses_numbers_and_placeholders_as_one_word():
    found = tokens("Hoi [NAAM], kijk op https://www.nibud.nl/geld. Bel 06-12345678 of {link}.")
    assert [(t.text, t.kind) for t in found] == [
        ("Hoi", "word"),
        ("[NAAM]", "placeholder"),
        ("kijk", "word"),
        ("op", "word"),
        ("https://www.nibud.nl/geld", "url"),
        ("Bel", "word"),
        ("06-12345678", "number"),
        ("of", "word"),
        ("{link}", "placeholder"),
    ]


def test_nlp_readability_scores_plain_text_high_and_officialese_low():
    plain, official = readability(PLAIN), readability(OFFICIALESE)
    assert plain.sentences == 8
    assert plain.flesch_douma > 80
    assert plain.max_sentence_words <= 12
    assert official.sentences == 3
    assert official.flesch_douma < 30
    assert official.mean_sentence_words > 30
    assert round(flesch_douma(words=10, sentences=1, syllables=15), 3) == 206.835 - 9.3 - 115.5
    assert readability_findings(PLAIN) == []
    checks = {(f.check, f.severity) for f in readability_findings(OFFICIALESE)}
    assert ("readability.flesch_douma", "error") in checks


def test_nlp_readability_flags_long_sentences_at_their_span():
    long_one = (
        "Als je de huur van deze maand niet op tijd kunt betalen omdat je minder werkt of "
        "omdat er iets anders is gebeurd, bel ons dan."
    )
    very_long = "Ook " + " ".join(["woord"] * 30) + "."
    text = f"Bel ons. {long_one}\nKort. {very_long}"
    found = [f for f in readability_findings(text) if f.check == "readability.sentence_length"]
    assert [(f.severity, f.text) for f in found] == [("warning", long_one), ("error", very_long)]
    assert found[0].start == text.index("Als je")
    assert found[0].end == text.index("\nKort")
    assert text[found[1].start : found[1].end] == very_long
    assert "26 woorden" in found[0].explanation
    assert "korte zinnen" in found[0].suggestion


def test_nlp_readability_flesch_douma_needs_three_sentences():
    short_hard = "Ingebrekestelling ontvangen. Dientengevolge verschuldigd."
    assert readability(short_hard).flesch_douma < 45
    assert not [f for f in readability_findings(short_hard) if f.check.endswith("flesch_douma")]
    found = [
        f
        for f in readability_findings(short_hard + " Onverwijld retourneren.")
        if f.check == "readability.flesch_douma"
    ]
    assert [f.severity for f in found] == ["error"]
    assert "60" in found[0].explanation


def test_nlp_readability_finds_uncommon_words_but_not_names_numbers_or_addresses():
    text = (
        "De onderhavige ingebrekestelling gaat naar Woonstad. "
        "Bel [NAAM] op 088 123 45 67 of kijk op www.geldfit.nl. "
        "Het CAK stuurt een executoriale titel."
    )
    score = readability(text)
    assert score.uncommon_words == ["onderhavige", "ingebrekestelling", "executoriale"]
    # 15 words judged: not "Woonstad", "[NAAM]", the numbers, the address or "CAK".
    assert score.uncommon_share == 3 / 15
    found = readability_findings(text)
    summary = [f for f in found if f.check == "readability.uncommon_words"]
    assert [f.severity for f in summary] == ["warning"]
    assert "onderhavige, ingebrekestelling, executoriale" in summary[0].explanation
    words = [f for f in found if f.check == "readability.uncommon_word"]
    assert [f.text for f in words] == ["onderhavige", "ingebrekestelling", "executoriale"]
    assert all(text[f.start : f.end] == f.text and f.severity == "info" for f in words)


def test_nlp_readability_counts_compounds_of_common_words_as_common():
    score = readability("Vraag een betaalregeling aan. Dan regelen we de huurbetaling.")
    assert score.uncommon_words == []


def test_nlp_readability_handles_empty_text_and_gives_dicts():
    empty = readability("  \n ")
    assert (empty.sentences, empty.words, empty.flesch_douma) == (0, 0, 0.0)
    assert readability_findings("") == []
    finding = readability_findings(" ".join(["woord"] * 25) + ".")[0]
    assert isinstance(finding, Finding)
    assert set(finding.as_dict()) == {
        "check",
        "severity",
        "start",
        "end",
        "text",
        "explanation",
        "suggestion",
    }
    assert readability(PLAIN).as_dict()["sentences"] == 8
