"""``mensch-bot run``: serve the bot on Telegram, by long polling (default) or a webhook.

Polling::

    TELEGRAM_BOT_TOKEN=123:abc… mensch-bot run

Webhook (PTB's built-in server behind your HTTPS reverse proxy)::

    mensch-bot run --webhook-url https://example.org/tg --listen 127.0.0.1 --port 8443 \\
        --secret-token "$SECRET"

Stop with Ctrl-C or SIGTERM; SIGHUP reloads the knowledge and persona strings (so does a
changed file, see ``telegram.reload_interval``). Exit status: 0 after a clean stop; 2 for a
missing or malformed token, a bad config or knowledge file, or bad options (one line on stderr, the
token never shown); 1 when the Bot API server cannot be reached at start-up.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.channels.telegram.bottoken import TokenError, install_redaction, read_token
from bot.channels.telegram.settings import TelegramSettings, normalize_base_url
from bot.errors import EXIT_DATA_ERROR, DataError

BASE_URL_ENV = "TELEGRAM_BASE_URL"
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # Bot API setWebhook: secret_token 1-256 chars

log = logging.getLogger("bot.channels.telegram")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``run`` subcommand's options to ``parser``."""
    parser.add_argument(
        "--webhook-url",
        metavar="URL",
        help="serve by webhook at this public HTTPS URL instead of long polling",
    )
    parser.add_argument(
        "--listen",
        metavar="ADDR",
        default="127.0.0.1",
        help="webhook: address to bind (default: 127.0.0.1)",
    )
    parser.add_argument(
        "--port", metavar="N", type=int, default=8443, help="webhook: port (default: 8443)"
    )
    parser.add_argument(
        "--secret-token",
        metavar="T",
        help="webhook: secret Telegram sends in X-Telegram-Bot-Api-Secret-Token "
        "(1-256 characters A-Z a-z 0-9 _ -; default: $TELEGRAM_WEBHOOK_SECRET, which, unlike "
        "the option, other users cannot see in the process list)",
    )
    parser.add_argument(
        "--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")
    )


def _fail(message: str, status: int = EXIT_DATA_ERROR) -> int:
    print(f"mensch-bot run: {message}", file=sys.stderr)
    return status


def _webhook_problem(args: argparse.Namespace) -> str | None:
    """A one-line problem with the webhook options, or None when they are usable."""
    url = getattr(args, "webhook_url", None)
    if not url:
        return "--secret-token needs --webhook-url" if args.secret_token else None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return f"--webhook-url must be an absolute http(s) URL, got {url!r}"
    if not 0 < args.port < 65536:
        return f"--port must be 1-65535, got {args.port}"
    if args.secret_token is None:
        args.secret_token = os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None
    if args.secret_token is not None and not _SECRET.match(args.secret_token):
        return (
            "--secret-token (or $TELEGRAM_WEBHOOK_SECRET) must be 1-256 characters of "
            "A-Z a-z 0-9 _ -"
        )
    return None


def _bootstrap_failure_in_one_line(record: logging.LogRecord) -> bool:
    """Logging filter: PTB's start-up retry loop logs a failed first contact with a full
    traceback; :func:`main` reports that failure in one line, so keep only the message."""
    if record.getMessage().startswith("Network Retry Loop (Bootstrap"):
        record.exc_info = None
        record.exc_text = None
    return True


def main(args: argparse.Namespace, engine_factory: Callable[[], Any]) -> int:
    """Run the bot until stopped.

    Args:
        args: parsed options (those of :func:`add_arguments`, plus ``config``, the config
            file path or None, from the top-level parser).
        engine_factory: a callable with no arguments that loads the config file with every
            section (:func:`bot.cli.load`: ``engine.config.telegram`` is the
            :class:`TelegramSettings`) and builds the engine from it; raises DataError on bad
            config or knowledge. Reloads (/reload, SIGHUP, a changed file) call it again,
            followed by the rest of ``mensch-bot check``.

    Returns:
        The exit status (see the module docstring).
    """
    logging.basicConfig(
        level=getattr(args, "log_level", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # a line per reload check
    logging.getLogger("telegram.ext").addFilter(_bootstrap_failure_in_one_line)
    # PTB 22: durations as timedelta (the int form is deprecated and warns on every 429)
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    try:
        token = read_token(os.environ)
    except TokenError as exc:
        return _fail(str(exc))
    install_redaction(token)
    problem = _webhook_problem(args)
    if problem:
        return _fail(problem)

    from bot.curation.unanswered import UnansweredLog  # imported late to keep start fast

    try:
        engine = engine_factory()
        settings: TelegramSettings = engine.config.telegram
        unanswered = UnansweredLog(engine.config.unanswered)
        base_url = settings.base_url
        if os.environ.get(BASE_URL_ENV, "").strip():
            try:
                base_url = normalize_base_url(os.environ[BASE_URL_ENV])
            except ValueError as exc:
                return _fail(f"{BASE_URL_ENV}: {exc}")
    except DataError as exc:
        return _fail(str(exc))

    from bot.channels.telegram.app import ALLOWED_UPDATES, build_application
    from bot.channels.telegram.reloading import validating

    application = build_application(
        token,
        settings,
        engine,
        reload=validating(engine_factory),
        base_url=base_url,
        unanswered=unanswered,
    )
    try:
        if args.webhook_url:
            path = urlsplit(args.webhook_url).path.lstrip("/")
            application.run_webhook(
                listen=args.listen,
                port=args.port,
                url_path=path,
                webhook_url=args.webhook_url,
                secret_token=args.secret_token,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=settings.drop_pending_updates,
            )
        else:
            application.run_polling(
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=settings.drop_pending_updates,
                timeout=settings.poll_timeout,
            )
    except InvalidToken:
        return _fail("the Bot API server rejected the token (401 Unauthorized)")
    except NetworkError as exc:
        return _fail(f"cannot reach the Bot API server: {exc.message}", 1)
    except TelegramError as exc:
        return _fail(f"Bot API error at start-up: {exc.message}", 1)
    return 0
