"""`opendeur listen`: Collect public Dutch posts from the configured sources."""

import click


@click.group(invoke_without_command=True)
@click.pass_context
def listen(ctx: click.Context) -> None:
    """Collect public Dutch posts from the configured sources (not available yet).

    Its commands (run, list, test) arrive with the listener.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
