"""API listeners (X, Facebook): sources read through an official API, not crawled.

Each listener type is a class registered here by name with the interface of ``ApiListener``.
``from_settings`` raises ``SourceNotConfigured`` with one line saying what is missing (for
example "OPENDEUR_X_BEARER_TOKEN not set"), so the run goes on with the other sources.
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from listener.pipeline import PostPipeline

API_LISTENERS = {
    "x": "listener.x:XRecentSearchListener",
    "facebook": "listener.facebook:FacebookPageListener",
}


class SourceNotConfigured(Exception):
    """The source lacks a secret or setting; the message names it."""


class SourceStopped(Exception):
    """The source stopped early but cleanly (for example a long rate-limit wait); what it
    collected is kept and the next run continues from the saved state."""


class ApiListener(Protocol):
    @classmethod
    def from_settings(
        cls, name: str, source: Any, secrets: Mapping[str, str] | Any
    ) -> ApiListener: ...

    def run(
        self, pipeline: PostPipeline, state: dict[str, Any], clock: Callable[[], datetime]
    ) -> Counter[str]:
        """Collect new posts into ``pipeline``; update ``state`` in place.

        ``state`` holds times and cursors, never a post or writer id (DESIGN §5).
        """
        ...


def api_listener_class(source_type: str) -> type[ApiListener]:
    module, attribute = API_LISTENERS[source_type].split(":")
    return getattr(importlib.import_module(module), attribute)
