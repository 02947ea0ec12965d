"""The ``telegram:`` section of config.yaml, and token hygiene."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from bot.channels.telegram.bottoken import TokenError, install_redaction, read_token
from bot.channels.telegram.settings import DEFAULT_BASE_URL, TelegramSettings, normalize_base_url
from bot.cli import load
from bot.errors import DataError

TOKEN = "123456789:AAFakeTokenForTests_abcdefghijklmnopq"


def load_telegram(tmp_path, body: str | None) -> tuple[Path, TelegramSettings]:
    """The project's config with its ``telegram:`` section replaced by ``body`` (None: no
    section at all), read the way every command reads it; (config path, the settings)."""
    from bot.testing.config import write_config

    text = "# telegram: absent\n" if body is None else "telegram:\n" + body
    path = write_config(tmp_path, telegram=text)
    return path, load(path).telegram


def test_defaults_when_absent(tmp_path):
    _, settings = load_telegram(tmp_path, None)
    assert settings == TelegramSettings()
    assert settings.base_url == DEFAULT_BASE_URL == "https://api.telegram.org/bot"
    assert settings.admins == frozenset()
    assert settings.rate_limit.max_retries == 3
    assert settings.reload_interval == 5.0
    assert settings.text("en", "reload_ok") == "Knowledge reloaded."


def test_full_section_parses(tmp_path):
    _, s = load_telegram(
        tmp_path,
        """\
  base_url: http://127.0.0.1:8081
  admins: [42, 43]
  default_script: en
  reload_interval: 0.5
  flood: {private: 5, group: 2, window: 30}
  rate_limit: {overall_per_second: 0, max_retries: 1}
  texts:
    en: {reload_ok: "Fresh knowledge."}
""",
    )
    assert s.base_url == "http://127.0.0.1:8081/bot"
    assert s.admins == {42, 43}
    assert s.default_script == "en"
    assert s.reload_interval == 0.5
    assert (s.flood.private, s.flood.group, s.flood.window) == (5, 2, 30.0)
    assert s.rate_limit.overall_per_second == 0 and s.rate_limit.group_per_minute == 20
    assert s.rate_limit.max_retries == 1
    assert s.text("en", "reload_ok") == "Fresh knowledge."
    assert s.text("hant", "reload_ok") == "已重新載入知識庫。"


@pytest.mark.parametrize(
    ("body", "needle", "problem"),
    [
        (
            "  admin: [1]\n",
            "admin:",
            "unknown setting telegram.admin; known: base_url, admins, default_script, "
            "drop_pending_updates, poll_timeout, reload_interval, concurrent_updates, "
            "related_buttons, inline_results, inline_cache_time, followup_minutes, flood, "
            "rate_limit, texts",
        ),
        (
            "  admins: [0]\n",
            "admins:",
            "telegram.admins must be a list of positive Telegram user ids, got [0]",
        ),
        (
            "  poll_timeout: fast\n",
            "poll_timeout",
            "telegram.poll_timeout must be a whole number, got 'fast'",
        ),
        (
            "  reload_interval: -1\n",
            "reload_interval",
            "telegram.reload_interval must be 0-86400, got -1",
        ),
        (
            "  reload_interval: often\n",
            "reload_interval",
            "telegram.reload_interval must be a number, got 'often'",
        ),
        (
            "  inline_results: 51\n",
            "inline_results",
            "telegram.inline_results must be 1-50, got 51",
        ),
        (
            "  base_url: ftp://x\n",
            "base_url",
            "telegram.base_url must start with http:// or https://, got 'ftp://x'",
        ),
        (
            "  drop_pending_updates: yes please\n",
            "drop_pending_updates",
            "telegram.drop_pending_updates must be true or false, got 'yes please'",
        ),
        (
            "  default_script: fr\n",
            "default_script",
            "telegram.default_script must be one of hant, hans, en, got 'fr'",
        ),
        ("  flood:\n    group: -1\n", "group:", "telegram.flood.group must be 1-100000, got -1"),
        ("  flood: 3\n", "flood:", "telegram.flood must be a mapping"),
        (
            "  rate_limit:\n    max_retries: 21\n",
            "max_retries",
            "telegram.rate_limit.max_retries must be 0-20, got 21",
        ),
        (
            "  texts:\n    fr: {}\n",
            "fr:",
            "unknown setting telegram.texts.fr; known: hant, hans, en",
        ),
        (
            "  texts:\n    en:\n      nope: x\n",
            "nope:",
            "unknown text telegram.texts.en.nope; known: already_sent, ",
        ),
        (
            "  texts:\n    en:\n      stats: ''\n",
            "stats:",
            "telegram.texts.en.stats must be a non-empty string",
        ),
        (
            "  texts:\n    en:\n      stats: '{oops}'\n",
            "stats:",
            "telegram.texts.en.stats has a bad placeholder 'oops'",
        ),
    ],
)
def test_bad_values_name_file_and_line(tmp_path, body, needle, problem):
    from bot.testing.config import write_config

    path = write_config(tmp_path, telegram="telegram:\n" + body)
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1) if needle in t)
    with pytest.raises(DataError) as info:
        load(path)
    assert info.value.line == line
    assert info.value.problem.startswith(problem), info.value.problem
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_base_url_forms():
    assert normalize_base_url("http://h:1/") == "http://h:1/bot"
    assert normalize_base_url("https://h/bot") == "https://h/bot"
    with pytest.raises(ValueError):
        normalize_base_url("h:1")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "TELEGRAM_BOT_TOKEN is not set"),
        ("  ", "TELEGRAM_BOT_TOKEN is not set"),
        ("12345", "TELEGRAM_BOT_TOKEN is malformed"),
        ("abc:" + "x" * 35, "TELEGRAM_BOT_TOKEN is malformed"),
        ("123:short", "TELEGRAM_BOT_TOKEN is malformed"),
    ],
)
def test_missing_or_malformed_token(value, message):
    env = {} if value is None else {"TELEGRAM_BOT_TOKEN": value}
    with pytest.raises(TokenError) as info:
        read_token(env)
    assert str(info.value).startswith(message)
    if value and value.strip():
        assert value not in str(info.value)


def test_token_is_read_and_stripped():
    assert read_token({"TELEGRAM_BOT_TOKEN": f" {TOKEN}\n"}) == TOKEN


def test_redaction_at_every_level_in_messages_args_and_tracebacks():
    logger = logging.getLogger("redaction-test")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    stream = io.StringIO()
    logger.addHandler(logging.StreamHandler(stream))
    install_redaction(TOKEN, logger)
    url = f"https://api.telegram.org/bot{TOKEN}/getMe"
    for level in (logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR):
        logger.log(level, "POST %s", url)
        logger.log(level, f"inline {url}")
    try:
        raise RuntimeError(f"connect failed for {url}")
    except RuntimeError:
        logger.exception("failed")
    child = logging.getLogger("redaction-test.child")
    child.warning("secret part %s", TOKEN.split(":")[1])
    out = stream.getvalue()
    assert TOKEN not in out and TOKEN.split(":")[1] not in out
    assert out.count("<redacted-token>") == 10
    assert logging.getLogger("httpx").level == logging.WARNING


def test_updates_of_one_chat_stay_in_order_while_other_chats_proceed():
    import asyncio

    from telegram import Update

    from bot.channels.telegram.ordering import PerChatUpdateProcessor

    def update(chat: int) -> Update:
        message = {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}}
        return Update.de_json({"update_id": 1, "message": {**message, "text": "x"}}, None)

    async def scenario() -> list[str]:
        processor = PerChatUpdateProcessor(8)
        done: list[str] = []

        async def work(name: str, pause: float) -> None:
            await asyncio.sleep(pause)
            done.append(name)

        await asyncio.gather(
            processor.process_update(update(1), work("a1", 0.05)),
            processor.process_update(update(1), work("a2", 0)),
            processor.process_update(update(2), work("b1", 0)),
        )
        return done

    assert asyncio.run(scenario()) == ["b1", "a1", "a2"]

    async def busy_chat(limit: int) -> tuple[list[str], int, int]:
        processor = PerChatUpdateProcessor(limit)
        done: list[str] = []

        async def work(name: str, pause: float) -> None:
            await asyncio.sleep(pause)
            done.append(name)

        jobs = [processor.process_update(update(1), work(f"a{i}", 0.02)) for i in range(6)]
        jobs += [processor.process_update(update(2), work("b1", 0))]
        await asyncio.gather(*jobs)
        return done, processor.active_chats, processor.max_concurrent_updates

    done, active, admitted = asyncio.run(busy_chat(2))
    # chat 1's five waiting updates hold no working slot: chat 2 is answered at once
    assert done == ["b1", "a0", "a1", "a2", "a3", "a4", "a5"]
    assert active == 0 and admitted >= 4096  # no per-chat state left behind


def test_flood_guard_window_slides_per_chat():
    from bot.channels.telegram.flood import FloodGuard

    now = [0.0]
    guard = FloodGuard(private=3, group=2, window=60, clock=lambda: now[0])
    assert [guard.allow(-1, "group") for _ in range(3)] == [True, True, False]
    assert [guard.allow(5, "private") for _ in range(4)] == [True, True, True, False]
    assert guard.allow(-2, "supergroup")  # another chat has its own budget
    now[0] = 59.9
    assert not guard.allow(-1, "group")
    now[0] = 60.0
    assert guard.allow(-1, "group") and guard.allow(-1, "group") and not guard.allow(-1, "group")
