"""Questions in chats: private texts and captions, addressed group messages, non-text hints."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import filters

from bot.channels.telegram.addressing import group_question, is_reply_to_bot
from bot.channels.telegram.context import Context, update_script
from bot.channels.telegram.delivery import send
from bot.channels.telegram.render import render_blocks
from bot.pipeline.conversation import Context as Conversation
from bot.pipeline.reply import Reply

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


def conversation_of(update: Update, context: Context) -> tuple[Conversation | None, int | None]:
    """The conversation a question belongs to, for follow-ups ("那優勢呢?").

    Returns:
        (context, key): in a private chat, the chat's stored context (or None) and the chat id
        to store the next one under; in a group, the passages quoted by the bot's message that
        the question replies to, read back from that message's own text (so it also works
        after a restart, and needs no store), and no key; else (None, None).
    """
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return None, None
    store = context.runtime.conversations
    if chat.type == ChatType.PRIVATE and store is not None:
        return store.get(chat.id), chat.id
    me = context.runtime.me
    target = message.reply_to_message
    if me is not None and target is not None and is_reply_to_bot(message, me):
        quoted = context.engine.quoted_entries(target.text or target.caption or "")
        if quoted:
            return Conversation(quoted, frozenset(quoted)), None
    return None, None


def remember(context: Context, key: int | None, before: Conversation | None, reply: Reply) -> None:
    """Store a private chat's context after ``reply`` was decided (no-op for ``key`` None)."""
    store = context.runtime.conversations
    if key is not None and store is not None:
        store.put(key, (before or Conversation()).after(reply))


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Run ``question`` through the one answer path, in its conversation
    (:func:`conversation_of`), and send the rendered reply."""
    engine = context.engine
    before, key = conversation_of(update, context)
    reply = engine.answer(question, before)
    remember(context, key, before, reply)
    await send(update, context, context.runtime.render(reply))


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
