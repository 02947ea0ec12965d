"""Small stores for per-chat state: what the bot has already seen, within a bounded window.

:class:`KeyStore` is the interface handlers use; :class:`RecentKeys` is the in-memory
implementation (one process). A shared store (for several webhook replicas) would implement
the same one method.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Protocol

DAY = 24 * 3600.0
"""Telegram keeps an unconfirmed update for up to 24 hours: the longest a duplicate can lag."""


class KeyStore(Protocol):
    """Remembers keys for a while."""

    def first(self, key: Hashable) -> bool:
        """Record ``key``; True when it was not already recorded within the window."""
        ...


class RecentKeys:
    """In-memory :class:`KeyStore` bounded in size and age.

    Args:
        capacity: at most this many keys are kept; the oldest are forgotten first.
        ttl: a key is forgotten this many seconds after it was recorded.
        clock: a monotonic clock in seconds (injectable for tests).
    """

    def __init__(
        self, capacity: int, ttl: float = DAY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity, self.ttl, self.clock = capacity, ttl, clock
        self._seen: OrderedDict[Hashable, float] = OrderedDict()

    def first(self, key: Hashable) -> bool:
        """Record ``key``; True when it was not already recorded within the window (then it
        is recorded now). O(1) amortised."""
        now = self.clock()
        seen = self._seen
        while seen and now - next(iter(seen.values())) >= self.ttl:
            seen.popitem(last=False)
        if key in seen:
            return False
        if len(seen) >= self.capacity:
            seen.popitem(last=False)
        seen[key] = now
        return True

    def __len__(self) -> int:
        return len(self._seen)
