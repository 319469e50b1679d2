"""`opendeur site`: build the theme sites with their open door, and handle call-back requests.

The commands parse and print; `themesites.builder` builds, `themesites.callbacks` keeps the
call-back requests (the one place with tenants' personal data, DESIGN §5).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


@click.group(invoke_without_command=True)
@click.pass_context
def site(ctx: click.Context) -> None:
    """Build the theme sites with their open door; list and close call-back requests.

    Sites are [themesites.sites.SLUG] tables in the configuration; `opendeur serve` serves
    the built sites, the /go/ links and the call-back form.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@site.command()
@click.argument("names", nargs=-1, metavar="[SITE]...")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder to build into (default: themesites.out_dir); each site in OUT/SLUG.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON for scripts.")
@click.pass_obj
def build(obj: Any, names: tuple[str, ...], out_dir: Path | None, as_json: bool) -> None:
    """Build every theme site (or those named) as static files.

    Each site gets its home page, articles (campaign articles from its content_dir first),
    stories, questions, the help page with the open door, the self-check, sitemap.xml,
    robots.txt and an Atom feed. A site is replaced only when its new build is complete.
    """
    from themesites.builder import BuildError, Organisation, build_site
    from themesites.content import ContentError

    settings = obj.settings
    sites = settings.themesites.sites
    unknown = [name for name in names if name not in sites]
    if unknown:
        known = ", ".join(sites) or "none configured"
        raise click.ClickException(f"no site {', '.join(unknown)}; sites: {known}")
    if not sites:
        raise click.ClickException(
            "no theme sites configured; add a [themesites.sites.SLUG] table (see the README)"
        )
    organisation = Organisation(settings.organisation.name, settings.organisation.website)
    target = out_dir or settings.themesites.out_dir
    results = []
    for slug, config in sites.items():
        if names and slug not in names:
            continue
        try:
            result = build_site(slug, config, settings.themesites.contact, organisation, target)
        except (BuildError, ContentError) as error:
            raise click.ClickException(str(error)) from error
        results.append(result)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "site": r.slug,
                        "folder": str(r.folder),
                        "pages": r.pages,
                        "articles": r.articles,
                        "seconds": round(r.seconds, 3),
                        "skipped": r.skipped,
                    }
                    for r in results
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for r in results:
        click.echo(
            f"built {r.slug}: {r.pages} pages ({r.articles} articles) in {r.folder}, "
            f"{r.seconds:.2f} s"
        )
        for problem in r.skipped:
            click.echo(f"  skipped: {problem}", err=True)


@site.group()
def callbacks() -> None:
    """Call-back requests from the sites: only for themesites.callback_staff, every access logged.

    Handling a request erases its name, number and note; only the fact that it was handled,
    when and by whom, remains.
    """


def _staff(obj: Any, actor: str | None) -> str:
    import getpass

    name = (actor or getpass.getuser()).strip()
    staff = {n.casefold() for n in obj.settings.themesites.callback_staff}
    if not staff:
        raise click.ClickException(
            "nobody may read call-back requests until themesites.callback_staff names the staff "
            "who call tenants back"
        )
    if name.casefold() not in staff:
        raise click.ClickException(
            f"{name} may not read call-back requests; themesites.callback_staff names who may"
        )
    return name


@callbacks.command(name="list")
@click.option("--as", "actor", metavar="NAME", help="Who reads them (default: your user name).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON for scripts.")
@click.pass_obj
def list_callbacks(obj: Any, actor: str | None, as_json: bool) -> None:
    """The open call-back requests, oldest first (the reading is logged)."""
    from dataclasses import asdict

    from themesites.callbacks import list_requests

    requests = list_requests(obj.db, _staff(obj, actor))
    if as_json:
        click.echo(json.dumps([asdict(r) for r in requests], ensure_ascii=False, indent=2))
        return
    if not requests:
        click.echo("no open call-back requests")
    for r in requests:
        click.echo(
            f"{r.id:>4} {r.created_at} {r.site}: {r.name}, {r.phone}, {r.best_time}"
            + (f"\n       {r.note}" if r.note else "")
        )


@callbacks.command(name="done")
@click.argument("request_id", metavar="ID", type=int)
@click.option("--as", "actor", metavar="NAME", help="Who called (default: your user name).")
@click.pass_obj
def done_callback(obj: Any, request_id: int, actor: str | None) -> None:
    """Mark request ID as handled: its name, number and note are erased."""
    from themesites.callbacks import UnknownCallbackRequest, mark_handled

    try:
        handled = mark_handled(obj.db, request_id, _staff(obj, actor))
    except UnknownCallbackRequest as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"request {request_id} "
        + ("handled; its personal data is erased" if handled else "was already handled")
    )
