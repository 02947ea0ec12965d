"""Small in-memory stores: what the bot has already seen, within a bounded window, and the
replies to recent questions.

:class:`KeyStore` is the interface handlers use; :class:`RecentKeys` is the in-memory
implementation (one process). A shared store (for several webhook replicas) would implement
the same one method.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Protocol

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


class ReplyCache:
    """Recent replies and their Telegram renderings, per question text, for one engine.

    ``Engine.answer`` is deterministic (the same question gives the same reply), so a
    question asked again (a popular one, a retry) reuses the reply and its rendering instead
    of matching and rendering again. The cache belongs to the engine it was filled from: a
    reload (a new engine) empties it.

    Args:
        size: at most this many questions are kept; the least recently used go first.
    """

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._engine: object = None
        self._entries: OrderedDict[Hashable, list[Any]] = OrderedDict()  # [reply, rendering]

    def reply(
        self, engine: object, question: str, answer: Callable[[str], Any], key: Hashable = None
    ) -> Any:
        """The reply to ``question`` from ``engine``: cached, else ``answer(question)``
        (then cached). ``key`` is what else the reply depends on (a conversation's context,
        hashable); None for nothing."""
        if engine is not self._engine:
            self._engine = engine
            self._entries.clear()
        slot = question if key is None else (question, key)
        entry = self._entries.get(slot)
        if entry is not None:
            self._entries.move_to_end(slot)
            return entry[0]
        reply = answer(question)
        self._entries[slot] = [reply, None]
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return reply

    def rendered(self, reply: Any, render: Callable[[], Any]) -> Any:
        """The rendering of ``reply`` (a reply this cache returned for a question alone;
        anything else is just rendered): cached, else ``render()``. A rendering depends on
        the reply alone (every label it shows is in the reply)."""
        entry = self._entries.get(getattr(reply, "question", None))
        if entry is None or entry[0] is not reply:
            return render()
        if entry[1] is None:
            entry[1] = render()
        return entry[1]

    def __len__(self) -> int:
        return len(self._entries)
