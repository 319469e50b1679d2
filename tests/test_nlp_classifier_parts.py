"""Text analysis, decisions, thresholds, evaluation figures, model store and classify()."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from nlp.classifier import (
    BACKENDS,
    OCCLUSION_MAX_WORDS,
    OCCLUSION_SPANS,
    Classifier,
    ClassifierError,
    ModelMissing,
    ModelStore,
    backend_class,
)
from nlp.corpus import LabelledText
from nlp.decide import Thresholds, best_threshold, decide, tune_thresholds
from nlp.evaluation import (
    Counts,
    binary_counts,
    calibration,
    evaluate_split,
    meets_targets,
    render_text,
    write_report,
)
from nlp.gazetteer import Region, shipped_gazetteer
from nlp.taxonomy import KINDS, TOPICS, Classification, Evidence, LabelScores
from nlp.textprep import MAX_CLASSIFIED_CHARS, TextAnalyser, writing_cues

EVICTION = (
    "Ik heb al drie maanden mijn huur niet betaald en nu staat de deurwaarder voor de deur. "
    "We worden uit huis gezet."
)


@pytest.fixture(scope="module")
def analyser() -> TextAnalyser:
    return TextAnalyser()


def analyse(analyser: TextAnalyser, text: str, hint: str | None = None):
    return analyser.analyse([text], [hint])[0]


def label_scores(
    trouble: float, kind: dict[str, float] | None = None, topics: dict[str, float] | None = None
) -> LabelScores:
    kinds = dict.fromkeys(KINDS, 0.0) | (kind or {"personal": 1.0})
    return LabelScores(
        kind=kinds, topics=dict.fromkeys(TOPICS, 0.0) | (topics or {}), trouble=trouble
    )


# --- TextAnalyser ---


def test_nlp_textanalyser_chat_spelling_keeps_the_original_spans(analyser):
    text = "kzit krap deze maand, ff kijken of het nie lukt"
    analysis = analyse(analyser, text)
    lowers = [w.lower for w in analysis.words]
    assert lowers[:3] == ["ik", "zit", "krap"]
    assert "even" in lowers and "niet" in lowers
    assert not {"kzit", "ff", "nie"} & set(lowers)
    by_word = {w.lower: text[w.start : w.end] for w in analysis.words}
    assert by_word["ik"] == by_word["zit"] == "kzit"
    assert by_word["even"] == "ff"
    assert by_word["niet"] == "nie"
    assert by_word["krap"] == "krap"
    krap = [m for m in analysis.matches if m.term.pattern == "krap"]
    assert [(m.start, m.end) for m in krap] == [(5, 9)]


def test_nlp_textanalyser_folds_accents_for_lexicon_matches(analyser):
    plain, accented = (
        analyse(analyser, text) for text in ("financiele problemen", "financiële problemen")
    )
    assert accented.words[0].lower == "financiele"
    assert accented.text[accented.words[0].start : accented.words[0].end] == "financiële"

    def found(analysis):
        return [(m.term.pattern, m.term.signal, m.start, m.end) for m in analysis.matches]

    assert found(plain) == found(accented) == [("financiële problemen", "trouble", 0, 20)]
    assert plain.model_text == accented.model_text


def test_nlp_textanalyser_lemmatises_plurals(analyser):
    analysis = analyse(analyser, "huurachterstanden")
    assert [(w.lower, w.lemma) for w in analysis.words] == [
        ("huurachterstanden", "huurachterstand")
    ]
    assert [m.term.severity for m in analysis.matches] == [2]
    assert analysis.model_text.endswith(" huurachterstand")


def test_nlp_textanalyser_clips_long_texts(analyser):
    sentence = "Ik heb een huurachterstand en weet niet hoe ik verder moet. "
    long_text = sentence * (MAX_CLASSIFIED_CHARS // len(sentence) + 5)
    assert len(long_text) > MAX_CLASSIFIED_CHARS
    long, short = analyser.analyse([long_text, sentence])
    assert long.truncated is True
    assert len(long.text) == MAX_CLASSIFIED_CHARS
    assert long_text.startswith(long.text)
    assert all(w.end <= MAX_CLASSIFIED_CHARS for w in long.words)
    assert short.truncated is False
    assert short.text == sentence.strip()


def test_nlp_textanalyser_finds_the_place_with_province_hints(analyser):
    text = "Ik woon in Zwolle en de deurwaarder komt"
    place = analyse(analyser, text).place
    assert (place.text, place.start, place.end) == ("Zwolle", 11, 17)
    assert text[place.start : place.end] == "Zwolle"
    assert place.region.province == "Overijssel"
    assert place.region.municipality.name == "Zwolle"
    # Hengelo is a municipality in Overijssel and a village in Gelderland: the hint decides
    shared = "Ik woon in Hengelo, krap"
    assert analyse(analyser, shared).place is None
    in_overijssel = analyse(analyser, shared, "Overijssel").place
    in_gelderland = analyse(analyser, shared, "Gelderland").place
    assert in_overijssel.text == in_gelderland.text == "Hengelo"
    assert in_overijssel.region.municipality.code == "GM0164"
    assert in_gelderland.region.province == "Gelderland"
    assert in_gelderland.region.municipality.code != "GM0164"
    assert analyse(analyser, "Het is zwaar deze maand.").place is None


def test_nlp_textanalyser_model_text_has_lexicon_and_cue_tokens(analyser):
    analysis = analyse(analyser, "De deurwaarder staat voor de deur")
    tokens = analysis.model_text.split()
    assert {"lex_trouble", "lexsev3", "lextop_schulden", "cue_len0", "cue_capital"} <= set(tokens)
    # cues and lexicon tokens come first, then the lemmas
    lemmas = [w.lemma for w in analysis.words]
    assert "deurwaarder" in lemmas
    assert tokens[-len(lemmas) :] == lemmas
    assert all(t.startswith(("cue_", "lex")) for t in tokens[: -len(lemmas)])
    krap = analyse(analyser, "kzit krap").model_text.split()
    assert "lexsev1" in krap and "lexsev3" not in krap
    assert "lextop_inkomen" in krap
    plain = analyse(analyser, "Het is zwaar deze maand.").model_text.split()
    assert not [t for t in plain if t.startswith("lex")]


def test_nlp_textanalyser_writing_cues_tell_reader_from_writer(analyser):
    question = "Heb je al gebeld? Jij kunt je huur ook later betalen."
    personal = "ik heb mijn huur niet betaald, ik schaam me"
    asked = writing_cues(question, analyse(analyser, question).words)
    told = writing_cues(personal, analyse(analyser, personal).words)
    assert {"cue_p1_0", "cue_p2_3", "cue_question", "cue_capital"} <= set(asked)
    assert {"cue_p1_3", "cue_p2_0"} <= set(told)
    assert "cue_question" not in told and "cue_capital" not in told
    money = 'Hij zei: "de huur gaat omhoog" en nu betaal ik € 750!'
    cues = writing_cues(money, analyse(analyser, money).words)
    assert {"cue_quote", "cue_euro", "cue_digit", "cue_exclaim"} <= set(cues)
    assert "cue_len0" in asked


def test_nlp_textanalyser_lexicon_order_does_not_depend_on_the_hash_seed():
    # two terms of one word start at "studentenjob"; their order shapes model_text's bigrams
    script = (
        "from nlp.lexicon import shipped_lexicon, plain_words; "
        "print([m.term.pattern for m in shipped_lexicon().match(plain_words('zijn studentenjob'))])"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env=os.environ | {"PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    assert outputs.pop().count("studentenjob") == 1


# --- decide() ---


def test_nlp_decide_money_trouble_is_always_personal(analyser):
    analysis = analyse(analyser, "De deurwaarder staat voor de deur")
    kinds = {"help": 0.7, "personal": 0.1, "news": 0.15, "other": 0.05}
    positive = decide(analysis, label_scores(0.6, kinds), Thresholds(trouble=0.5))
    assert (positive.money_trouble, positive.kind, positive.score) == (True, "personal", 0.6)
    negative = decide(analysis, label_scores(0.4, kinds), Thresholds(trouble=0.5))
    assert (negative.money_trouble, negative.kind) == (False, "help")
    assert negative.severity == 0


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("De deurwaarder staat voor de deur", 3),
        ("kzit krap deze maand", 1),
        ("Ik ben krap en de deurwaarder komt", 3),
        ("Ik heb mijn huur niet betaald", 2),
        ("Het gaat niet zo goed met mij.", 1),
    ],
)
def test_nlp_decide_severity_is_the_most_severe_trouble_term(analyser, text, severity):
    analysis = analyse(analyser, text)
    assert decide(analysis, label_scores(0.9), Thresholds()).severity == severity
    assert decide(analysis, label_scores(0.1), Thresholds()).severity == 0


def test_nlp_decide_topics_use_their_own_thresholds(analyser):
    analysis = analyse(analyser, "Het is zwaar deze maand.")
    thresholds = Thresholds(trouble=0.5, topics=dict.fromkeys(TOPICS, 0.5) | {
        "huur": 0.3, "energie": 0.8})  # fmt: skip
    topics = {"huur": 0.35, "energie": 0.7, "schulden": 0.5, "vakantie": 0.49}
    result = decide(analysis, label_scores(0.2, topics=topics), thresholds)
    assert result.topics == ("huur", "schulden")


def test_nlp_decide_region_from_the_text_else_the_hint(analyser):
    hint = Region("Utrecht")
    named = decide(analyse(analyser, "Ik woon in Zwolle en ben krap"), label_scores(0.9),
                   Thresholds(), hint)  # fmt: skip
    assert named.region.municipality.name == "Zwolle"
    unnamed = analyse(analyser, "kzit krap")
    assert decide(unnamed, label_scores(0.9), Thresholds(), hint).region == hint
    assert decide(unnamed, label_scores(0.1), Thresholds(), hint).region == hint
    assert decide(unnamed, label_scores(0.9), Thresholds()).region is None


def test_nlp_decide_evidence_spans(analyser):
    text = "Ik heb mijn huur niet betaald in Zwolle"
    analysis = analyse(analyser, text)
    result = decide(analysis, label_scores(0.9), Thresholds())
    evidence = set(result.evidence)
    assert Evidence(12, 29, "huur niet betaald", "trouble term") in evidence
    assert Evidence(33, 39, "Zwolle", "place") in evidence
    assert Evidence(0, 6, "Ik heb", "about the writer") in evidence
    # "niet betaald" inside "huur niet betaald", "Ik" inside "Ik heb": the longer span says it
    assert Evidence(17, 29, "niet betaald", "trouble term") not in evidence
    assert Evidence(0, 2, "Ik", "about the writer") not in evidence
    for e in result.evidence:
        assert text[e.start : e.end] == e.text
        assert not any(
            o != e and o.reason == e.reason and o.start <= e.start and e.end <= o.end
            for o in result.evidence
        )
    assert list(result.evidence) == sorted(
        result.evidence, key=lambda e: (e.start, e.end, e.reason)
    )


def test_nlp_decide_help_text_evidence(analyser):
    text = "Heeft u moeite met het betalen van de huur? Neem contact op met onze huurconsulent."
    analysis = analyse(analyser, text)
    kinds = {"help": 0.8, "personal": 0.1, "news": 0.05, "other": 0.05}
    result = decide(analysis, label_scores(0.05, kinds), Thresholds())
    assert (result.money_trouble, result.kind, result.severity) == (False, "help", 0)
    help_spans = [e.text for e in result.evidence if e.reason == "help text"]
    assert help_spans == ["Heeft u", "Neem contact op", "huurconsulent"]
    assert "about the writer" not in {e.reason for e in result.evidence}
    assert Evidence(38, 42, "huur", "theme") in result.evidence
    # the same words read as a personal post: no help-text evidence
    personal = decide(analysis, label_scores(0.9, kinds), Thresholds())
    assert "help text" not in {e.reason for e in personal.evidence}


# --- thresholds ---


def _f1(threshold: float, scores: list[float], gold: list[bool]) -> float:
    counts = binary_counts([s >= threshold for s in scores], gold)
    return counts.f1


def test_nlp_best_threshold_maximises_f1():
    scores = [0.9, 0.8, 0.6, 0.4, 0.3, 0.2]
    gold = [True, True, False, True, False, False]
    chosen = best_threshold(scores, gold)
    assert chosen == 0.4
    assert _f1(chosen, scores, gold) == pytest.approx(6 / 7)
    assert all(_f1(t / 100, scores, gold) <= _f1(chosen, scores, gold) for t in range(5, 96))


def test_nlp_best_threshold_ties_go_up_and_stay_in_range():
    assert best_threshold([0.9, 0.7, 0.3], [True, True, False]) == 0.7
    # candidates outside 0.05-0.95 are never chosen; 0.5 is always a candidate
    assert best_threshold([0.99, 0.01], [True, False]) == 0.5


def test_nlp_best_threshold_keeps_scores_that_round_up():
    scores, gold = [0.33336, 0.2], [True, False]
    chosen = best_threshold(scores, gold)
    assert _f1(chosen, scores, gold) == 1.0


def test_nlp_tune_thresholds_per_label():
    scores = [
        label_scores(0.9, topics={"huur": 0.8, "energie": 0.3}),
        label_scores(0.7, topics={"huur": 0.6, "energie": 0.9}),
        label_scores(0.4, topics={"huur": 0.2, "energie": 0.1}),
    ]
    thresholds = tune_thresholds(scores, [True, False, False], [("huur",), ("huur", "energie"), ()])
    assert thresholds.trouble == 0.9
    assert thresholds.topics["huur"] == 0.6
    assert thresholds.topics["energie"] == 0.9
    assert thresholds.topics["vakantie"] == 0.5  # no positives: the default
    assert set(thresholds.topics) == set(TOPICS)


def test_nlp_thresholds_round_trip():
    thresholds = Thresholds(0.42, dict.fromkeys(TOPICS, 0.5) | {"huur": 0.31, "studie": 0.77})
    data = json.loads(json.dumps(thresholds.as_dict()))
    assert Thresholds.from_dict(data) == thresholds
    data["topics"]["huur"] = 0.99  # as_dict hands out a copy
    assert thresholds.topics["huur"] == 0.31
    partial = Thresholds.from_dict({"trouble": "0.3", "topics": {"huur": "0.2"}})
    assert partial.trouble == 0.3
    assert partial.topics == dict.fromkeys(TOPICS, 0.5) | {"huur": 0.2}


# --- evaluation ---


def test_nlp_evaluation_counts_precision_recall_f1():
    counts = binary_counts([True, True, False, False, True], [True, False, True, False, True])
    assert counts == Counts(tp=2, fp=1, fn=1)
    assert counts.precision == pytest.approx(2 / 3)
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.f1 == pytest.approx(2 / 3)
    assert counts.as_dict() == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "support": 3}
    for empty in (Counts(), binary_counts([False, False], [False, False])):
        assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)
    assert Counts(fp=2).precision == 0.0 and Counts(fp=2).f1 == 0.0
    assert Counts(fn=3).recall == 0.0
    assert Counts(tp=1, fn=3).as_dict() == {"precision": 1.0, "recall": 0.25, "f1": 0.4,
                                           "support": 4}  # fmt: skip
    with pytest.raises(ValueError):
        binary_counts([True], [True, False])


def test_nlp_evaluation_calibration_by_hand():
    scores = [0.05, 0.15, 0.12, 0.95, 1.0]
    gold = [False, True, False, True, True]
    result = calibration(scores, gold)
    assert result["bins"] == [
        {"bin": "0.0-0.1", "count": 1, "mean_score": 0.05, "observed": 0.0},
        {"bin": "0.1-0.2", "count": 2, "mean_score": 0.135, "observed": 0.5},
        {"bin": "0.9-1.0", "count": 2, "mean_score": 0.975, "observed": 1.0},
    ]
    # ECE: 1/5 * 0.05 + 2/5 * 0.365 + 2/5 * 0.025
    assert result["ece"] == pytest.approx(0.166)
    # Brier: (0.05² + 0.85² + 0.12² + 0.05² + 0²) / 5
    assert result["brier"] == pytest.approx(0.1484)
    assert calibration([], []) == {"bins": [], "ece": 0.0, "brier": 0.0}
    assert calibration([0.5, 0.5], [True, False], bins=2)["bins"] == [
        {"bin": "0.5-1.0", "count": 2, "mean_score": 0.5, "observed": 0.5}
    ]


def _row(n, kind, money, topics=(), severity=0, place=None) -> LabelledText:
    return LabelledText(
        f"t{n}", f"tekst {n}", money, kind, tuple(topics), severity, place, "", "test"
    )


def _prediction(kind, money, score, topics=(), severity=0, region=None) -> Classification:
    return Classification(money, score, kind, tuple(topics), severity, region)


@pytest.fixture
def crafted_split():
    zwolle = shipped_gazetteer().resolve("Zwolle")
    rows = [
        _row(1, "personal", True, ["huur"], 2, place="Zwolle"),
        _row(2, "personal", True, ["schulden"], 3, place="Utrecht"),
        _row(3, "help", False, ["huur"]),
        _row(4, "news", False),
        _row(5, "other", False),
        _row(6, "personal", True, ["energie"], 1),
    ]
    predictions = [
        _prediction("personal", True, 0.9, ["huur"], 2, zwolle),
        _prediction("personal", True, 0.8, ["schulden", "huur"], 1),
        _prediction("personal", True, 0.6, ["huur"], 1, Region("Drenthe")),
        _prediction("news", False, 0.2),
        _prediction("help", False, 0.1),
        _prediction("personal", False, 0.3),
    ]
    return rows, predictions


def test_nlp_evaluation_evaluate_split_figures(crafted_split):
    rows, predictions = crafted_split
    figures = evaluate_split(rows, predictions, shipped_gazetteer())
    assert figures["texts"] == 6
    assert figures["money_trouble"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667,
                                        "support": 3}  # fmt: skip
    assert figures["kind_confusion"] == {
        "personal": {"personal": 3, "help": 0, "news": 0, "other": 0},
        "help": {"personal": 1, "help": 0, "news": 0, "other": 0},
        "news": {"personal": 0, "help": 0, "news": 1, "other": 0},
        "other": {"personal": 0, "help": 1, "news": 0, "other": 0},
    }
    assert figures["kind"]["personal"]["f1"] == 0.8571  # tp 3, fp 1, fn 0
    assert figures["kind"]["news"]["f1"] == 1.0
    assert figures["kind"]["help"]["f1"] == figures["kind"]["other"]["f1"] == 0.0
    assert figures["kind_macro_f1"] == round((6 / 7 + 1.0) / 4, 4)
    # topics: huur tp 2 fp 1, schulden tp 1, energie fn 1 -> micro 6/8
    assert figures["topics"]["huur"] == {"precision": 0.6667, "recall": 1.0, "f1": 0.8,
                                         "support": 2}  # fmt: skip
    assert figures["topics_micro_f1"] == 0.75
    assert figures["topics_macro_f1"] == round((0.8 + 1.0) / len(TOPICS), 4)
    assert figures["severity_exact_on_true_positives"] == 0.5
    assert figures["calibration"]["brier"] == round(0.95 / 6, 4)
    assert figures["region"] == {"labelled_places": 2, "found_share": 0.5,
                                 "correct_share": 0.5, "spurious_share": 0.25}  # fmt: skip
    assert "region" not in evaluate_split(rows, predictions)
    assert evaluate_split([], []) == {"texts": 0}


def _report(figures: dict) -> dict:
    return {
        "model": "spacy-20260101-120000",
        "backend": "spacy",
        "corpus_sha256": "0123456789abcdef" * 4,
        "splits": {"test": figures, "heldout": {"texts": 0}},
        "targets_met": meets_targets(figures),
    }


def test_nlp_evaluation_render_text_sections_and_targets(crafted_split):
    rows, predictions = crafted_split
    text = render_text(_report(evaluate_split(rows, predictions, shipped_gazetteer())))
    assert text.startswith("model spacy-20260101-120000 (spacy), corpus 0123456789ab\n")
    for heading in (
        "== test: 6 texts",
        "money_trouble  P 0.667  R 0.667  F1 0.667  (support 3)",
        "kind macro-F1 0.464",
        "kind confusion (rows gold, columns predicted): personal help news other",
        "topics micro-F1 0.750, macro-F1 0.164",
        "severity exact on true positives 0.500",
        "region: 2 labelled places, found 0.500, correct 0.500, spurious 0.250",
        "score calibration: ECE",
        "targets on the test split:",
    ):
        assert heading in text
    assert "money_trouble_f1 >= 0.90: NOT met" in text
    assert "kind_macro_f1 >= 0.85: NOT met" in text
    assert "heldout" not in text  # an empty split is left out
    perfect = [
        _prediction(r.kind, r.money_trouble, float(r.money_trouble), r.topics, r.severity)
        for r in rows
    ]
    passing = render_text(_report(evaluate_split(rows, perfect)))
    assert "NOT met" not in passing
    assert "money_trouble_f1 >= 0.90: met" in passing


def test_nlp_evaluation_write_report_writes_both_files(crafted_split, tmp_path: Path):
    rows, predictions = crafted_split
    report = _report(evaluate_split(rows, predictions, shipped_gazetteer()))
    json_path, text_path = write_report(report, tmp_path / "new" / "folder")
    assert (json_path.name, text_path.name) == ("evaluation.json", "evaluation.txt")
    assert json.loads(json_path.read_text(encoding="utf-8")) == report
    assert text_path.read_text(encoding="utf-8") == render_text(report)


# --- ModelStore ---


class BrokenBackend:
    name = "spacy"

    def save(self, folder: Path) -> None:
        (folder / "half-written.bin").write_bytes(b"\0" * 10)
        raise OSError("disk full")


def test_nlp_modelstore_save_points_current_at_the_new_version(trained_classifier, tmp_path):
    store = ModelStore(tmp_path)
    meta = replace(trained_classifier.meta, version="spacy-20260101-000001")
    folder = store.save(trained_classifier.model, meta)
    assert folder == tmp_path / "spacy" / "spacy-20260101-000001"
    assert (folder / "meta.json").exists() and (folder / "model").is_dir()
    assert (tmp_path / "spacy" / "CURRENT").read_text() == "spacy-20260101-000001\n"
    assert store.current_version("spacy") == "spacy-20260101-000001"
    assert store.versions("spacy") == ["spacy-20260101-000001"]
    saved = json.loads((folder / "meta.json").read_text())
    assert saved["thresholds"] == trained_classifier.meta.thresholds.as_dict()


def test_nlp_modelstore_failed_save_keeps_the_current_model(trained_classifier, tmp_path):
    store = ModelStore(tmp_path)
    first = replace(trained_classifier.meta, version="spacy-20260101-000001")
    store.save(trained_classifier.model, first)
    second = replace(trained_classifier.meta, version="spacy-20260101-000002")
    with pytest.raises(OSError, match="disk full"):
        store.save(BrokenBackend(), second)
    assert store.current_version("spacy") == "spacy-20260101-000001"
    assert store.versions("spacy") == ["spacy-20260101-000001"]
    assert not (tmp_path / "spacy" / "spacy-20260101-000002").exists()
    assert store.load("spacy").version == "spacy-20260101-000001"


@pytest.mark.parametrize("version", ["../x", "a/b", "", "x y", "/etc", "..\\x"])
def test_nlp_modelstore_refuses_invalid_versions(tmp_path, version):
    store = ModelStore(tmp_path)
    with pytest.raises(ClassifierError, match="invalid model version"):
        store.folder("spacy", version)
    if version:  # an empty version means "the current one" to load()
        with pytest.raises(ClassifierError, match="invalid model version"):
            store.load("spacy", version)


@pytest.mark.parametrize("version", [".", ".."])
def test_nlp_modelstore_refuses_dot_versions(tmp_path, version):
    with pytest.raises(ClassifierError):
        ModelStore(tmp_path).folder("spacy", version)


def test_nlp_modelstore_missing_model_names_the_train_command(tmp_path):
    store = ModelStore(tmp_path / "models")
    with pytest.raises(ModelMissing, match="opendeur nlp train --backend spacy"):
        store.load("spacy")
    (tmp_path / "models" / "spacy").mkdir(parents=True)
    (tmp_path / "models" / "spacy" / "CURRENT").write_text("\n")
    with pytest.raises(ModelMissing, match="opendeur nlp train"):
        store.load("spacy")
    assert issubclass(ModelMissing, ClassifierError)
    (tmp_path / "models" / "spacy" / "spacy-gone").mkdir()
    with pytest.raises(ClassifierError, match="unreadable"):
        store.load("spacy", "spacy-gone")


def test_nlp_backend_class_names_the_backends():
    with pytest.raises(ClassifierError) as raised:
        backend_class("nope")
    message = str(raised.value)
    assert "'nope'" in message
    assert all(name in message for name in BACKENDS)
    assert backend_class("spacy").name == "spacy"


def test_nlp_modelstore_loaded_model_scores_like_the_trained_one(trained_classifier, tmp_path):
    store = ModelStore(tmp_path)
    store.save(trained_classifier.model, trained_classifier.meta)
    loaded = store.load("spacy", trained_classifier.version)
    assert loaded.version == trained_classifier.version
    assert loaded.meta.thresholds == trained_classifier.meta.thresholds
    texts = [EVICTION, "kzit krap", "Wij helpen u graag, bel ons gerust.", "Lekker weer vandaag"]
    analyses = trained_classifier.analyser.analyse(texts)
    assert loaded.scores(analyses) == trained_classifier.scores(analyses)
    assert [r.as_dict() for r in loaded.classify(texts)] == [
        r.as_dict() for r in trained_classifier.classify(texts)
    ]


# --- Classifier.classify ---


def test_nlp_classifier_flags_an_eviction(trained_classifier):
    (result,) = trained_classifier.classify([EVICTION])
    assert result.money_trouble is True
    assert result.kind == "personal"
    assert result.severity == 3
    assert result.score >= trained_classifier.meta.thresholds.trouble
    trouble = {e.text for e in result.evidence if e.reason == "trouble term"}
    assert "deurwaarder" in trouble
    assert all(EVICTION[e.start : e.end] == e.text for e in result.evidence)


def test_nlp_classifier_region_hints(trained_classifier):
    text = "Ik heb de huur niet betaald"
    utrecht, drenthe, none = trained_classifier.classify([text] * 3, ["Utrecht", "Drenthe", None])
    assert utrecht.region.municipality.code == "GM0344"
    assert drenthe.region == Region("Drenthe")
    assert none.region is None
    assert trained_classifier.classify([text], ["Nergensdorp"])[0].region is None
    (named,) = trained_classifier.classify(["Ik woon in Zwolle en kan de huur niet betalen"],
                                           ["Utrecht"])  # fmt: skip
    assert named.region.municipality.name == "Zwolle"


def test_nlp_classifier_province_hint_zeeland(trained_classifier):
    (result,) = trained_classifier.classify(["Ik heb de huur niet betaald"], ["Zeeland"])
    assert result.region is not None
    assert result.region.province == "Zeeland"


CANDIDATES_WITHOUT_TERMS = [
    "Ik weet echt niet hoe ik deze maand rond moet komen, alles is op.",
    "Het gaat niet zo goed met mij, alles is op en de koelkast is leeg.",
    "Ik lig er wakker van, het is zwaar deze maand.",
    "Alles is op en de koelkast is leeg.",
]


class LemmaModel:
    """A stand-in backend: money trouble when the text has the lemma "rond" (or "op")."""

    def predict(self, analyses):
        results = []
        for analysis in analyses:
            lemmas = {w.lemma for w in analysis.words}
            trouble = 0.1 + 0.6 * ("rond" in lemmas) + 0.2 * ("op" in lemmas)
            results.append(label_scores(trouble))
        return results


def test_nlp_classifier_explains_a_positive_without_terms_by_its_words(trained_classifier):
    def explained(classifier):
        results = classifier.classify(CANDIDATES_WITHOUT_TERMS)
        return [
            (text, [e for e in result.evidence if e.reason == "model"])
            for text, result in zip(CANDIDATES_WITHOUT_TERMS, results, strict=True)
            if result.money_trouble and not any(e.reason == "trouble term" for e in result.evidence)
        ]

    chosen = [(text, spans) for text, spans in explained(trained_classifier) if spans]
    if not chosen:  # the briefly trained model explained none of them: use a stand-in that does
        stand_in = Classifier(LemmaModel(), trained_classifier.meta, trained_classifier.analyser)
        chosen = [(text, spans) for text, spans in explained(stand_in) if spans]
    assert chosen
    for text, spans in chosen:
        assert len(spans) <= OCCLUSION_SPANS
        assert len({(e.start, e.end) for e in spans}) == len(spans)
        for e in spans:
            assert text[e.start : e.end] == e.text
            assert e.text.strip() == e.text != ""


def test_nlp_classifier_occlusion_ranks_the_words_that_matter(trained_classifier):
    classifier = Classifier(LemmaModel(), trained_classifier.meta, trained_classifier.analyser)
    text = CANDIDATES_WITHOUT_TERMS[0]
    (result,) = classifier.classify([text])
    assert result.money_trouble is True
    model = [e for e in result.evidence if e.reason == "model"]
    assert [e.text for e in model] == ["rond", "op"]
    assert [text[e.start : e.end] for e in model] == ["rond", "op"]
    # a lexicon trouble term explains the decision itself: no occlusion
    (termed,) = classifier.classify(["De deurwaarder komt, ik kom niet rond"])
    assert "model" not in {e.reason for e in termed.evidence}
    # too many words to try one by one: the lexicon evidence only
    long_text = "Ik kom niet rond. " + "Het regent vandaag weer. " * OCCLUSION_MAX_WORDS
    (long,) = classifier.classify([long_text])
    assert long.money_trouble is True
    assert "model" not in {e.reason for e in long.evidence}
    # a negative decision is not explained by the model
    (negative,) = classifier.classify(["Het regent vandaag weer."])
    assert negative.money_trouble is False
    assert "model" not in {e.reason for e in negative.evidence}


def test_nlp_textprep_chat_me_before_a_noun_is_mijn():
    [rent, shame] = TextAnalyser().analyse(
        ["kan me huur nie betalen, help me", "ik schaam me echt, me rekening is leeg"]
    )
    assert [w.lower for w in rent.words] == ["kan", "mijn", "huur", "niet", "betalen", "help", "me"]
    assert [w.lower for w in shame.words][2] == "me"  # "schaam me": a reflexive, kept
    assert [w.lower for w in shame.words][4] == "mijn"
    assert shame.text[shame.words[4].start : shame.words[4].end] == "me"  # span of the original


def test_nlp_parallel_classifier_matches_one_process(trained_classifier):
    from nlp.parallel import MIN_PARALLEL_TEXTS, ParallelClassifier

    texts = [
        f"Ik kan de huur van maand {n} niet betalen, de deurwaarder belt weer."
        if n % 3 == 0
        else f"Wij boeken voor zomer {n} een camping in Zeeland, iemand tips?"
        for n in range(MIN_PARALLEL_TEXTS + 7)
    ]
    hints = ["Utrecht" if n % 2 else None for n in range(len(texts))]
    with ParallelClassifier(trained_classifier, processes=2) as parallel:
        assert parallel.version == trained_classifier.version
        spread = parallel.classify(texts, hints)
        small = parallel.classify(texts[:3])  # below the threshold: no workers needed
    assert spread == trained_classifier.classify(texts, hints)
    assert small == trained_classifier.classify(texts[:3])


def test_nlp_spacy_money_score_is_personal_times_the_mean_of_both_trouble_models(
    trained_classifier,
):
    from nlp.backends.spacy_textcat import SpacyTextcatBackend

    model = trained_classifier.model
    analyses = trained_classifier.analyser.analyse([EVICTION, "kzit krap", "Lekker weer vandaag"])
    only_personal = SpacyTextcatBackend(model.kind, model.topics, model.trouble)
    only_any = SpacyTextcatBackend(model.kind, model.topics, model.trouble_any)
    for both, first, second in zip(
        model.predict(analyses), only_personal.predict(analyses), only_any.predict(analyses),
        strict=True,
    ):  # fmt: skip
        assert both.trouble == pytest.approx((first.trouble + second.trouble) / 2)
    words = ["huurachterstand", "vakantie"]
    assert model.word_weights(words) == pytest.approx(
        [
            (a + b) / 2
            for a, b in zip(
                only_personal.word_weights(words), only_any.word_weights(words), strict=True
            )
        ]  # fmt: skip
    )


def test_nlp_spacy_model_saved_before_the_second_trouble_model_still_loads(
    trained_classifier, tmp_path
):
    """Models saved by an earlier opendeur have no trouble_any; they score as they did."""
    from nlp.backends.spacy_textcat import SpacyTextcatBackend

    model = trained_classifier.model
    older = SpacyTextcatBackend(model.kind, model.topics, model.trouble)
    older.save(tmp_path)
    assert not (tmp_path / "trouble_any").exists()
    loaded = SpacyTextcatBackend.load(tmp_path)
    assert loaded.trouble_any is None
    analyses = trained_classifier.analyser.analyse([EVICTION, "kzit krap"])
    assert loaded.predict(analyses) == older.predict(analyses)
    shutil.rmtree(tmp_path / "trouble")
    with pytest.raises(ClassifierError, match="missing trouble"):
        SpacyTextcatBackend.load(tmp_path)
