"""`opendeur listen`: collect public Dutch posts from the configured sources."""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

import click


@click.group()
def listen() -> None:
    """Collect public Dutch posts from the configured sources.

    Sources are tables [listener.sources.NAME] in the configuration; see the README.
    """


def _hash_key(obj: Any) -> str:
    from listener.identifiers import HashKeyMissing, IdentifierHasher

    variable = obj.settings.privacy.hash_key_env
    value = obj.secrets.get(variable)
    try:
        IdentifierHasher.from_secret(value, variable)
    except HashKeyMissing as error:
        raise click.ClickException(str(error)) from error
    return value


def _agent(obj: Any) -> str:
    from importlib.metadata import version

    from listener.crawl import user_agent

    organisation = obj.settings.organisation
    return user_agent(organisation.name, organisation.contact_url, version("opendeur"))


def _log_level() -> str:
    return logging.getLevelName(min(logging.getLogger().level, logging.WARNING))


@listen.command()
@click.argument("sources", nargs=-1)
@click.option("--due", is_flag=True, help="Only sources whose interval (`every`) has passed.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def run(obj: Any, sources: tuple[str, ...], due: bool, as_json: bool) -> None:
    """Collect new posts from SOURCES (default: every enabled source) into the store.

    Posts pass the privacy pipeline before anything is stored: normalised, Dutch only,
    duplicates dropped, personal data scrubbed, URLs and handles hashed.
    """
    from listener.pipeline import utc_now
    from listener.runner import UnknownSource, choose_sources, run_sources

    settings = obj.settings.listener
    db = obj.db
    try:
        names = choose_sources(settings, list(sources), due, db, utc_now())
    except UnknownSource as error:
        raise click.ClickException(str(error)) from error
    if not names:
        obj.echo("No sources to run (none configured, enabled or due).")
        return
    results = run_sources(
        db, obj.settings.store.path, settings, names,
        hasher_key=_hash_key(obj), agent=_agent(obj), secrets=obj.secrets, clock=utc_now,
        log_level=_log_level(),
    )  # fmt: skip
    if as_json:
        click.echo(json.dumps({n: vars(r) for n, r in results.items()}, indent=2))
        return
    for name, result in results.items():
        counts = result.counts
        line = (
            f"{name:<20} {result.status:<8} stored {counts.get('stored', 0)}"
            if result.status != "disabled"
            else f"{name:<20} disabled {result.message}"
        )
        click.echo(line)
        details = {k: v for k, v in counts.items() if k not in ("finish_reason",)}
        if details and result.status != "disabled":
            click.echo("    " + ", ".join(f"{k} {v}" for k, v in sorted(details.items())))
        if result.message and result.status != "disabled":
            click.echo(f"    {result.message}")
    _classify_and_purge(obj, as_json)
    if any(r.status == "failed" for r in results.values()):
        raise click.ClickException("one or more sources failed (see above)")


def _load_classifier(obj: Any):
    """The configured classifier's current model (ClassifierError when there is none)."""
    from nlp.classifier import ModelStore

    settings = obj.settings.classifier
    return ModelStore(settings.models_dir).load(settings.backend, device=settings.device)


def _classifier_or_none(obj: Any):
    """The configured classifier, or None (with the reason) when it cannot be loaded."""
    from nlp.classifier import ClassifierError

    try:
        return _load_classifier(obj)
    except ClassifierError as error:
        # the posts are stored; `nlp classify-new` catches up once the model is there
        click.echo(f"not classified: {error}", err=True)
        return None


def _parallel(classifier, settings: Any):
    from nlp.parallel import ParallelClassifier

    # the transformers backend runs its own threads (and maybe a GPU): one process for it
    processes = settings.processes if settings.backend == "spacy" else 1
    return ParallelClassifier(classifier, processes)


def _classify_and_purge(obj: Any, as_json: bool) -> None:
    """After a listening run: classify the new posts, then drop text past its retention."""
    from listener.pipeline import utc_now
    from listener.signals import classify_new
    from listener.store import prune_rare_terms, purge_old_text

    classifier = _classifier_or_none(obj)
    if classifier is not None:
        settings = obj.settings.classifier
        with _parallel(classifier, settings) as parallel:
            result = classify_new(obj.db, parallel, utc_now(), settings.batch_size)
        if not as_json:
            obj.echo(
                f"classified {result.classified} posts with {result.model_version}: "
                f"{result.money_trouble} signal money trouble"
            )
    privacy = obj.settings.privacy
    purge = purge_old_text(obj.db, utc_now(), privacy.retention_days)
    prune_rare_terms(obj.db, utc_now(), privacy.retention_days, privacy.min_count)
    if purge.purged and not as_json:
        obj.echo(f"dropped the text of {purge.purged} posts past the retention period")


@click.command("classify-new")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@click.pass_obj
def classify_new(obj: Any, as_json: bool) -> None:
    """Classify stored posts that have no signal, or one from another model version.

    Runs in batches (classifier.batch_size), each committed on its own; `listen run` calls
    it after every run. Reclassifying replaces a post's signal; posts whose text was purged
    keep the signal they have.
    """
    from listener.pipeline import utc_now
    from listener.signals import classify_new as classify_posts
    from listener.signals import pending_count
    from nlp.classifier import ClassifierError

    settings = obj.settings.classifier
    try:
        classifier = _load_classifier(obj)
    except ClassifierError as error:
        raise click.ClickException(str(error)) from error
    total = pending_count(obj.db, classifier.version)
    show_bar = not (as_json or obj.quiet) and total > 0
    with (
        click.progressbar(
            length=total, label="classifying", file=None if show_bar else _Discard()
        ) as bar,
        _parallel(classifier, settings) as parallel,
    ):
        result = classify_posts(
            obj.db, parallel, utc_now(), settings.batch_size, progress=bar.update
        )
    summary = {
        "model_version": result.model_version,
        "classified": result.classified,
        "money_trouble": result.money_trouble,
    }
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        click.echo(
            f"classified {result.classified} posts with {result.model_version}: "
            f"{result.money_trouble} signal money trouble"
        )


class _Discard:
    """A file that swallows the progress bar (for --json and --quiet)."""

    def write(self, _: str) -> int:
        return 0

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False


@listen.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_obj
def list_sources(obj: Any, as_json: bool) -> None:
    """Show every configured source with its purpose, last run and stored posts."""
    from listener.runs import source_overview

    overview = source_overview(obj.db)
    rows = []
    for name, source in obj.settings.listener.sources.items():
        seen = overview.get(name, {})
        last = seen.get("last_run") or {}
        rows.append({
            "name": name, "type": source.type, "enabled": source.enabled,
            "purpose": source.purpose, "region": source.region, "every": source.every,
            "posts": seen.get("posts", 0), "last_run": last.get("started_at"),
            "last_status": last.get("status"), "last_ok": seen.get("last_ok"),
            "last_error": last.get("error"), "last_counts": last.get("counts", {}),
        })  # fmt: skip
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo("No sources configured: add [listener.sources.NAME] tables (see the README).")
    for row in rows:
        state = "enabled" if row["enabled"] else "disabled"
        last = f"{row['last_status']} {row['last_run']}" if row["last_run"] else "never run"
        click.echo(f"{row['name']:<20} {row['type']:<9} {state:<8} posts {row['posts']:<6} {last}")
        click.echo(f"    purpose: {row['purpose']}")
        counts = {k: v for k, v in row["last_counts"].items() if k != "finish_reason"}
        if counts:
            click.echo("    last run: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        if row["last_error"]:
            click.echo(f"    last error: {row['last_error']}")


@listen.command()
@click.argument("source")
@click.pass_obj
def test(obj: Any, source: str) -> None:
    """Fetch a few pages of SOURCE and show what would be stored, storing nothing.

    Texts are shown scrubbed, as they would be stored; handles and URLs are not shown.
    """
    from listener.crawl import WEB_SOURCE_TYPES, crawl_web_sources
    from listener.preview import preview_api_source
    from listener.runner import UnknownSource, check_source_names

    settings = obj.settings.listener
    try:
        check_source_names(settings, [source])
    except UnknownSource as error:
        raise click.ClickException(str(error)) from error
    if settings.sources[source].type in WEB_SOURCE_TYPES:
        result = crawl_web_sources(
            obj.settings.store.path, [source], settings, _agent(obj), _hash_key(obj),
            log_level=_log_level(), test=True,
        )[source]  # fmt: skip
        previews = result.pop("previews", [])
    else:
        previews, result = preview_api_source(source, settings, obj.secrets)
    for number, item in enumerate(previews, start=1):
        keep = "would keep" if item["would_keep"] else f"would drop ({item['language'] or '?'})"
        click.echo(f"--- post {number}: {keep}; {item['published_at'] or 'no date'}")
        if item["title"]:
            click.echo(f"title: {item['title']}")
        click.echo(item["text"][:500])
    click.echo(
        f"=== {len(previews)} posts found; "
        + ", ".join(f"{k} {v}" for k, v in sorted(result.items()))
    )


@listen.command("serve-samples")
@click.option("--port", type=int, default=48765, show_default=True)
def serve_samples(port: int) -> None:
    """Serve the sample sources (a Dutch forum, feeds, JSON APIs) on 127.0.0.1:PORT."""
    from listener.sample_server import SampleServer

    with SampleServer(port) as server:
        click.echo(f"Serving the sample sources at {server.url}/ (Ctrl+C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            server.thread.join()
