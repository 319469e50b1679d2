"""What every command receives as ``ctx.obj``: settings, secrets and the database, on demand.

Floor-2 packages' commands use ``obj.settings``, ``obj.secrets`` and ``obj.db`` and never
read the configuration or open the database themselves (DESIGN §3).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

# Imported inside the properties: pydantic and sqlite-utils (which loads numpy) would
# otherwise cost ~0.3 s on every `opendeur --help`.
if TYPE_CHECKING:
    from sqlite_utils import Database

    from opendeur.secrets import Secrets
    from opendeur.settings import LoadedSettings, Settings


class AppContext:
    def __init__(
        self,
        config_path: Path | None = None,
        quiet: bool = False,
        environ: Mapping[str, str] | None = None,
    ):
        self.config_path = config_path
        self.quiet = quiet
        self.environ = os.environ if environ is None else environ

    @cached_property
    def loaded(self) -> LoadedSettings:
        from opendeur.settings import find_config_file, load_settings

        return load_settings(find_config_file(self.config_path, self.environ))

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @cached_property
    def secrets(self) -> Secrets:
        from opendeur.secrets import Secrets, read_env_file
        from opendeur.settings import referenced_env_names

        env_file = self.settings.secrets.env_file
        file_values = read_env_file(env_file) if env_file else {}
        secrets = Secrets(self.environ, file_values)
        _redact_in_logs(secrets.values_of([*referenced_env_names(self.settings), *file_values]))
        return secrets

    @cached_property
    def db(self) -> Database:
        from opendeur.store import open_db

        return open_db(self.settings.store.path)

    def echo(self, message: str = "", err: bool = False) -> None:
        """Print a status line unless ``--quiet``; results and errors use click.echo."""
        if not self.quiet:
            click.echo(message, err=err)


def _redact_in_logs(values: list[str]) -> None:
    from opendeur.secrets import SecretRedactingFilter

    redactor = SecretRedactingFilter(values)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
