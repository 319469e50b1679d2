"""`opendeur campaign` and `opendeur publish`: plan campaigns and send their content."""

import click


@click.group(invoke_without_command=True)
@click.pass_context
def campaign(ctx: click.Context) -> None:
    """Plan, check and approve campaigns (not available yet).

    Its commands (new, list, show, plan, check, approve, schedule, cancel) arrive with
    campaigns.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@click.group(invoke_without_command=True)
@click.pass_context
def publish(ctx: click.Context) -> None:
    """Send scheduled content to its channels (not available yet).

    Its commands (due, worker, post) arrive with campaigns.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
