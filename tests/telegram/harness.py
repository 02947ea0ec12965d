"""Test helpers: a tiny fake engine with hand-built replies, and the real Application run
in-process against the fake Bot API server: update by update (:class:`InProcessBot`) or
polling from a thread, as ``mensch-bot run`` serves (:class:`ServedBot`).

(This folder has no ``__init__.py``: a package named ``telegram`` would shadow
python-telegram-bot. Modules here are imported by their plain names, and there is no
``conftest.py`` here: a second top-level ``conftest`` module would shadow ``tests/conftest.py``
for test modules that import from it. Test modules import the fixtures below instead.)"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ENGINES
from telegram import Update

from bot import paths
from bot.channels.telegram.app import ALLOWED_UPDATES, build_application, post_init, post_stop
from bot.channels.telegram.reloading import validating
from bot.channels.telegram.settings import RateLimit, TelegramSettings
from bot.cli import load
from bot.curation.unanswered import UnansweredLog
from bot.errors import DataError
from bot.pipeline.reply import Choice, Reply
from bot.testing.botprocess import bot_config
from bot.testing.config import TEST_TELEGRAM_SECTION, write_config
from bot.testing.fakeapi import TOKEN, FakeBotAPI

os.environ.setdefault("PTB_TIMEDELTA", "1")  # as bot.channels.telegram.cli does
URL = "https://example.org/interview"
ADMIN = 4242


@dataclass(frozen=True)
class FakeSource:
    url: str = URL
    title: str = "Interview <Title> & more"
    date: dt.date = dt.date(2024, 5, 11)


TOPICS = (
    Choice("open", "Why open source?", "Open source"),
    Choice("europe", "What about Europe?", "Europe"),
    Choice("work", "How will work change?", "Work"),
)


class FakeEngine:
    """Hand-built replies keyed by the question, so channel tests do not depend on matching.

    "long …" → an answer of 30 paragraphs (split over several messages); "maybe …" →
    suggestions (with "none of these" leading to :meth:`declined`); "??? …" → fallback;
    "hi" → small talk; anything else → the entry "open" whose answer echoes the question (to
    test escaping). Persona texts are "[name:script]".
    """

    source = FakeSource()

    def __init__(self, tag: str = "") -> None:
        self.tag = tag
        self.questions: list[str] = []
        self.contexts: list = []  # the conversation context each question came with

    def answer(self, question: str, script_hint=None, context=None) -> Reply:
        self.questions.append(question)
        self.contexts.append(context)
        script = "en" if question.isascii() else "hant"
        if question.startswith("long"):
            paragraphs = tuple(f"Paragraph {i}. " + "word " * 150 for i in range(30))
            return self._answer("open", script, question, paragraphs)
        if question.startswith("maybe"):
            return Reply(
                "suggest", question, script, confidence=60, paragraphs=(),
                suggestions=TOPICS[:3], header="Did you mean:", topics=TOPICS,
                none_label=self.persona("none_of_these", script), declined=self.declined(script),
            )  # fmt: skip
        if question.startswith("???"):
            return Reply("fallback", question, script, paragraphs=("I cannot say.",),
                         suggestions=TOPICS, topics=TOPICS)  # fmt: skip
        if question == "hi":
            return Reply("smalltalk", question, script, paragraphs=("Hello!",), topics=TOPICS)
        return self._answer("open", script, question, (f"You asked: {question}{self.tag}",))

    def quoted_entries(self, text: str) -> tuple[str, ...]:
        """The engine's read-back of its own message: "You asked: …" quotes the entry "open"."""
        return ("open",) if text.startswith("You asked:") else ()

    def _answer(self, entry_id, script, question, paragraphs) -> Reply:
        return Reply(
            "answer", question, script, entry_id=entry_id, entry_ids=(entry_id,), confidence=95,
            paragraphs=paragraphs, attribution="— Arthur Mensch, asked by Eric Hazan",
            source_url=URL, interviewer_question=f"Q about {entry_id}",
            related=tuple(c for c in TOPICS if c.entry_id != entry_id), topics=TOPICS,
        )  # fmt: skip

    def declined(self, script: str) -> Reply:
        return Reply("fallback", "", script, paragraphs=(self.persona("fallback", script),),
                     suggestions=TOPICS, topics=TOPICS)  # fmt: skip

    def about(self, script: str) -> Reply:
        return Reply("smalltalk", "", script, paragraphs=(self.persona("about", script), URL))

    def source_title(self, script: str) -> str:
        return self.source.title

    def answer_entry(self, entry_id: str, script: str) -> Reply:
        if entry_id not in {c.entry_id for c in TOPICS}:
            raise KeyError(entry_id)
        return self._answer(entry_id, script, "", (f"Answer for {entry_id}{self.tag}.",))

    def topics(self, script: str) -> tuple[Choice, ...]:
        return TOPICS

    def random_reply(self, script: str, rng: random.Random) -> Reply:
        return self.answer_entry(rng.choice(TOPICS).entry_id, script)

    def persona(self, name: str, script: str) -> str:
        return f"[{name}:{script}]"


def quiet_settings(**overrides) -> TelegramSettings:
    """Settings for tests: no rate limiting, admins = {ADMIN}."""
    values = dict(
        admins=frozenset({ADMIN}),
        rate_limit=RateLimit(overall_per_second=0, group_per_minute=0, max_retries=3),
    )
    values.update(overrides)
    return TelegramSettings(**values)


class NoWait:
    """Stands in for :func:`asyncio.sleep` in the bot's retries: records the seconds asked
    for (:attr:`waits`) and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


class InProcessBot:
    """The real Application (handlers, defaults, rate limiter) in this process, talking to
    the fake server over HTTP; updates are fed with :meth:`feed` and fully handled on
    return. Retry waits are :class:`NoWait` (:attr:`sleep`)."""

    def __init__(self, fake: FakeBotAPI, engine=None, settings=None, reload=None) -> None:
        self.fake = fake
        self.engine = engine or FakeEngine()
        self.sleep = NoWait()
        self.app = build_application(
            TOKEN, settings or quiet_settings(), self.engine, reload=reload,
            base_url=fake.base_url + "/bot", sleep=self.sleep,
        )  # fmt: skip
        self.loop = asyncio.new_event_loop()
        self.next_update = 1000

    def __enter__(self) -> InProcessBot:
        self.loop.run_until_complete(self.app.initialize())
        self.loop.run_until_complete(post_init(self.app))
        return self

    def __exit__(self, *exc) -> None:
        self.loop.run_until_complete(post_stop(self.app))
        self.loop.run_until_complete(self.app.shutdown())
        self.loop.close()

    def feed(self, kind: str, payload: dict) -> None:
        """Handle one update (``kind``: "message", "edited_message", "callback_query", …)."""
        self.next_update += 1
        data = {"update_id": self.next_update, kind: payload}
        update = Update.de_json(data, self.app.bot)
        self.loop.run_until_complete(self.app.process_update(update))

    def say(self, chat_id: int, user_id: int | None, text: str | None = None, **kw) -> dict:
        """A user writes in a chat; the update is handled before this returns."""
        msg = self.fake.new_message(chat_id, user_id, text, **kw)
        self.feed(kw.get("kind", "message"), msg)
        return msg

    def press(self, chat_id: int, message_id: int, data: str, user_id: int, stale=False) -> str:
        """A user presses a button; the callback query is handled before this returns."""
        query_id = self.fake.press(chat_id, message_id, data, user_id, stale)
        update = self.fake.updates[-1]
        self.feed("callback_query", update["callback_query"])
        return query_id


class LogLines(logging.Handler):
    """Collects the log lines of the ``bot`` and ``telegram`` loggers (at INFO and above,
    formatted as ``mensch-bot run`` prints them) while attached."""

    LOGGERS = ("bot", "telegram")

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []
        self._levels: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def attach(self) -> None:
        for name in self.LOGGERS:
            logger = logging.getLogger(name)
            self._levels[name] = logger.level
            logger.setLevel(logging.INFO)
            logger.addHandler(self)

    def detach(self) -> None:
        for name, level in self._levels.items():
            logging.getLogger(name).removeHandler(self)
            logging.getLogger(name).setLevel(level)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n" if self.lines else ""


class ServedBot:
    """The bot served as ``mensch-bot --config CONFIG run`` serves it, in this process: the
    config's ``telegram:`` and ``unanswered:`` settings, the real engine (shared through
    ``conftest.ENGINES``) and its validating reload, long polling the fake server from a
    thread of its own. Retry waits are :class:`NoWait` (:attr:`sleep`); the log is kept
    (:meth:`output`). Use as a context manager, or :meth:`start` and :meth:`stop`.

    Args:
        fake: the running fake Bot API server.
        directory: where the config (default: the test config, :func:`bot_config`) and so
            the unanswered log are written.
        config: a config file to serve instead.
    """

    def __init__(self, fake: FakeBotAPI, directory: Path, config: Path | None = None) -> None:
        self.fake = fake
        self.config = config or bot_config(directory)
        loaded = load(self.config)
        assert loaded.telegram is not None
        self.settings = loaded.telegram
        self.sleep = NoWait()
        self.log = LogLines()

        def factory():
            return ENGINES.build(load(self.config))

        self.app = build_application(
            TOKEN, self.settings, factory(), reload=validating(factory),
            base_url=fake.base_url + "/bot", unanswered=UnansweredLog(loaded.unanswered),
            sleep=self.sleep,
        )  # fmt: skip
        self.loop = asyncio.new_event_loop()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="served bot", daemon=True)

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.app.run_polling(
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=self.settings.drop_pending_updates,
                timeout=self.settings.poll_timeout,
                stop_signals=None,
            )
        except BaseException as exc:  # reported by stop()
            self.error = exc

    def start(self, timeout: float = 30) -> ServedBot:
        """Start polling; return once the first getUpdates arrived at the fake."""
        self.log.attach()
        self._thread.start()
        self.fake.wait_for(
            lambda: self.fake.calls("getUpdates") or not self._thread.is_alive(),
            timeout,
            "the bot to poll",
        )
        if not self._thread.is_alive():
            self.log.detach()
            raise AssertionError(f"the bot stopped: {self.error!r}\n{self.output()}")
        return self

    def output(self) -> str:
        return self.log.text()

    def stop(self, timeout: float = 20) -> tuple[int, str]:
        """Stop as on SIGTERM (updates in hand are finished); returns (0, the log), or (1,
        the log) when serving raised."""
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.app.stop_running)
            self._thread.join(timeout)
            assert not self._thread.is_alive(), "the bot did not stop:\n" + self.output()
        self.log.detach()
        return (1 if self.error else 0), self.output()

    def __enter__(self) -> ServedBot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def served(fake: FakeBotAPI, directory: Path):
    """Generator for fixtures: a started :class:`ServedBot`, stopped afterwards."""
    with ServedBot(fake, directory) as bot:
        yield bot


# The real knowledge, for the served bot and the bot process:
ASK = "為什麼要開源?"
ANSWER_START = "當然,我認為這是一種基礎架構技術"  # the start of its answer
BROKEN_START = "當然,我認為這是一種超級技術"  # not in the interview: a bad edit
GREETING = "你好,我是根據 Arthur Mensch"
NEW_GREETING = "歡迎!這是熱重載之後的新問候語。"


def served_copy(directory: Path, reload_interval: float) -> tuple[Path, Path]:
    """A copy of the knowledge and a test config naming it (the test ``telegram:`` section
    with ``reload_interval``) in ``directory``; returns (config path, entries path)."""
    knowledge = directory / "knowledge"
    shutil.copytree(paths.data_dir() / "knowledge", knowledge)
    section = TEST_TELEGRAM_SECTION + f"  reload_interval: {reload_interval}\n"
    config = write_config(directory, knowledge=knowledge, telegram=section)
    return config, knowledge / "entries.yaml"


def ask(fake: FakeBotAPI, chat: int, text: str) -> dict:
    """Send ``text`` from a private chat and return the bot's next message there."""
    count = len(fake.messages_to(chat))
    fake.send_user_message(chat, chat, text)
    return fake.wait_for(
        lambda: fake.messages_to(chat)[count:], 20, f"the reply to {text!r} in {chat}"
    )[0]


def failing_reload():
    raise DataError("knowledge/entries.yaml", 12, "entry 'x': answer is not verbatim")


def running_fake():
    """Yield a running fake Bot API server; fail if any request broke the protocol."""
    with FakeBotAPI() as server:
        yield server
        assert server.violations == [], server.violations


fake_fixture = pytest.fixture(name="fake")(running_fake)


@pytest.fixture(name="inproc")
def inproc_fixture(fake):
    """An :class:`InProcessBot` with the :class:`FakeEngine`."""
    with InProcessBot(fake) as bot:
        yield bot
