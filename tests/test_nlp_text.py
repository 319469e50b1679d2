"""Normalisation, language detection and near-duplicate fingerprints."""

from __future__ import annotations

from nlp import minhash
from nlp.language import detect_language, detect_languages
from nlp.normalise import comparable_text, normalise_text


def test_nlp_normalise_decodes_and_tidies():
    text = "Hu\u200bur&nbsp;&amp; ener&shy;gie\r\n\r\n\r\n\r\n  te   hoog\x00!"
    assert normalise_text(text) == "Huur & energie\n\nte hoog !"
    assert normalise_text("  ") == ""
    assert comparable_text("Huur TE hoog!!") == "huur te hoog"


def test_nlp_language_keeps_dutch_and_flemish():
    for text in (
        "kan me huur nie betalen deze maand, wat nu 😭",
        "Amai, de energiefactuur is weer gestegen, ik weet niet hoe ik dat ga betalen allee.",
    ):
        assert detect_language(text).language == "nl"
    guesses = detect_languages(["I can't pay my rent", "Ich kann die Miete nicht zahlen"])
    assert [g.language for g in guesses] == ["en", "de"]


def test_nlp_minhash_finds_reposts_not_neighbours():
    text = "Ik kan de huur van november niet betalen en de woningbouw stuurt al een aanmaning."
    repost = minhash.signature(text + " Iemand een tip?")
    original = minhash.signature(text)
    other = minhash.signature(
        "Wie heeft er tips voor een goedkope vakantie met kinderen in de herfstvakantie?"
    )
    assert minhash.similarity(original, repost) >= minhash.NEAR_DUPLICATE_SIMILARITY
    assert set(minhash.band_keys(original)) & set(minhash.band_keys(repost))
    assert minhash.similarity(original, other) < 0.3
    assert minhash.signature("te kort") is None
    assert minhash.from_bytes(minhash.to_bytes(original)) == original
