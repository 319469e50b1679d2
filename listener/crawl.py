"""Start a crawl of web sources in a child process and read back its per-source counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from listener.crawl_process import HASH_KEY_ENV
from listener.settings import ListenerSettings

WEB_SOURCE_TYPES = frozenset({"forum", "feed", "sitemap", "reddit", "discourse"})


class CrawlFailed(Exception):
    """The crawler process stopped without a result."""


def user_agent(organisation_name: str, contact_url: str, version: str) -> str:
    """Names the organisation and a contact address (DESIGN §5), e.g. for site owners."""
    name = organisation_name or "opendeur"
    contact = f"; +{contact_url}" if contact_url else ""
    return f"opendeur/{version} ({name}{contact})"


def crawl_web_sources(
    db_path: Path,
    source_names: list[str],
    settings: ListenerSettings,
    agent: str,
    hash_key: str,
    *,
    log_level: str = "WARNING",
    test: bool = False,
) -> dict[str, dict[str, Any]]:
    """Crawl the named web sources into the database; return counts per source."""
    state_dir = settings.crawl.state_dir or db_path.parent / "crawl-state"
    if not state_dir.is_absolute():
        state_dir = db_path.parent / state_dir
    with tempfile.TemporaryDirectory(prefix="opendeur-crawl-") as folder:
        result_path = Path(folder) / "result.json"
        request = {
            "db_path": str(db_path),
            "sources": {
                name: settings.sources[name].model_dump(mode="json") for name in source_names
            },
            "crawl": settings.crawl.model_dump(mode="json"),
            "language": settings.language.model_dump(mode="json"),
            "user_agent": agent,
            "state_dir": str(state_dir),
            "log_level": log_level,
            "test": test,
            "result_path": str(result_path),
        }
        # The key travels in the child's environment only: never in argv (visible to every
        # user in `ps`) nor in Scrapy's settings (logged).
        environment = {**os.environ, HASH_KEY_ENV: hash_key}
        completed = subprocess.run(
            [sys.executable, "-m", "listener.crawl_process"],
            input=json.dumps(request),
            env=environment,
            text=True,
            check=False,
        )
        if completed.returncode != 0 or not result_path.exists():
            raise CrawlFailed(
                f"the crawler process stopped with status {completed.returncode}; "
                "what it had stored is kept, run again with -v to see its log"
            )
        return json.loads(result_path.read_text(encoding="utf-8"))
