"""`opendeur nlp`: Dutch text tools that need no database."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click


@click.group()
def nlp() -> None:
    """Dutch text tools: the money-trouble classifier and the personal-data scrubber.

    `opendeur classify` applies the classifier to JSON lines; `nlp classify-new` to the store.
    """


@nlp.command()
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print what was found as JSON lines.")
def scrub(text: str | None, as_json: bool) -> None:
    """Replace personal data in TEXT (or in each line of standard input) by placeholders.

    Names, e-mail addresses, phone numbers, IBANs, BSNs, addresses, postcodes, mentions and
    links to profiles or posts become [NAAM], [EMAIL], [TELEFOON] and so on.
    """
    from nlp.scrub import scrub_personal_data

    lines = [text] if text is not None else (line.rstrip("\n") for line in sys.stdin)
    for line in lines:
        scrubbed = scrub_personal_data(line)
        if as_json:
            found = [{"kind": f.kind, "start": f.start, "end": f.end} for f in scrubbed.found]
            click.echo(json.dumps({"text": scrubbed.text, "found": found}, ensure_ascii=False))
        else:
            click.echo(scrubbed.text)


@nlp.command("scrub-eval")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--show-misses", is_flag=True, help="List missed entities and altered clean texts.")
def scrub_eval(as_json: bool, show_misses: bool) -> None:
    """Measure the scrubber on the labelled sets shipped in data/scrub.

    Prints recall per kind of personal data and the share of clean snippets altered, for the
    whole set and for each half (the rules were tuned on the first half only). Exits with
    status 1 when a target is missed.
    """
    from nlp.scrub_eval import MAX_CLEAN_ALTERED, RECALL_TARGETS, evaluate_shipped_sets

    results = evaluate_shipped_sets()
    if as_json:
        click.echo(json.dumps({
            name: {
                "recall": {kind: round(r.recall(kind), 4) for kind in sorted(r.entities)},
                "entities": dict(sorted(r.entities.items())),
                "clean_altered_share": round(r.clean_altered_share, 4),
                "meets_targets": r.meets_targets(),
            }
            for name, r in results.items()
        }, indent=2))  # fmt: skip
    else:
        for name, result in results.items():
            click.echo(f"{name}:")
            for kind in sorted(result.entities):
                target = RECALL_TARGETS.get(kind)
                goal = f"  (target {target:.2f})" if target else ""
                click.echo(
                    f"  {kind:<9} recall {result.recall(kind):.3f}  "
                    f"{result.found[kind]:>3}/{result.entities[kind]:<3}{goal}"
                )
            click.echo(
                f"  clean snippets altered {result.clean_altered_share:.1%} "
                f"({result.clean_altered}/{result.clean_snippets}, target at most "
                f"{MAX_CLEAN_ALTERED:.0%})"
            )
    whole = results["all"]
    if show_misses:
        for row_id, kind, value in whole.missed:
            click.echo(f"missed  {row_id} {kind}: {value}", err=True)
        for row_id, text in whole.altered:
            click.echo(f"altered {row_id}: {text}", err=True)
    if not whole.meets_targets():
        raise click.ClickException("the scrubber misses a target (see the figures above)")


def _models(obj: Any):
    from nlp.classifier import ModelStore

    return ModelStore(obj.settings.classifier.models_dir)


def _load(obj: Any, backend: str | None, version: str | None):
    from nlp.classifier import ClassifierError

    settings = obj.settings.classifier
    try:
        return _models(obj).load(backend or settings.backend, version, device=settings.device)
    except ClassifierError as error:
        raise click.ClickException(str(error)) from error


backend_option = click.option(
    "--backend",
    type=click.Choice(["spacy", "transformers"]),
    help="Model backend (default: classifier.backend in the configuration).",
)
version_option = click.option("--model", "version", help="Model version (default: the current).")


def training_options(command):
    """--epochs, --seed and --base-model, for the commands that train."""
    for option in reversed([
        click.option("--epochs", type=click.IntRange(1, 1000),
                     help="Training epochs (backend default)."),
        click.option("--seed", type=int, default=0, show_default=True,
                     help="Seeds the training (and the folds of crossval)."),
        click.option("--base-model", type=click.Path(path_type=Path, file_okay=False),
                     help="transformers: local checkpoint (default: classifier.base_model)."),
    ]):  # fmt: skip
        command = option(command)
    return command


def _train_options(obj: Any, epochs: int | None, seed: int, base_model: Path | None):
    from nlp.classifier import TrainOptions

    settings = obj.settings.classifier
    return TrainOptions(
        epochs=epochs, seed=seed, base_model=base_model or settings.base_model,
        device=settings.device, processes=settings.processes,
    )  # fmt: skip


@nlp.command()
@backend_option
@training_options
@click.option(
    "--threshold-folds", type=click.IntRange(0, 20),
    help="Tune thresholds on this many out-of-fold parts of train and dev, then train on both; "
    "0 tunes them on dev (default: spacy 4, transformers 0).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as JSON.")
@click.pass_obj
def train(obj: Any, backend: str | None, epochs: int | None, seed: int, base_model: Path | None,
          threshold_folds: int | None, as_json: bool) -> None:  # fmt: skip
    """Train a classifier on the shipped corpus and make it the current model.

    Thresholds are tuned on out-of-fold predictions and the model then learns from train and
    dev (spacy), or they are tuned on dev (transformers, or --threshold-folds 0). The figures
    on the test and held-out splits are printed and written next to the model
    (evaluation.txt and evaluation.json).
    """
    from nlp.classifier import ClassifierError
    from nlp.evaluation import render_text, write_report
    from nlp.training import train_model

    backend = backend or obj.settings.classifier.backend
    options = _train_options(obj, epochs, seed, base_model)
    options = replace(options, threshold_folds=threshold_folds)
    store = _models(obj)
    try:
        classifier, report = train_model(
            backend, store, options, progress=lambda line: obj.echo(line, err=True)
        )
    except ClassifierError as error:
        raise click.ClickException(str(error)) from error
    folder = store.folder(backend, classifier.version)
    write_report(report, folder)
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report), nl=False)
        click.echo(f"model {classifier.version} saved in {folder}; it is now the current model")


@nlp.command()
@backend_option
@click.option("--folds", type=click.IntRange(2, 20), default=4, show_default=True)
@training_options
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option(
    "--disagreements",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the out-of-fold texts the model got wrong here, as JSON lines.",
)
@click.pass_obj
def crossval(obj: Any, backend: str | None, folds: int, epochs: int | None, seed: int,
             base_model: Path | None, as_json: bool,
             disagreements: Path | None) -> None:  # fmt: skip
    """Cross-validate a backend on the train split, to compare model designs.

    Each fold is predicted by a model trained on the other folds and every supplement, with
    thresholds tuned on dev; the test split is left alone. Saves no model.
    """
    from nlp.classifier import ClassifierError
    from nlp.training import cross_validate

    options = _train_options(obj, epochs, seed, base_model)
    try:
        figures = cross_validate(
            backend or obj.settings.classifier.backend, options, folds,
            progress=lambda line: obj.echo(line, err=True),
        )  # fmt: skip
    except ClassifierError as error:
        raise click.ClickException(str(error)) from error
    wrong = figures.pop("disagreements")
    if disagreements:
        with disagreements.open("w", encoding="utf-8") as handle:
            for line in wrong:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        obj.echo(f"{len(wrong)} out-of-fold disagreements written to {disagreements}", err=True)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    for name, value in figures["mean"].items():
        spread = [fold[name] for fold in figures["per_fold"]]
        click.echo(f"{name:<24} {value:.3f}  (folds {min(spread):.3f}-{max(spread):.3f})")


@nlp.command("eval")
@backend_option
@version_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder for evaluation.txt and evaluation.json (default: the model's folder).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as JSON.")
@click.pass_obj
def evaluate(obj: Any, backend: str | None, version: str | None, out: Path | None,
             as_json: bool) -> None:  # fmt: skip
    """Measure a trained model on the corpus's test and held-out splits.

    Per-label precision, recall and F1, the confusion matrix of kind, severity and region
    agreement and the calibration of score. Exits with status 1 when a target is missed.
    """
    from nlp.evaluation import TARGETS, render_text, write_report
    from nlp.training import evaluate_classifier

    classifier = _load(obj, backend, version)
    report = evaluate_classifier(classifier)
    folder = out or _models(obj).folder(classifier.meta.backend, classifier.version)
    text_path = write_report(report, folder)[1]
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(report), nl=False)
        click.echo(f"figures written to {text_path}")
    missed = [name for name, ok in report.get("targets_met", {}).items() if not ok]
    if missed:
        raise click.ClickException(
            "targets missed on the test split: "
            + ", ".join(f"{name} < {TARGETS[name]:.2f}" for name in missed)
        )


@click.command()
@click.argument("source", type=click.File("rb"), default="-")
@click.option(
    "-o", "--out", type=click.File("w", encoding="utf-8", lazy=True), default="-",
    help="Where to write the results (default: standard output).",
)  # fmt: skip
@backend_option
@version_option
@click.pass_obj
def classify(obj: Any, source, out, backend: str | None, version: str | None) -> None:
    """Classify JSON lines from SOURCE (a file, or - for standard input).

    Each line is {"id": ..., "text": "...", "region": "optional place"}. Each output line
    holds id, money_trouble, score, kind, topics, severity, region, evidence, model and
    truncated, or id, line and error for a line that could not be classified. Bad lines are
    reported on standard error and do not stop the run; the exit status is 1 if any failed.
    """
    from nlp.classify_lines import classify_lines
    from nlp.parallel import ParallelClassifier

    classifier = _load(obj, backend, version)
    settings = obj.settings.classifier
    processes = settings.processes if classifier.meta.backend == "spacy" else 1
    total = failed = 0
    with ParallelClassifier(classifier, processes) as parallel:
        for outcome in classify_lines(parallel, source):
            total += 1
            out.write(json.dumps(outcome.output, ensure_ascii=False) + "\n")
            if outcome.failed:
                failed += 1
                click.echo(f"line {outcome.output['line']}: {outcome.output['error']}", err=True)
            out.flush()
    if failed:
        raise click.ClickException(f"{failed} of {total} lines could not be classified")
