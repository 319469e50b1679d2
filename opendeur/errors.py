"""User-facing errors of the application shell.

Each is turned into a one-line ``Error: ...`` message with exit code 1 at the command line,
so messages must say what is wrong and how to fix it.
"""


class OpendeurError(Exception):
    """An error the user can fix; shown without a traceback."""


class ConfigError(OpendeurError):
    """The configuration file or the environment is invalid."""


class StoreError(OpendeurError):
    """The database cannot be opened or upgraded."""
