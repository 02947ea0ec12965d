"""The channel's shared, mutable state (:class:`Runtime`), kept in ``bot_data.runtime``
(:class:`bot.channels.telegram.context.BotData`), and the script rule for command replies."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import User

from bot.channels.telegram.addressing import BotIdentity
from bot.channels.telegram.flood import FloodGuard
from bot.channels.telegram.render import Rendered, render_reply
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.telegram.state import KeyStore, RecentKeys, ReplyCache
from bot.pipeline.conversation import ContextStore, MemoryContextStore

MAX_CONVERSATIONS = 10_000
"""Private chats whose follow-up context is kept at once (about 2 MB)."""


@dataclass
class Runtime:
    """Shared, mutable channel state.

    Attributes:
        settings: the validated ``telegram:`` settings.
        reload: builds a fresh engine from the config file; raises ``DataError`` when the
            knowledge or config is bad (None: /reload unavailable).
        flood: the per-chat reply budget.
        stats: counts since start of reply kinds ("answer", "suggest", "fallback",
            "smalltalk"; counted by :class:`bot.channels.telegram.context.EngineView`), of inline
            queries ("inline") and of "errors" (the error handler).
        me: the bot's identity, filled from getMe at start-up.
        rng: randomness for /random.
        pressed: recently handled button presses (chat id, message id, data), so a double
            press does not send an answer twice; at most 2,000 kept, each for 24 hours.
        delivered: recently handled updates (:func:`bot.channels.telegram.dedup.update_key`: a
            message's (chat id, message id), a query's id), so an update delivered twice
            (a restart before the offset was confirmed, a webhook retry) is handled once;
            at most 20,000 kept, each for 24 hours.
        replies: the replies to the last 2,048 questions and their renderings, for the
            engine serving now (:class:`bot.channels.telegram.state.ReplyCache`).
        unanswered: the unanswered-question log (:class:`bot.curation.unanswered.UnansweredLog`), or
            None; fallbacks and suggestions are recorded there.
        reload_lock: held while a reload builds and swaps the engine (reloads never overlap;
            see :mod:`bot.channels.telegram.reloading`).
        conversations: each private chat's conversation context (:mod:`bot.pipeline.conversation`),
            keyed by chat id, for follow-ups; forgotten after ``followup_minutes``, at most
            :data:`MAX_CONVERSATIONS` kept. Group replies need none: their context is the
            message replied to.
        sleep: waits the given seconds before a retry (flood control, network errors;
            :mod:`bot.channels.telegram.delivery`): :func:`asyncio.sleep`, or a test's stand-in.
    """

    settings: TelegramSettings
    reload: Callable[[], Any] | None = None
    flood: FloodGuard = field(init=False)
    stats: Counter = field(default_factory=Counter)
    me: BotIdentity | None = None
    rng: random.Random = field(default_factory=random.Random)
    pressed: KeyStore = field(default_factory=lambda: RecentKeys(2000))
    delivered: KeyStore = field(default_factory=lambda: RecentKeys(20_000))
    replies: ReplyCache = field(default_factory=ReplyCache)
    unanswered: Any | None = None
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    conversations: ContextStore = field(init=False)
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep

    def __post_init__(self) -> None:
        self.conversations = MemoryContextStore(
            self.settings.followup_minutes * 60, MAX_CONVERSATIONS
        )
        f = self.settings.flood
        self.flood = FloodGuard(f.private, f.group, f.window)

    def render(self, reply: Any) -> Rendered:
        """:func:`bot.channels.telegram.render.render_reply` with this bot's settings: at most
        ``related_buttons`` related questions, the ``source_link`` text of the reply's script
        as the link label. A reply from :attr:`replies` is rendered once (the rendering is
        immutable)."""
        return self.replies.rendered(
            reply,
            lambda: render_reply(
                reply,
                related_limit=self.settings.related_buttons,
                link_label=self.settings.text(reply.script, "source_link"),
            ),
        )

    def first_press(self, key: tuple) -> bool:
        """True the first time ``key`` is seen (recently); records it."""
        return self.pressed.first(key)


def user_script(user: User | None, default: str) -> str:
    """The script for command replies, from the user's Telegram language code.

    zh-TW/zh-HK/zh-MO/zh-Hant → "hant"; other zh → "hans"; no code → ``default``;
    any other language → "en".
    """
    code = (user.language_code or "").lower() if user else ""
    if not code:
        return default
    if code.startswith("zh"):
        return "hant" if any(t in code for t in ("tw", "hk", "mo", "hant")) else "hans"
    return "en"
