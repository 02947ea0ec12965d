"""Sending and editing messages, with recovery from what the Bot API can answer.

:func:`send` is the delivery gate for replies to an update (flood budget, reply threading);
:func:`deliver`, :func:`edit_into` and :func:`answer_query` make the requests.

Recovery (each attempt bounded, :data:`MAX_ATTEMPTS` in all per message):
- 400 "can't parse entities": resend the same part as plain text without parse mode.
- 400 "message thread not found": resend outside the topic.
- ChatMigrated (group became a supergroup): resend to ``migrate_to_chat_id``, and send the
  remaining parts there too.
- RetryAfter (429 flood control) that AIORateLimiter did not absorb: wait it out, retry.
- NetworkError (5xx, connection, timeout): retry after 0.5 s, 1 s, 2 s.

The waits are made with ``sleep`` (keyword of each function; :attr:`Runtime.sleep
<bot.channels.telegram.runtime.Runtime>` in the handlers, :func:`asyncio.sleep` unless a test gives
its own).
- Forbidden (403: blocked, kicked): logged at info, the reply is dropped.
Anything else propagates to the application's error handler.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Bot, Message, ReplyParameters, Update
from telegram.constants import ChatType
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.channels.telegram.render import Rendered

if TYPE_CHECKING:
    from bot.channels.telegram.context import Context

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[Any]]
"""Waits the given seconds (:func:`asyncio.sleep`, or a test's stand-in)."""

MAX_ATTEMPTS = 5
MAX_RETRY_AFTER = 300.0
"""Longest flood-control wait (seconds) we sit out before dropping a reply."""


def _seconds(value: float | dt.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def _with_recovery(
    call: Callable[..., Awaitable[Any]], kwargs: dict[str, Any], plain: str | None, sleep: Sleep
) -> Any:
    """Run ``call(**kwargs)``, adjusting ``kwargs`` in place as errors demand.

    Returns the call's result, or None when the reply is dropped (Forbidden, or attempts
    exhausted). ``kwargs["chat_id"]`` holds the new chat id after a migration.
    """
    delay = 0.5
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await call(**kwargs)
        except Forbidden as exc:
            log.info("dropped reply to chat %s: %s", kwargs.get("chat_id"), exc.message)
            return None
        except ChatMigrated as exc:
            log.info("chat %s migrated to %s", kwargs.get("chat_id"), exc.new_chat_id)
            kwargs["chat_id"] = exc.new_chat_id
        except RetryAfter as exc:
            wait = _seconds(exc.retry_after)
            if wait > MAX_RETRY_AFTER:
                log.warning("flood control asks for %.0f s; reply dropped", wait)
                return None
            log.info("flood control: waiting %.1f s", wait)
            await sleep(wait)
        except BadRequest as exc:
            text = exc.message.lower()
            if "can't parse entities" in text and plain is not None and "text" in kwargs:
                log.warning("HTML rejected (%s); resending as plain text", exc.message)
                kwargs["text"], kwargs["parse_mode"] = plain, None
            elif "thread not found" in text and kwargs.get("message_thread_id"):
                kwargs["message_thread_id"] = None
            elif "message to be replied not found" in text and kwargs.get("reply_parameters"):
                kwargs["reply_parameters"] = None
            else:
                raise
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            if attempt == MAX_ATTEMPTS:
                raise
            log.warning("network error (%s); retry in %.1f s", exc.message, delay)
            await sleep(delay)
            delay *= 2
    log.warning("reply dropped after %d attempts", MAX_ATTEMPTS)
    return None


async def deliver(
    bot: Bot,
    chat_id: int | str,
    rendered: Rendered,
    *,
    reply_to: int | None = None,
    thread_id: int | None = None,
    sleep: Sleep = asyncio.sleep,
) -> list[Message]:
    """Send every part of ``rendered`` to ``chat_id``.

    Args:
        bot: the application's bot.
        chat_id: the target chat.
        rendered: HTML parts with plain twins; the keyboard goes on the last part.
        reply_to: message id the first part replies to; sent even if that message was
            deleted meanwhile (``allow_sending_without_reply``).
        thread_id: forum topic (``message_thread_id``) to answer in, or None.
        sleep: waits before a retry (see the module).

    Returns:
        The messages sent (empty when the chat refused us: 403).
    """
    sent: list[Message] = []
    last = len(rendered.parts) - 1
    for i, (text, plain) in enumerate(zip(rendered.parts, rendered.plain, strict=True)):
        kwargs: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if thread_id:
            kwargs["message_thread_id"] = thread_id
        if i == 0 and reply_to:
            kwargs["reply_parameters"] = ReplyParameters(
                message_id=reply_to, allow_sending_without_reply=True
            )
        if i == last and rendered.keyboard is not None:
            kwargs["reply_markup"] = rendered.keyboard
        message = await _with_recovery(bot.send_message, kwargs, plain, sleep)
        if message is None:
            break
        chat_id = kwargs["chat_id"]
        sent.append(message)
    return sent


async def send(update: Update, context: Context, rendered: Rendered) -> list[Message]:
    """Send ``rendered`` into the update's chat, within the per-chat flood budget.

    In groups the first part replies to the asker's message (delivered even if it was
    deleted meanwhile); in forum topics it stays in the topic.

    Returns:
        The messages sent: empty when the update has no chat, the chat is over its flood
        budget (logged at info; the bot stays silent there) or refused us (403).
    """
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return []
    if not context.runtime.flood.allow(chat.id, chat.type):
        log.info("flood guard: chat %s over budget, staying silent", chat.id)
        return []
    private = chat.type == ChatType.PRIVATE
    return await deliver(
        context.bot,
        chat.id,
        rendered,
        reply_to=None if private else message.message_id,
        thread_id=message.message_thread_id if message.is_topic_message else None,
        sleep=context.runtime.sleep,
    )


async def edit_into(
    bot: Bot, message: Message, rendered: Rendered, *, sleep: Sleep = asyncio.sleep
) -> bool:
    """Edit ``message`` into the first part of ``rendered``; send any further parts after it.

    A message the bot can no longer reach (``message.is_accessible`` is False: Telegram sends
    ``date`` 0 for messages too old or deleted) is never edited: ``rendered`` is sent as new
    messages into its chat instead. So is a failed edit of any other kind (400 "message to
    edit not found", "message can't be edited", …), so the user still gets the answer.

    Returns:
        False when nothing changed (Telegram's "message is not modified", e.g. the same button
        pressed twice) or the reply was dropped (403); True otherwise.
    """
    if not message.is_accessible:
        return bool(await deliver(bot, message.chat.id, rendered, sleep=sleep))
    single = len(rendered.parts) == 1
    kwargs: dict[str, Any] = {
        "chat_id": message.chat_id,
        "message_id": message.message_id,
        "text": rendered.parts[0],
        "reply_markup": rendered.keyboard if single else None,
    }
    thread = message.message_thread_id if message.is_topic_message else None
    try:
        result = await _with_recovery(bot.edit_message_text, kwargs, rendered.plain[0], sleep)
    except BadRequest as exc:
        if "message is not modified" in exc.message.lower():
            return False
        log.info("edit failed (%s); sending the reply as a new message", exc.message)
        return bool(await deliver(bot, kwargs["chat_id"], rendered, thread_id=thread, sleep=sleep))
    if result is None:
        return False
    if not single:
        rest = Rendered(rendered.parts[1:], rendered.plain[1:], rendered.keyboard)
        await deliver(bot, kwargs["chat_id"], rest, thread_id=thread, sleep=sleep)
    return True


async def answer_query(call: Callable[[], Awaitable[Any]], *, sleep: Sleep = asyncio.sleep) -> bool:
    """Answer a callback or inline query: ``call()`` makes the request (e.g.
    ``lambda: query.answer(results)``) and is called again after a network error, a 5xx or a
    flood-control wait, as :func:`deliver` retries messages. A query Telegram no longer
    accepts ("query is too old", "query ID is invalid": answered too late or twice, or a
    retry of an answer that did arrive) is logged at info, not raised, so a late button press
    still gets its answer delivered; so is a query answer that failed every attempt.

    Returns:
        True when Telegram accepted the answer.
    """
    try:
        result = await _with_recovery(lambda: call(), {}, None, sleep)
    except BadRequest as exc:
        text = exc.message.lower()
        if "query is too old" in text or "query id is invalid" in text:
            log.info("query answer refused: %s", exc.message)
            return False
        raise
    except NetworkError as exc:
        log.warning("query answer failed after %d attempts: %s", MAX_ATTEMPTS, exc.message)
        return False
    return result is not None
