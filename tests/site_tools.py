"""Tools for the theme-site quality tests: the Nu HTML Checker, axe-core, Chromium, a server.

vnu.jar (the Nu HTML Checker) and axe-core come from npm (``package.json`` at the repository
root, installed with ``npm ci --ignore-scripts`` into ``node_modules/``); vnu.jar runs on the
system Java (11 or newer). Chromium and ChromeDriver are Debian's, as in
``test_opendeur_report_browser.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO_ROOT / "node_modules"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
NPM_HINT = "run `npm ci --ignore-scripts` in the repository root (package.json)"


class ToolMissing(RuntimeError):
    """A test tool is not installed; the message says how to install it."""


def find_vnu_jar() -> Path:
    """The Nu HTML Checker's jar from ``node_modules/vnu-jar``."""
    jar = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
    if not jar.is_file():
        raise ToolMissing(f"{jar} is missing: {NPM_HINT}")
    return jar


def find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ToolMissing("java is not on PATH: vnu.jar needs Java 11 or newer "
                          "(apt-get install default-jre-headless)")  # fmt: skip
    return java


def validate_html(paths: Iterable[Path], *, css: bool = True, timeout: float = 240) -> list[dict]:
    """Check every file in ``paths`` (HTML, and CSS when ``css``) in one JVM run.

    Returns vnu's error messages (``--errors-only``): dicts with ``url``, ``lastLine``,
    ``message``, ``extract``... An empty list means every file is valid.
    """
    files = [str(Path(p).resolve()) for p in paths]
    if not files:
        return []
    command = [find_java(), "-Xss8m", "-jar", str(find_vnu_jar()), "--format", "json",
               "--errors-only", "--exit-zero-always"]  # fmt: skip
    if css:
        command.append("--also-check-css")
    result = subprocess.run(command + files, capture_output=True, text=True, timeout=timeout,
                            check=False)  # fmt: skip
    report = result.stderr.strip() or result.stdout.strip()  # vnu writes its JSON to stderr
    try:
        messages = json.loads(report)["messages"]
    except (ValueError, KeyError) as error:
        raise RuntimeError(f"vnu.jar gave no JSON report (exit {result.returncode}): "
                           f"{report[:2000]}") from error  # fmt: skip
    return [m for m in messages if m.get("type") in ("error", "non-document-error")
            or m.get("subType") == "fatal"]  # fmt: skip


def format_vnu(messages: list[dict], root: Path | None = None) -> str:
    """vnu's messages as ``file:line:column: message [extract]`` lines."""
    lines = []
    for m in messages:
        url = m.get("url", "?")
        if root is not None and url.startswith("file:"):
            url = url.removeprefix("file:").removeprefix(str(root.resolve()))
        where = f"{url}:{m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}"
        extract = " ".join(str(m.get("extract", "")).split())
        lines.append(f"{where}: {m.get('message')} [{extract}]")
    return "\n".join(lines)


def axe_source() -> str:
    """axe-core's browser build, to inject with ``driver.execute_script``."""
    path = NODE_MODULES / "axe-core" / "axe.min.js"
    if not path.is_file():
        raise ToolMissing(f"{path} is missing: {NPM_HINT}")
    return path.read_text(encoding="utf-8")


CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-default-apps", "--no-first-run",
                  "--no-default-browser-check", "--hide-scrollbars", "--lang=nl-NL")  # fmt: skip


@contextmanager
def chromium_driver(*, javascript: bool = True, performance_log: bool = False,
                    window: tuple[int, int] = (1280, 900)) -> Iterator[Any]:  # fmt: skip
    """A headless Debian Chromium driven by Selenium, with a fresh profile, quit afterwards.

    ``javascript=False`` switches page scripts off through the profile's content settings
    (Selenium's own scripts still run); ``performance_log`` records the DevTools network
    events (``driver.get_log("performance")``).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            raise ToolMissing(f"{path} is missing: apt-get install chromium chromium-driver")
    with tempfile.TemporaryDirectory(prefix="opendeur-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in CHROMIUM_FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={profile}")
        options.add_argument(f"--window-size={window[0]},{window[1]}")
        if not javascript:
            options.add_experimental_option(
                "prefs", {"profile.managed_default_content_settings.javascript": 2}
            )
        logging_prefs = {"browser": "ALL"}
        if performance_log:
            logging_prefs["performance"] = "ALL"
        options.set_capability("goog:loggingPrefs", logging_prefs)
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
        try:
            driver.set_window_size(*window)
            driver.set_script_timeout(60)
            driver.set_page_load_timeout(60)
            yield driver
        finally:
            driver.quit()


class _SiteHandler(SimpleHTTPRequestHandler):
    """Plain files with pretty URLs (``/dir/`` is ``dir/index.html``), 404.html for the rest."""

    requests: list[str]  # set per server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self):  # type: ignore[override]
        self.requests.append(self.path)
        return super().send_head()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


class SiteServer(str):
    """The base URL (``http://127.0.0.1:PORT``); ``.requests`` lists the paths asked for."""

    requests: list[str]


@contextmanager
def serve_folder(folder: Path) -> Iterator[SiteServer]:
    """Serve ``folder`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    requests: list[str] = []
    handler_class = type("Handler", (_SiteHandler,), {"requests": requests})
    handler_class.extensions_map = {**SimpleHTTPRequestHandler.extensions_map,
                                    ".js": "text/javascript", ".css": "text/css",
                                    ".html": "text/html; charset=utf-8",
                                    ".xml": "application/xml"}  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler_class, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    base = SiteServer(f"http://127.0.0.1:{server.server_address[1]}")
    base.requests = requests
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
