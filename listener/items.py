"""What every source yields: one collected post, before the privacy pipeline.

``url`` and ``author`` live in memory only; the pipeline replaces them by keyed hashes before
anything is stored (DESIGN §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class CollectedPost:
    source: str
    url: str
    text: str
    title: str = ""
    author: str | None = None
    published_at: datetime | None = None
    region_hint: str | None = None
