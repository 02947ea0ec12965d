"""Slash commands: /start /help /ask /topics /random /about /source, and unknown commands."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.channels.telegram.addressing import command_target, strip_command
from bot.channels.telegram.context import Context, update_script
from bot.channels.telegram.delivery import send
from bot.channels.telegram.messages import answer_question, ask_usage
from bot.channels.telegram.render import keyboard_for, render_blocks


async def start(update: Update, context: Context) -> None:
    """/start: the greeting."""
    script = update_script(update, context)
    await send(update, context, render_blocks([context.engine.persona("greeting", script)]))


async def help_command(update: Update, context: Context) -> None:
    """/help: how to ask, how groups work with privacy mode, and inline mode."""
    script = update_script(update, context)
    runtime = context.runtime
    name = runtime.me.username if runtime.me else context.bot.username
    blocks = [
        context.engine.persona("help", script),
        runtime.settings.text(script, "help_groups", bot=name),
        runtime.settings.text(script, "help_inline", bot=name),
    ]
    await send(update, context, render_blocks(blocks))


async def ask(update: Update, context: Context) -> None:
    """/ask QUESTION (also /ask@Bot QUESTION): the question after the command."""
    message = update.effective_message
    question = strip_command(message) if message else ""
    if question:
        await answer_question(update, context, question)
    else:
        await ask_usage(update, context)


async def topics(update: Update, context: Context) -> None:
    """/topics: one button per topic; pressing one sends that topic's answer."""
    script = update_script(update, context)
    choices = context.engine.topics(script)
    header = context.runtime.settings.text(script, "topics_header")
    await send(
        update, context, render_blocks([header], keyboard_for(choices, "r", script, label="topic"))
    )


async def random_answer(update: Update, context: Context) -> None:
    """/random: a random interview answer."""
    script = update_script(update, context)
    runtime = context.runtime
    reply = context.engine.random_reply(script, runtime.rng)
    await send(update, context, runtime.render(reply))


async def about(update: Update, context: Context) -> None:
    """/about: the interview, its source, and that the bot only quotes it verbatim."""
    script = update_script(update, context)
    await send(update, context, render_blocks(context.engine.about(script).paragraphs))


async def source_command(update: Update, context: Context) -> None:
    """/source: the interview's title, date and link."""
    script = update_script(update, context)
    engine = context.engine
    source = engine.source
    title = engine.source_title(script)
    line = context.runtime.settings.text(script, "source", title=title, date=str(source.date))
    await send(update, context, render_blocks([line, source.url]))


async def unknown_command(update: Update, context: Context) -> None:
    """Any other command. ``/x@OtherBot`` and bare unknown commands in groups: silence.
    In a private chat, or ``/x@ThisBot`` in a group: the help text."""
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    parsed = command_target(message)
    me = context.runtime.me
    target = parsed[1] if parsed else None
    if target is not None and (me is None or target != me.username.lower()):
        return
    if chat.type != ChatType.PRIVATE and target is None:
        return
    await help_command(update, context)
