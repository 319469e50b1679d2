"""`opendeur nlp`: Train, evaluate and run the Dutch money-trouble classifier."""

import click


@click.group(invoke_without_command=True)
@click.pass_context
def nlp(ctx: click.Context) -> None:
    """Train, evaluate and run the Dutch money-trouble classifier (not available yet).

    Its commands (train, eval, classify-new) arrive with the classifier.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
