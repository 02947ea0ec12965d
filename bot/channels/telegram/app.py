"""The entry module: builds the Application and wires handlers. Nothing else happens here.

Run it through ``mensch-bot run`` (see :mod:`bot.channels.telegram.cli` and docs/telegram.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeDefault,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.channels.telegram import (
    admin,
    callbacks,
    commands,
    dedup,
    inlinequeries,
    messages,
    reloading,
)
from bot.channels.telegram.addressing import BotIdentity
from bot.channels.telegram.context import CONTEXT_TYPES, observe
from bot.channels.telegram.errorhandler import error_handler
from bot.channels.telegram.jsonrequest import JsonRequest
from bot.channels.telegram.ordering import PerChatUpdateProcessor
from bot.channels.telegram.polling import TolerantBot
from bot.channels.telegram.runtime import Runtime
from bot.channels.telegram.settings import TelegramSettings
from bot.channels.telegram.texts import COMMANDS

log = logging.getLogger(__name__)

ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY)
"""The only update types requested: edits and channel posts never reach the bot."""
GROUP_COMMANDS = ("ask", "help", "topics", "random", "about", "source")


def command_menus(settings: TelegramSettings) -> list[tuple[Any, str | None, list[BotCommand]]]:
    """(scope, language code, commands) for setMyCommands: the default scope and group
    chats, each with no language code (the configured default script), "zh" and "en"."""
    zh = "hans" if settings.default_script == "hans" else "hant"
    menus = []
    for scope, names in (
        (BotCommandScopeDefault(), COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
    ):
        for language, script in ((None, settings.default_script), ("zh", zh), ("en", "en")):
            menu = [BotCommand(n, settings.text(script, f"cmd_{n}")) for n in names]
            menus.append((scope, language, menu))
    return menus


async def post_init(application: Application) -> None:
    """After getMe: log who we are and whether we see all group messages; set the menus;
    start hot reload (SIGHUP handler and file watcher,
    :func:`bot.channels.telegram.reloading.start`)."""
    me = application.bot.bot
    runtime = application.bot_data.runtime
    runtime.me = BotIdentity(me.id, me.username)
    log.info(
        "running as @%s (id %s); can_read_all_group_messages=%s",
        me.username,
        me.id,
        me.can_read_all_group_messages,
    )
    for scope, language, menu in command_menus(runtime.settings):
        try:
            await application.bot.set_my_commands(menu, scope=scope, language_code=language)
        except TelegramError as exc:
            log.warning("setMyCommands (%s, %s) failed: %s", scope.type, language, exc)
    reloading.start(application)


async def post_stop(application: Application) -> None:
    """After the last update was handled: stop the SIGHUP handler and the file watcher."""
    await reloading.stop(application)


def build_application(
    token: str,
    settings: TelegramSettings,
    engine: Any,
    *,
    reload: Callable[[], Any] | None = None,
    base_url: str | None = None,
    unanswered: Any | None = None,
    sleep: Callable[[float], Awaitable[Any]] | None = None,
) -> Application:
    """Build the Telegram application around ``engine``.

    Args:
        token: the bot token (never logged).
        settings: validated ``telegram:`` settings.
        engine: the answer engine (:class:`bot.pipeline.engine.Engine` or an object with its
        methods). reload: returns a fresh, validated engine or raises DataError; used by /reload,
            SIGHUP and the file watcher (:mod:`bot.channels.telegram.reloading`).
        base_url: Bot API server ``…/bot`` prefix; default ``settings.base_url``.
        unanswered: the unanswered-question log (``bot.curation.unanswered.UnansweredLog``) or None.
        sleep: waits before delivery retries (default :func:`asyncio.sleep`; tests pass one
            that returns at once). Flood-control retries inside python-telegram-bot's
            ``AIORateLimiter`` (``rate_limit.max_retries``) keep the library's own waits.

    Returns:
        The Application (typed context: :data:`bot.channels.telegram.context.CONTEXT_TYPES`),
        handlers registered in order: duplicate updates dropped (group -2), the engine
        pinned and the update counted and logged (group -1), then commands, admin commands, unknown
        commands, questions, non-text messages, buttons, inline queries, then the error
        handler. It is not initialised or started.
    """
    base_url = base_url or settings.base_url
    limits = settings.rate_limit
    bot = TolerantBot(
        token,
        base_url=base_url,
        base_file_url=base_url.removesuffix("/bot") + "/file/bot",
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        rate_limiter=AIORateLimiter(
            overall_max_rate=limits.overall_per_second,
            group_max_rate=limits.group_per_minute,
            max_retries=limits.max_retries,
        ),
        # httpcore scans every pooled connection per request: keep the pool near the need
        request=JsonRequest(
            connection_pool_size=settings.concurrent_updates + 4,
            connect_timeout=5,
            read_timeout=10,
            write_timeout=10,
            pool_timeout=5,
        ),
        get_updates_request=HTTPXRequest(connection_pool_size=1),  # the library's default
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates))
        .post_init(post_init)
        .post_stop(post_stop)
        .build()
    )
    application.bot_data.engine = engine
    application.bot_data.runtime = Runtime(
        settings=settings, reload=reload, unanswered=unanswered, sleep=sleep or asyncio.sleep
    )

    application.add_handler(TypeHandler(Update, dedup.drop_duplicates), group=-2)
    application.add_handler(TypeHandler(Update, observe), group=-1)
    new = messages.NEW_MESSAGE
    for name, callback in (
        ("start", commands.start),
        ("help", commands.help_command),
        ("ask", commands.ask),
        ("topics", commands.topics),
        ("random", commands.random_answer),
        ("about", commands.about),
        ("source", commands.source_command),
        ("reload", admin.reload_command),
        ("stats", admin.stats_command),
    ):
        application.add_handler(CommandHandler(name, callback, filters=new))
    application.add_handler(MessageHandler(new & filters.COMMAND, commands.unknown_command))
    content = filters.TEXT | filters.CAPTION | filters.ATTACHMENT  # not service messages
    application.add_handler(MessageHandler(new & content, messages.message))
    application.add_handler(CallbackQueryHandler(callbacks.button))
    application.add_handler(InlineQueryHandler(inlinequeries.inline_query))
    application.add_error_handler(error_handler)
    return application
