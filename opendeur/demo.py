"""``opendeur demo``: the whole loop on one machine, no network, no secrets (DESIGN §7).

The demo works in its own folder with its own configuration and database, so it never touches
a production store. Each feature adds a step to ``DEMO_STEPS``; running it twice is safe.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs
from sqlite_utils import Database

from opendeur.jobs import Clock, job_run, utc_now
from opendeur.settings import APP_NAME, Settings, load_settings
from opendeur.store import migration_sets, migration_status, open_db

DEMO_CONFIG = """\
# Configuration of `opendeur demo`: a fictional corporation on this machine only.
# Safe to edit; delete this folder to start the demo afresh.

[organisation]
name = "Woonstichting De Voorbeeldhaven"
website = "https://voorbeeldhaven.example"
contact_url = "https://voorbeeldhaven.example/contact"
address_form = "je"

[store]
path = "opendeur.db"
"""


def default_demo_folder() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "demo"


@dataclass
class DemoWorkspace:
    folder: Path
    config_path: Path
    settings: Settings
    db: Database
    clock: Clock


@dataclass
class StepResult:
    summary: dict[str, Any]  # figures, for --json
    lines: list[str]  # what the step did, for people
    look_at: dict[str, str] = field(default_factory=dict)  # label -> path or command


@dataclass
class DemoStep:
    name: str
    run: Callable[[DemoWorkspace], StepResult]


@dataclass
class DemoReport:
    folder: Path
    config_path: Path
    config_created: bool
    steps: list[tuple[str, StepResult]]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "config": str(self.config_path),
            "config_created": self.config_created,
            "seconds": round(self.seconds, 3),
            "steps": {name: result.summary for name, result in self.steps},
            "look_at": {k: v for _, result in self.steps for k, v in result.look_at.items()},
        }


def opendeur_command() -> str:
    """How to call opendeur from a shell: the venv's script when it is not on PATH."""
    script = Path(sys.executable).with_name("opendeur")
    return (
        "opendeur"
        if shutil.which("opendeur") == str(script) or not script.exists()
        else str(script)
    )


def store_step(workspace: DemoWorkspace) -> StepResult:
    states = migration_status(workspace.db)
    sets = sorted({s.migration_set for s in states} | {m.name for m in migration_sets()})
    tables = workspace.db.table_names()
    path = workspace.settings.store.path
    return StepResult(
        summary={"path": str(path), "migration_sets": sets, "tables": len(tables)},
        lines=[f"database ready: {len(tables)} tables from {len(sets)} migration sets"],
        look_at={
            "database": str(path),
            "database status": f"{opendeur_command()} --config {workspace.config_path} db status",
        },
    )


DEMO_STEPS: list[DemoStep] = [DemoStep("store", store_step)]


def prepare_folder(folder: Path) -> tuple[Path, bool]:
    """Create the demo folder and its configuration unless they exist; never overwrite."""
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "opendeur.toml"
    if config_path.exists():
        return config_path, False
    config_path.write_text(DEMO_CONFIG, encoding="utf-8")
    return config_path, True


def run_demo(
    folder: Path,
    steps: list[DemoStep] | None = None,
    clock: Clock = utc_now,
    on_step: Callable[[str, StepResult], None] | None = None,
) -> DemoReport:
    started = time.perf_counter()
    config_path, created = prepare_folder(folder)
    settings = load_settings(config_path).settings
    db = open_db(settings.store.path)
    workspace = DemoWorkspace(folder, config_path, settings, db, clock)
    results: list[tuple[str, StepResult]] = []
    with job_run(db, "demo", clock=clock) as run:
        for step in DEMO_STEPS if steps is None else steps:
            result = step.run(workspace)
            results.append((step.name, result))
            run.summary[step.name] = result.summary
            if on_step:
                on_step(step.name, result)
    db.close()
    return DemoReport(folder, config_path, created, results, time.perf_counter() - started)
