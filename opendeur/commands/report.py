"""`opendeur report`: Write the weekly signal report."""

import click


@click.group(invoke_without_command=True)
@click.pass_context
def report(ctx: click.Context) -> None:
    """Write the weekly signal report (not available yet).

    Its commands (weekly, list) arrive with the weekly report.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
