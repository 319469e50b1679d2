"""Places (gazetteer) and trouble terms (lexicon), on small tables written in the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.gazetteer import Gazetteer, Municipality, Region
from nlp.lexicon import Lexicon, Word, plain_words

MUNICIPALITIES = [
    Municipality("GM0363", "Amsterdam", "Noord-Holland"),
    Municipality("GM0518", "'s-Gravenhage", "Zuid-Holland"),
    Municipality("GM0753", "Best", "Noord-Brabant"),
    Municipality("GM0703", "Bergen op Zoom", "Noord-Brabant"),
    Municipality("GM0373", "Bergen (NH)", "Noord-Holland"),
    Municipality("GM0893", "Bergen (L)", "Limburg"),
    Municipality("GM0344", "Utrecht", "Utrecht"),
    Municipality("GM1979", "Eemsdelta", "Groningen"),
]
NAMES = {
    "amsterdam": {"GM0363"}, "'s-gravenhage": {"GM0518"}, "den haag": {"GM0518"},
    "best": {"GM0753"}, "bergen op zoom": {"GM0703"}, "bergen": {"GM0373", "GM0893"},
    "utrecht": {"GM0344"}, "delfzijl": {"GM1979"},
}  # fmt: skip


@pytest.fixture
def gazetteer() -> Gazetteer:
    return Gazetteer(MUNICIPALITIES, NAMES, ambiguous={"best", "bergen"})


def code(match) -> str | None:
    return match.region.municipality.code if match and match.region.municipality else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ik woon in Amsterdam en kan de huur niet betalen", "GM0363"),
        ("ik woon in amsterdam-zuid, huur te hoog", "GM0363"),
        ("Huurwoning in Den Haag, achterstand", "GM0518"),
        ("Wij wonen sinds kort in Best", "GM0753"),
        ("Ik doe mijn best maar het lukt niet", None),
        ("Het Beste wat ik kon doen", None),
        ("Verhuisd naar Bergen op Zoom", "GM0703"),
        ("Nu woon ik in Delfzijl", "GM1979"),
        ("Geen plaats hier", None),
    ],
)
def test_nlp_gazetteer_finds_the_place(gazetteer, text, expected):
    assert code(gazetteer.find(text)) == expected


def test_nlp_gazetteer_evidence_and_ambiguous_municipalities(gazetteer):
    match = gazetteer.find("Al jaren in Den Haag, nu een aanmaning")
    assert (match.text, match.start) == ("Den Haag", 12)
    assert match.region.as_dict() == {"code": "GM0518", "name": "'s-Gravenhage",
                                      "province": "Zuid-Holland"}  # fmt: skip
    assert gazetteer.find("Ik woon in Bergen") is None  # two Bergens: which?
    assert code(gazetteer.find("Ik woon in Bergen", province_hint="Limburg")) == "GM0893"


def test_nlp_gazetteer_resolves_source_regions(gazetteer):
    assert gazetteer.resolve("Utrecht") == Region("Utrecht", MUNICIPALITIES[6])
    assert gazetteer.resolve("Noord-Brabant") == Region("Noord-Brabant")
    assert gazetteer.resolve("Brabant") == Region("Noord-Brabant")
    assert gazetteer.resolve("Atlantis") is None and gazetteer.resolve(None) is None


def test_nlp_gazetteer_loads_an_operator_table(tmp_path: Path):
    table = tmp_path / "cbs.tsv"
    table.write_text("code\tname\tprovince\taliases\nGM0363\tAmsterdam\tNoord-Holland\tMokum\n")
    gazetteer = Gazetteer.load(table)
    assert code(gazetteer.find("Ik woon in Mokum")) == "GM0363"


TERMS = """pattern\ttopics\tseverity\tsignal\tnote
huur niet betalen\thuur\t2\ttrouble\t
deurwaarder\tschulden\t3\ttrouble\t
schuld\tschulden\t2\ttrouble\tlemma of schulden
betalingsachterst*\tschulden\t2\ttrouble\t
vakantie\tvakantie\t0\ttheme\t
"""


def test_nlp_lexicon_matches_words_lemmas_prefixes_and_phrases(tmp_path: Path):
    path = tmp_path / "terms.tsv"
    path.write_text(TERMS, encoding="utf-8")
    lexicon = Lexicon.load(path)
    text = "Ik kan de huur niet betalen, de deurwaarder komt en mijn betalingsachterstand groeit"
    found = {(m.term.pattern, text[m.start : m.end]) for m in lexicon.match(plain_words(text))}
    assert found == {
        ("huur niet betalen", "huur niet betalen"),
        ("deurwaarder", "deurwaarder"),
        ("betalingsachterst*", "betalingsachterstand"),
    }
    lemmas = [Word("schulden", "schuld", 0, 8)]
    assert [m.term.severity for m in lexicon.match(lemmas)] == [2]
    assert lexicon.match(plain_words("")) == []


def test_nlp_lexicon_shipped_terms_are_well_formed():
    from nlp.lexicon import SIGNALS, shipped_lexicon

    topics = {"huur", "energie", "schulden", "lenen", "inkomen", "vakantie", "feestdagen",
              "auto", "studie", "wonen", "winkelen"}  # fmt: skip
    terms = shipped_lexicon().terms
    assert len(terms) >= 350
    assert len({t.pattern for t in terms}) == len(terms)
    for term in terms:
        assert term.signal in SIGNALS and set(term.topics) <= topics, term
        assert (term.severity >= 1) == (term.signal == "trouble"), term
    assert {t.severity for t in terms if t.signal == "trouble"} == {1, 2, 3}


def test_nlp_lexicon_finds_trouble_in_chat_spelling():
    from nlp.textprep import TextAnalyser

    [analysis] = TextAnalyser().analyse(
        ["kzit ff krap, de deurwaader komt morgen en ik kan de huur nie betalen"]
    )
    assert max(m.term.severity for m in analysis.matches) == 3
    assert "huur" in {topic for m in analysis.matches for topic in m.term.topics}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kzit ff krap", "ik zit even krap"),
        ("kan me huur nie betalen", "kan mijn huur niet betalen"),  # "me" before a noun
        ("help me nie", "help me niet"),
        ("m’n huur", "mijn huur"),
        ("m'n huur", "mijn huur"),
        ("nieuw t-shirt", "nieuw t-shirt"),
        ("", ""),
    ],
)
def test_nlp_lexicon_chat_spelling_whole_words_only(text, expected):
    from nlp.textprep import TextAnalyser

    [analysis] = TextAnalyser().analyse([text])
    assert " ".join(word.lower for word in analysis.words) == expected


def test_nlp_gazetteer_finds_the_labelled_places_of_the_corpus():
    import json

    from nlp.datafiles import data_path
    from nlp.gazetteer import shipped_gazetteer

    gazetteer = shipped_gazetteer()
    correct = labelled = spurious = unlabelled = 0
    for name in ("personal.jsonl", "organisations.jsonl"):
        for line in data_path("corpus", name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            found = gazetteer.find(row["text"])
            gold = gazetteer.resolve(row["place"]) if row["place"] else None
            if gold is None:
                unlabelled += 1
                spurious += found is not None
                continue
            labelled += 1
            if found and (
                found.region.municipality == gold.municipality
                and found.region.province == gold.province
            ):
                correct += 1
    print(f"places found {correct}/{labelled}, spurious {spurious}/{unlabelled}")
    assert correct / labelled >= 0.90
    assert spurious / unlabelled <= 0.01


def test_nlp_gazetteer_shipped_tables_are_complete():
    from nlp.gazetteer import PROVINCES, shipped_gazetteer

    gazetteer = shipped_gazetteer()
    assert len(gazetteer.by_code) == 342
    assert {m.province for m in gazetteer.by_code.values()} == set(PROVINCES.values())
    assert gazetteer.resolve("Den Haag").municipality.code == "GM0518"
    assert gazetteer.find(
        "Woon in Delfzijl, kan de huur niet betalen"
    ).region.municipality.name == ("Eemsdelta")
    assert gazetteer.find("hoeveel anderen hebben dit ook?") is None  # a village, and a word
