"""The ``telegram:`` section of ``config.yaml``, parsed and validated.

Reference (every key optional; defaults shown)::

    telegram:
      base_url: https://api.telegram.org/bot  # Bot API server; TELEGRAM_BASE_URL overrides
      admins: []                # user ids allowed /reload and /stats
      default_script: hant      # script for commands when the user's language says nothing
      drop_pending_updates: false
      poll_timeout: 30          # getUpdates long-poll timeout, seconds
      reload_interval: 5        # seconds between checks of config.yaml and knowledge/ for
                                # changes (then reload); 0 = off (SIGHUP and /reload remain)
      concurrent_updates: 4     # updates handled at once (different chats; a chat's in order)
      related_buttons: 3        # related-question buttons under an answer (0-3)
      inline_results: 5         # articles offered for an inline question (1-50)
      inline_cache_time: 10     # seconds Telegram may cache an inline answer
      followup_minutes: 10      # a private chat's context for follow-ups (那優勢呢?) is
                                # forgotten after this many minutes without a message (1-1440)
      flood:                    # per-chat guard: at most N replies per window, else silence
        private: 30
        group: 10
        window: 60              # seconds
      rate_limit:               # AIORateLimiter
        overall_per_second: 30  # Bot API: about 30 messages per second per bot
        group_per_minute: 20    # Bot API: about 20 messages per minute per group
        max_retries: 3          # RetryAfter retries before the error reaches the handler
      texts:                    # override Telegram-only texts (see bot.telegram.texts)
        en: {help_inline: "..."}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.errors import DataError
from bot.telegram import texts as builtin_texts

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
SCRIPTS = ("hant", "hans", "en")


@dataclass(frozen=True)
class Flood:
    """Per-chat reply budget: at most ``private``/``group`` replies per ``window`` seconds."""

    private: int = 30
    group: int = 10
    window: float = 60.0


@dataclass(frozen=True)
class RateLimit:
    """Arguments for :class:`telegram.ext.AIORateLimiter` (0 rate disables that limit)."""

    overall_per_second: float = 30.0
    group_per_minute: float = 20.0
    max_retries: int = 3


@dataclass(frozen=True)
class TelegramSettings:
    """Validated Telegram settings; see the module docstring for the YAML reference."""

    base_url: str = DEFAULT_BASE_URL
    admins: frozenset[int] = frozenset()
    default_script: str = "hant"
    drop_pending_updates: bool = False
    poll_timeout: int = 30
    reload_interval: float = 5.0
    concurrent_updates: int = 4
    related_buttons: int = 3
    inline_results: int = 5
    inline_cache_time: int = 10
    followup_minutes: float = 10.0
    flood: Flood = Flood()
    rate_limit: RateLimit = RateLimit()
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: builtin_texts.DEFAULTS)

    def text(self, script: str, key: str, **values: Any) -> str:
        """The Telegram text ``key`` in ``script``, formatted with ``values``.

        Raises KeyError for an unknown key (a programming error, not user input).
        """
        template = self.texts.get(script, self.texts["en"])[key]
        return template.format(**values) if values else template


def normalize_base_url(url: str) -> str:
    """Return a PTB ``base_url`` (``…/bot``, token appended by PTB) for a server address.

    ``http://127.0.0.1:8081`` and ``http://127.0.0.1:8081/bot`` both give
    ``http://127.0.0.1:8081/bot``. Raises ValueError when the scheme is not http(s).
    """
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"base_url must start with http:// or https://, got {url!r}")
    return url if url.endswith("/bot") else url + "/bot"


def _line(mapping: Any, key: str | None = None) -> int:
    """Best-effort 1-based line of ``key`` in a ``bot.yamlio.LineMap`` (0 when unknown)."""
    if key is not None and hasattr(mapping, "key_line"):
        try:
            return int(mapping.key_line(key))
        except (KeyError, TypeError, ValueError):
            pass
    return int(getattr(mapping, "line", 0) or 0)


class _Reader:
    """Reads typed values from one mapping, raising DataError that names file and line."""

    def __init__(self, path: Path | str, mapping: Any, where: str) -> None:
        if mapping is None:
            mapping = {}
        if not isinstance(mapping, Mapping):
            raise DataError(path, _line(mapping), f"{where} must be a mapping")
        self.path, self.mapping, self.where = path, mapping, where

    def fail(self, key: str, problem: str) -> DataError:
        return DataError(self.path, _line(self.mapping, key), f"{self.where}.{key}: {problem}")

    def check_keys(self, allowed: set[str] | frozenset[str]) -> None:
        for key in self.mapping:
            if key not in allowed:
                raise self.fail(str(key), f"unknown key (known: {', '.join(sorted(allowed))})")

    def number(self, key: str, default: float, low: float, high: float, integer: bool = True):
        value = self.mapping.get(key, default)
        ok_type = int if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type):
            kind = "a whole number" if integer else "a number"
            raise self.fail(key, f"must be {kind}, got {value!r}")
        if not low <= value <= high:
            raise self.fail(key, f"must be between {low:g} and {high:g}, got {value!r}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.mapping.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {value!r}")
        return value

    def sub(self, key: str) -> _Reader:
        value = self.mapping.get(key)
        if value is not None and not isinstance(value, Mapping):
            raise self.fail(key, "must be a mapping")
        return _Reader(self.path, value, f"{self.where}.{key}")


def parse_settings(path: Path | str, section: Mapping | None) -> TelegramSettings:
    """Parse and validate the raw ``telegram:`` mapping of ``config.yaml``.

    Args:
        path: the config file, for error messages.
        section: the raw mapping (a ``bot.yamlio.LineMap`` with line numbers, or a plain dict),
            or None when the section is absent (all defaults).

    Returns:
        The validated :class:`TelegramSettings`.

    Raises:
        DataError: ``path:line: telegram.<key>: problem`` for an unknown key, a wrong type or
            an out-of-range value.
    """
    r = _Reader(path, section, "telegram")
    r.check_keys(
        {
            "base_url",
            "admins",
            "default_script",
            "drop_pending_updates",
            "poll_timeout",
            "reload_interval",
            "concurrent_updates",
            "related_buttons",
            "inline_results",
            "inline_cache_time",
            "followup_minutes",
            "flood",
            "rate_limit",
            "texts",
        }
    )
    m = r.mapping

    base_url = m.get("base_url", DEFAULT_BASE_URL)
    if not isinstance(base_url, str):
        raise r.fail("base_url", f"must be a URL string, got {base_url!r}")
    try:
        base_url = normalize_base_url(base_url)
    except ValueError as exc:
        raise r.fail("base_url", str(exc)) from None

    admins = m.get("admins", [])
    if not isinstance(admins, list) or not all(
        isinstance(a, int) and not isinstance(a, bool) and a > 0 for a in admins
    ):
        raise r.fail("admins", f"must be a list of positive Telegram user ids, got {admins!r}")

    script = m.get("default_script", "hant")
    if script not in SCRIPTS:
        raise r.fail("default_script", f"must be one of {', '.join(SCRIPTS)}, got {script!r}")

    fr = r.sub("flood")
    fr.check_keys({"private", "group", "window"})
    rr = r.sub("rate_limit")
    rr.check_keys({"overall_per_second", "group_per_minute", "max_retries"})

    return TelegramSettings(
        base_url=base_url,
        admins=frozenset(admins),
        default_script=script,
        drop_pending_updates=r.boolean("drop_pending_updates", False),
        poll_timeout=r.number("poll_timeout", 30, 0, 600),
        reload_interval=float(r.number("reload_interval", 5, 0, 86400, integer=False)),
        concurrent_updates=r.number("concurrent_updates", 4, 1, 256),
        related_buttons=r.number("related_buttons", 3, 0, 3),
        inline_results=r.number("inline_results", 5, 1, 50),  # Bot API: at most 50 results
        inline_cache_time=r.number("inline_cache_time", 10, 0, 86400),
        followup_minutes=float(r.number("followup_minutes", 10, 1, 1440, integer=False)),
        flood=Flood(
            private=fr.number("private", 30, 1, 100_000),
            group=fr.number("group", 10, 1, 100_000),
            window=float(fr.number("window", 60, 1, 86400, integer=False)),
        ),
        rate_limit=RateLimit(
            overall_per_second=float(
                rr.number("overall_per_second", 30, 0, 100_000, integer=False)
            ),
            group_per_minute=float(rr.number("group_per_minute", 20, 0, 100_000, integer=False)),
            max_retries=rr.number("max_retries", 3, 0, 20),
        ),
        texts=_parse_texts(r.sub("texts")),
    )


def _parse_texts(r: _Reader) -> Mapping[str, Mapping[str, str]]:
    """Merge ``telegram.texts.<script>.<key>`` overrides over the built-in texts."""
    r.check_keys(set(SCRIPTS))
    merged = {}
    for script in SCRIPTS:
        sr = r.sub(script)
        sr.check_keys(builtin_texts.KEYS)
        texts = dict(builtin_texts.DEFAULTS[script])
        for key, value in sr.mapping.items():
            if not isinstance(value, str) or not value.strip():
                raise sr.fail(key, "must be a non-empty string")
            try:
                value.format(
                    bot="x",
                    title="x",
                    date="x",
                    error="x",
                    answer=0,
                    suggest=0,
                    fallback=0,
                    smalltalk=0,
                    inline=0,
                    errors=0,
                )
            except (KeyError, IndexError, ValueError) as exc:
                raise sr.fail(key, f"bad placeholder {exc}") from None
            texts[key] = value
        merged[script] = MappingProxyType(texts)
    return MappingProxyType(merged)
