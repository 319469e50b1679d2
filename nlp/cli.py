"""`opendeur nlp`: Dutch text tools that need no database."""

from __future__ import annotations

import json
import sys

import click


@click.group()
def nlp() -> None:
    """Dutch text tools: scrub personal data and measure the scrubber.

    Classifier commands (train, eval, classify-new) arrive with the classifier.
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
