"""A sliding-window rate limiter for the call-back form, kept in memory only.

Clients are told apart by their network address, but the address itself is never kept: the
limiter holds a keyed hash of it (a key made fresh for each process), only for as long as the
window lasts, and never writes or logs it (DESIGN §5).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import deque


class RateLimiter:
    """At most ``limit`` hits per client within any ``window`` seconds.

    Thread-safe: uvicorn may run handlers on several threads. Times are passed in (seconds,
    from any monotonic-enough clock), so tests can move time.
    """

    def __init__(
        self, limit: int = 5, window: float = 600.0, *, max_clients: int = 100_000
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._key = secrets.token_bytes(32)
        self._hits: dict[bytes, deque[float]] = {}
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    def hit(self, client: str, now: float) -> bool:
        """Count one attempt by ``client``; False (and not counted) when over the limit."""
        key = self._client_key(client)
        with self._lock:
            self._sweep(now)
            hits = self._hits.get(key)
            if hits is None:
                hits = self._hits[key] = deque()
            self._expire(hits, now)
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            return True

    def retry_after(self, client: str, now: float) -> int:
        """Whole seconds until ``client`` may try again (0: now)."""
        key = self._client_key(client)
        with self._lock:
            hits = self._hits.get(key)
            if not hits or len(hits) < self.limit:
                return 0
            return max(0, int(hits[0] + self.window - now + 0.999))

    def __len__(self) -> int:
        """How many clients are remembered now (for tests of pruning)."""
        with self._lock:
            return len(self._hits)

    def __bool__(self) -> bool:
        # An empty limiter is still a limiter: without this, `limiter or default` (via
        # __len__) would quietly replace a fresh one.
        return True

    def _client_key(self, client: str) -> bytes:
        return hmac.new(self._key, client.encode("utf-8", "replace"), hashlib.sha256).digest()

    def _expire(self, hits: deque[float], now: float) -> None:
        while hits and hits[0] <= now - self.window:
            hits.popleft()

    def _sweep(self, now: float) -> None:
        # Forget clients whose hits all left the window: at most once per window, or sooner
        # when a flood of addresses fills the table.
        if now < self._next_sweep and len(self._hits) < self.max_clients:
            return
        for key in [
            k for k, hits in self._hits.items() if not hits or hits[-1] <= now - self.window
        ]:
            del self._hits[key]
        if len(self._hits) >= self.max_clients:
            # Still full of live clients: drop the oldest rather than grow without bound.
            oldest = sorted(self._hits, key=lambda k: self._hits[k][-1])
            for key in oldest[: len(self._hits) - self.max_clients + 1]:
                del self._hits[key]
        self._next_sweep = now + self.window
