"""Run configured sources: web sources in one crawl process, API sources one by one.

Every run of a source is recorded in ``source_runs`` with its counts. A source that lacks a
secret is skipped with one line naming it; a source that stops early keeps what it stored;
neither stops the other sources.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from listener.api_listeners import SourceNotConfigured, SourceStopped, api_listener_class
from listener.crawl import WEB_SOURCE_TYPES, CrawlFailed, crawl_web_sources
from listener.identifiers import IdentifierHasher
from listener.pipeline import PostPipeline
from listener.runs import finish_run, load_state, save_state, source_overview, start_run
from listener.settings import ListenerSettings

logger = logging.getLogger(__name__)


class UnknownSource(Exception):
    """A source name that is not in the configuration."""


@dataclass
class SourceResult:
    status: str  # ok, failed, stopped, disabled
    counts: dict[str, Any] = field(default_factory=dict)
    message: str = ""


def check_source_names(settings: ListenerSettings, names: list[str]) -> None:
    unknown = [name for name in names if name not in settings.sources]
    if unknown:
        configured = ", ".join(sorted(settings.sources)) or "none"
        raise UnknownSource(
            f"unknown source {', '.join(unknown)}; configured sources: {configured}"
        )


def choose_sources(
    settings: ListenerSettings, names: list[str], due: bool, db: Database, now: datetime
) -> list[str]:
    """The sources to run: the named ones, else every enabled one (only due ones with --due)."""
    check_source_names(settings, names)
    chosen = names or [name for name, source in settings.sources.items() if source.enabled]
    if due:
        overview = source_overview(db)
        chosen = [n for n in chosen if _is_due(settings.sources[n].every, overview.get(n), now)]
    return chosen


def _is_due(every: str, overview: dict | None, now: datetime) -> bool:
    last_ok = (overview or {}).get("last_ok")
    if not last_ok:
        return True
    amount, unit = int(every[:-1]), every[-1]
    interval = timedelta(**{{"m": "minutes", "h": "hours", "d": "days"}[unit]: amount})
    return datetime.fromisoformat(last_ok) + interval <= now


def run_sources(
    db: Database,
    db_path: Path,
    settings: ListenerSettings,
    names: list[str],
    *,
    hasher_key: str,
    agent: str,
    secrets: Any,
    clock: Callable[[], datetime],
    log_level: str = "WARNING",
) -> dict[str, SourceResult]:
    results: dict[str, SourceResult] = {}
    runs = {name: start_run(db, name, clock()) for name in names}
    web = [name for name in names if settings.sources[name].type in WEB_SOURCE_TYPES]
    if web:
        try:
            crawled = crawl_web_sources(db_path, web, settings, agent, hasher_key,
                                        log_level=log_level)  # fmt: skip
            for name in web:
                counts = crawled.get(name, {})
                status = "ok" if counts.get("finish_reason") == "finished" else "stopped"
                results[name] = SourceResult(status, counts)
        except CrawlFailed as error:
            for name in web:
                results[name] = SourceResult("failed", message=str(error))
    hasher = IdentifierHasher(hasher_key.encode())
    for name in names:
        if name not in web:
            results[name] = _run_api_source(db, name, settings, hasher, secrets, clock)
    for name, result in results.items():
        status = "failed" if result.status == "disabled" else result.status
        finish_run(db, runs[name], clock(), status, result.counts, result.message or None)
    return results


def _run_api_source(
    db: Database,
    name: str,
    settings: ListenerSettings,
    hasher: IdentifierHasher,
    secrets: Mapping[str, str] | Any,
    clock: Callable[[], datetime],
) -> SourceResult:
    source = settings.sources[name]
    try:
        listener = api_listener_class(source.type).from_settings(name, source, secrets)
    except SourceNotConfigured as error:
        logger.warning("Disabled source %s: %s", name, error)
        return SourceResult("disabled", message=str(error))
    pipeline = PostPipeline(db, hasher, settings.language, clock)
    state = load_state(db, name)
    try:
        counts = dict(listener.run(pipeline, state, clock))
    except SourceStopped as error:
        pipeline.commit()
        return SourceResult("stopped", dict(pipeline.counts), str(error))
    pipeline.commit()
    save_state(db, name, state, clock())
    return SourceResult("ok", counts)
