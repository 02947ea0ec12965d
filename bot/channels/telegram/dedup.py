"""Exactly once: an update delivered twice is handled once.

Telegram may deliver the same message again: after a restart before the ``getUpdates``
offset was confirmed, or when a webhook answer timed out and Telegram retries. The
:func:`drop_duplicates` handler runs first (group -2) and stops a repeat before any other
handler sees it.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.channels.telegram.context import Context

log = logging.getLogger(__name__)


def update_key(update: object) -> Hashable | None:
    """What identifies an update's content across deliveries: ``("m", chat id, message id)``
    for a new message, ``("c", id)`` for a callback query, ``("i", id)`` for an inline
    query; None for anything else (not de-duplicated)."""
    if not isinstance(update, Update):
        return None
    if update.message is not None:
        return ("m", update.message.chat.id, update.message.message_id)
    if update.callback_query is not None:
        return ("c", update.callback_query.id)
    if update.inline_query is not None:
        return ("i", update.inline_query.id)
    return None


async def drop_duplicates(update: object, context: Context) -> None:
    """Let an update through the first time its :func:`update_key` is seen (within the
    runtime's ``delivered`` window); stop a repeat (``ApplicationHandlerStop``), logged at
    info with its update id and the key."""
    key = update_key(update)
    if key is not None and not context.runtime.delivered.first(key):
        update_id = getattr(update, "update_id", None)
        log.info("update %s repeats %s: already handled, ignored", update_id, key)
        raise ApplicationHandlerStop
