"""Admin commands, for the user ids in ``telegram.admins`` only: /reload and /stats.

Anyone else gets exactly what an unknown command gets.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.ext import ContextTypes

from bot.errors import DataError
from bot.telegram import runtime as rt
from bot.telegram.commands import unknown_command
from bot.telegram.messages import send
from bot.telegram.render import render_blocks

log = logging.getLogger(__name__)


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True when the update's user id is listed in ``telegram.admins``."""
    user = update.effective_user
    return user is not None and user.id in rt.runtime(context).settings.admins


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: re-read and validate config and knowledge in a worker thread; on success swap
    the engine in one assignment, on DataError keep the old one and tell the admin the
    ``file:line: problem`` line."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    runtime = rt.runtime(context)
    script = rt.update_script(update, context)
    if runtime.reload is None:
        text = runtime.settings.text(script, "reload_failed", error="reload is not configured")
    else:
        try:
            new_engine = await asyncio.to_thread(runtime.reload)
        except DataError as exc:
            log.warning("reload failed, old knowledge keeps serving: %s", exc)
            text = runtime.settings.text(script, "reload_failed", error=str(exc))
        else:
            context.bot_data[rt.ENGINE] = new_engine
            log.info("knowledge reloaded by admin %s", update.effective_user.id)
            text = runtime.settings.text(script, "reload_ok")
    await send(update, context, render_blocks([text]))


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: answers, suggestions, fallbacks, small talk and errors since start."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    runtime = rt.runtime(context)
    counts = {k: runtime.stats.get(k, 0) for k in ("answer", "suggest", "fallback", "smalltalk")}
    text = runtime.settings.text(
        rt.update_script(update, context), "stats", errors=runtime.stats.get("errors", 0), **counts
    )
    await send(update, context, render_blocks([text]))
