"""Typed state for handlers, through python-telegram-bot's ``ContextTypes``.

``application.bot_data`` is a :class:`BotData` (the engine serving now and the channel's
:class:`~bot.channels.telegram.runtime.Runtime`); handlers receive a :class:`Context`, whose
``engine`` is an :class:`EngineView` pinned for the whole update and ``runtime`` the shared
runtime. A reload (:mod:`bot.channels.telegram.reloading`) swaps ``bot_data.engine`` in one
assignment; an update that already started keeps the engine it pinned, so it is answered
wholly by the old engine or the new one.

:func:`observe`, one ``TypeHandler`` in group -1, runs first for every update: it pins the
update's engine view, which counts every reply decided for /stats and records fallbacks and
suggestions in the unanswered-question log, and logs the update (id, type, chat; never its
content) at DEBUG.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.channels.telegram.runtime import Runtime, user_script
from bot.pipeline.conversation import Context as Conversation
from bot.pipeline.reply import Choice, Reply, Script

if TYPE_CHECKING:
    from bot.pipeline.engine import Engine

log = logging.getLogger(__name__)


@dataclass
class BotData:
    """``application.bot_data``: filled by :func:`bot.channels.telegram.app.build_application`.

    Attributes:
        engine: the answer engine serving now (:class:`bot.pipeline.engine.Engine`, or a test double
            with its methods); swapped by a reload.
        runtime: the shared channel state.
    """

    engine: Engine | Any = None
    runtime: Runtime | None = None


def _script(script: str) -> Script:
    """A script name from the channel ("hant", "hans", "en"; anything else is English)."""
    return script if script in ("hant", "hans") else "en"  # type: ignore[return-value]


class EngineView:
    """The engine as one update sees it: the engine pinned when the update started, and
    the one place where replies are counted (``runtime.stats``) and fallbacks and
    suggestions recorded in the unanswered-question log.

    Counting: every reply decided counts once under its kind ("answer", "suggest",
    "fallback", "smalltalk"); an inline query counts once under "inline" (its articles are
    previews, not replies).

    Args:
        engine: the engine serving when the update started.
        runtime: the shared runtime (stats, unanswered log).
        update: the update being handled.
    """

    def __init__(self, engine: Engine | Any, runtime: Runtime, update: object) -> None:
        self.engine, self.runtime = engine, runtime
        self.update = update if isinstance(update, Update) else None
        self.inline = self.update is not None and self.update.inline_query is not None

    def _count(self, reply: Reply, *, decided: bool = True) -> Reply:
        if not self.inline:
            self.runtime.stats[reply.kind] += 1
        elif decided:
            self.runtime.stats["inline"] += 1
        if decided and reply.kind in ("fallback", "suggest", "related"):
            self._record(reply)
        return reply

    def _record(self, reply: Reply) -> None:
        log_ = self.runtime.unanswered
        if log_ is None or self.update is None:
            return
        chat, user = self.update.effective_chat, self.update.effective_user
        log_.record(
            reply,
            "telegram",
            chat.type if chat else ("inline" if self.inline else None),
            user_id=user.id if user else None,
            chat_id=chat.id if chat else None,
        )

    def answer(self, question: str, conversation: Conversation | None = None) -> Reply:
        """:meth:`bot.pipeline.engine.Engine.answer`, counted and logged (see the class). A question
        answered on its own is answered the same in any conversation, so its reply is cached
        by the question alone (``runtime.replies``); any other, with a last answer to go on
        from, may be a follow-up: answered with the conversation, cached under both."""
        alone = self.runtime.replies.reply(self.engine, question, self.engine.answer)
        if alone.kind == "answer" or conversation is None or not conversation.last:
            return self._count(alone)  # a question answered on its own ignores the context
        followed = self.runtime.replies.reply(  # a follow-up: the reply depends on the context
            self.engine,
            question,
            lambda q: self.engine.answer(q, context=conversation),
            key=conversation,
        )
        return self._count(followed)

    def quoted_entries(self, text: str) -> tuple[str, ...]:
        """The entries a message of the bot quotes
        (:meth:`bot.pipeline.engine.Engine.quoted_entries`); not counted."""
        return self.engine.quoted_entries(text)

    def answer_entry(self, entry_id: str, script: str) -> Reply:
        """The answer of one entry (a button press); raises KeyError for an unknown id.
        Counted as an answer, except for an inline query's articles."""
        return self._count(self.engine.answer_entry(entry_id, _script(script)), decided=False)

    def random_reply(self, script: str, rng: random.Random) -> Reply:
        """A random interview answer (/random), counted as an answer."""
        return self._count(self.engine.random_reply(_script(script), rng))

    def declined(self, script: str) -> Reply:
        """What "none of these" leads to (:meth:`bot.pipeline.engine.Engine.declined`: the honest
        fallback with the topics); counted as a fallback, not logged (there is no question)."""
        return self._count(self.engine.declined(_script(script)), decided=False)

    def about(self, script: str) -> Reply:
        """The "about" reply (:meth:`bot.pipeline.engine.Engine.about`); not counted."""
        return self.engine.about(_script(script))

    def source_title(self, script: str) -> str:
        """The interview's title in ``script`` (:meth:`bot.pipeline.engine.Engine.source_title`)."""
        return self.engine.source_title(_script(script))

    def persona(self, name: str, script: str, **fields: str) -> str:
        """A persona string (:meth:`bot.pipeline.engine.Engine.persona`); not counted."""
        return self.engine.persona(name, _script(script), **fields)

    def topics(self, script: str) -> tuple[Choice, ...]:
        """The interview's topics (:meth:`bot.pipeline.engine.Engine.topics`); not counted."""
        return self.engine.topics(_script(script))

    @property
    def source(self) -> Any:
        """The interview's source record (title, date, URL)."""
        return self.engine.source


class Context(CallbackContext[ExtBot, dict, dict, BotData]):
    """The handlers' context: ``engine`` (an :class:`EngineView` pinned for the update) and
    ``runtime`` typed, instead of string keys in ``bot_data``."""

    __slots__ = ("_view",)

    def __init__(self, application: Any, chat_id: int | None = None, user_id: int | None = None):
        super().__init__(application, chat_id, user_id)
        self._view: EngineView | None = None

    @property
    def runtime(self) -> Runtime:
        """The shared channel state."""
        runtime = self.bot_data.runtime
        if runtime is None:
            raise RuntimeError("bot_data.runtime is not set (build_application sets it)")
        return runtime

    @property
    def engine(self) -> EngineView:
        """The engine for this update, pinned the first time it is read (by :func:`observe`,
        which runs first)."""
        if self._view is None:
            self._view = EngineView(self.bot_data.engine, self.runtime, None)
        return self._view

    def pin(self, update: object) -> EngineView:
        """Pin the engine serving now for ``update`` (called by :func:`observe`)."""
        self._view = EngineView(self.bot_data.engine, self.runtime, update)
        return self._view


CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)
"""Pass to ``ApplicationBuilder().context_types(…)``."""


def update_script(update: Update, context: Context) -> str:
    """:func:`bot.channels.telegram.runtime.user_script` for the update's user, with the configured
    default."""
    return user_script(update.effective_user, context.runtime.settings.default_script)


async def observe(update: object, context: Context) -> None:
    """Group -1, every update: pin the engine view (stats and unanswered log, see
    :class:`EngineView`) and log the update's id, type and chat at DEBUG (never its
    content)."""
    context.pin(update)
    if isinstance(update, Update) and log.isEnabledFor(logging.DEBUG):
        kind = next((k for k, v in update.to_dict().items() if k != "update_id" and v), "?")
        chat = update.effective_chat
        log.debug("update %s: %s in chat %s", update.update_id, kind, chat.id if chat else None)
