"""`opendeur report weekly` and `opendeur report list` end to end, through the command line."""

from __future__ import annotations

import csv
import email
import email.policy
import json
import os
import re
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

WEEK = "2026-W47"
HTML, FIGURES = f"rapport-{WEEK}.html", f"cijfers-{WEEK}.json"
RECIPIENTS = ("bestuur@woonstichting.test", "huurders@woonstichting.test")


@pytest.fixture
def report_config(write_config, tmp_path: Path):
    """Write a configuration whose database is the ``db`` fixture's and whose reports go to
    tmp_path/rapporten; ``extra`` is appended (more [report] keys, [report.email])."""

    def write(extra: str = "") -> Path:
        return write_config(
            '[organisation]\nname = "Woonstichting Test"\n'
            f'[store]\npath = "{tmp_path / "test.db"}"\n'
            f'[report]\nout_dir = "{tmp_path / "rapporten"}"\n{extra}'
        )

    return write


@pytest.fixture
def filled(signal_writer):
    """Four calm weeks, then a week with a rise in rent trouble and a few small counts."""
    utrecht, middelburg = ("GM0344", "Utrecht"), ("GM0687", "Middelburg")
    for week in ("2026-W43", "2026-W44", "2026-W45", "2026-W46"):
        signal_writer.add(week, 20, money_trouble=True, topics=("huur",), severity=1,
                          province="Utrecht", municipality=utrecht)  # fmt: skip
        signal_writer.add(week, 30)
    signal_writer.add(WEEK, 30, money_trouble=True, topics=("huur",), severity=2,
                      province="Utrecht", municipality=utrecht)  # fmt: skip
    signal_writer.add(WEEK, 3, money_trouble=True, topics=("energie",), severity=3,
                      province="Zeeland", municipality=middelburg, source="nieuws")  # fmt: skip
    signal_writer.add(WEEK, 2, money_trouble=True, topics=("lenen",), severity=1)
    signal_writer.add(WEEK, 40)
    return signal_writer


def _weekly(run_cli, config: Path, *options: str):
    return run_cli("--config", str(config), "report", "weekly", "--week", WEEK, *options)


def _ints(value, path: str = ""):
    """Every whole number in a JSON document, with where it stands."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _ints(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _ints(item, f"{path}[{index}]")


def _reports(run_cli, config: Path) -> list[dict]:
    result = run_cli("--config", str(config), "report", "list", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_opendeur_report_weekly_writes_html_json_and_csv(run_cli, report_config, filled, tmp_path):
    config = report_config()
    result = _weekly(run_cli, config)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "rapporten" / WEEK
    assert f"Report for {WEEK} (16 t/m 22 november 2026): {folder / HTML}" in result.stdout
    html = (folder / HTML).read_text(encoding="utf-8")
    assert "Signalenrapport week 47 van 2026" in html and "Woonstichting Test" in html
    figures = json.loads((folder / FIGURES).read_text(encoding="utf-8"))
    assert figures["week"] == WEEK and figures["small_count_threshold"] == 5
    assert figures["sections"]["headline"]["posts_read"] == 75
    assert figures["sections"]["headline"]["money_trouble"] == 35
    assert figures["sections"]["trends"]["huur"][WEEK] == 30
    names = {path.name for path in folder.glob("*.csv")}
    assert {f"{name}-{WEEK}.csv" for name in ("headline", "trends", "regions_provinces",
            "regions_municipalities", "sources")} <= names  # fmt: skip
    with open(folder / f"trends-{WEEK}.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["Onderwerp", *[f"W{n}" for n in range(36, 48)]]
    assert rows[1] == ["huur", *["0"] * 7, "20", "20", "20", "20", "30"]
    assert not [name for name in os.listdir(folder) if name.endswith(".part")]


def test_opendeur_report_weekly_small_counts_hidden_in_json_and_csv(
    run_cli, report_config, filled, tmp_path
):
    assert _weekly(run_cli, report_config()).exit_code == 0
    folder = tmp_path / "rapporten" / WEEK
    figures = json.loads((folder / FIGURES).read_text(encoding="utf-8"))
    small = [(path, n) for path, n in _ints(figures) if 1 <= n <= 4]
    assert small == []
    assert figures["sections"]["trends"]["energie"][WEEK] == "< 5"
    assert figures["sections"]["regions"]["provinces"]["Zeeland"] == "< 5"
    csv_files = sorted(folder.glob("*.csv"))
    assert csv_files
    hidden_cells = 0
    for path in csv_files:
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                assert not [cell for cell in row if re.fullmatch(r"[1-4]", cell)], (path, row)
                hidden_cells += row.count("< 5")
    assert hidden_cells >= 4


def test_opendeur_report_weekly_html_is_self_contained(run_cli, report_config, filled, tmp_path):
    assert _weekly(run_cli, report_config()).exit_code == 0
    html = (tmp_path / "rapporten" / WEEK / HTML).read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "<link" not in html.lower() and "@import" not in html
    references = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)""", html, re.IGNORECASE)
    assert references  # the table of contents links to its sections
    assert all(reference.startswith("#") for reference in references), references
    assert not re.search(r"url\((?!#)", html)
    assert html.count("<svg") >= 3


def test_opendeur_report_weekly_out_option_writes_there(run_cli, report_config, filled, tmp_path):
    out = tmp_path / "elders" / "week47"
    result = _weekly(run_cli, report_config(), "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    assert written["html"] == str(out / HTML)
    assert written["folder"] == str(out)
    assert (out / HTML).is_file() and (out / FIGURES).is_file()
    assert not (tmp_path / "rapporten").exists()


def test_opendeur_report_list_shows_archived_report(run_cli, report_config, filled, tmp_path):
    config = report_config()
    empty = run_cli("--config", str(config), "report", "list")
    assert empty.exit_code == 0 and "No reports yet" in empty.stdout
    assert _weekly(run_cli, config).exit_code == 0
    listed = run_cli("--config", str(config), "report", "list")
    assert listed.exit_code == 0, listed.output
    assert WEEK in listed.stdout
    assert str(tmp_path / "rapporten" / WEEK / HTML) in listed.stdout
    assert "mailed" not in listed.stdout and "PDF" not in listed.stdout
    [row] = _reports(run_cli, config)
    assert row["week"] == WEEK
    assert row["folder"] == str(tmp_path / "rapporten" / WEEK)
    assert row["html_file"] == HTML
    assert (row["pdf_file"], row["emailed_at"], row["recipients"]) == (None, None, 0)


def test_opendeur_report_weekly_empty_database_says_so(run_cli, report_config, db, tmp_path):
    result = _weekly(run_cli, report_config())
    assert result.exit_code == 0, result.output
    html = (tmp_path / "rapporten" / WEEK / HTML).read_text(encoding="utf-8")
    assert "lazen we geen berichten" in html
    assert "Geen signalen in deze weken" in html
    figures = json.loads((tmp_path / "rapporten" / WEEK / FIGURES).read_text(encoding="utf-8"))
    assert figures["sections"]["headline"]["share"] is None


def test_opendeur_report_weekly_bad_week_is_a_usage_error(run_cli, report_config, db, tmp_path):
    result = run_cli("--config", str(report_config()), "report", "weekly", "--week", "2026-W60")
    assert result.exit_code == 2
    assert "'2026-W60' is not an ISO week such as 2026-W47" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "rapporten").exists()


def test_opendeur_report_weekly_unknown_section_is_a_config_error(
    run_cli, report_config, db, tmp_path
):
    config = report_config('sections = ["headline", "kaart"]\n')
    result = _weekly(run_cli, config)
    assert result.exit_code == 1
    assert "unknown section(s) kaart; known: headline, trends, regions" in result.stderr
    assert str(config) in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "rapporten").exists()


def test_opendeur_report_weekly_email_without_settings_fails_before_writing(
    run_cli, report_config, filled, tmp_path
):
    config = report_config()
    result = _weekly(run_cli, config, "--email")
    assert result.exit_code == 1
    assert "--email needs report.email.host, report.email.sender, report.email.recipients" in (
        result.stderr
    )
    assert not (tmp_path / "rapporten").exists()
    assert _reports(run_cli, config) == []


def test_opendeur_report_weekly_crash_in_render_leaves_no_report(
    run_cli, report_config, filled, tmp_path, monkeypatch
):
    from opendeur.report import build

    def broken(*args, **kwargs):
        raise RuntimeError("template broke")

    monkeypatch.setattr(build, "render_html", broken)
    config = report_config()
    with pytest.raises(RuntimeError, match="template broke"):
        _weekly(run_cli, config)
    folder = tmp_path / "rapporten" / WEEK
    assert not (folder / HTML).exists()
    assert not folder.exists() or not list(folder.glob(".*.part"))
    monkeypatch.undo()
    assert _reports(run_cli, config) == []


def test_opendeur_report_weekly_crash_writing_html_leaves_no_report(
    run_cli, report_config, filled, tmp_path, monkeypatch
):
    real_replace = os.replace

    def failing_replace(source, target, *args, **kwargs):
        if str(target).endswith(".html"):
            raise OSError(28, "No space left on device")
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing_replace)
    config = report_config()
    with pytest.raises(OSError, match="No space left"):
        _weekly(run_cli, config)
    monkeypatch.undo()
    folder = tmp_path / "rapporten" / WEEK
    assert not (folder / HTML).exists()
    assert [name for name in os.listdir(folder) if name.startswith(".")] == []
    assert _reports(run_cli, config) == []


class _Inbox:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox():
    handler = _Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


@pytest.mark.service
def test_opendeur_report_weekly_email_arrives_with_pdf(
    run_cli, report_config, filled, tmp_path, inbox
):
    handler, port = inbox
    config = report_config(
        '[report.email]\nhost = "127.0.0.1"\n'
        f'port = {port}\nsecurity = "none"\nsender = "rapport@woonstichting.test"\n'
        f"recipients = {json.dumps(list(RECIPIENTS))}\ntimeout_seconds = 20\n"
    )
    result = _weekly(run_cli, config, "--email")
    assert result.exit_code == 0, result.output
    assert "Mailed to 2 recipient(s)." in result.stdout
    folder = tmp_path / "rapporten" / WEEK
    pdf = folder / f"rapport-{WEEK}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    [envelope] = handler.envelopes
    assert sorted(envelope.rcpt_tos) == sorted(RECIPIENTS)
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Signalenrapport week 47 van 2026 (16 t/m 22 november 2026)"
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == pdf.name
    assert attachment.get_content() == pdf.read_bytes()
    body = message.get_body(("html",)).get_content()
    assert "In het kort" in body and "35 berichten gingen over eigen geldzorgen" in body
    [row] = _reports(run_cli, config)
    assert row["pdf_file"] == pdf.name
    assert row["emailed_at"] is not None
    assert row["recipients"] == 2
    listed = run_cli("--config", str(config), "report", "list")
    assert "+ PDF, mailed to 2" in listed.stdout


def test_opendeur_report_weekly_pdf_failure_keeps_the_archived_report(
    run_cli, report_config, filled, tmp_path
):
    config = report_config(f'browser = "{tmp_path / "no-chromium"}"\n')
    result = _weekly(run_cli, config, "--pdf")
    assert result.exit_code == 1
    assert "no-chromium" in result.stderr and result.stderr.startswith("Error: ")
    [row] = _reports(run_cli, config)
    assert (row["week"], row["pdf_file"]) == (WEEK, None)
    assert (Path(row["folder"]) / row["html_file"]).is_file()
