"""Questions in chats: private texts and captions, addressed group messages, non-text hints."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import filters

from bot.telegram.addressing import group_question
from bot.telegram.context import Context, update_script
from bot.telegram.delivery import send
from bot.telegram.render import render_blocks

log = logging.getLogger(__name__)


class _FromPerson(filters.MessageFilter):
    """Messages written by a person: not by another bot (anonymous admins, who post as
    ``sender_chat`` through GroupAnonymousBot, count as persons), not sent via a bot's
    inline mode, not a channel post forwarded automatically into its discussion group."""

    def filter(self, message: Message) -> bool:
        if message.via_bot is not None or message.is_automatic_forward:
            return False
        user = message.from_user
        return not (user is not None and user.is_bot and message.sender_chat is None)


FROM_PERSON = _FromPerson(name="FromPerson")
"""Filter for new messages (not edits, not channel posts) written by a person."""
NEW_MESSAGE = filters.UpdateType.MESSAGE & FROM_PERSON


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Run ``question`` through the one answer path and send the rendered reply."""
    engine = context.engine
    reply = engine.answer(question)
    none_label = engine.persona("none_of_these", reply.script) if reply.kind == "suggest" else ""
    await send(update, context, context.runtime.render(reply, none_label))


async def ask_usage(update: Update, context: Context) -> None:
    """Tell the user how to ask (an empty /ask or a bare mention)."""
    settings = context.runtime.settings
    await send(
        update, context, render_blocks([settings.text(update_script(update, context), "ask_usage")])
    )


async def non_text(update: Update, context: Context) -> None:
    """Sticker, voice, photo without caption…: a short hint to send text."""
    script = update_script(update, context)
    await send(update, context, render_blocks([context.engine.persona("non_text", script)]))


async def message(update: Update, context: Context) -> None:
    """Any new message from a person that is not a command.

    Private chat: text or caption is a question; anything else gets the non-text hint.
    Group: only messages addressed to the bot (mention, reply to the bot) are answered;
    everything else gets silence.
    """
    msg = update.effective_message
    chat = update.effective_chat
    if msg is None or chat is None:
        return
    text = msg.text if msg.text is not None else msg.caption
    if chat.type == ChatType.PRIVATE:
        if text is None or not text.strip():
            await non_text(update, context)
        else:
            await answer_question(update, context, text)
        return
    if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    me = context.runtime.me
    question = group_question(msg, me) if me else None
    if question is None:
        return
    if text is None:
        await non_text(update, context)
    elif not question:
        await ask_usage(update, context)
    else:
        await answer_question(update, context, question)
