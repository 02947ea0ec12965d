"""The ``telegram:`` section of ``config.yaml``: :class:`TelegramSettings`.

Every key is optional. Each is declared once below, with its default, range and one-line doc
(:func:`bot.loading.schema.setting`); :func:`bot.loading.config.load_config` reads the section with
the one reader of :mod:`bot.loading.schema` when :func:`bot.cli.load` hands it this dataclass, so
every command accepts and rejects the same files. The reference table in ``docs/telegram.md`` is
checked against these declarations by ``tests/test_config_reference.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from bot.channels.telegram import texts as builtin_texts
from bot.loading.schema import ABSENT, Number, OneOf, Section, Whole, section, setting, switch
from bot.pipeline.reply import SCRIPTS

DEFAULT_BASE_URL = "https://api.telegram.org/bot"


@dataclass(frozen=True)
class Flood:
    """Per-chat reply budget: at most ``private``/``group`` replies per ``window`` seconds."""

    private: int = setting(30, "replies per window in a private chat", Whole(1, 100_000))
    group: int = setting(10, "replies per window in a group", Whole(1, 100_000))
    window: float = setting(60.0, "the window, seconds", Number(1, 86400))


@dataclass(frozen=True)
class RateLimit:
    """Arguments for :class:`telegram.ext.AIORateLimiter` (0 rate disables that limit)."""

    overall_per_second: float = setting(
        30.0, "`AIORateLimiter` overall rate (0 = off)", Number(0, 100_000)
    )
    group_per_minute: float = setting(
        20.0, "`AIORateLimiter` per-group rate (0 = off)", Number(0, 100_000)
    )
    max_retries: int = setting(3, "flood-control retries inside the rate limiter", Whole(0, 20))


def normalize_base_url(url: str) -> str:
    """Return a PTB ``base_url`` (``…/bot``, token appended by PTB) for a server address.

    ``http://127.0.0.1:8081`` and ``http://127.0.0.1:8081/bot`` both give
    ``http://127.0.0.1:8081/bot``. Raises ValueError when the scheme is not http(s).
    """
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"must start with http:// or https://, got {url!r}")
    return url if url.endswith("/bot") else url + "/bot"


def _base_url(section: Section, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise section.fail(key, f"must be a URL string, got {value!r}")
    try:
        return normalize_base_url(value)
    except ValueError as exc:
        raise section.fail(key, str(exc)) from None


def _admins(section: Section, key: str, value: Any) -> frozenset[int]:
    if not isinstance(value, list) or not all(
        isinstance(a, int) and not isinstance(a, bool) and a > 0 for a in value
    ):
        raise section.fail(key, f"must be a list of positive Telegram user ids, got {value!r}")
    return frozenset(value)


TEXT_PLACEHOLDERS = {
    "bot": "x",
    "title": "x",
    "date": "x",
    "error": "x",
    **dict.fromkeys(("answer", "suggest", "fallback", "smalltalk", "inline", "errors"), 0),
}
"""The placeholders Telegram texts may use, with sample values to try them."""


def _texts(parent: Section, key: str, value: Any) -> Mapping[str, Mapping[str, str]]:
    """Merge ``telegram.texts.<script>.<key>`` overrides over the built-in texts."""
    section = parent.sub(key)
    section.reject_unknown(SCRIPTS)
    merged: dict[str, Mapping[str, str]] = {}
    for script in SCRIPTS:
        overrides = section.sub(script)
        overrides.reject_unknown(sorted(builtin_texts.KEYS), "text")
        texts = dict(builtin_texts.DEFAULTS[script])
        for name in overrides.mapping:
            text = overrides.get(name)
            if not isinstance(text, str) or not text.strip():
                raise overrides.fail(name, "must be a non-empty string")
            try:
                text.format(**TEXT_PLACEHOLDERS)
            except (KeyError, IndexError, ValueError) as exc:
                raise overrides.fail(name, f"has a bad placeholder {exc}") from None
            texts[name] = text
        merged[script] = MappingProxyType(texts)
    return MappingProxyType(merged)


@dataclass(frozen=True)
class TelegramSettings:
    """The validated ``telegram:`` section (every key optional; defaults below)."""

    base_url: str = setting(
        DEFAULT_BASE_URL, "Bot API server; `TELEGRAM_BASE_URL` overrides", _base_url
    )
    admins: frozenset[int] = setting(
        frozenset(),
        "Telegram user ids allowed `/reload` and `/stats` (numbers, not usernames; a bot such "
        "as @userinfobot tells you yours)",
        _admins,
    )
    default_script: str = setting(
        "hant",
        "`hant`, `hans` or `en`: command replies when the user's Telegram language is unknown "
        "(zh-TW/HK → hant, other zh → hans, other languages → en)",
        OneOf(SCRIPTS),
    )
    drop_pending_updates: bool = setting(False, "skip updates sent while the bot was down", switch)
    poll_timeout: int = setting(30, "getUpdates long-poll timeout, seconds (0-600)", Whole(0, 600))
    reload_interval: float = setting(
        5.0,
        "seconds between checks of `config.yaml` and the knowledge files for changes, which "
        "then reload (0-86400; 0 = off: only `/reload` and SIGHUP)",
        Number(0, 86400),
    )
    concurrent_updates: int = setting(
        4, "updates handled at once, across chats (1-256; 1 = one at a time)", Whole(1, 256)
    )
    related_buttons: int = setting(3, "related-question buttons under an answer (0-3)", Whole(0, 3))
    inline_results: int = setting(  # Bot API: at most 50 results
        5, "articles offered for an inline question (1-50)", Whole(1, 50)
    )
    inline_cache_time: int = setting(
        10, "seconds Telegram may cache an inline answer (0-86400)", Whole(0, 86400)
    )
    followup_minutes: float = setting(
        10.0,
        "a private chat's follow-up context is forgotten after this many minutes without a "
        "message (1-1440)",
        Number(1, 1440),
    )
    flood: Flood = section(Flood, "per-chat guard: at most N replies per window, else silence")
    rate_limit: RateLimit = section(RateLimit, "python-telegram-bot's AIORateLimiter")
    texts: Mapping[str, Mapping[str, str]] = setting(
        ABSENT,
        "override a Telegram-only text (`hant`, `hans`, `en`; keys in "
        "`bot/channels/telegram/texts.py`: "
        "command descriptions `cmd_*`, "
        + ", ".join(f"`{k}`" for k in builtin_texts.DEFAULTS["en"] if not k.startswith("cmd_"))
        + ")",
        _texts,
        shown="built in",
        doc_key="texts.<script>.<key>",
        factory=lambda: builtin_texts.DEFAULTS,
    )

    def text(self, script: str, key: str, **values: Any) -> str:
        """The Telegram text ``key`` in ``script``, formatted with ``values``.

        Raises KeyError for an unknown key (a programming error, not user input).
        """
        template = self.texts.get(script, self.texts["en"])[key]
        return template.format(**values) if values else template
