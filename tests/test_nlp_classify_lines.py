"""JSON lines in, JSON lines out: classify_lines() and the `opendeur classify` command."""

from __future__ import annotations

import json
from pathlib import Path

import nlp.classify_lines as classify_lines_module
from nlp.classify_lines import classify_lines
from nlp.textprep import MAX_CLASSIFIED_CHARS

OUTPUT_KEYS = {
    "id", "money_trouble", "score", "kind", "topics", "severity", "region", "evidence",
    "model", "truncated",
}  # fmt: skip
EVICTION = "Ik heb mijn huur niet betaald en nu komt de deurwaarder. We moeten eruit."
TIGHT = "kzit krap deze maand, ff kijken of het nie lukt"
HELP = "Heeft u moeite met het betalen van de huur? Neem contact op met onze huurconsulent."


def line(record: object) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"


def run(classifier, lines: list[bytes], **options) -> list:
    return list(classify_lines(classifier, lines, **options))


def test_nlp_classify_lines_outputs_the_stable_shape(trained_classifier):
    outcomes = run(
        trained_classifier,
        [
            line({"id": 1, "text": EVICTION}),
            line({"id": "post-7", "text": TIGHT, "region": "Utrecht"}),
            line({"text": HELP}),
        ],
    )
    assert [o.failed for o in outcomes] == [False, False, False]
    assert all(set(o.output) == OUTPUT_KEYS for o in outcomes)
    assert [o.output["id"] for o in outcomes] == [1, "post-7", None]
    eviction, tight, help_text = (o.output for o in outcomes)
    assert eviction["money_trouble"] is True and eviction["severity"] == 3
    assert eviction["model"] == trained_classifier.version
    assert eviction["truncated"] is False
    assert tight["region"] == {"code": "GM0344", "name": "Utrecht", "province": "Utrecht"}
    assert help_text["region"] is None
    for output, text in zip((eviction, tight, help_text), (EVICTION, TIGHT, HELP), strict=True):
        assert isinstance(output["score"], float) and 0.0 <= output["score"] <= 1.0
        assert output == json.loads(json.dumps(output))  # plain JSON values only
        for e in output["evidence"]:
            assert set(e) == {"start", "end", "text", "reason"}
            assert text[e["start"] : e["end"]] == e["text"]
    # the same decision as classify() itself
    direct = trained_classifier.classify([EVICTION])[0].as_dict()
    assert {k: eviction[k] for k in direct} == direct


def test_nlp_classify_lines_reports_bad_lines_and_goes_on(trained_classifier, monkeypatch):
    monkeypatch.setattr(classify_lines_module, "MAX_LINE_BYTES", 200)
    english = "I cannot pay my rent this month and the landlord keeps calling me every day."
    lines = [
        b"not json at all\n",  # 1
        b"\n",  # 2: blank, skipped but counted
        b"[1, 2, 3]\n",  # 3
        line({"id": 4}),  # 4
        line({"id": 5, "text": 42}),  # 5
        b"   \t\n",  # 6: blank
        line({"id": 7, "text": ""}),  # 7
        line({"id": 8, "text": "  \n "}),  # 8
        line({"id": 9, "text": TIGHT, "region": 3}),  # 9
        b'{"id": 10, "text": "caf\xe9 en huur"}\n',  # 10: Latin-1, not UTF-8
        line({"id": 11, "text": "huur " * 60}),  # 11: over 200 bytes
        line({"id": 12, "text": english}),  # 12
        line({"id": 13, "text": EVICTION}),  # 13: fine
    ]
    outcomes = run(trained_classifier, lines)
    assert len(outcomes) == 11
    failed = [o.output for o in outcomes if o.failed]
    assert [o.failed for o in outcomes] == [True] * 10 + [False]
    expected = [
        (1, None, "not valid JSON"),
        (3, None, "expected a JSON object"),
        (4, 4, 'missing "text"'),
        (5, 5, 'missing "text"'),
        (7, 7, "empty text"),
        (8, 8, "empty text"),
        (9, 9, '"region" must be a place or province name'),
        (10, None, "not UTF-8 (byte 23)"),
        (11, None, "line too long"),
        (12, 12, "not Dutch (looks like en)"),
    ]
    for output, (number, ident, message) in zip(failed, expected, strict=True):
        assert set(output) == {"id", "line", "error"}
        assert (output["line"], output["id"]) == (number, ident)
        assert message in output["error"]
    too_long = len(lines[10].rstrip(b"\n"))
    assert failed[8]["error"] == f"line too long ({too_long} bytes; at most 200)"
    good = outcomes[-1].output
    assert good["id"] == 13 and good["money_trouble"] is True


def test_nlp_classify_lines_keeps_the_order_across_batches(trained_classifier):
    texts = {1: EVICTION, 3: HELP, 4: TIGHT, 6: "Lekker weer vandaag, we gaan naar het strand."}
    lines = [
        line({"id": 1, "text": texts[1]}),
        b"{broken\n",
        line({"id": 3, "text": texts[3]}),
        line({"id": 4, "text": texts[4]}),
        line({"id": 5}),
        line({"id": 6, "text": texts[6]}),
        line({"id": 7, "text": ""}),
    ]
    outcomes = run(trained_classifier, lines, batch_lines=2)
    assert [o.output["id"] for o in outcomes] == [1, None, 3, 4, 5, 6, 7]
    assert [o.failed for o in outcomes] == [False, True, False, False, True, False, True]
    assert outcomes[1].output["line"] == 2
    expected = trained_classifier.classify(list(texts.values()))
    got = [o.output for o in outcomes if not o.failed]
    for output, result in zip(got, expected, strict=True):
        assert output["score"] == result.as_dict()["score"]
        assert output["evidence"] == result.as_dict()["evidence"]
    unbatched = run(trained_classifier, lines)
    assert [o.output for o in unbatched] == [o.output for o in outcomes]


def test_nlp_classify_lines_accepts_a_bom_and_windows_line_endings(trained_classifier):
    lines = [
        b"\xef\xbb\xbf" + line({"id": 1, "text": EVICTION}).rstrip(b"\n") + b"\r\n",
        b"\r\n",
        line({"id": 3, "text": TIGHT}).rstrip(b"\n") + b"\r\n",
    ]
    outcomes = run(trained_classifier, lines)
    assert [(o.failed, o.output["id"]) for o in outcomes] == [(False, 1), (False, 3)]
    plain = run(trained_classifier, [line({"id": 1, "text": EVICTION})])
    assert outcomes[0].output == plain[0].output


def test_nlp_classify_lines_clips_a_huge_text(trained_classifier):
    sentence = "Ik kan de huur niet betalen en de deurwaarder staat voor de deur. "
    text = sentence * (200_000 // len(sentence) + 1)
    raw = line({"id": "big", "text": text})
    assert len(text) >= 200_000
    assert len(raw) < classify_lines_module.MAX_LINE_BYTES
    (outcome,) = run(trained_classifier, [raw])
    assert not outcome.failed
    output = outcome.output
    assert output["truncated"] is True
    assert output["money_trouble"] is True and output["severity"] == 3
    assert output["evidence"]
    assert all(e["end"] <= MAX_CLASSIFIED_CHARS for e in output["evidence"])
    assert all(text[e["start"] : e["end"]] == e["text"] for e in output["evidence"])


def test_nlp_classify_lines_truncated_means_clipped(trained_classifier):
    text = "Ik kan de huur niet betalen." + " " * MAX_CLASSIFIED_CHARS + "Wat nu?"
    (analysis,) = trained_classifier.analyser.analyse([text])
    assert analysis.truncated is False  # the whole text is classified
    (outcome,) = run(trained_classifier, [line({"text": text})])
    assert outcome.output["truncated"] is False


# --- opendeur classify ---


def output_lines(text: str) -> list[dict]:
    return [json.loads(row) for row in text.splitlines() if row.strip()]


def test_nlp_classify_command_reads_a_pipe(run_cli, classifier_config):
    source = "".join(
        line(r).decode() for r in ({"id": 1, "text": EVICTION}, {"id": 2, "text": HELP})
    )
    result = run_cli("--config", str(classifier_config), "classify", "-", input=source)
    assert result.exit_code == 0, result.stderr
    rows = output_lines(result.stdout)
    assert [r["id"] for r in rows] == [1, 2]
    assert all(set(r) == OUTPUT_KEYS for r in rows)
    assert rows[0]["money_trouble"] is True
    assert "could not be classified" not in result.stderr


def test_nlp_classify_command_file_to_file(run_cli, classifier_config, tmp_path: Path):
    source = tmp_path / "posts.jsonl"
    source.write_bytes(
        line({"id": "a", "text": EVICTION}) + b"\n" + line({"id": "b", "text": TIGHT})
    )
    out = tmp_path / "out.jsonl"
    result = run_cli("--config", str(classifier_config), "classify", str(source), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    rows = output_lines(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == ["a", "b"]
    assert all(set(r) == OUTPUT_KEYS for r in rows)


def test_nlp_classify_command_fails_when_a_line_fails(run_cli, classifier_config):
    source = (
        line({"id": 1, "text": EVICTION}).decode()
        + "{not json\n"
        + line({"id": 3, "text": ""}).decode()
        + line({"id": 4, "text": TIGHT}).decode()
    )
    result = run_cli("--config", str(classifier_config), "classify", "-", input=source)
    assert result.exit_code == 1
    rows = output_lines(result.stdout)
    assert [r["id"] for r in rows] == [1, None, 3, 4]
    assert rows[1]["line"] == 2 and "error" in rows[1]
    assert "line 2: not valid JSON" in result.stderr
    assert "line 3: empty text" in result.stderr
    assert "2 of 4 lines could not be classified" in result.stderr


def test_nlp_classify_command_without_a_model_names_the_train_command(
    run_cli, write_config, tmp_path: Path
):
    empty = tmp_path / "no-models"
    empty.mkdir()
    config = write_config(
        f'[store]\npath = "{tmp_path / "test.db"}"\n[classifier]\nmodels_dir = "{empty}"\n'
    )
    result = run_cli("--config", str(config), "classify", "-", input=line({"text": TIGHT}).decode())
    assert result.exit_code == 1
    assert "opendeur nlp train" in result.stderr
    assert result.stdout == ""
