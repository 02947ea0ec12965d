"""What in a chat is meant for the bot, and the question left once the address is removed.

Rules (see docs/telegram.md): in private chats every text or caption is a question. In groups
a message is addressed when it mentions the bot (``@name`` in any letter case, in text or
caption, as a ``mention`` or a ``text_mention`` entity), starts with ``/ask`` or
``/ask@name``, or is a real reply to one of the bot's own messages. In forum supergroups the
topic's root (the ``forum_topic_created`` service message) is not a reply.
Entity offsets are UTF-16 code units; slicing goes through :func:`entity_text` and
:func:`bot.measure.utf16_index`. An entity whose offsets fall outside the text or split a
surrogate pair (a hostile or broken client) counts as no entity at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import Message, MessageEntity

from bot.measure import utf16_index


@dataclass(frozen=True)
class BotIdentity:
    """The bot itself: its user id and username (without "@")."""

    id: int
    username: str


def entity_text(text: str, entity: MessageEntity) -> str | None:
    """The text an entity covers, or None when the entity is not valid for ``text``.

    Args:
        text: the message text or caption.
        entity: offset and length in UTF-16 code units.

    Returns:
        The covered substring; None when the offset is negative, the length not positive,
        the span reaches past the end, or either edge splits a surrogate pair (half an emoji).
    """
    offset, length = entity.offset, entity.length
    encoded = text.encode("utf-16-le", "surrogatepass")
    if offset < 0 or length <= 0 or 2 * (offset + length) > len(encoded):
        return None
    try:
        return encoded[2 * offset : 2 * (offset + length)].decode("utf-16-le")
    except UnicodeDecodeError:
        return None


def valid_entities(
    text: str, entities: Sequence[MessageEntity], types: Iterable[str]
) -> list[tuple[MessageEntity, str]]:
    """(entity, covered text) for each entity of ``types`` that is valid for ``text`` (see
    :func:`entity_text`), in order; invalid ones are left out."""
    wanted = set(types)
    found = []
    for entity in entities:
        if entity.type in wanted:
            covered = entity_text(text, entity)
            if covered is not None:
                found.append((entity, covered))
    return found


def _cut(text: str, entities: list[MessageEntity]) -> str:
    """``text`` without the spans of ``entities`` (valid UTF-16 offsets), whitespace folded."""
    spans = sorted(
        (utf16_index(text, e.offset), utf16_index(text, e.offset + e.length)) for e in entities
    )
    pieces, start = [], 0
    for begin, end in spans:
        pieces.append(text[start:begin])
        start = max(start, end)
    pieces.append(text[start:])
    return " ".join("".join(pieces).split())


def _leading_command(message: Message) -> tuple[MessageEntity, str] | None:
    """The valid ``bot_command`` entity at offset 0 of the text, with its text."""
    text = message.text or ""
    for entity, covered in valid_entities(text, message.entities, [MessageEntity.BOT_COMMAND]):
        if entity.offset == 0:
            return entity, covered
    return None


def command_target(message: Message) -> tuple[str, str | None] | None:
    """(command, @target or None) when the text starts with a bot command, lower-cased.

    ``/Ask@MyBot x`` gives ("ask", "mybot"); text without a leading command gives None.
    """
    leading = _leading_command(message)
    if leading is None:
        return None
    command, _, target = leading[1][1:].partition("@")
    return command.lower(), (target.lower() or None)


def strip_command(message: Message) -> str:
    """The text after a leading ``/command`` or ``/command@name``, whitespace folded."""
    text = message.text or ""
    leading = _leading_command(message)
    return _cut(text, [leading[0]]) if leading else " ".join(text.split())


def is_reply_to_bot(message: Message, me: BotIdentity) -> bool:
    """True for a real reply to one of the bot's messages; a forum topic's root is not."""
    target = message.reply_to_message
    if target is None or target.forum_topic_created is not None:
        return False
    if message.is_topic_message and target.message_id == message.message_thread_id:
        return False
    return target.from_user is not None and target.from_user.id == me.id


def _mentions(message: Message, me: BotIdentity) -> list[MessageEntity]:
    """Valid mention entities in text or caption that name the bot (any letter case)."""
    if message.text is not None:
        text, entities = message.text, message.entities
    else:
        text, entities = message.caption or "", message.caption_entities
    types = [MessageEntity.MENTION, MessageEntity.TEXT_MENTION]
    name = "@" + me.username.lower()
    found = []
    for entity, covered in valid_entities(text, entities, types):
        named = entity.type == MessageEntity.MENTION and covered.lower() == name
        linked = entity.type == MessageEntity.TEXT_MENTION and entity.user is not None
        if named or (linked and entity.user is not None and entity.user.id == me.id):
            found.append(entity)
    return found


def group_question(message: Message, me: BotIdentity) -> str | None:
    """The question in a group message addressed to the bot, or None when not addressed.

    The returned text has the bot's mentions removed (a ``text_mention`` keeps its visible
    text removed too) and may be "" (a bare mention). Commands are not handled here
    (``/ask`` goes through its CommandHandler).
    """
    text = message.text if message.text is not None else message.caption
    if text is None:
        return "" if is_reply_to_bot(message, me) else None
    mentions = _mentions(message, me)
    if mentions:
        return _cut(text, mentions)
    if is_reply_to_bot(message, me):
        return " ".join(text.split())
    return None
