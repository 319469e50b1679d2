"""Every source type end to end against the local sample sources, through the real crawler.

The expectations come from data/samples/expected.json, written with the sample pages.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlp.datafiles import data_path

pytestmark = pytest.mark.slow
SOURCES = ["phpbb", "xenforo", "discourse_html", "vbulletin", "discourse", "reddit", "nieuws",
           "blog", "blogarchief"]  # fmt: skip


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(data_path("samples", "expected.json").read_text(encoding="utf-8"))


def database_bytes(path: Path) -> bytes:
    """The database file and its WAL, read in another process.

    Opening and closing the file here would drop this process's POSIX locks on it, which the
    SQLite connections of earlier commands still rely on (SQLite documents this pitfall).
    """
    code = (
        "import sys, pathlib; p = pathlib.Path(sys.argv[1]); w = p.with_name(p.name + '-wal');"
        "sys.stdout.buffer.write(p.read_bytes() + (w.read_bytes() if w.exists() else b''))"
    )
    return subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          check=True).stdout  # fmt: skip


def run_json(run_cli, config: Path, *args: str) -> dict:
    result = run_cli("--config", str(config), *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_listener_sources_every_type_end_to_end(run_cli, samples_config, expected, tmp_path):
    results = run_json(run_cli, samples_config, "listen", "run")
    assert {name: r["status"] for name, r in results.items()} == dict.fromkeys(SOURCES, "ok")
    counts = {name: r["counts"] for name, r in results.items()}
    found = {name: c.get("posts_found", 0) for name, c in counts.items()}
    sources = expected["sources"]
    # phpbb also reads forum 9 (the hostile pages) and the server's two dynamic thread pages
    # that succeed after retries (a flaky 500 and a 429 with Retry-After).
    expected_phpbb = sources["phpbb"]["posts"] + sources["phpbb_hostile"]["posts"] + 2
    assert found["phpbb"] == expected_phpbb, counts["phpbb"]
    for name, key in [("xenforo", "xenforo"), ("vbulletin", "vbulletin"), ("reddit", "reddit"),
                      ("discourse", "discourse_json"), ("discourse_html", "discourse_html"),
                      ("nieuws", "rss"), ("blog", "atom"), ("blogarchief", "sitemap")]:  # fmt: skip
        assert found[name] == sources[key]["posts"], (name, counts[name])
    # Every hostile case is counted, none stops the run.
    for kind in ("http_404", "http_503", "redirect_loop", "too_large", "robots_forbidden"):
        assert counts["phpbb"].get(f"error/{kind}") == 1, (kind, counts["phpbb"])
    # The slow page times out; on a busy machine another page may too, and is retried.
    assert counts["phpbb"].get("error/download_timeout", 0) >= 1, counts["phpbb"]
    assert (
        sum(c.get("other_language", 0) for c in counts.values())
        >= expected["languages"]["en"]["total"] + expected["languages"]["de"]["total"]
    )
    # The same Discourse forum read as HTML and as JSON is stored once.
    discourse = counts["discourse"].get("stored", 0) + counts["discourse_html"].get("stored", 0)
    assert discourse <= sources["discourse_json"]["posts"]

    db = tmp_path / "samples.db"
    stored = sum(c.get("stored", 0) for c in counts.values())
    status = run_json(run_cli, samples_config, "db", "status")
    assert status["tables"]["posts"] == stored > 150

    # Nothing that leads back to a writer or a post is anywhere in the database file.
    content = database_bytes(db)
    leaks = [value for values in expected["never_in_database"].values() for value in values
             if value.encode() in content]  # fmt: skip
    leaks += [
        item["value"] for item in expected["personal_data"] if item["value"].encode() in content
    ]
    assert leaks == []
    for placeholder in (b"[NAAM]", b"[TELEFOON]", b"[IBAN]", b"[POSTCODE]"):
        assert placeholder in content

    # Run again: nothing new to store, and unchanged threads are not read again.
    again = run_json(run_cli, samples_config, "listen", "run")
    assert sum(r["counts"].get("stored", 0) for r in again.values()) == 0
    assert again["phpbb"]["counts"]["requests"] < counts["phpbb"]["requests"]
    listed = {row["name"]: row for row in run_json(run_cli, samples_config, "listen", "list")}
    assert listed["phpbb"]["last_status"] == "ok" and listed["phpbb"]["posts"] > 50


def test_listener_sources_test_command_stores_nothing(run_cli, samples_config, tmp_path):
    result = run_cli("--config", str(samples_config), "listen", "test", "phpbb")
    assert result.exit_code == 0, result.output
    assert "would keep" in result.stdout and "posts found" in result.stdout
    assert "[NAAM]" in result.stdout or "[TELEFOON]" in result.stdout
    status = run_json(run_cli, samples_config, "db", "status")
    assert status["tables"].get("posts", 0) == 0


def test_listener_sources_unknown_source_and_missing_key(run_cli, samples_config, monkeypatch):
    unknown = run_cli("--config", str(samples_config), "listen", "run", "nope")
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("Error: unknown source nope; configured sources: blog, ")
    text = samples_config.read_text().replace('env_file = "', 'env_file_unused = "')
    broken = samples_config.with_name("nokey.toml")
    broken.write_text(text.replace("env_file_unused", "# env_file"))
    missing = run_cli("--config", str(broken), "listen", "run", "phpbb")
    assert missing.exit_code == 1
    assert "OPENDEUR_HASH_KEY is not set" in missing.stderr


def test_listener_sources_killed_crawl_loses_and_duplicates_nothing(tmp_path, python):
    from benchmarks.crawl import generate_forum
    from listener.sample_server import SampleServer

    total = generate_forum(tmp_path / "site", threads=120, posts=10)
    config = tmp_path / "kill.toml"
    key = tmp_path / "secrets.env"
    key.write_text("OPENDEUR_HASH_KEY=" + "k" * 32 + "\n")
    key.chmod(0o600)
    opendeur = str(Path(python).with_name("opendeur"))
    with SampleServer(root=tmp_path / "site") as server:
        config.write_text(
            f'[store]\npath = "{tmp_path / "kill.db"}"\n[secrets]\nenv_file = "{key}"\n'
            "[listener.crawl]\ndownload_delay_seconds = 0.02\nautothrottle = false\n"
            "concurrent_requests_per_domain = 1\n"
            '[listener.sources.groot]\ntype = "forum"\npurpose = "Groot forum om te onderbreken"\n'
            f'preset = "phpbb"\nmax_listing_pages = 5\n'
            f'start_urls = ["{server.url}/forum/list-0.html"]\n'
        )
        crawl = subprocess.Popen([opendeur, "--config", str(config), "listen", "run"],
                                 start_new_session=True)  # fmt: skip
        db_path = tmp_path / "kill.db"
        deadline = time.monotonic() + 60
        stored_before = 0
        while time.monotonic() < deadline and stored_before < 150:
            time.sleep(0.2)
            if db_path.exists():
                import sqlite3

                with sqlite3.connect(db_path) as check:
                    if check.execute(
                        "SELECT name FROM sqlite_master WHERE name='posts'"
                    ).fetchone():
                        stored_before = check.execute("SELECT count(*) FROM posts").fetchone()[0]
        os.killpg(crawl.pid, signal.SIGKILL)  # the whole group: the CLI and its crawl process
        crawl.wait()
        assert 0 < stored_before < total
        finished = subprocess.run([opendeur, "--config", str(config), "listen", "run", "--json"],
                                  capture_output=True, text=True)  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    import sqlite3

    with sqlite3.connect(db_path) as check:
        count, distinct = check.execute(
            "SELECT count(*), count(DISTINCT url_hash) FROM posts"
        ).fetchone()
    dropped = json.loads(finished.stdout)["groot"]["counts"]
    assert count == distinct  # nothing twice
    assert count + dropped.get("near_duplicate", 0) >= total - 5  # nothing lost
