"""Test helpers: a tiny fake engine with hand-built replies, and the real Application run
in-process against the fake Bot API server.

(This folder has no ``__init__.py``: a package named ``telegram`` would shadow
python-telegram-bot. Modules here are imported by their plain names, and there is no
``conftest.py`` here: a second top-level ``conftest`` module would shadow ``tests/conftest.py``
for test modules that import from it. Test modules import the fixtures below instead.)"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
from dataclasses import dataclass

import pytest
from fakeapi import TOKEN, FakeBotAPI
from telegram import Update

from bot.errors import DataError
from bot.reply import Choice, Reply
from bot.telegram.app import build_application, post_init, post_stop
from bot.telegram.settings import RateLimit, TelegramSettings

os.environ.setdefault("PTB_TIMEDELTA", "1")  # as bot.telegram.cli does
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


class InProcessBot:
    """The real Application (handlers, defaults, rate limiter) in this process, talking to
    the fake server over HTTP; updates are fed with :meth:`feed` and fully handled on
    return."""

    def __init__(self, fake: FakeBotAPI, engine=None, settings=None, reload=None) -> None:
        self.fake = fake
        self.engine = engine or FakeEngine()
        self.app = build_application(
            TOKEN, settings or quiet_settings(), self.engine, reload=reload,
            base_url=fake.base_url + "/bot",
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
