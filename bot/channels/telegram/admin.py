"""Admin commands, for the user ids in ``telegram.admins`` only: /reload and /stats.

Anyone else gets exactly what an unknown command gets.
"""

from __future__ import annotations

from telegram import Update

from bot.channels.telegram.commands import unknown_command
from bot.channels.telegram.context import Context, update_script
from bot.channels.telegram.delivery import send
from bot.channels.telegram.reloading import reload_knowledge
from bot.channels.telegram.render import render_blocks


def is_admin(update: Update, context: Context) -> bool:
    """True when the update's user id is listed in ``telegram.admins``."""
    user = update.effective_user
    return user is not None and user.id in context.runtime.settings.admins


async def reload_command(update: Update, context: Context) -> None:
    """/reload: :func:`bot.channels.telegram.reloading.reload_knowledge` (validate config and
    knowledge in a worker thread, swap the engine on success, keep the old one on DataError),
    then tell the admin "reloaded" or the ``file:line: problem`` line."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    settings = context.runtime.settings
    script = update_script(update, context)
    user = update.effective_user
    who = f"admin {user.id}" if user is not None else "admin"
    result = await reload_knowledge(context.application, who)
    if result.ok:
        text = settings.text(script, "reload_ok")
    else:
        text = settings.text(script, "reload_failed", error=result.error)
    await send(update, context, render_blocks([text]))


async def stats_command(update: Update, context: Context) -> None:
    """/stats: answers, suggestions, fallbacks, small talk, inline queries and errors since
    start."""
    if not is_admin(update, context):
        await unknown_command(update, context)
        return
    runtime = context.runtime
    keys = ("answer", "suggest", "fallback", "smalltalk", "inline", "errors")
    counts = {k: runtime.stats.get(k, 0) for k in keys}
    text = runtime.settings.text(update_script(update, context), "stats", **counts)
    await send(update, context, render_blocks([text]))
