"""The real Application, in-process, against the fake Bot API over HTTP, with a fake engine
whose replies are built by hand (so these tests do not depend on matching)."""

from __future__ import annotations

import logging

from harness import (  # noqa: F401 (fake_fixture, inproc_fixture: the fixtures fake, inproc)
    ADMIN,
    TOPICS,
    URL,
    FakeEngine,
    InProcessBot,
    failing_reload,
    fake_fixture,
    inproc_fixture,
    quiet_settings,
)

from bot.channels.telegram.jsonrequest import json_body
from bot.channels.telegram.settings import Flood, RateLimit
from bot.channels.telegram.state import RecentKeys, ReplyCache
from bot.pipeline.reply import Reply
from bot.testing.fakeapi import BOT_ID, BOT_USERNAME

P = 501  # a private chat (= the user's id)
G = -1001  # a basic group
USER = 7


def sent(fake, chat):
    """(params, result) of successful sendMessage calls to ``chat``."""
    return [
        (p, r)
        for m, p, r in fake.sent
        if m == "sendMessage" and isinstance(r, dict) and r["chat"]["id"] == chat
    ]


def one(fake, chat):
    items = sent(fake, chat)
    assert len(items) == 1, [r["text"] for _, r in items]
    return items[0]


def buttons(markup):
    return [b["callback_data"] for row in (markup or {}).get("inline_keyboard", []) for b in row]


# ---------------------------------------------------------------- private chats
def test_private_question_gets_escaped_answer_with_link(inproc, fake):
    inproc.say(P, P, "Why <b>open</b> & *not* _closed_ [x](y)?")
    params, msg = one(fake, P)
    assert params["parse_mode"] == "HTML"
    assert params["link_preview_options"] == {"is_disabled": True}
    assert msg["text"].startswith("You asked: Why <b>open</b> & *not* _closed_ [x](y)?")
    assert "Why &lt;b&gt;open&lt;/b&gt; &amp; *not*" in params["text"]
    assert params["text"].endswith(
        f'<i>— Arthur Mensch, asked by Eric Hazan</i>\n<a href="{URL}">Source</a>'
    )
    assert msg["text"].endswith("\n\n— Arthur Mensch, asked by Eric Hazan\nSource")
    assert "<i>— Arthur Mensch, asked by Eric Hazan</i>" in params["text"]
    assert buttons(msg["reply_markup"]) == ["r|en|europe", "r|en|work"]
    assert "reply_parameters" not in params  # no quoting in a private chat
    assert inproc.engine.questions == ["Why <b>open</b> & *not* _closed_ [x](y)?"]
    assert fake.bodies["sendMessage"] == {"application/json"}  # not form-encoded: JsonRequest


def test_caption_is_a_question_and_sticker_gets_the_hint(inproc, fake):
    inproc.say(P, P, None, caption="what about europe", extra={"photo": [_photo()]})
    inproc.say(P, P, None, extra={"sticker": _sticker()})
    inproc.say(P, P, None, extra={"photo": [_photo()]})
    texts = [r["text"] for _, r in sent(fake, P)]
    assert texts[0].startswith("You asked: what about europe")
    assert texts[1:] == ["[non_text:hant]", "[non_text:hant]"]


def test_long_answer_is_split_with_link_and_buttons_in_last_part(inproc, fake):
    inproc.say(P, P, "long answer please")
    parts = sent(fake, P)
    assert len(parts) >= 3
    for i, (params, msg) in enumerate(parts):
        assert len(msg["text"]) <= 4096
        last = i == len(parts) - 1
        assert (URL in params["text"]) is last
        assert ("reply_markup" in params) is last
    joined = "\n\n".join(m["text"] for _, m in parts)
    assert all(f"Paragraph {i}." in joined for i in range(30))
    assert joined.index("Paragraph 29.") < joined.index("— Arthur Mensch")


def test_commands_in_a_private_chat(inproc, fake):
    for text in ("/start", "/help", "/about", "/source", "/topics", "/random", "/ask", "/nope"):
        inproc.say(P, P, text)
    texts = [r["text"] for _, r in sent(fake, P)]
    assert texts[0] == "[greeting:hant]"
    assert texts[1].startswith("[help:hant]") and f"/ask@{BOT_USERNAME}" in texts[1]
    assert texts[2] == f"[about:hant]\n\n{URL}"
    assert texts[3] == f"出處：Interview <Title> & more（2024-05-11）\n\n{URL}"
    topics_params, topics_msg = sent(fake, P)[4]
    assert buttons(topics_msg["reply_markup"]) == ["r|hant|open", "r|hant|europe", "r|hant|work"]
    assert texts[5].startswith("Answer for ")
    assert texts[6].startswith("請在 /ask 後面寫下問題")
    assert texts[7].startswith("[help:hant]")  # unknown command → help


def test_command_menus_are_registered_per_scope_and_language(inproc, fake):
    keys = set(fake.commands)
    for scope in ("default", "all_group_chats"):
        assert {(scope, ""), (scope, "zh"), (scope, "en")} <= keys
    english = {c["command"]: c["description"] for c in fake.commands[("default", "en")]}
    assert list(english) == ["start", "help", "ask", "topics", "random", "about", "source"]
    assert english["ask"] == "Ask: /ask your question"
    assert fake.commands[("default", "zh")][0]["description"] == "開始"


# ---------------------------------------------------------------- groups: addressing
def test_group_silence_unless_addressed(inproc, fake):
    inproc.say(G, USER, "why open source")
    inproc.say(G, USER, "@OtherBot why open source")
    inproc.say(G, USER, f"mail me at x@{BOT_USERNAME}.org")
    inproc.say(G, USER, "/ask@OtherBot why")
    inproc.say(G, USER, "/help@OtherBot")
    inproc.say(G, USER, "/nope")
    inproc.say(G, USER, None, extra={"sticker": _sticker()})
    assert sent(fake, G) == []


def test_group_mentions_in_any_case_text_and_caption(inproc, fake):
    for text in (
        f"@{BOT_USERNAME} why open?",
        "@menschtestbot why open?",
        "why open? @MENSCHTESTBOT",
    ):
        inproc.say(G, USER, text)
    inproc.say(G, USER, None, caption="@mEnScHtEsTbOt why open?", extra={"photo": [_photo()]})
    assert inproc.engine.questions == ["why open?"]  # each stripped to the same cached text
    replies = sent(fake, G)
    assert len(replies) == 4
    asked = [m["message_id"] for m in fake.chats[G].messages.values() if m["from"]["id"] == USER]
    assert [p["reply_parameters"]["message_id"] for p, _ in replies] == asked


def test_text_mention_and_emoji_offsets(inproc, fake):
    text = "🎉🎉 Mensch, 為什麼開源？"
    entity = {"type": "text_mention", "offset": 5, "length": 6, "user": fake.bot_user()}
    inproc.say(G, USER, text, entities=[entity])
    assert inproc.engine.questions == ["🎉🎉 , 為什麼開源？"]  # offsets are UTF-16 units
    one(fake, G)


def test_bad_entity_offsets_are_no_entity(inproc, fake, caplog):
    name = f"@{BOT_USERNAME}"
    split = {"type": "mention", "offset": 1, "length": len(name)}  # inside the 😀 pair
    past_end = {"type": "mention", "offset": 400, "length": 15}
    negative = {"type": "mention", "offset": -3, "length": 15}
    command = {"type": "bot_command", "offset": 0, "length": 3}  # ends inside 😀
    with caplog.at_level(logging.WARNING):
        inproc.say(G, USER, f"😀{name} why open?", entities=[split])
        inproc.say(G, USER, f"{name} why open?", entities=[past_end, negative])
        inproc.say(G, USER, "/a😀sk why?", entities=[command])
        inproc.say(G, USER, None, caption=f"😀{name} why?", entities=[split],
                   extra={"photo": [_photo()]})  # fmt: skip
        inproc.say(P, P, f"😀{name} why open?", entities=[split])  # private: still a question
    assert sent(fake, G) == []  # not addressed: silence, no traceback
    assert inproc.engine.questions == [f"😀{name} why open?"]
    assert one(fake, P)[1]["text"].startswith(f"You asked: 😀{name} why open?")
    assert inproc.app.bot_data.runtime.stats["errors"] == 0
    assert caplog.records == []


def test_ask_command_forms(inproc, fake):
    inproc.say(G, USER, f"/ask@{BOT_USERNAME} why open?")
    inproc.say(G, USER, "/ask why europe?")
    inproc.say(G, USER, "/ASK@menschtestbot   why  work?")
    inproc.say(G, USER, f"/help@{BOT_USERNAME.lower()}")
    inproc.say(G, USER, f"/nope@{BOT_USERNAME}")
    assert inproc.engine.questions == ["why open?", "why europe?", "why work?"]
    texts = [r["text"] for _, r in sent(fake, G)]
    assert len(texts) == 5
    assert texts[3].startswith("[help:hant]") and texts[4].startswith("[help:hant]")


def test_reply_to_the_bot_is_addressed_reply_to_others_is_not(inproc, fake):
    inproc.say(G, USER, f"@{BOT_USERNAME} why open?")
    [(_, bot_msg)] = sent(fake, G)
    other = inproc.say(G, 8, "I think so")
    inproc.say(G, USER, "no", reply_to=other["message_id"])
    inproc.say(G, USER, "and europe?", reply_to=bot_msg["message_id"])
    assert inproc.engine.questions == ["why open?", "and europe?"]
    assert len(sent(fake, G)) == 2


def test_forum_topic_root_is_not_a_reply_and_answers_stay_in_topic(inproc, fake):
    sg = -100777
    fake.chat(sg, "supergroup", is_forum=True)
    topic = fake.create_topic(sg, USER)
    inproc.say(sg, USER, "plain talk in the topic", thread_id=topic)
    assert sent(fake, sg) == []
    inproc.say(sg, USER, f"@{BOT_USERNAME} why open?", thread_id=topic)
    params, msg = one(fake, sg)
    assert params["message_thread_id"] == topic
    assert msg["is_topic_message"] is True


def test_edits_channel_posts_bots_and_anonymous_admins(inproc, fake):
    msg = inproc.say(P, P, "why open?")
    inproc.feed("edited_message", {**msg, "edit_date": msg["date"] + 5})
    channel = fake.chat(-100555, "channel")
    post = fake.new_message(
        channel.id, None, f"@{BOT_USERNAME} why?", sender_chat=channel.as_dict()
    )
    inproc.feed("channel_post", post)
    robot = {"id": 99, "is_bot": True, "first_name": "Robot", "username": "OtherBot"}
    inproc.say(G, None, f"@{BOT_USERNAME} why?", sender=robot)
    inproc.say(G, None, f"@{BOT_USERNAME} why?")  # no user at all
    anonymous = {
        "id": 1087968824,
        "is_bot": True,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    }
    inproc.say(G, None, f"@{BOT_USERNAME} why anonymous?", sender=anonymous,
               sender_chat=fake.chat(G).as_dict())  # fmt: skip
    assert len(sent(fake, P)) == 1
    assert sent(fake, channel.id) == []
    assert inproc.engine.questions == ["why open?", "why?", "why anonymous?"]
    assert len(sent(fake, G)) == 2


def test_a_message_delivered_twice_is_answered_once(inproc, fake):
    msg = inproc.say(P, P, "why open?")
    inproc.feed("message", msg)  # a new update id, the same message (webhook retry, restart)
    inproc.say(P, P, "why open?")  # the same text again, a new message: answered
    g = inproc.say(G, USER, f"@{BOT_USERNAME} why open?")
    inproc.feed("message", g)
    assert len(sent(fake, P)) == 2 and len(sent(fake, G)) == 1
    assert inproc.engine.questions == ["why open?"]  # matched once, then the cached reply
    qid = fake.inline(USER, "why open?")
    inproc.feed("inline_query", fake.updates[-1]["inline_query"])
    inproc.feed("inline_query", fake.updates[-1]["inline_query"])
    assert fake.inline_queries[qid]["answered"] == 1  # a second answer would fail: too old
    assert inproc.app.bot_data.runtime.stats["errors"] == 0


def test_reply_cache_reuses_replies_per_engine_and_counts_every_one(fake):
    old, new = FakeEngine(), FakeEngine(tag=" (v2)")
    with InProcessBot(fake, engine=old, reload=lambda: new) as bot:
        for _ in range(3):
            bot.say(P, P, "why open?")
        bot.say(P, P, "maybe")
        bot.say(ADMIN, ADMIN, "/reload")
        bot.say(P, P, "why open?")
        runtime = bot.app.bot_data.runtime
        assert runtime.stats["answer"] == 4 and runtime.stats["suggest"] == 1
    # "maybe" (suggestions, not an answer) is asked again with the chat's context: it might
    # have been a follow-up; answers are reused whatever the context
    assert old.questions == ["why open?", "maybe", "maybe"] and new.questions == ["why open?"]
    texts = [r["text"] for _, r in sent(fake, P)]
    assert texts[0] == texts[1] == texts[2] and texts[4].startswith("You asked: why open? (v2)")
    cache = ReplyCache(size=2)
    for q in ("a", "b", "a", "c"):
        cache.reply(old, q, lambda q: Reply("smalltalk", q, "en", paragraphs=(q,)))
    assert len(cache) == 2 and old.questions == ["why open?", "maybe", "maybe"]
    first = cache.reply(old, "a", lambda q: None)
    assert cache.rendered(first, lambda: "R1") == "R1"
    assert cache.rendered(first, lambda: "R2") == "R1"  # rendered once
    assert cache.rendered(Reply("smalltalk", "a", "en"), lambda: "R3") == "R3"


def test_json_bodies_are_utf8_and_survive_an_unpaired_surrogate():
    assert json_body({"chat_id": 5, "text": "開源"}) == '{"chat_id":5,"text":"開源"}'.encode()
    assert json_body({"text": "a\ud83d"}) == b'{"text":"a\\ud83d"}'


def test_recent_keys_are_bounded_in_size_and_age():
    now = [0.0]
    keys = RecentKeys(3, ttl=10, clock=lambda: now[0])
    assert [keys.first(k) for k in "abca"] == [True, True, True, False]
    assert keys.first("d") and len(keys) == 3  # "a", the oldest, is forgotten
    assert keys.first("a") and not keys.first("d")
    now[0] = 10.5
    assert keys.first("d") and len(keys) == 1  # all older than 10 s are forgotten


# ---------------------------------------------------------------- buttons
def test_suggestion_button_edits_in_place_and_twice_is_harmless(inproc, fake):
    inproc.say(P, P, "maybe open")
    params, msg = one(fake, P)
    assert buttons(msg["reply_markup"]) == ["a|en|open", "a|en|europe", "a|en|work", "n|en|"]
    q1 = inproc.press(P, msg["message_id"], "a|en|open", P)
    edited = fake.chats[P].messages[msg["message_id"]]
    assert edited["text"].startswith("Answer for open.")
    assert buttons(edited["reply_markup"]) == ["r|en|europe", "r|en|work"]
    # a second tap from a client still showing the old keyboard: the same edit again,
    # which Telegram refuses with "message is not modified"
    q2 = inproc.press(P, msg["message_id"], "a|en|open", P, stale=True)
    assert isinstance(fake.sent[-1][2], Exception) and "not modified" in str(fake.sent[-1][2])
    assert fake.callback_queries[q1]["answered"] == 1 == fake.callback_queries[q2]["answered"]
    assert len(sent(fake, P)) == 1
    assert inproc.app.bot_data.runtime.stats["errors"] == 0


def test_none_of_these_and_related_buttons(inproc, fake):
    inproc.say(P, P, "maybe")
    _, msg = one(fake, P)
    assert msg["reply_markup"]["inline_keyboard"][-1][0]["text"] == "[none_of_these:en]"
    inproc.press(P, msg["message_id"], "n|en|", P)
    edited = fake.chats[P].messages[msg["message_id"]]
    # exactly the reply the suggestions carried for "none of these"
    assert FakeEngine().answer("maybe").declined.paragraphs == ("[fallback:en]",)
    assert edited["text"] == "[fallback:en]"
    assert buttons(edited["reply_markup"]) == ["r|en|open", "r|en|europe", "r|en|work"]
    assert inproc.app.bot_data.runtime.stats["fallback"] == 1
    q1 = inproc.press(P, msg["message_id"], "r|en|europe", P)
    q2 = inproc.press(P, msg["message_id"], "r|en|europe", P)
    assert [r["text"].split("\n")[0] for _, r in sent(fake, P)[1:]] == ["Answer for europe."]
    assert fake.callback_queries[q2]["text"] == "Already sent."
    assert fake.callback_queries[q1]["text"] == ""


def _press_on(inproc, qid: str, message: dict, data: str) -> None:
    """User P presses a button carrying ``data`` under ``message`` (as the client shows it)."""
    inproc.fake.callback_queries[qid] = {"answered": 0}
    user = inproc.fake.user(P, language_code="en")
    query = {"id": qid, "from": user, "chat_instance": "1", "message": message, "data": data}
    inproc.feed("callback_query", query)


def test_garbage_and_stale_callback_data(inproc, fake):
    inproc.say(P, P, "maybe")
    _, msg = one(fake, P)
    for data, qid in (("x|y", "901"), ("r|en|gone", "902")):
        _press_on(inproc, qid, msg, data)
        assert fake.callback_queries[qid]["text"] == "This button has expired."
    assert len(sent(fake, P)) == 1


def test_a_late_press_still_delivers_the_answer(inproc, fake):
    inproc.say(P, P, "maybe")
    _, msg = one(fake, P)
    fake.fail("answerCallbackQuery", 400, "Bad Request: query is too old and response timeout "
              "expired or query ID is invalid")  # fmt: skip
    inproc.press(P, msg["message_id"], "a|en|work", P)
    assert fake.chats[P].messages[msg["message_id"]]["text"].startswith("Answer for work.")
    assert inproc.app.bot_data.runtime.stats["errors"] == 0


def test_buttons_under_an_inaccessible_message_send_new_messages(inproc, fake, caplog):
    inproc.say(P, P, "maybe")
    _, msg = one(fake, P)
    gone = {"chat": msg["chat"], "message_id": msg["message_id"], "date": 0}  # Bot API shape
    with caplog.at_level(logging.INFO):
        for qid, data in (("911", "a|en|work"), ("912", "a|en|work"), ("913", "n|en|")):
            _press_on(inproc, qid, gone, data)
    assert fake.calls("editMessageText") == []
    texts = [r["text"] for _, r in sent(fake, P)]
    assert texts[1].startswith("Answer for work.") and texts[2] == "[fallback:en]"
    assert len(texts) == 3  # the second press of the same button: no second answer
    assert fake.callback_queries["912"]["text"] == "Already sent."
    assert buttons(sent(fake, P)[2][1]["reply_markup"]) == ["r|en|open", "r|en|europe", "r|en|work"]
    assert inproc.app.bot_data.runtime.stats["errors"] == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_failed_edit_falls_back_to_sending(inproc, fake):
    inproc.say(P, P, "maybe")
    _, msg = one(fake, P)
    fake.delete(P, msg["message_id"])  # the client still shows it; Telegram cannot edit it
    _press_on(inproc, "914", msg, "a|en|europe")
    [(method, _, error)] = [s for s in fake.sent if s[0] == "editMessageText"]
    assert "message to edit not found" in str(error)
    assert sent(fake, P)[-1][1]["text"].startswith("Answer for europe.")
    assert inproc.app.bot_data.runtime.stats["errors"] == 0


# ---------------------------------------------------------------- inline mode
def test_inline_query_answers_and_empty_query_lists_topics(inproc, fake):
    qid = fake.inline(USER, "why open <source>?")
    inproc.feed("inline_query", fake.updates[-1]["inline_query"])
    query = fake.inline_queries[qid]
    results = query["results"]
    assert [r["id"] for r in results] == ["open", "europe", "work"]
    assert results[0]["title"] == "Q about open"
    assert results[0]["description"].startswith("Answer for open.")
    content = results[0]["input_message_content"]
    assert content["parse_mode"] == "HTML" and URL in content["message_text"]
    assert query["params"]["cache_time"] == 10
    qid = fake.inline(USER, "   ", language_code="zh-hans")
    inproc.feed("inline_query", fake.updates[-1]["inline_query"])
    assert [r["title"] for r in fake.inline_queries[qid]["results"]] == [t.topic for t in TOPICS]
    qid = fake.inline(USER, "hi")  # small talk: the topics the reply carries
    inproc.feed("inline_query", fake.updates[-1]["inline_query"])
    assert [r["title"] for r in fake.inline_queries[qid]["results"]] == [t.topic for t in TOPICS]


# ---------------------------------------------------------------- faults
def test_flood_control_429_is_waited_out(fake):
    # max_retries 0: the library's rate limiter passes the 429 on, and the bot waits itself
    settings = quiet_settings(rate_limit=RateLimit(0, 0, max_retries=0))
    with InProcessBot(fake, settings=settings) as bot:
        fake.fail("sendMessage", 429, "Too Many Requests: retry after 3",
                  parameters={"retry_after": 3})  # fmt: skip
        bot.say(P, P, "why open?")
        one(fake, P)
        assert len(fake.calls("sendMessage")) == 2
        assert bot.sleep.waits == [3.0]
        fake.fail("sendMessage", 429, "Too Many Requests: retry after 301",
                  parameters={"retry_after": 301})  # fmt: skip
        bot.say(P, P, "why open?")  # longer than MAX_RETRY_AFTER: dropped, not waited
        assert len(fake.calls("sendMessage")) == 3 and len(sent(fake, P)) == 1
        assert bot.sleep.waits == [3.0]


def test_parse_error_is_resent_as_plain_text(inproc, fake):
    fake.fail("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag")
    inproc.say(P, P, "why <open>?")
    params, msg = one(fake, P)
    assert "parse_mode" not in params
    assert params["text"].startswith("You asked: why <open>?")
    assert params["text"].endswith(f"— Arthur Mensch, asked by Eric Hazan\nSource: {URL}")


def test_server_error_and_slow_answer_are_retried_once(inproc, fake):
    fake.fail("sendMessage", 500, "Internal Server Error")
    inproc.say(P, P, "why open?")
    assert inproc.sleep.waits == [0.5]  # retried after the first back-off
    fake.delay("sendMessage", 0.3)  # slow, but well within the read timeout: sent once
    inproc.say(P + 1, P + 1, "why open?")
    one(fake, P)
    one(fake, P + 1)


def test_blocked_user_is_dropped_and_bot_goes_on(inproc, fake, caplog):
    fake.block(P)
    with caplog.at_level(logging.INFO):
        inproc.say(P, P, "why open?")
        inproc.say(P + 1, P + 1, "why open?")
    assert sent(fake, P) == []
    one(fake, P + 1)
    assert any("blocked" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)
    assert inproc.app.bot_data.runtime.stats["errors"] == 0


def test_migrated_group_gets_the_reply_at_its_new_id(inproc, fake):
    fake.migrate(G, -100999)
    inproc.say(G, USER, f"@{BOT_USERNAME} why open?")
    assert sent(fake, G) == []
    one(fake, -100999)


def test_deleted_question_still_gets_its_reply(inproc, fake):
    msg = fake.new_message(G, USER, f"@{BOT_USERNAME} why open?")
    fake.delete(G, msg["message_id"])
    inproc.feed("message", msg)
    params, result = one(fake, G)
    assert params["reply_parameters"]["allow_sending_without_reply"] is True
    assert "reply_to_message" not in result


def test_unexpected_error_is_logged_with_update_id_and_counted(inproc, fake, caplog):
    fake.fail("sendMessage", 400, "Bad Request: something new")
    with caplog.at_level(logging.ERROR):
        inproc.say(P, P, "why open?")
        inproc.loop.run_until_complete(inproc.app.process_error(None, RuntimeError("poll")))
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert messages[0] == f"update {inproc.next_update}: unhandled error"
    assert messages[1] == "update None: unhandled error"
    assert inproc.app.bot_data.runtime.stats["errors"] == 2
    inproc.say(P, P, "why open again?")
    one(fake, P)


def test_flood_guard_keeps_a_group_quiet(fake):
    settings = quiet_settings(flood=Flood(private=30, group=2, window=60))
    with InProcessBot(fake, settings=settings) as bot:
        for _ in range(4):
            bot.say(G, USER, f"@{BOT_USERNAME} why open?")
        first = sent(fake, G)[0][1]
        bot.press(G, first["message_id"], "r|en|europe", USER)  # buttons count too
    assert len(sent(fake, G)) == 2


class Recorder:
    def __init__(self):
        self.records = []

    def record(self, reply, channel, chat_type, user_id=None, chat_id=None):
        self.records.append((reply.kind, reply.question, channel, chat_type, user_id, chat_id))


def test_fallbacks_and_suggestions_go_to_the_unanswered_log(inproc, fake):
    recorder = inproc.app.bot_data.runtime.unanswered = Recorder()
    inproc.say(P, P, "??? stock price")
    inproc.say(G, USER, f"@{BOT_USERNAME} maybe europe")
    fake.inline(USER, "??? inline")
    inproc.feed("inline_query", fake.updates[-1]["inline_query"])
    assert [r[:4] for r in recorder.records] == [
        ("fallback", "??? stock price", "telegram", "private"),
        ("suggest", "maybe europe", "telegram", "group"),
        ("fallback", "??? inline", "telegram", "inline"),
    ]  # fmt: skip
    assert recorder.records[1][4:] == (USER, G)


# ---------------------------------------------------------------- admin
def test_admin_stats_and_reload(fake):
    new_engine = FakeEngine(tag=" (v2)")
    with InProcessBot(fake, reload=lambda: new_engine) as bot:
        bot.say(P, P, "why open?")  # answer
        bot.say(P, P, "maybe")  # suggestions, then "none of these": a fallback
        bot.press(P, sent(fake, P)[-1][1]["message_id"], "n|en|", P)
        bot.say(P, P, "???")  # fallback
        fake.inline(USER, "why open?")  # one inline query, whatever its articles
        bot.feed("inline_query", fake.updates[-1]["inline_query"])
        bot.say(P, P, "/random")  # answer
        bot.say(ADMIN, ADMIN, "/stats")
        bot.say(P, P, "/stats")  # not an admin: same as an unknown command
        bot.say(P, P, "/reload")
        bot.say(ADMIN, ADMIN, "/reload")
        bot.say(P, P, "why open?")
    assert (
        sent(fake, ADMIN)[0][1]["text"] == "回答 2，建議 1，未能回答 2，閒聊 0，行內查詢 1，錯誤 0"
    )
    assert sent(fake, ADMIN)[1][1]["text"] == "已重新載入知識庫。"
    texts = [r["text"] for _, r in sent(fake, P)]
    assert texts[4].startswith("[help:hant]") and texts[5].startswith("[help:hant]")
    assert texts[6].startswith("You asked: why open? (v2)")


def test_reload_with_bad_knowledge_keeps_the_old_engine(fake):
    with InProcessBot(fake, reload=failing_reload) as bot:
        old = bot.engine
        bot.say(ADMIN, ADMIN, "/reload")
        assert bot.app.bot_data.engine is old
    text = one(fake, ADMIN)[1]["text"]
    assert text == (
        "重新載入失敗，繼續使用舊的知識庫：knowledge/entries.yaml:12: entry 'x': answer is not "
        "verbatim"
    )


def test_start_up_identity(inproc, fake):
    me = inproc.app.bot_data.runtime.me
    assert (me.id, me.username) == (BOT_ID, BOT_USERNAME)


def _photo():
    return {"file_id": "p1", "file_unique_id": "u1", "width": 10, "height": 10}


def _sticker():
    return {"file_id": "s1", "file_unique_id": "u2", "type": "regular", "width": 512,
            "height": 512, "is_animated": False, "is_video": False}  # fmt: skip


def test_none_of_these_on_the_real_engine_edits_into_the_reply_it_carried(fake, engine):
    with InProcessBot(fake, engine=engine) as bot:
        bot.say(P, P, "歐洲")
        _, msg = one(fake, P)
        suggest = engine.answer("歐洲")
        assert suggest.kind == "suggest" and suggest.declined == engine.declined("hant")
        assert msg["reply_markup"]["inline_keyboard"][-1][0]["text"] == "都不是"
        bot.press(P, msg["message_id"], "n|hant|", P)
        edited = fake.chats[P].messages[msg["message_id"]]
        assert edited["text"] == "\n\n".join(suggest.declined.paragraphs)
        assert edited["text"].startswith("這個問題我在那次訪談裡沒有談到")
        topics = [f"r|hant|{c.entry_id}" for c in suggest.declined.topics]
        assert buttons(edited["reply_markup"]) == topics
