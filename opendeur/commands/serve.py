"""`opendeur serve`: the web app for theme sites, arrivals and call-back requests."""

import click


@click.command()
def serve() -> None:
    """Serve the theme sites, /go/ links and call-back form (not available yet).

    The server arrives with the theme sites; until then there is nothing to serve.
    """
    raise click.ClickException(
        "`opendeur serve` is not available yet: it arrives with the theme sites"
    )
