"""Per-client request budgets (a token bucket per address), kept in this process's memory."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Dict, Tuple

# Beyond this many clients, those whose bucket is full again are forgotten first.
MAX_CLIENTS = 10_000


@dataclass
class RateLimiter:
    """`burst` requests at once, then `per_minute` a minute, for each client key."""

    burst: int
    per_minute: float
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._buckets: Dict[str, Tuple[float, float]] = {}  # key -> (tokens, time)

    def allow(self, key: str) -> bool:
        """Takes one request from `key`'s budget; False when it is spent."""
        now = self.clock()
        tokens, then = self._buckets.get(key, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.per_minute / 60.0)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > MAX_CLIENTS:
            self._forget_idle(now)
        return allowed

    def _forget_idle(self, now: float) -> None:
        refill = 60.0 * self.burst / self.per_minute
        idle = [key for key, (_, then) in self._buckets.items() if now - then >= refill]
        for key in idle:
            del self._buckets[key]
        if len(self._buckets) > MAX_CLIENTS:  # all busy: drop the oldest half
            ordered = sorted(self._buckets, key=lambda key: self._buckets[key][1])
            for key in ordered[: len(ordered) // 2]:
                del self._buckets[key]


__all__ = ["RateLimiter"]
