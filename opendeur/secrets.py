"""Secrets come from the environment, optionally filled from a KEY=VALUE file.

The file must live outside any git repository, so it cannot be committed by accident. Its
values are merged under the process environment (a variable already set wins) and are never
written to the database or logs: :class:`SecretRedactingFilter` masks them in log records.
"""

from __future__ import annotations

import logging
import re
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from opendeur.errors import ConfigError

logger = logging.getLogger(__name__)

MASK = "****"
# Shorter values would mask ordinary words in log lines; real keys and tokens are longer.
_MIN_REDACTED_LENGTH = 6
_LINE = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$")


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a secrets file of ``KEY=VALUE`` lines (``#`` comments, optional quotes)."""
    _refuse_inside_repository(path)
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ConfigError(f"secrets file {path} does not exist (secrets.env_file)") from error
    except OSError as error:
        raise ConfigError(f"cannot read secrets file {path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"secrets file {path} is not UTF-8 text") from error
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        logger.warning("Secrets file %s is readable by others; run: chmod 600 %s", path, path)
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if not match:
            # The line itself may hold a secret: name only its number.
            raise ConfigError(f"secrets file {path}, line {number}: expected KEY=VALUE")
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key] = value
    return values


def _refuse_inside_repository(path: Path) -> None:
    for folder in path.resolve().parents:
        if (folder / ".git").exists():
            raise ConfigError(
                f"secrets file {path} is inside the git repository {folder}; "
                "move it outside so it can never be committed"
            )


class Secrets:
    """Read-only view of secret values by environment variable name."""

    def __init__(self, environ: Mapping[str, str], file_values: Mapping[str, str] | None = None):
        self._values = {**(file_values or {}), **environ}

    def get(self, name: str) -> str | None:
        """The value of ``name``, or None when it is unset or empty."""
        return self._values.get(name) or None

    def is_set(self, name: str) -> bool:
        return self.get(name) is not None

    def values_of(self, names: Iterable[str]) -> list[str]:
        return [value for name in names if (value := self.get(name))]


class SecretRedactingFilter(logging.Filter):
    """Replace known secret values in log messages with ``****``."""

    def __init__(self, secret_values: Iterable[str]):
        super().__init__()
        values = {v for v in secret_values if len(v) >= _MIN_REDACTED_LENGTH}
        # Longest first, so a secret that contains another is masked whole.
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
            if values
            else None
        )

    def filter(self, record: logging.LogRecord) -> bool:
        if self._pattern is not None:
            message = record.getMessage()
            redacted = self._pattern.sub(MASK, message)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True
