"""``opendeur config``: check the configuration and write a starter file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from opendeur.commands.output import echo_json, json_option

if TYPE_CHECKING:
    from opendeur.context import AppContext


@click.group()
def config() -> None:
    """Check the configuration or write a starter file."""


@config.command()
@json_option
@click.pass_obj
def check(obj: AppContext, as_json: bool) -> None:
    """Validate the configuration and print the effective settings, secrets masked.

    Exits with status 1 and one line per problem when the file is invalid.
    """
    from opendeur.secrets import MASK
    from opendeur.settings import referenced_env_names
    from opendeur.settings_toml import render_settings

    settings, source = obj.settings, obj.loaded.source
    secrets = {
        name: (MASK if obj.secrets.is_set(name) else None)
        for name in referenced_env_names(settings)
    }
    if as_json:
        echo_json(
            {
                "config_file": str(source) if source else None,
                "settings": settings.model_dump(mode="json"),
                "secrets": secrets,
            }
        )
        return
    origin = str(source) if source else "none found, built-in defaults"
    click.echo(f"# Configuration file: {origin}\n# The configuration is valid.\n")
    click.echo(render_settings(settings, comments=False))
    click.echo("# Secrets (environment variables named by *_env settings)")
    for name, value in secrets.items():
        click.echo(f"# {name} = {value}" if value else f"# {name} is not set")


@config.command()
@click.argument("path", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_obj
def init(obj: AppContext, path: Path | None, force: bool) -> None:
    """Write a commented configuration file with every setting at its default.

    PATH defaults to opendeur.toml in the user configuration folder.
    """
    from opendeur.settings import Settings, default_config_path
    from opendeur.settings_toml import render_settings

    path = path or default_config_path()
    if path.exists() and not force:
        raise click.ClickException(f"{path} already exists; use --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# opendeur configuration. Secrets never go here: keys ending in _env name the\n"
        "# environment variable that holds the secret.\n\n" + render_settings(Settings()),
        encoding="utf-8",
    )
    click.echo(f"Wrote {path}")
