"""Bot token hygiene: read it from the environment, validate it, keep it out of every log."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
_TOKEN = re.compile(r"^[0-9]{1,20}:[A-Za-z0-9_-]{30,64}$")
REDACTED = "<redacted-token>"


class TokenError(ValueError):
    """The token is missing or malformed; ``str()`` is one line that never contains it."""


def read_token(environ: Mapping[str, str]) -> str:
    """Return the bot token from ``environ["TELEGRAM_BOT_TOKEN"]``, stripped.

    Raises:
        TokenError: when the variable is unset, empty, or not shaped like a BotFather token
            (``<digits>:<30-64 of A-Z a-z 0-9 _ ->``). The message never echoes the value.
    """
    token = environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise TokenError(f"{TOKEN_ENV} is not set: put the token from @BotFather in it")
    if not _TOKEN.match(token):
        raise TokenError(
            f"{TOKEN_ENV} is malformed: expected <digits>:<secret> as given by @BotFather"
        )
    return token


class RedactTokenFilter(logging.Filter):
    """A logging filter that replaces the bot token with ``<redacted-token>`` in a record's
    message, arguments, exception text and stack text. It never drops a record.

    Attach it to handlers (records propagated from child loggers pass handler filters, not
    the parent logger's), as :func:`install_redaction` does.
    """

    def __init__(self, token: str) -> None:
        super().__init__()
        self.secrets = tuple(s for s in (token, token.split(":", 1)[-1]) if len(s) >= 8)

    def _clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw message
            message = str(record.msg)
        record.msg, record.args = self._clean(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._clean(record.exc_text)
        if record.stack_info:
            record.stack_info = self._clean(record.stack_info)
        return True


def install_redaction(token: str, logger: logging.Logger | None = None) -> RedactTokenFilter:
    """Attach a :class:`RedactTokenFilter` to every handler of ``logger`` (default: root)
    and to the logger itself; quiet httpx's per-request INFO lines (their URLs hold the
    token). Returns the filter."""
    logger = logger or logging.getLogger()
    redactor = RedactTokenFilter(token)
    logger.addFilter(redactor)
    for handler in logger.handlers:
        handler.addFilter(redactor)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return redactor
