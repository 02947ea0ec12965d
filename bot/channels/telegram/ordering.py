"""Concurrent update processing that keeps each chat's updates in order.

PTB handles updates one at a time by default: then a flood-control wait or a slow answer in
one chat stalls every other chat. Plain ``concurrent_updates`` fixes that but may answer two
questions of one chat out of order. :class:`PerChatUpdateProcessor` runs updates of
different chats concurrently and those of one chat strictly in arrival order, through
python-telegram-bot's extension point for this, ``BaseUpdateProcessor.do_process_update``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Hashable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

QUEUED = 4096
"""The library's own bound (its semaphore, taken before ``do_process_update``): updates
admitted at once, running or waiting for their chat's turn. Generous, so that a busy chat's
waiting updates never hold the slots other chats need; the real bound on work is ours."""


def chat_key(update: object) -> int | None:
    """The ordering key of an update: its chat id, else its user id (inline queries), else
    None (no ordering needed)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class _Turns:
    """One chat's lock and the number of updates holding or awaiting it."""

    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most ``limit`` updates handled at once; one at a time per chat, in arrival order.

    Args:
        limit: updates handled at once, across chats (``telegram.concurrent_updates``, ≥ 1).

    The application creates one task per update in arrival order; in
    :meth:`do_process_update` each task first takes its chat's turn (an ``asyncio.Lock``:
    FIFO, and taken before anything that could suspend the task), then one of ``limit``
    working slots. A chat waiting for its turn holds no working slot, so one busy chat
    cannot stall the others.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(max(QUEUED, limit))
        self.limit = limit
        self._working = asyncio.BoundedSemaphore(limit)
        self._turns: dict[Hashable, _Turns] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Await ``coroutine`` (the update's handling) when the update's chat has its turn
        and a working slot is free; updates without a chat only wait for the slot."""
        key = chat_key(update)
        if key is None:
            async with self._working:
                await coroutine
            return
        turns = self._turns.get(key)
        if turns is None:
            turns = self._turns[key] = _Turns()
        turns.users += 1
        try:
            async with turns.lock, self._working:
                await coroutine
        finally:
            turns.users -= 1
            if turns.users == 0:
                del self._turns[key]

    @property
    def active_chats(self) -> int:
        """Chats with an update being handled or waiting for its turn (the per-chat state
        kept: a chat's entry goes when its last update is done)."""
        return len(self._turns)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
