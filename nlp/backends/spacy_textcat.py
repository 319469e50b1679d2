"""The default backend: four small spaCy bag-of-words text classifiers.

- ``kind`` (``textcat``, one of four) reads every text: personal, help, news or other;
- ``topics`` (``textcat_multilabel``) reads every text and scores the eleven topics;
- ``trouble`` (``textcat_multilabel``) reads only texts by private people (``kind =
  personal``) and scores whether the writer is in money trouble;
- ``trouble_any`` asks the same of every text, help pages and news included.

The money-trouble score is P(personal) x the mean of the two trouble models. Splitting the
question keeps help pages and news about arrears, which use the same words as tenants in
trouble, from teaching the trouble model that those words alone mean trouble; the second
trouble model, which did learn from them, is a second opinion: over ten cross-validation runs
(corpus versions, fold seeds, threshold protocols) it moved money-trouble F1 by -0.001 to
+0.015, +0.006 on average, and higher in nine of the ten. The models read
``Analysis.model_tokens`` (lemmas, one token per lexicon match, a few writing cues), handed to
spaCy as ready-made documents: the text is tokenised once, by ``nlp.textprep``. The topics
model also reads the letter 4-grams of long words, so the parts of Dutch compounds count
("energie|rekening", "huur|achterstand", "vakantie|geld").

Choices were made by four-fold cross-validation on the train split (thresholds tuned on
dev), never on the test split. In that experiment, with its own fold assignment, a separate
one-of-four kind model beat one model for kinds and topics together (money-trouble F1 0.876
against 0.863, kind macro-F1 0.884 against 0.879); letter 4-grams read by every model hurt kind
and money trouble (0.851 and 0.845), read by the topics model alone they raised topics
micro-F1 from 0.808 to 0.837 and changed nothing else; five or twenty epochs instead of ten,
more dropout and oversampling ``other`` did not help. On the corpus of the third annotation
pass, averaging three models per part, word trigrams for the trouble model, and a cue for a
trouble word near "ik"/"mijn" moved money-trouble F1 by -0.006 to +0.007, within the spread of
the folds; spaCy's ensemble classifier (bag of words plus a CNN) lost money-trouble F1 on the
fold it was tried on (0.815 against 0.850) and predicted ten times slower. ``opendeur nlp
crossval`` measures the shipped design on the shipped corpus: 0.875, 0.901 and 0.859; its
money-trouble F1 moves by 0.02 with the fold seed alone, more than averaged weights, weight
decay, a tf-idf logistic regression or a stacker over the part scores moved it (README).
A linear model on hashed unigrams and bigrams is fast (thousands of posts per second on one
core) and small.
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

DEFAULT_EPOCHS = 10  # 5 and 20 scored the same in cross-validation
BATCH_SIZE = 16
DROPOUT = 0.2
HASH_LENGTH = 2**18
COMPOUND_MIN_CHARS = 8
COMPOUND_GRAM = 4
MAX_REMEMBERED_WORDS = 200_000
NEUTRAL_WORD = "\u2400"  # SYMBOL FOR NULL: in no Dutch post, so only the bias scores it
PARTS = ("kind", "topics", "trouble", "trouble_any")
OPTIONAL_PARTS = ("trouble_any",)  # models saved before it existed score without it


def _blank(labels: Sequence[str], exclusive: bool):
    import spacy

    nlp = spacy.blank("nl")
    model = {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": exclusive,
        "ngram_size": 2,
        "no_output_layer": False,
        "length": HASH_LENGTH,
    }
    pipe = "textcat" if exclusive else "textcat_multilabel"
    textcat = nlp.add_pipe(pipe, config={"model": model})
    for label in labels:
        textcat.add_label(label)
    return nlp


def _textcat(nlp):
    return nlp.get_pipe(nlp.pipe_names[0])


def _scores_of_docs(textcat, docs: list) -> dict[str, list[float]]:
    """Label -> probabilities, straight from the model: no doc.cats dictionaries."""
    scores = textcat.model.ops.to_numpy(textcat.predict(docs))
    return {label: scores[:, index].tolist() for index, label in enumerate(textcat.labels)}


def compound_grams(analysis: Analysis) -> list[str]:
    grams = []
    for word in analysis.words:
        lemma = word.lemma
        if len(lemma) >= COMPOUND_MIN_CHARS:
            grams += [
                f"g_{lemma[i : i + COMPOUND_GRAM]}" for i in range(len(lemma) - COMPOUND_GRAM + 1)
            ]
    return grams


def _token_docs(nlp, token_lists: Sequence[list[str]]) -> list:
    from spacy.tokens import Doc

    return [Doc(nlp.vocab, words=tokens) for tokens in token_lists]


def _fit(nlp, token_lists: list[list[str]], cats: list[dict[str, float]], epochs: int,
         seed: int, name: str, progress: Progress):  # fmt: skip
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    examples = [
        Example.from_dict(doc, {"cats": c})
        for doc, c in zip(_token_docs(nlp, token_lists), cats, strict=True)
    ]
    optimizer = nlp.initialize(lambda: examples)
    shuffler = random.Random(seed)
    for epoch in range(1, epochs + 1):
        shuffler.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=BATCH_SIZE):
            nlp.update(batch, sgd=optimizer, drop=DROPOUT, losses=losses)
        loss = sum(losses.values())
        progress(f"{name}: epoch {epoch}/{epochs}, loss {loss:.3f}")
    return nlp


class SpacyTextcatBackend:
    name: ClassVar[str] = "spacy"
    threshold_folds: ClassVar[int] = 4

    def __init__(self, kind, topics, trouble, trouble_any=None):
        self.kind = kind
        self.topics = topics
        self.trouble = trouble
        self.trouble_any = trouble_any
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
        tokens = [analysis.model_tokens for analysis, _ in train]
        kind = _fit(
            _blank(KINDS, exclusive=True), tokens,
            [{k: float(row.kind == k) for k in KINDS} for _, row in train],
            epochs, options.seed, "kind", progress,
        )  # fmt: skip
        topics = _fit(
            _blank(TOPICS, exclusive=False),
            [t + compound_grams(a) for t, (a, _) in zip(tokens, train, strict=True)],
            [{t: float(t in row.topics) for t in TOPICS} for _, row in train],
            epochs, options.seed, "topics", progress,
        )  # fmt: skip
        personal = [(t, row) for t, (_, row) in zip(tokens, train, strict=True)
                    if row.kind == "personal"]  # fmt: skip
        trouble = _fit(
            _blank(["money_trouble"], exclusive=False),
            [t for t, _ in personal],
            [{"money_trouble": float(row.money_trouble)} for _, row in personal],
            epochs, options.seed, "money trouble", progress,
        )  # fmt: skip
        trouble_any = _fit(
            _blank(["money_trouble"], exclusive=False), tokens,
            [{"money_trouble": float(row.money_trouble)} for _, row in train],
            epochs, options.seed, "money trouble, every kind", progress,
        )  # fmt: skip
        return cls(kind, topics, trouble, trouble_any)

    def predict(self, analyses: Sequence[Analysis]) -> list[LabelScores]:
        if not analyses:
            return []
        # One document per text serves the kind and trouble models: the bag-of-words features
        # are hashes of the words, whichever vocabulary made the document.
        tokens = [a.model_tokens for a in analyses]
        docs = _token_docs(self.kind, tokens)
        kinds = _scores_of_docs(_textcat(self.kind), docs)
        trouble = _scores_of_docs(_textcat(self.trouble), docs)["money_trouble"]
        if self.trouble_any is not None:
            second = _scores_of_docs(_textcat(self.trouble_any), docs)["money_trouble"]
            trouble = [(a + b) / 2 for a, b in zip(trouble, second, strict=True)]
        topic_docs = _token_docs(
            self.kind, [t + compound_grams(a) for t, a in zip(tokens, analyses, strict=True)]
        )
        topics = _scores_of_docs(_textcat(self.topics), topic_docs)
        results = []
        for row in range(len(analyses)):
            kind = {k: float(kinds[k][row]) for k in KINDS}
            results.append(
                LabelScores(
                    kind=kind,
                    topics={t: float(topics[t][row]) for t in TOPICS},
                    trouble=kind["personal"] * float(trouble[row]),
                )
            )
        return results

    def word_weights(self, words: Sequence[str]) -> list[float]:
        """How far each word on its own moves the trouble models above an empty text.

        The models are linear in their features, so this is their own account of a decision,
        at the cost of one tiny document per new word (remembered afterwards).
        """
        missing = sorted({w for w in words if w not in self._word_weights} | {""})
        if len(missing) > 1 or "" not in self._word_weights:
            # an empty document breaks spaCy's n-gram layer: a word never seen stands for it
            docs = _token_docs(self.trouble, [[w or NEUTRAL_WORD] for w in missing])
            models = [m for m in (self.trouble, self.trouble_any) if m is not None]
            per_model = [_scores_of_docs(_textcat(m), docs)["money_trouble"] for m in models]
            scores = [sum(column) / len(models) for column in zip(*per_model, strict=True)]
            found = dict(zip(missing, scores, strict=True))
            base = self._word_weights.get("", found[""])
            if len(self._word_weights) > MAX_REMEMBERED_WORDS:
                self._word_weights.clear()
            self._word_weights.update({w: s - base for w, s in found.items() if w})
            self._word_weights[""] = base
        return [self._word_weights[w] if w else 0.0 for w in words]

    def save(self, folder: Path) -> None:
        for part in PARTS:
            if getattr(self, part) is not None:
                getattr(self, part).to_disk(folder / part)

    @classmethod
    def load(cls, folder: Path, device: str = "auto") -> SpacyTextcatBackend:
        import spacy

        from nlp.classifier import ClassifierError

        missing = [p for p in PARTS if p not in OPTIONAL_PARTS and not (folder / p).is_dir()]
        if missing:
            raise ClassifierError(
                f"{folder} is not a spacy model of this opendeur (missing {', '.join(missing)}); "
                "train a new one with `opendeur nlp train`"
            )
        return cls(*(spacy.load(folder / p) if (folder / p).is_dir() else None for p in PARTS))
