"""Start-up time of the command line (target: `opendeur --help` under 0.5 s)."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 15
TARGET_HELP_SECONDS = 0.5


def _median_seconds(command: list[str], runs: int = RUNS) -> tuple[float, float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), max(timings)


def run() -> None:
    opendeur = str(Path(sys.executable).with_name("opendeur"))
    python_only, _ = _median_seconds([sys.executable, "-c", "pass"])
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "bench.toml"
        config.write_text('[store]\npath = "bench.db"\n', encoding="utf-8")
        subprocess.run(
            [opendeur, "--config", str(config), "db", "migrate"], check=True, capture_output=True
        )
        cases = {
            "opendeur --help": [opendeur, "--help"],
            "opendeur db status": [opendeur, "--config", str(config), "db", "status"],
        }
        print(f"  {'python -c pass':<22} median {python_only:.3f} s")
        for label, command in cases.items():
            median, worst = _median_seconds(command)
            print(f"  {label:<22} median {median:.3f} s, max {worst:.3f} s over {RUNS} runs")
            if label == "opendeur --help":
                verdict = "meets" if median < TARGET_HELP_SECONDS else "MISSES"
                print(
                    f"  {'':<22} {verdict} the {TARGET_HELP_SECONDS} s target "
                    f"({median / python_only:.1f}x a bare Python start)"
                )
