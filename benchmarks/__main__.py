"""Run every benchmark module named in BENCHMARKS, or those given on the command line."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = [
    "benchmarks.cli_startup",
    "benchmarks.scrub",
    "benchmarks.classify",
    "benchmarks.crawl",
    "benchmarks.report",
    "benchmarks.site_build",
    "benchmarks.site_serve",
]


def main(names: list[str]) -> None:
    for name in names or BENCHMARKS:
        module = importlib.import_module(name if "." in name else f"benchmarks.{name}")
        print(f"== {module.__name__}: {(module.__doc__ or '').strip().splitlines()[0]}")
        module.run()


if __name__ == "__main__":
    main(sys.argv[1:])
