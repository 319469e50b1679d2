"""`opendeur nlp train` and `nlp eval`: figures printed and written, targets checked."""

from __future__ import annotations

import json

import pytest


def test_nlp_eval_writes_the_figures_and_fails_on_missed_targets(
    run_cli, classifier_config, trained_classifier, tmp_path
):
    out = tmp_path / "figures"
    result = run_cli("--config", str(classifier_config), "nlp", "eval", "--out", str(out))
    report = json.loads((out / "evaluation.json").read_text())
    text = (out / "evaluation.txt").read_text()
    assert report["model"] == trained_classifier.version
    assert set(report["splits"]) == {"dev", "test", "heldout"}
    test = report["splits"]["test"]
    assert test["texts"] > 300 and set(test["kind_confusion"]) == {
        "personal",
        "help",
        "news",
        "other",
    }
    assert 0 <= test["calibration"]["ece"] <= 1
    for heading in ("== test:", "== heldout:", "kind confusion", "score calibration"):
        assert heading in text and heading in result.stdout
    missed = [name for name, ok in report["targets_met"].items() if not ok]
    assert result.exit_code == (1 if missed else 0)
    if missed:
        assert "targets missed on the test split" in result.stderr


def test_nlp_eval_unknown_version_is_explained(run_cli, classifier_config):
    result = run_cli("--config", str(classifier_config), "nlp", "eval", "--model", "spacy-1")
    assert result.exit_code == 1
    assert "spacy-1" in result.stderr and "unreadable" in result.stderr


@pytest.mark.slow
def test_nlp_train_makes_a_new_current_model(run_cli, write_config, tmp_path):
    config = write_config(f'[classifier]\nmodels_dir = "{tmp_path / "models"}"\n')
    result = run_cli(
        "--config", str(config), "nlp", "train", "--epochs", "1", "--threshold-folds", "2", "--json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    version = (tmp_path / "models" / "spacy" / "CURRENT").read_text().strip()
    assert report["model"] == version
    assert (tmp_path / "models" / "spacy" / version / "evaluation.txt").exists()
    assert "epoch 1/1" in result.stderr  # progress goes to standard error
    assert "threshold fold 2/2" in result.stderr and "out_of_fold" in report["splits"]


def test_nlp_train_transformers_without_base_model_is_explained(run_cli, write_config, tmp_path):
    config = write_config(f'[classifier]\nmodels_dir = "{tmp_path / "models"}"\n')
    result = run_cli("--config", str(config), "nlp", "train", "--backend", "transformers")
    assert result.exit_code == 1
    assert "base" in result.stderr.lower()
    assert not (tmp_path / "models" / "transformers" / "CURRENT").exists()


@pytest.mark.slow
def test_nlp_cross_validate_keeps_supplements_in_training_and_test_untouched(monkeypatch):
    from nlp import training
    from nlp.classifier import TrainOptions
    from nlp.corpus import is_supplement, load_corpus

    rows = load_corpus()
    train = [r for r in rows if r.split == "train" and not is_supplement(r)][:120]
    extra = [r for r in rows if is_supplement(r)][:40]
    dev = [r for r in rows if r.split == "dev"][:60]
    test = [r for r in rows if r.split == "test"]
    evaluated: list[list[str]] = []
    real = training.evaluate_split

    def spy(held, predictions, gazetteer=None):
        evaluated.append([r.id for r in held])
        return real(held, predictions, gazetteer)

    monkeypatch.setattr(training, "evaluate_split", spy)
    figures = training.cross_validate(
        "spacy", TrainOptions(epochs=1), folds=2, corpus=train + extra + dev + test
    )
    assert figures["folds"] == 2 and len(figures["per_fold"]) == 2
    assert sorted(i for ids in evaluated for i in ids) == sorted(r.id for r in train)
    assert all(0 <= value <= 1 for value in figures["mean"].values())
    # Every text the folds got wrong is listed once, with its gold and predicted labels.
    wrong = figures["disagreements"]
    assert wrong  # one epoch on 160 texts gets some wrong
    assert len({d["id"] for d in wrong}) == len(wrong) and {d["id"] for d in wrong} <= {
        r.id for r in train
    }  # fmt: skip
    by_id = {r.id: r for r in train}
    for line in wrong:
        gold, found = line["gold"], line["predicted"]
        assert gold["kind"] == by_id[line["id"]].kind and line["text"] == by_id[line["id"]].text
        assert (gold["money_trouble"], gold["kind"], set(gold["topics"])) != (
            found["money_trouble"], found["kind"], set(found["topics"]),
        )  # fmt: skip


def test_nlp_crossval_command_is_documented_and_checks_folds(run_cli, config_path):
    result = run_cli("--config", str(config_path), "nlp", "crossval", "--folds", "1")
    assert result.exit_code == 2 and "--folds" in result.stderr


def test_nlp_crossval_command_writes_disagreements(run_cli, config_path, tmp_path, monkeypatch):
    from nlp import training

    line = {"id": "p0001", "fold": 1, "text": "Tekst met ‘quotes’", "gold": {}, "predicted": {}}
    figures = {"backend": "spacy", "folds": 2, "mean": {"money_trouble_f1": 0.5},
               "per_fold": [{"money_trouble_f1": 0.4}, {"money_trouble_f1": 0.6}],
               "disagreements": [line]}  # fmt: skip
    monkeypatch.setattr(training, "cross_validate", lambda *args, **kwargs: dict(figures))
    out = tmp_path / "wrong.jsonl"
    result = run_cli("--config", str(config_path), "nlp", "crossval", "--disagreements", str(out))
    assert result.exit_code == 0
    assert result.stdout == "money_trouble_f1         0.500  (folds 0.400-0.600)\n"
    assert [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()] == [line]
    assert "1 out-of-fold disagreements written" in result.stderr


@pytest.mark.slow
def test_nlp_train_tunes_thresholds_out_of_fold_then_learns_from_train_and_dev(
    monkeypatch, tmp_path
):
    from nlp import training
    from nlp.backends.spacy_textcat import SpacyTextcatBackend
    from nlp.classifier import ModelStore, TrainOptions
    from nlp.corpus import is_supplement, load_corpus

    rows = load_corpus()
    train = [r for r in rows if r.split == "train" and not is_supplement(r)][:90]
    extra = [r for r in rows if is_supplement(r)][:30]
    dev = [r for r in rows if r.split == "dev"][:45]
    test = [r for r in rows if r.split == "test"][:40]
    heldout = [r for r in rows if r.split == "heldout"][:20]
    fits: list[set[str]] = []
    predicted: list[set[str]] = []
    real_train, real_predict = SpacyTextcatBackend.train.__func__, SpacyTextcatBackend.predict

    def spy_train(cls, pairs, dev_pairs, options, progress):
        fits.append({row.id for _, row in pairs})
        return real_train(cls, pairs, dev_pairs, options, progress)

    def spy_predict(self, analyses):
        predicted.append({a.text for a in analyses})
        return real_predict(self, analyses)

    monkeypatch.setattr(SpacyTextcatBackend, "train", classmethod(spy_train))
    monkeypatch.setattr(SpacyTextcatBackend, "predict", spy_predict)
    store = ModelStore(tmp_path / "models")
    classifier, report = training.train_model(
        "spacy", store, TrainOptions(epochs=1, threshold_folds=3),
        corpus=train + extra + dev + test + heldout,
    )  # fmt: skip
    original = {r.id for r in train + dev}
    evaluation_ids = {r.id for r in test + heldout}
    # the final model on train, dev and the supplements (first: one process), then 3 folds
    assert len(fits) == 4
    assert fits[0] == original | {r.id for r in extra}
    for fit in fits[1:]:
        assert {r.id for r in extra} <= fit and not fit & evaluation_ids
    held_by_fold = [original - fit for fit in fits[1:]]
    assert sorted(i for held in held_by_fold for i in held) == sorted(original)
    # each fold model predicted exactly the texts it did not learn from
    text_of = {r.id: r.text for r in train + dev}
    for held, seen in zip(held_by_fold, predicted[:3], strict=True):
        assert {text_of[i] for i in held} == seen
    assert classifier.meta.trained_on == ["train", "dev"]
    assert list(report["splits"]) == ["out_of_fold", "test", "heldout"]
    assert report["splits"]["out_of_fold"]["texts"] == len(original)
    saved = store.load("spacy")
    assert saved.meta.trained_on == ["train", "dev"]
    assert saved.meta.thresholds.as_dict() == classifier.meta.thresholds.as_dict()
    # evaluating the saved model later leaves out the split it learnt from and keeps the
    # out-of-fold figures measured when it was trained
    later = training.evaluate_classifier(saved, train + dev + test + heldout)["splits"]
    assert list(later) == ["out_of_fold", "test", "heldout"]
    assert later["out_of_fold"] == report["splits"]["out_of_fold"]


def test_nlp_train_refuses_one_threshold_fold(run_cli, write_config, tmp_path):
    config = write_config(f'[classifier]\nmodels_dir = "{tmp_path / "models"}"\n')
    result = run_cli("--config", str(config), "nlp", "train", "--threshold-folds", "1")
    assert result.exit_code == 1
    assert "threshold folds must be 0" in result.stderr
    assert not (tmp_path / "models" / "spacy" / "CURRENT").exists()


@pytest.mark.slow
def test_nlp_train_folds_in_worker_processes_tune_the_same_thresholds(tmp_path):
    from nlp import training
    from nlp.classifier import ModelStore, TrainOptions
    from nlp.corpus import is_supplement, load_corpus

    rows = load_corpus()
    corpus = (
        [r for r in rows if r.split == "train" and not is_supplement(r)][:80]
        + [r for r in rows if r.split == "dev"][:40]
        + [r for r in rows if r.split == "test"][:20]
    )
    found = []
    for processes in (1, 2):
        options = TrainOptions(epochs=1, threshold_folds=2, processes=processes)
        store = ModelStore(tmp_path / str(processes))
        classifier, report = training.train_model("spacy", store, options, corpus=corpus)
        found.append((classifier.meta.thresholds.as_dict(), report["splits"]["out_of_fold"]))
    assert found[0] == found[1]
    assert not training._fold_work  # the workers' inheritance is not kept alive


def test_nlp_train_a_failing_fold_worker_saves_nothing(monkeypatch, tmp_path):
    from nlp import training
    from nlp.backends.spacy_textcat import SpacyTextcatBackend
    from nlp.classifier import ModelStore, TrainOptions
    from nlp.corpus import is_supplement, load_corpus

    rows = load_corpus()
    train = [r for r in rows if r.split == "train" and not is_supplement(r)][:40]
    dev = [r for r in rows if r.split == "dev"][:20]
    real_train = SpacyTextcatBackend.train.__func__

    def failing_fold(cls, pairs, dev_pairs, options, progress):
        if len(pairs) < len(train) + len(dev):  # a fold model, in a worker process
            raise RuntimeError("fold worker out of luck")
        return real_train(cls, pairs, dev_pairs, options, progress)

    monkeypatch.setattr(SpacyTextcatBackend, "train", classmethod(failing_fold))
    store = ModelStore(tmp_path / "models")
    options = TrainOptions(epochs=1, threshold_folds=2, processes=2)
    with pytest.raises(RuntimeError, match="fold worker out of luck"):
        training.train_model("spacy", store, options, corpus=train + dev)
    assert store.current_version("spacy") is None and not training._fold_work
