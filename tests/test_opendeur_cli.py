"""The command line: help everywhere, one-line errors, JSON where scripts want it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path


def test_opendeur_cli_every_command_has_help(run_cli, command_path):
    result = run_cli(*command_path, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: cli {' '.join(command_path)}")


def test_opendeur_cli_help_does_not_import_heavy_libraries(python):
    # Startup time is measured in benchmarks/; here we check its cause stays away.
    code = (
        "import sys; from opendeur.cli import cli\n"
        "try: cli(['--help'], prog_name='opendeur')\n"
        "except SystemExit: pass\n"
        "heavy = {'scrapy', 'spacy', 'transformers', 'torch', 'pydantic', 'sqlite_utils', 'numpy'}"
        "\nprint(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    output = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.strip().splitlines()[-1] == "[]"


def test_opendeur_cli_console_script_runs(python):
    opendeur = Path(python).with_name("opendeur")
    result = subprocess.run([str(opendeur), "--version"], capture_output=True, text=True)
    assert (result.returncode, result.stdout.strip()) == (0, "opendeur, version 0.1.0")


def test_opendeur_cli_bad_config_is_one_line_without_traceback(run_cli, write_config):
    path = write_config("[privacy]\nretention_days = -1\n")
    result = run_cli("--config", str(path), "db", "status")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: privacy.retention_days: expected a value greater than or equal to 0, "
        "got -1\n"
    )
    assert "Traceback" not in result.output


def test_opendeur_cli_config_from_environment(run_cli, write_config, tmp_path):
    path = write_config(f'[store]\npath = "{tmp_path / "env.db"}"\n')
    result = run_cli("db", "status", "--json", env={"OPENDEUR_CONFIG": str(path)})
    assert json.loads(result.stdout)["path"] == str(tmp_path / "env.db")


def test_opendeur_cli_db_status_does_not_create_the_database(run_cli, config_path):
    result = run_cli("--config", str(config_path), "db", "status", "--json")
    status = json.loads(result.stdout)
    assert (result.exit_code, status["exists"]) == (0, False)
    assert {
        "set": "opendeur",
        "name": "m001_job_runs",
        "state": "pending",
        "applied_at": None,
    } in status["migrations"]
    assert not (config_path.parent / "test.db").exists()


def test_opendeur_cli_db_migrate_then_up_to_date(run_cli, config_path):
    from opendeur.store import migration_sets

    every = [f"{s.name}.{m.name}" for s in migration_sets() for m in s._migrations]
    first = run_cli("--config", str(config_path), "db", "migrate", "--json")
    assert json.loads(first.stdout)["applied"] == every
    assert "opendeur.m001_job_runs" in every
    second = run_cli("--config", str(config_path), "db", "migrate")
    assert second.stdout == f"{config_path.parent / 'test.db'} is up to date\n"
    status = run_cli("--config", str(config_path), "db", "status")
    assert f"Migrations: {len(every)} applied, 0 pending" in status.stdout
    assert "journal mode wal" in status.stdout


def test_opendeur_cli_locked_database_is_one_line(run_cli, config_path, monkeypatch):
    monkeypatch.setattr("opendeur.store.BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(config_path.parent / "test.db")
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of writing
    try:
        result = run_cli("--config", str(config_path), "db", "migrate")
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the database is busy (database is locked); ")
    assert "Traceback" not in result.output


def test_opendeur_cli_config_check_masks_secrets(run_cli, config_path):
    env = {"OPENDEUR_HASH_KEY": "s3cret-hash-key-value"}
    text = run_cli("--config", str(config_path), "config", "check", env=env)
    as_json = run_cli("--config", str(config_path), "config", "check", "--json", env=env)
    assert text.exit_code == as_json.exit_code == 0
    for output in (text.stdout, as_json.stdout):
        assert "s3cret-hash-key-value" not in output
    assert "# OPENDEUR_HASH_KEY = ****" in text.stdout
    assert json.loads(as_json.stdout)["secrets"] == {
        "OPENDEUR_HASH_KEY": "****", "OPENDEUR_SMTP_PASSWORD": None,  # None: not set
        "OPENDEUR_FORM_SECRET": None,
    }  # fmt: skip
    assert json.loads(as_json.stdout)["settings"]["organisation"]["name"] == "Woonstichting Test"


def test_opendeur_cli_config_check_reads_secrets_file(run_cli, write_config, tmp_path):
    secrets = tmp_path / "outside" / "secrets.env"
    secrets.parent.mkdir()
    secrets.write_text("OPENDEUR_HASH_KEY=from-the-file-123\n")
    secrets.chmod(0o600)
    path = write_config(f'[secrets]\nenv_file = "{secrets}"\n')
    result = run_cli("--config", str(path), "config", "check", "--json")
    assert json.loads(result.stdout)["secrets"]["OPENDEUR_HASH_KEY"] == "****"
    assert "from-the-file-123" not in result.output


def test_opendeur_cli_config_init_writes_loadable_defaults(run_cli, tmp_path):
    path = tmp_path / "new.toml"
    assert run_cli("config", "init", str(path)).exit_code == 0
    from opendeur.settings import Settings, load_settings

    assert load_settings(path).settings == Settings()
    again = run_cli("config", "init", str(path))
    assert (again.exit_code, again.stderr) == (
        1,
        f"Error: {path} already exists; use --force to overwrite it\n",
    )


def test_opendeur_cli_serve_without_sites_says_so(run_cli):
    result = run_cli("serve")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: no theme sites configured; add a [themesites.sites.SLUG] table (see the README)\n",
    )
