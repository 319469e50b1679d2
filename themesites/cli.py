"""`opendeur site`: Build the theme sites with their open door."""

import click


@click.group(invoke_without_command=True)
@click.pass_context
def site(ctx: click.Context) -> None:
    """Build the theme sites with their open door (not available yet).

    Its commands (build) arrive with the theme sites.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
