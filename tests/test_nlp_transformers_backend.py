"""The transformers backend, end to end, on a tiny BERT made here (nothing is downloaded).

The "operator's checkpoint" is a two-layer BERT with a WordPiece vocabulary trained on a few
hundred corpus texts: too small to classify well, but it exercises the real loading, training,
saving and reloading code in seconds on a CPU.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

# `make test` installs the transformers extra: these tests run everywhere CI runs.
from nlp.classifier import Classifier, ClassifierError, ModelStore, TrainOptions
from nlp.corpus import LabelledText, load_corpus, split
from nlp.taxonomy import KINDS, SEVERITIES, TOPICS

pytestmark = pytest.mark.slow

BACKEND = "transformers"
SAMPLE_TEXTS = [
    "Ik kan mijn huur deze maand niet betalen en de deurwaarder staat voor de deur.",
    "Tips voor een goedkope vakantie met het hele gezin in de zomer.",
    "Gemeente Utrecht opent een nieuw loket voor schuldhulpverlening.",
    "",
]


def _subset(rows: list[LabelledText], name: str, count: int) -> list[LabelledText]:
    # Every n-th row rather than the first ones, so the subset mixes the corpus's files.
    chosen = split(rows, name)
    return chosen[:: max(1, len(chosen) // count)][:count]


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread() -> Iterator[None]:
    # The model is tiny, so a second thread gains nothing; but on a 2-core machine where
    # anything else is running, torch's spinning threads made training 3-4 times slower.
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def corpus() -> list[LabelledText]:
    rows = load_corpus()
    return _subset(rows, "train", 120) + _subset(rows, "dev", 40) + _subset(rows, "test", 40)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny base model saved the way an operator's Hugging Face checkpoint would be."""
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    wordpiece = BertWordPieceTokenizer(lowercase=True, strip_accents=True)
    wordpiece.train_from_iterator(
        [row.text for row in split(load_corpus(), "train")[:400]],
        vocab_size=2000,
        min_frequency=2,
        show_progress=False,
    )
    tokenizer = BertTokenizerFast(vocab=wordpiece.get_vocab(), model_max_length=128)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        pad_token_id=tokenizer.pad_token_id,
    )
    folder = tmp_path_factory.mktemp("checkpoint") / "tiny-bert"
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def trained(
    tmp_path_factory: pytest.TempPathFactory, checkpoint: Path, corpus: list[LabelledText]
) -> tuple[Classifier, dict, ModelStore, list[str]]:
    from nlp.training import train_model

    store = ModelStore(tmp_path_factory.mktemp("models"))
    lines: list[str] = []
    classifier, report = train_model(
        BACKEND,
        store,
        TrainOptions(base_model=checkpoint, epochs=1, max_length=64, device="cpu"),
        corpus=corpus,
        progress=lines.append,
    )
    return classifier, report, store, lines


def test_nlp_transformers_train_model_saves_a_current_version_with_figures(trained) -> None:
    classifier, report, store, lines = trained
    assert classifier.meta.backend == BACKEND
    assert store.current_version(BACKEND) == classifier.version
    folder = store.folder(BACKEND, classifier.version)
    assert (folder / "meta.json").is_file()
    assert (folder / "model" / "config.json").is_file()
    assert report["splits"]["dev"]["texts"] == 40
    assert report["splits"]["test"]["texts"] == 40
    assert set(classifier.meta.figures) == {"dev", "test"}
    assert "targets_met" in report
    assert any("epoch 1/1" in line and "loss" in line and "dev loss" in line for line in lines)


def test_nlp_transformers_saved_model_scores_like_the_trained_one(trained) -> None:
    classifier, _, store, _ = trained
    loaded = store.load(BACKEND, device="cpu")
    assert loaded.version == classifier.version
    assert loaded.model.model.config.id2label[15] == "money_trouble"
    analyses = classifier.analyser.analyse(SAMPLE_TEXTS)
    for before, after in zip(classifier.scores(analyses), loaded.scores(analyses), strict=True):
        assert set(after.kind) == set(KINDS)
        assert set(after.topics) == set(TOPICS)
        assert sum(after.kind.values()) == pytest.approx(1.0, abs=1e-6)
        assert after.trouble == pytest.approx(before.trouble, abs=1e-5)
        for label in KINDS:
            assert after.kind[label] == pytest.approx(before.kind[label], abs=1e-5)
        for label in TOPICS:
            assert after.topics[label] == pytest.approx(before.topics[label], abs=1e-5)
    for result in loaded.classify(SAMPLE_TEXTS):
        assert result.kind in KINDS
        assert set(result.topics) <= set(TOPICS)
        assert 0.0 <= result.score <= 1.0
        assert result.severity in SEVERITIES
    assert loaded.model.predict([]) == []


@pytest.mark.parametrize("case", ["none", "missing", "empty", "config only", "no tokenizer"])
def test_nlp_transformers_unusable_base_model_is_a_clear_error(
    case: str, tmp_path: Path, checkpoint: Path, corpus: list[LabelledText]
) -> None:
    from nlp.training import train_model

    folder: Path | None = tmp_path / "base"
    if case == "none":
        folder = None
    elif case == "empty":
        folder.mkdir()
    elif case == "config only":
        folder.mkdir()
        (folder / "config.json").write_bytes((checkpoint / "config.json").read_bytes())
    elif case == "no tokenizer":
        folder.mkdir()
        for name in ("config.json", "model.safetensors"):
            (folder / name).write_bytes((checkpoint / name).read_bytes())
    store = ModelStore(tmp_path / "models")
    with pytest.raises(ClassifierError) as raised:
        train_model(BACKEND, store, TrainOptions(base_model=folder, epochs=1), corpus=corpus)
    message = str(raised.value)
    assert "\n" not in message
    assert "config.json" in message and "tokenizer" in message and "weights" in message
    if folder is not None:
        assert str(folder) in message
    assert store.current_version(BACKEND) is None
    assert not (tmp_path / "models" / BACKEND / "CURRENT").exists()


def test_nlp_transformers_cuda_without_a_gpu_is_a_clear_error(
    tmp_path: Path, checkpoint: Path, corpus: list[LabelledText], monkeypatch
) -> None:
    import torch

    from nlp.training import train_model

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # also on a GPU machine
    store = ModelStore(tmp_path / "models")
    options = TrainOptions(base_model=checkpoint, epochs=1, device="cuda")
    with pytest.raises(ClassifierError, match="cuda"):
        train_model(BACKEND, store, options, corpus=corpus)
    assert store.current_version(BACKEND) is None
