"""Print an HTML file to PDF with headless Chromium."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from opendeur.errors import OpendeurError

logger = logging.getLogger(__name__)

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
_INSTALL_HINT = "install Chromium (Debian: apt-get install chromium) or configure the browser path"
# Without the network-quiet flags Chromium tries to reach Google for updates, sync and field
# trials, which stalls or logs errors on a machine without internet.
_BROWSER_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-pdf-header-footer",
)
_STDERR_LINES = 3


class PdfError(OpendeurError):
    """The report could not be printed to PDF."""


def find_browser(configured: Path | None = None) -> Path:
    """The configured browser, else the first Chromium found on PATH."""
    if configured is not None:
        if configured.is_file() and os.access(configured, os.X_OK):
            return configured
        raise PdfError(f"browser {configured} does not exist or is not executable; {_INSTALL_HINT}")
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    raise PdfError(f"no browser to print PDFs found ({', '.join(BROWSER_NAMES)}); {_INSTALL_HINT}")


def html_to_pdf(
    html_path: Path,
    pdf_path: Path,
    browser: Path | None = None,
    timeout_seconds: float = 60,
) -> Path:
    """Print ``html_path`` to ``pdf_path``, which appears only once the PDF is complete."""
    executable = find_browser(browser)
    if not html_path.is_file():
        raise PdfError(f"cannot print {html_path} to PDF: the file does not exist")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    # A temporary name in the target folder, so the final rename is atomic and a crash never
    # leaves a half-written PDF under the name readers and mailers look for.
    handle, temporary_name = tempfile.mkstemp(
        dir=pdf_path.parent, prefix=f".{pdf_path.name}.", suffix=".part"
    )
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        with tempfile.TemporaryDirectory(
            prefix="opendeur-chromium-", ignore_cleanup_errors=True
        ) as profile:
            command = [
                str(executable),
                *_BROWSER_FLAGS,
                f"--user-data-dir={profile}",
                f"--print-to-pdf={temporary}",
                html_path.resolve().as_uri(),
            ]
            returncode, stderr = _run(command, timeout_seconds, executable)
        if returncode != 0:
            raise PdfError(
                f"{executable} failed (exit code {returncode}) printing {html_path}: "
                f"{_tail(stderr)}"
            )
        if not _looks_like_pdf(temporary):
            raise PdfError(f"{executable} wrote no PDF for {html_path}: {_tail(stderr)}")
        os.replace(temporary, pdf_path)
    finally:
        temporary.unlink(missing_ok=True)
    logger.info("Printed %s to %s", html_path, pdf_path)
    return pdf_path


def _run(command: list[str], timeout_seconds: float, executable: Path) -> tuple[int, str]:
    # A session of its own, so a timeout can kill Chromium's helper processes along with it.
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=timeout_seconds)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        # wait(), not communicate(): a helper that left the group may still hold the pipes open.
        process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
        raise PdfError(
            f"{executable} did not finish printing the PDF within {timeout_seconds:g} s; "
            "check that the browser starts (run it with --headless --version)"
        ) from None
    return process.returncode, stderr.decode("utf-8", "replace")


def _looks_like_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(4) == b"%PDF"
    except OSError:
        return False


def _tail(stderr: str) -> str:
    # Headless Chromium logs D-Bus errors on every server without a desktop session; they
    # never explain a failure and would push the real message out of the tail.
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and "dbus" not in line]
    return " | ".join(lines[-_STDERR_LINES:]) or "no error output"
