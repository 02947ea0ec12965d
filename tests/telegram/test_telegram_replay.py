"""The replay corpus (``data/replay.json``): update shapes of every kind — every update type,
message content kinds, service messages, forum topics, business messages, reactions,
inaccessible messages, shapes from older and newer Bot API versions, hostile entities —
replayed through the fake Bot API into the bot served as ``mensch-bot run`` serves it
(:class:`harness.ServedBot`: polling, real engine), in private and group chats.

Each case asserts: no traceback and no error in the log, the right reply or the right
silence, and at most one reply. Silence is proven with a sentinel: after the case's update,
``/source@Bot`` is sent into the same chat (or the same user's private chat); updates of a
chat are handled in order, so once the sentinel's reply has arrived the case was handled.
Everything the bot sent in between is the case's outcome.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import time
from pathlib import Path

import pytest
from harness import running_fake, served

from bot.testing.fakeapi import BOT_USERNAME, entities_for

DATA = Path(__file__).parent / "data" / "replay.json"
CASES = json.loads(DATA.read_text(encoding="utf-8"))["cases"]
ALLOWED = ("message", "callback_query", "inline_query")
MESSAGES = ("message", "edited_message", "channel_post", "edited_channel_post",
            "business_message", "edited_business_message", "guest_message")  # fmt: skip
ANSWER_TAIL = "中文譯本)\n原文"  # every answer ends with its attribution and source label
GREETING = "你好,我是根據 Arthur Mensch"
SENTINEL_REPLY = "出處："
PARAMS = [(case, where) for case in CASES for where in case["chats"]]

fake_fixture = pytest.fixture(scope="module", name="fake")(running_fake)


@pytest.fixture(scope="module")
def bot(fake, tmp_path_factory):
    """One bot for the corpus; it must stop cleanly after it."""
    for bot in served(fake, tmp_path_factory.mktemp("replay")):
        yield bot
        code, output = bot.stop()
        assert code == 0, output
        assert "Traceback" not in output and "unhandled error" not in output


class Replay:
    """One case in one kind of chat: builds the update from its template, pushes it with a
    sentinel behind it, and collects what the bot sent in between."""

    _numbers = itertools.count(1)

    def __init__(self, fake, bot, case: dict, where: str) -> None:
        self.fake, self.bot, self.case, self.where = fake, bot, case, where
        n = 80_000 + next(self._numbers)
        self.user_id = n
        self.private = n
        if where == "group":
            forum = case.get("setup") == "forum"
            self.chat_id = -1_000_000_000_000 - n if forum else -n
            fake.chat(self.chat_id, "supergroup" if forum else "group", is_forum=forum)
        else:
            self.chat_id = n
            fake.chat(n)
        self.values: dict = {}
        self.query_id = self.inline_id = None

    # ------------------------------------------------------------------ set-up
    def _ask(self, text: str) -> dict:
        """A user asks in the case's chat; returns the bot's reply (a stored message)."""
        group = self.where == "group"
        before = len(self.fake.messages_to(self.chat_id))
        question = f"/ask@{BOT_USERNAME} {text}" if group else text
        self.fake.send_user_message(self.chat_id, self.user_id, question)
        self.fake.wait_for(
            lambda: len(self.fake.messages_to(self.chat_id)) > before, 20, "the set-up reply"
        )
        reply = self.fake.messages_to(self.chat_id)[before]
        return self.fake.chats[self.chat_id].messages[reply["message_id"]]

    def prepare(self) -> None:
        """Fill the placeholders the template uses (some need a bot message or a topic)."""
        text = json.dumps(self.case["payload"])
        fake = self.fake
        chat = fake.chats[self.chat_id]
        v = self.values
        v["$user"] = fake.user(self.user_id, language_code="zh-hant")
        v["$user_id"] = self.user_id
        v["$chat"] = chat.as_dict()
        v["$chat_id"] = self.chat_id
        v["$bot"] = fake.bot_user()
        v["$now"] = int(time.time())
        v["$lone_surrogate"] = "\ud83d"
        if "$bot_message" in text or "$suggestion" in text:
            message = self._ask("歐洲")  # suggestions, with buttons
            v["$bot_message"] = copy.deepcopy(message)
            v["$bot_message_id"] = message["message_id"]
            v["$suggestion"] = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        if "$thread_id" in text:
            thread = fake.create_topic(self.chat_id, self.user_id, "Ask")
            v["$thread_id"] = thread
            v["$topic_root"] = copy.deepcopy(chat.messages[thread])
        if "$query_id" in text:
            self.query_id = str(900_000 + self.user_id)
            fake.callback_queries[self.query_id] = {"answered": 0}
            v["$query_id"] = self.query_id
        if "$inline_id" in text:
            self.inline_id = str(950_000 + self.user_id)
            fake.inline_queries[self.inline_id] = {"answered": 0}
            v["$inline_id"] = self.inline_id
        if "$message_id" in text or self.case["update"] in MESSAGES:
            v["$message_id"] = next(chat.next_id)

    def _fill(self, value):
        if isinstance(value, dict):
            return {k: self._fill(x) for k, x in value.items()}
        if isinstance(value, list):
            return [self._fill(x) for x in value]
        if isinstance(value, str) and value in self.values:
            return copy.deepcopy(self.values[value])
        if isinstance(value, str) and "$lone_surrogate" in value:
            return value.replace("$lone_surrogate", self.values["$lone_surrogate"])
        return value

    def payload(self) -> dict:
        payload = self._fill(self.case["payload"])
        if self.case["update"] not in MESSAGES:
            return payload
        base = {"message_id": self.values["$message_id"], "date": self.values["$now"],
                "chat": self.values["$chat"], "from": self.values["$user"]}  # fmt: skip
        message = {**base, **payload}
        if message["chat"]["type"] == "channel":
            del message["from"]  # channel posts have no sender user
        for key, entities in (("text", "entities"), ("caption", "caption_entities")):
            found = entities_for(message[key]) if message.get(key) else []
            if found and entities not in message:
                message[entities] = found
        self.fake.chats[self.chat_id].messages[message["message_id"]] = message
        return message

    # ------------------------------------------------------------------ run
    def run(self) -> tuple[int, list[tuple[str, dict, object]], str]:
        """Push the case and the sentinel; returns (update id, what the bot sent for the
        case: (method, params, result), the log written meanwhile)."""
        self.prepare()
        payload = self.payload()
        log_start = len(self.bot.output())
        sent_start = len(self.fake.sent)
        kind = self.case["update"]
        update_id = self.fake.push(kind, payload, unfiltered=kind not in ALLOWED)
        sentinel_chat = self.chat_id if self.where == "group" else self.private
        before = len(self.fake.messages_to(sentinel_chat))
        self.fake.send_user_message(sentinel_chat, self.user_id, f"/source@{BOT_USERNAME}")

        def sentinel_answered():
            later = self.fake.messages_to(sentinel_chat)[before:]
            return any(m["text"].startswith(SENTINEL_REPLY) for m in later)

        self.fake.wait_for(sentinel_answered, 30, f"the sentinel after {self.case['name']}")
        out = [
            s
            for s in self.fake.sent[sent_start:]
            if not (isinstance(s[2], dict) and s[2].get("text", "").startswith(SENTINEL_REPLY))
        ]
        return update_id, out, self.bot.output()[log_start:]


@pytest.mark.parametrize(("case", "where"), PARAMS, ids=[f"{c['name']}-{w}" for c, w in PARAMS])
def test_replay(bot, fake, case, where):
    replay = Replay(fake, bot, case, where)
    update_id, out, log = replay.run()
    expected = case["expect"][where]
    messages = [r for m, p, r in out if m == "sendMessage"]
    edits = [r for m, p, r in out if m == "editMessageText"]
    assert "Traceback" not in log and " ERROR " not in log and "CRITICAL" not in log, log
    assert all(isinstance(r, dict) for r in messages + edits), out  # no refused request
    assert len(messages) <= 1, [r["text"][:40] for r in messages]  # at most one reply
    polling = r"bot\.channels\.telegram\.polling"
    skipped = re.search(rf"WARNING {polling}: update {update_id} \(\w+\) skipped", log)
    assert bool(skipped) == (expected == "skipped"), log
    query = fake.callback_queries.get(replay.query_id) if replay.query_id else None
    inline = fake.inline_queries.get(replay.inline_id) if replay.inline_id else None
    if expected in ("silence", "skipped"):
        assert out == []
        assert query is None or query["answered"] == 0
        assert inline is None or inline["answered"] == 0
    elif expected in ("answer", "answer_in_topic", "new"):
        [reply] = messages
        assert reply["text"].endswith(ANSWER_TAIL), reply["text"]
        assert edits == []
        if expected == "answer_in_topic":
            assert reply["message_thread_id"] == replay.values["$thread_id"]
    elif expected == "greeting":
        assert [r["text"][: len(GREETING)] for r in messages] == [GREETING] and edits == []
    elif expected == "hint":
        [reply] = messages
        assert "文字" in reply["text"] and edits == []
    elif expected == "edit":
        assert messages == [] and len(edits) == 1
        assert edits[0]["message_id"] == replay.values["$bot_message_id"]
        assert edits[0]["text"].endswith(ANSWER_TAIL)
    elif expected == "toast":
        assert out == [] and query["answered"] == 1 and query["text"]
    elif expected == "inline":
        assert out == [] and inline["answered"] == 1 and inline["results"]
    else:
        raise AssertionError(f"unknown outcome {expected!r}")
    if query is not None and expected in ("edit", "new", "toast"):
        assert query["answered"] == 1


def test_the_corpus_covers_every_update_type():
    covered = {c["update"] for c in CASES}
    update_types = {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "guest_message",
        "message_reaction",
        "message_reaction_count",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
        "managed_bot",
    }  # fmt: skip  (Bot API 10.0's Update fields)
    assert update_types <= covered
