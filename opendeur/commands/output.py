"""Shared output helpers for the shell's commands."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import click

T = TypeVar("T")

json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON for scripts."
)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def progress(
    items: Iterable[T], label: str, length: int | None = None, quiet: bool = False
) -> Iterator[T]:
    """Iterate with a progress bar on an interactive terminal; silently otherwise."""
    if quiet or not sys.stderr.isatty():
        yield from items
        return
    with click.progressbar(items, label=label, length=length, file=sys.stderr) as bar:
        yield from bar
