"""Printing the report to PDF with the real Chromium and with fake browsers that fail."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from opendeur.report.pdf import PdfError, find_browser, html_to_pdf

REPORT_HTML = """<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>Weekrapport</title></head>
<body>
  <h1>Weekrapport signalen – week 12</h1>
  <p>Huurders in Zuidwijk meldden vaker schimmel en tocht;
     één melding ging over geluidsoverlast.</p>
  <svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" role="img">
    <title>Meldingen per week</title>
    <rect x="0" y="10" width="120" height="16" fill="#1f6f8b"/>
    <rect x="0" y="34" width="60" height="16" fill="#e07a5f"/>
  </svg>
</body>
</html>
"""


def _fake_browser(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "fake-chromium"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return script


@pytest.fixture
def html_file(tmp_path: Path) -> Path:
    path = tmp_path / "weekrapport.html"
    path.write_text(REPORT_HTML, encoding="utf-8")
    return path


@pytest.mark.service
def test_opendeur_report_pdf_prints_with_chromium(html_file: Path, tmp_path: Path) -> None:
    out_folder = tmp_path / "uit"
    pdf_path = out_folder / "weekrapport.pdf"

    assert html_to_pdf(html_file, pdf_path) == pdf_path

    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) >= 1
    assert sorted(path.name for path in out_folder.iterdir()) == ["weekrapport.pdf"]


def test_opendeur_report_pdf_missing_browser(html_file: Path, tmp_path: Path) -> None:
    missing = tmp_path / "bestaat-niet" / "chromium"

    with pytest.raises(PdfError, match="does not exist or is not executable.*apt-get install"):
        find_browser(missing)
    with pytest.raises(PdfError, match=str(missing)):
        html_to_pdf(html_file, tmp_path / "weekrapport.pdf", browser=missing)


def test_opendeur_report_pdf_no_browser_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(PdfError, match="chromium.*apt-get install chromium"):
        find_browser()


def test_opendeur_report_pdf_browser_failure_shows_stderr(html_file: Path, tmp_path: Path) -> None:
    browser = _fake_browser(tmp_path, "echo 'Missing X server or $DISPLAY (kapot)' >&2\nexit 1")
    out_folder = tmp_path / "uit"

    with pytest.raises(PdfError, match=r"exit code 1.*Missing X server or \$DISPLAY \(kapot\)"):
        html_to_pdf(html_file, out_folder / "weekrapport.pdf", browser=browser)
    assert list(out_folder.iterdir()) == []


def test_opendeur_report_pdf_half_written_output_not_kept(html_file: Path, tmp_path: Path) -> None:
    # A browser that writes a truncated, non-PDF file and still exits 0.
    browser = _fake_browser(
        tmp_path,
        'for arg in "$@"; do case "$arg" in --print-to-pdf=*) printf half > "${arg#*=}";; esac; '
        "done",
    )
    out_folder = tmp_path / "uit"

    with pytest.raises(PdfError, match="wrote no PDF"):
        html_to_pdf(html_file, out_folder / "weekrapport.pdf", browser=browser)
    assert list(out_folder.iterdir()) == []


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_opendeur_report_pdf_timeout_kills_browser(html_file: Path, tmp_path: Path) -> None:
    # Like Chromium, the fake browser starts a helper process; the timeout must end both.
    helper_pid_file = tmp_path / "helper.pid"
    browser = _fake_browser(tmp_path, f"sleep 30 &\necho $! > {helper_pid_file}\nwait")
    out_folder = tmp_path / "uit"
    started = time.monotonic()

    with pytest.raises(PdfError, match="within 1 s"):
        html_to_pdf(html_file, out_folder / "weekrapport.pdf", browser=browser, timeout_seconds=1)
    assert time.monotonic() - started < 10
    assert list(out_folder.iterdir()) == []
    helper = int(helper_pid_file.read_text())
    deadline = time.monotonic() + 5
    while _running(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(helper)
