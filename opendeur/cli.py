"""The ``opendeur`` command: a root group that loads its subcommands on first use.

Heavy libraries (scrapy, spacy, transformers) are imported inside the commands that need
them, never at module level of a command module, so ``opendeur --help`` stays fast.
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
from pathlib import Path

import click

from opendeur import __version__
from opendeur.context import AppContext
from opendeur.errors import OpendeurError

# name -> "module:attribute" of a click command or group.
COMMANDS = {
    "listen": "listener.cli:listen",
    "nlp": "nlp.cli:nlp",
    "classify": "nlp.cli:classify",
    "report": "opendeur.commands.report:report",
    "campaign": "campaigns.cli:campaign",
    "publish": "campaigns.cli_publish:publish",
    "site": "themesites.cli:site",
    "serve": "opendeur.commands.serve:serve",
    "demo": "opendeur.commands.demo:demo",
    "db": "opendeur.commands.db:db",
    "config": "opendeur.commands.config:config",
}


# Subcommands that a lower package's group offers but another package implements: the
# classifier lives in `nlp`, which may not touch the store; classifying stored posts is the
# listener's, so `nlp classify-new` is attached here, at the top floor.
ATTACHED_COMMANDS = {
    "nlp": {"classify-new": "listener.cli:classify_new"},
}


def _load_reference(reference: str) -> click.Command:
    module, attribute = reference.split(":")
    return getattr(importlib.import_module(module), attribute)


class RootGroup(click.Group):
    """Loads subcommands lazily and turns user errors into one-line messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        reference = COMMANDS.get(name)
        if reference is None:
            return None
        command = _load_reference(reference)
        for sub_name, sub_reference in ATTACHED_COMMANDS.get(name, {}).items():
            if isinstance(command, click.Group) and sub_name not in command.commands:
                command.add_command(_load_reference(sub_reference), sub_name)
        return command

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except OpendeurError as error:
            raise click.ClickException(str(error)) from error
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                raise
            raise click.ClickException(
                f"the database is busy ({error}); another opendeur process is writing, "
                "try again in a moment"
            ) from error


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="opendeur")
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Configuration file (default: $OPENDEUR_CONFIG, else opendeur.toml in the "
    "user configuration folder).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only results and errors.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool) -> None:
    """opendeur: listen to what tenants talk about, publish help where they look, and keep
    the door open.

    Run `opendeur demo` to see the whole loop on this machine.
    """
    level = (
        logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    )
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", force=True)
    ctx.obj = AppContext(config_path=config_path, quiet=quiet)


def main() -> None:
    cli(prog_name="opendeur")
