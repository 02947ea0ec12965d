"""Admin commands, for the user ids in ``telegram.admins`` only: /reload and /stats.

Anyone else gets exactly what an unknown command gets.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.telegram import runtime as rt
from bot.telegram.commands import unknown_command
from bot.telegram.messages import send
from bot.telegram.reloading import reload_knowledge
from bot.telegram.render import render_blocks


def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True when the update's user id is listed in ``telegram.admins``."""
    user = update.effective_user
    return user is not None and user.id in rt.runtime(context).settings.admins


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload: :func:`bot.telegram.reloading.reload_knowledge` (validate config and
    knowledge in a worker thread, swap the engine on success, keep the old one on DataError),
    then tell the admin "reloaded" or the ``file:line: problem`` line."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    settings = rt.runtime(context).settings
    script = rt.update_script(update, context)
    result = await reload_knowledge(context.application, f"admin {update.effective_user.id}")
    if result.ok:
        text = settings.text(script, "reload_ok")
    else:
        text = settings.text(script, "reload_failed", error=result.error)
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
