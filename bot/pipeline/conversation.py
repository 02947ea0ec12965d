"""Conversation context: what a chat has been told, so an elliptical follow-up ("那優勢呢?",
"tell me more", "為什麼?") resolves against the last answer.

A :class:`Context` is immutable and small (entry ids only, never message text). Channels keep
one per conversation in a :class:`ContextStore`: the console one per session, Telegram one per
private chat (group replies recover theirs from the replied-to message instead). The default
store, :class:`MemoryContextStore`, lives in the process: bounded in size, entries expire.
With several webhook replicas, see docs/telegram.md ("Follow-ups and several replicas").
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Protocol

from bot.pipeline.reply import Reply, Script


@dataclass(frozen=True)
class Context:
    """What one conversation has been told.

    Attributes:
        last: entry ids of the last answer, in the order given ("" entries: none yet).
        given: every entry id quoted in this conversation so far.
        script: the script of the last reply ("hant", "hans" or "en").
    """

    last: tuple[str, ...] = ()
    given: frozenset[str] = frozenset()
    script: Script | None = None

    def after(self, reply: Reply) -> Context:
        """The context once ``reply`` has been sent: an answer becomes the last answer; small
        talk keeps it ("thanks", then "tell me more" still goes on from it), and so does his
        "that's all I said about it" (:attr:`bot.pipeline.reply.Reply.goes_on_from`); a decline
        (fallback, suggestions, a detail not given) leaves nothing to go on from, so "tell me
        more" after "你對中國怎麼看" does not jump back to an earlier topic."""
        if reply.kind == "answer" and reply.entry_ids:
            return Context(reply.entry_ids, self.given | set(reply.entry_ids), reply.script)
        if reply.kind == "smalltalk" or reply.goes_on_from:
            # small talk, or his "that's all I said": still on the same answer
            return Context(self.last, self.given, reply.script)
        return Context((), self.given, reply.script)  # a decline: nothing to go on from


class ContextStore(Protocol):
    """Where conversations keep their context, keyed by a channel's conversation key (e.g. a
    Telegram chat id). Implementations must be safe to call from several threads."""

    def get(self, key: Hashable) -> Context | None:
        """The context stored for ``key``, or None when there is none or it expired."""

    def put(self, key: Hashable, context: Context) -> None:
        """Store ``context`` for ``key`` (replacing what was there)."""


class MemoryContextStore:
    """An in-process :class:`ContextStore`: least recently used first out, entries expire.

    Args:
        ttl_seconds: a context unused this long is forgotten (seconds, > 0).
        max_items: at most this many conversations are kept (>= 1); the least recently
            used goes first. A context is ~200 bytes: 10,000 conversations ≈ 2 MB.
        clock: monotonic seconds (injectable for tests).
    """

    def __init__(
        self,
        ttl_seconds: float = 600.0,
        max_items: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds <= 0 or max_items < 1:
            raise ValueError("ttl_seconds must be > 0 and max_items >= 1")
        self._ttl = ttl_seconds
        self._max = max_items
        self._clock = clock
        self._items: OrderedDict[Hashable, tuple[float, Context]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Context | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            stored, context = item
            if self._clock() - stored > self._ttl:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return context

    def put(self, key: Hashable, context: Context) -> None:
        with self._lock:
            self._items[key] = (self._clock(), context)
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)
