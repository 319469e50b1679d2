"""`opendeur serve`: the web app for theme sites, `/go/` links and call-back requests.

It lives in the shell (floor 3) because it joins what `themesites` serves with the settings,
secrets and database path the shell owns.
"""

from __future__ import annotations

from typing import Any

import click

MIN_SECRET_LENGTH = 32


def build_app(obj: Any, clock: Any = None):
    """The Starlette app for the configured, built theme sites."""
    from themesites.server import SiteRoot, create_app

    settings = obj.settings
    themesites = settings.themesites
    if not themesites.sites:
        raise click.ClickException(
            "no theme sites configured; add a [themesites.sites.SLUG] table (see the README)"
        )
    roots = {}
    for slug, site in themesites.sites.items():
        folder = themesites.out_dir / slug
        if not (folder / "index.html").is_file():
            raise click.ClickException(
                f"site {slug} is not built in {folder}; run `opendeur site build` first"
            )
        roots[slug] = SiteRoot(slug, site.domain, folder, site.title)
    secret = obj.secrets.get(themesites.form_secret_env) or ""
    if len(secret) < MIN_SECRET_LENGTH:
        raise click.ClickException(
            f"set {themesites.form_secret_env} to {MIN_SECRET_LENGTH} or more random characters "
            "(it signs the call-back form), in the environment or the secrets file"
        )
    contact = themesites.contact
    open_door = {
        "organisation": settings.organisation.name, "team": contact.team,
        "person": contact.person, "role": contact.role, "hours": contact.hours,
        "phone": contact.phone, "callback_days": str(contact.callback_days),
    }  # fmt: skip
    obj.db  # noqa: B018  # opens the database and applies migrations before serving
    options = {"clock": clock} if clock is not None else {}
    return create_app(db_path=settings.store.path, sites=roots, secret=secret.encode(),
                      contact=open_door, **options)  # fmt: skip


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (behind a reverse proxy, keep 127.0.0.1).")  # fmt: skip
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_obj
def serve(obj: Any, host: str, port: int) -> None:
    """Serve the built theme sites, the /go/CODE links and the call-back form.

    Sites are chosen by the Host header: their domain, or SLUG.localhost on this machine.
    No cookies, no client addresses in logs; arrivals are counted per link per day.
    """
    from themesites.server import run

    app = build_app(obj)
    for slug, site in obj.settings.themesites.sites.items():
        # SLUG.localhost resolves to this machine in browsers, and keeps the site's own paths.
        obj.echo(f"serving {slug} ({site.domain}) at http://{slug}.localhost:{port}/")
    run(app, host=host, port=port)
