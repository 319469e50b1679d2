"""``opendeur demo``: run the whole loop on the embedded default."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from opendeur.commands.output import echo_json, json_option

if TYPE_CHECKING:
    from opendeur.context import AppContext


@click.command()
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="Demo folder (default: demo/ in the user data folder). Created when missing.",
)
@json_option
@click.pass_obj
def demo(obj: AppContext, folder: Path | None, as_json: bool) -> None:
    """Run the whole loop on this machine: no network, no secrets, safe to run twice.

    The demo uses its own folder, configuration and database and ignores --config.
    """
    from opendeur.demo import StepResult, default_demo_folder, run_demo

    folder = folder or default_demo_folder()
    if not as_json:
        obj.echo(f"opendeur demo in {folder}")

    def show(name: str, result: StepResult) -> None:
        if not as_json:
            for line in result.lines:
                obj.echo(f"  {name:<10} {line}")

    report = run_demo(folder, on_step=show)
    if as_json:
        echo_json(report.as_dict())
        return
    made = "written" if report.config_created else "reused"
    obj.echo(f"Done in {report.seconds:.1f} s. Configuration {made}: {report.config_path}")
    obj.echo("Where to look:")
    look_at = report.as_dict()["look_at"]
    width = max(map(len, look_at), default=0)
    for label, where in look_at.items():
        obj.echo(f"  {label:<{width}} {where}")
