"""The default backend: two spaCy bag-of-words text classifiers (``textcat_multilabel``).

- ``kind_topics`` reads every text and scores the four kinds and eleven topics;
- ``trouble`` reads only texts by private people (``kind = personal``) and scores whether the
  writer is in money trouble.

The money-trouble score is P(personal) x P(trouble | personal). Splitting the question this
way keeps help pages and news about arrears, which use the same words as tenants in trouble,
from teaching the trouble model that those words alone mean trouble: on the dev split it
raised money-trouble F1 by about 0.07 over one model for all labels. Both read
``Analysis.model_tokens`` (lemmas, one token per lexicon match, a few writing cues), handed to
spaCy as ready-made documents: the text is tokenised once, by ``nlp.textprep``. A linear model
on hashed unigrams and bigrams is fast (thousands of posts per second on one core) and small.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from nlp.classifier import Progress, TrainOptions
from nlp.corpus import LabelledText
from nlp.taxonomy import KINDS, TOPICS, LabelScores
from nlp.textprep import Analysis

DEFAULT_EPOCHS = 10  # 20 scored the same on dev and takes twice as long
BATCH_SIZE = 16
DROPOUT = 0.2
HASH_LENGTH = 2**18
MAX_REMEMBERED_WORDS = 200_000
NEUTRAL_WORD = "\u2400"  # SYMBOL FOR NULL: in no Dutch post, so only the bias scores it


def _blank(labels: Sequence[str]):
    import spacy

    nlp = spacy.blank("nl")
    model = {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": False,
        "ngram_size": 2,
        "no_output_layer": False,
        "length": HASH_LENGTH,
    }
    textcat = nlp.add_pipe("textcat_multilabel", config={"threshold": 0.5, "model": model})
    for label in labels:
        textcat.add_label(label)
    return nlp


def _scores(nlp, analyses: Sequence[Analysis]) -> dict[str, list[float]]:
    """Label -> probabilities, straight from the model: no doc.cats dictionaries."""
    textcat = nlp.get_pipe("textcat_multilabel")
    return _scores_of_docs(textcat, _docs(nlp, analyses))


def _scores_of_docs(textcat, docs: list) -> dict[str, list[float]]:
    scores = textcat.model.ops.to_numpy(textcat.predict(docs))
    return {label: scores[:, index].tolist() for index, label in enumerate(textcat.labels)}


def _docs(nlp, analyses: Sequence[Analysis]) -> list:
    return _token_docs(nlp, [analysis.model_tokens for analysis in analyses])


def _token_docs(nlp, token_lists: Sequence[list[str]]) -> list:
    from spacy.tokens import Doc

    return [Doc(nlp.vocab, words=tokens) for tokens in token_lists]


def _fit(nlp, analyses: list[Analysis], cats: list[dict[str, float]], epochs: int, seed: int,
         name: str, progress: Progress):  # fmt: skip
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    examples = [
        Example.from_dict(doc, {"cats": c})
        for doc, c in zip(_docs(nlp, analyses), cats, strict=True)
    ]
    optimizer = nlp.initialize(lambda: examples)
    shuffler = random.Random(seed)
    for epoch in range(1, epochs + 1):
        shuffler.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=BATCH_SIZE):
            nlp.update(batch, sgd=optimizer, drop=DROPOUT, losses=losses)
        progress(f"{name}: epoch {epoch}/{epochs}, loss {losses.get('textcat_multilabel', 0):.3f}")
    return nlp


class SpacyTextcatBackend:
    name: ClassVar[str] = "spacy"

    def __init__(self, kind_topics, trouble):
        self.kind_topics = kind_topics
        self.trouble = trouble
        self._word_weights: dict[str, float] = {}

    @classmethod
    def train(
        cls,
        train: Sequence[tuple[Analysis, LabelledText]],
        dev: Sequence[tuple[Analysis, LabelledText]],
        options: TrainOptions,
        progress: Progress,
    ) -> SpacyTextcatBackend:
        epochs = options.epochs or DEFAULT_EPOCHS
        kind_topics = _fit(
            _blank([*KINDS, *TOPICS]),
            [analysis for analysis, _ in train],
            [
                {**{k: float(row.kind == k) for k in KINDS},
                 **{t: float(t in row.topics) for t in TOPICS}}
                for _, row in train
            ],  # fmt: skip
            epochs, options.seed, "kinds and topics", progress,
        )  # fmt: skip
        personal = [(a, row) for a, row in train if row.kind == "personal"]
        trouble = _fit(
            _blank(["money_trouble"]),
            [a for a, _ in personal],
            [{"money_trouble": float(row.money_trouble)} for _, row in personal],
            epochs, options.seed, "money trouble", progress,
        )  # fmt: skip
        return cls(kind_topics, trouble)

    def predict(self, analyses: Sequence[Analysis]) -> list[LabelScores]:
        if not analyses:
            return []
        labelled = _scores(self.kind_topics, analyses)
        trouble = _scores(self.trouble, analyses)["money_trouble"]
        kinds = {k: labelled[k] for k in KINDS}
        results = []
        for row in range(len(analyses)):
            total = sum(float(kinds[k][row]) for k in KINDS) or 1.0
            kind = {k: float(kinds[k][row]) / total for k in KINDS}
            results.append(
                LabelScores(
                    kind=kind,
                    topics={t: float(labelled[t][row]) for t in TOPICS},
                    trouble=kind["personal"] * float(trouble[row]),
                )
            )
        return results

    def word_weights(self, words: Sequence[str]) -> list[float]:
        """How far each word on its own moves the trouble model above an empty text.

        The model is linear in its features, so this is its own account of a decision,
        at the cost of one tiny document per new word (remembered afterwards).
        """
        textcat = self.trouble.get_pipe("textcat_multilabel")
        missing = sorted({w for w in words if w not in self._word_weights} | {""})
        if len(missing) > 1 or "" not in self._word_weights:
            # an empty document breaks spaCy's n-gram layer: a word never seen stands for it
            docs = _token_docs(self.trouble, [[w or NEUTRAL_WORD] for w in missing])
            scores = _scores_of_docs(textcat, docs)["money_trouble"]
            found = dict(zip(missing, scores, strict=True))
            base = self._word_weights.get("", found[""])
            if len(self._word_weights) > MAX_REMEMBERED_WORDS:
                self._word_weights.clear()
            self._word_weights.update({w: s - base for w, s in found.items() if w})
            self._word_weights[""] = base
        return [self._word_weights[w] if w else 0.0 for w in words]

    def save(self, folder: Path) -> None:
        self.kind_topics.to_disk(folder / "kind_topics")
        self.trouble.to_disk(folder / "trouble")

    @classmethod
    def load(cls, folder: Path, device: str = "auto") -> SpacyTextcatBackend:
        import spacy

        return cls(spacy.load(folder / "kind_topics"), spacy.load(folder / "trouble"))
