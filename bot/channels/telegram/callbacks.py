"""Inline keyboard buttons: "did you mean", "none of these", related questions, topics."""

from __future__ import annotations

import logging
from typing import cast

from telegram import Message, Update
from telegram.constants import ChatType

from bot.channels.telegram.context import Context, update_script
from bot.channels.telegram.delivery import answer_query, deliver, edit_into
from bot.channels.telegram.messages import remember
from bot.channels.telegram.render import parse_callback_data

log = logging.getLogger(__name__)


async def button(update: Update, context: Context) -> None:
    """A button press. The callback query is answered at once (a toast only when the press
    does nothing), then:

    - "a|script|id" (a suggestion): the suggestion message is edited into that answer;
    - "n|script|" ("none of these"): edited into the reply the engine gives for that choice
      (:meth:`bot.pipeline.engine.Engine.declined`: the fallback text with topic buttons, the reply
      a suggestion carries as ``declined``);
    - "r|script|id" (related question, topic): the answer is sent as a new message.

    Under a message the bot can no longer reach (Telegram's inaccessible message, ``date``
    0), "a" and "n" send a new message too, never an edit; a failed edit also falls back to
    sending (:func:`bot.channels.telegram.delivery.edit_into`).

    A second press of the same button is harmless: an edit to identical content is
    ignored, and a new message is not sent twice. New messages count against the chat's
    flood budget, like answers to questions.
    """
    query = update.callback_query
    if query is None:
        return
    runtime = context.runtime
    engine = context.engine
    parsed = parse_callback_data(query.data)
    message = query.message
    script = parsed[1] if parsed else update_script(update, context)
    if parsed is None or message is None:
        await answer_query(
            lambda: query.answer(runtime.settings.text(script, "button_expired")),
            sleep=runtime.sleep,
        )
        return
    action, script, entry_id = parsed
    chat_id = message.chat.id
    sends = action == "r" or not message.is_accessible  # a new message, not an edit
    if sends and not runtime.first_press((chat_id, message.message_id, query.data)):
        await answer_query(
            lambda: query.answer(runtime.settings.text(script, "already_sent")), sleep=runtime.sleep
        )
        return
    if sends and not runtime.flood.allow(chat_id, message.chat.type):
        log.info("flood guard: chat %s over budget, button press ignored", chat_id)
        await answer_query(query.answer, sleep=runtime.sleep)
        return
    try:
        reply = engine.declined(script) if action == "n" else engine.answer_entry(entry_id, script)
    except KeyError:
        log.info("button for unknown entry %r (knowledge reloaded?)", entry_id)
        await answer_query(
            lambda: query.answer(runtime.settings.text(script, "button_expired")),
            sleep=runtime.sleep,
        )
        return
    await answer_query(query.answer, sleep=runtime.sleep)
    message = cast(Message, message)  # PTB types it MaybeInaccessible; is_accessible tells
    if message.chat.type == ChatType.PRIVATE and action != "n":  # follow-ups go on from it
        remember(context, chat_id, runtime.conversations.get(chat_id), reply)
    rendered = runtime.render(reply)
    if action in ("a", "n"):
        await edit_into(context.bot, message, rendered, sleep=runtime.sleep)
    else:
        topic = message.is_accessible and message.is_topic_message
        thread = message.message_thread_id if topic else None
        await deliver(context.bot, chat_id, rendered, thread_id=thread, sleep=runtime.sleep)
