"""Concurrent update processing that keeps each chat's updates in order.

PTB handles updates one at a time by default: then a flood-control wait or a slow answer in
one chat stalls every other chat. Plain ``concurrent_updates`` fixes that but may answer two
questions of one chat out of order. :class:`PerChatUpdateProcessor` runs updates of
different chats concurrently and those of one chat strictly in arrival order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from telegram import Update
from telegram.ext import BaseUpdateProcessor


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


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most ``max_concurrent_updates`` updates in flight; one at a time per chat.

    The application creates one task per update in arrival order; each task takes its
    chat's lock before anything that could suspend it, and asyncio locks are FIFO, so the
    updates of a chat run in arrival order.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}

    async def process_update(self, update: object, coroutine: Awaitable) -> None:
        key = chat_key(update)
        if key is None:
            await super().process_update(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                await super().process_update(update, coroutine)
        finally:
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._locks.pop(key, None)

    async def do_process_update(self, update: object, coroutine: Awaitable) -> None:
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
