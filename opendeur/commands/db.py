"""``opendeur db``: the database's location, schema version and upgrades."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from opendeur.commands.output import echo_json, json_option

if TYPE_CHECKING:
    from opendeur.context import AppContext


@click.group()
def db() -> None:
    """Inspect and upgrade the SQLite database."""


@db.command()
@json_option
@click.pass_obj
def status(obj: AppContext, as_json: bool) -> None:
    """Show the database file, its tables and applied and pending migrations.

    Does not change the database: pending migrations are applied by `opendeur db migrate`
    or by the next command that uses the database.
    """
    from opendeur.store import migration_status, open_db

    path = obj.settings.store.path
    report: dict = {"path": str(path), "exists": path.is_file(), "tables": {}, "migrations": []}
    if path.is_file():
        database = open_db(path, migrate=False)
        report["size_bytes"] = path.stat().st_size
        report["journal_mode"] = database.journal_mode
        report["tables"] = {name: database[name].count for name in database.table_names()}
        states = migration_status(database)
    else:
        from sqlite_utils import Database

        states = migration_status(Database(memory=True))
    report["migrations"] = [
        {
            "set": s.migration_set,
            "name": s.name,
            "state": "applied" if s.applied_at else "pending",
            "applied_at": s.applied_at,
        }
        for s in states
    ]
    if as_json:
        echo_json(report)
        return
    click.echo(f"Database: {path}")
    if not report["exists"]:
        click.echo("  does not exist yet; the first command that needs it creates it")
    else:
        click.echo(f"  {report['size_bytes']:,} bytes, journal mode {report['journal_mode']}")
        for name, count in report["tables"].items():
            click.echo(f"  table {name}: {count:,} rows")
    pending = sum(1 for m in report["migrations"] if m["state"] == "pending")
    click.echo(f"Migrations: {len(report['migrations']) - pending} applied, {pending} pending")
    for m in report["migrations"]:
        when = m["applied_at"] or "pending"
        click.echo(f"  {m['set']}.{m['name']}: {when}")


@db.command()
@json_option
@click.pass_obj
def migrate(obj: AppContext, as_json: bool) -> None:
    """Apply pending migrations (every command also does this when it opens the database)."""
    from opendeur.store import apply_migrations, migration_sets, open_db

    path = obj.settings.store.path
    sets = migration_sets()
    applied = apply_migrations(open_db(path, migrate=False, sets=sets), sets)
    names = [f"{set_name}.{name}" for set_name, name in applied]
    if as_json:
        echo_json({"path": str(path), "applied": names})
    elif names:
        click.echo(f"Applied {len(names)} migration(s) to {path}: {', '.join(names)}")
    else:
        click.echo(f"{path} is up to date")


@db.command()
@click.option(
    "--include-unclassified", is_flag=True,
    help="Also drop text that was never classified (its posts will have no signal).",
)  # fmt: skip
@json_option
@click.pass_obj
def purge(obj: AppContext, include_unclassified: bool, as_json: bool) -> None:
    """Drop the text of posts older than privacy.retention_days (0: all stored text).

    Counts, hashes, weeks and signals stay; so do the weekly word counts, except words that
    fewer than privacy.min_count posts of an old week used. Text not yet classified is kept until
    `opendeur nlp classify-new` has read it, unless --include-unclassified. `listen run`
    purges after classifying; run this daily (for example from cron) as well.
    """
    from listener.store import prune_rare_terms, purge_old_text
    from opendeur.jobs import job_run, utc_now

    days = obj.settings.privacy.retention_days
    with job_run(obj.db, "purge") as run:
        result = purge_old_text(obj.db, utc_now(), days, include_unclassified)
        # Rare words of old weeks go too: a word few people used can point at a person.
        pruned = prune_rare_terms(obj.db, utc_now(), days, obj.settings.privacy.min_count)
        run.summary.update(
            purged=result.purged, kept_unclassified=result.kept_unclassified, rare_terms=pruned
        )
    if as_json:
        echo_json({
            "purged": result.purged, "kept_unclassified": result.kept_unclassified,
            "rare_terms_dropped": pruned, "retention_days": days,
        })  # fmt: skip
        return
    click.echo(f"Dropped the text of {result.purged} posts older than {days} days.")
    if result.kept_unclassified:
        click.echo(
            f"Kept {result.kept_unclassified} older texts that are not classified yet: run "
            "`opendeur nlp classify-new` (or purge with --include-unclassified)."
        )
