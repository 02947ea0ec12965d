"""The application's error handler: log first, then keep the bot running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden

from bot.channels.telegram.context import Context

log = logging.getLogger(__name__)


async def error_handler(update: object, context: Context) -> None:
    """Log an error that escaped a handler (or came from polling, where ``update`` is None).

    Forbidden (blocked, kicked) is logged at info; anything else at error with the update
    id and the traceback. Counts errors for /stats. Never raises and sends nothing: the
    user's update simply gets no reply, and the bot goes on with the next one.
    """
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, Forbidden):
        log.info("update %s: forbidden: %s", update_id, error)
        return
    log.error("update %s: unhandled error", update_id, exc_info=error)
    runtime = context.bot_data.runtime if context.bot_data is not None else None
    if runtime is not None:  # None during start-up, before bot_data is filled
        runtime.stats["errors"] += 1
