"""End to end in this process: the bot served as ``mensch-bot run`` serves it (the test
config, real engine and knowledge, long polling the fake Bot API server over HTTP, from a
thread: :class:`harness.ServedBot`). One bot serves the scenarios of this module, each in its
own chats, in any order; silence is proven with a sentinel: updates are handled in order, so
once the reply to a later addressed message has arrived, earlier updates were handled too.
The real command as a process (start-up, signals, shutdown) is ``test_telegram_process.py``.
"""

from __future__ import annotations

import pytest
from harness import running_fake, served

from bot.testing.fakeapi import BOT_USERNAME

BOT = BOT_USERNAME
ASK = "為什麼要開源?"
ANSWER_START = "當然,我認為這是一種基礎架構技術"
URL = "https://www.mckinsey.com/featured-insights/lifting-europes-ambition/videos-and-podcasts/"
ADMIN = 4242


fake_fixture = pytest.fixture(scope="module", name="fake")(running_fake)


@pytest.fixture(scope="module")
def bot(fake, tmp_path_factory):
    yield from served(fake, tmp_path_factory.mktemp("e2e"))


def replies(fake, chat):
    return fake.messages_to(chat)


def reply_ids(fake, chat):
    """The message ids the bot's messages in ``chat`` reply to (None: not a reply)."""
    return [m.get("reply_to_message", {}).get("message_id") for m in replies(fake, chat)]


def wait_replies(fake, chat, count, timeout=20):
    fake.wait_for(lambda: len(replies(fake, chat)) >= count, timeout, f"{count} replies in {chat}")
    return replies(fake, chat)


def settle(fake, chat, user=9, thread_id=None):
    """Send an addressed sentinel into a group and wait for its reply; returns its id."""
    msg = fake.send_user_message(chat, user, f"/ask@{BOT} 語言", thread_id=thread_id)
    mid = msg["message_id"]
    fake.wait_for(lambda: mid in reply_ids(fake, chat), 20, f"the sentinel's reply in {chat}")
    return mid


def last_params(fake, chat):
    return [p for m, p, r in fake.sent if m == "sendMessage" and int(p["chat_id"]) == chat][-1]


# ---------------------------------------------------------------- private chats
def test_private_question_gets_the_answer_with_link(bot, fake):
    fake.send_user_message(1001, 1001, ASK)
    [msg] = wait_replies(fake, 1001, 1)
    params = last_params(fake, 1001)
    assert msg["text"].startswith(ANSWER_START)
    assert msg["text"].endswith("\n—— Arthur Mensch,Mistral AI 行政總裁兼聯合創始人;麥肯錫專訪"
                                "(Eric Hazan 提問,2024-05-11,中文譯本)\n原文")  # fmt: skip
    assert params["parse_mode"] == "HTML" and params["link_preview_options"]["is_disabled"]
    assert f'<a href="{URL}' in params["text"]
    assert all(b[0]["callback_data"].startswith("r|hant|") for b in
               msg["reply_markup"]["inline_keyboard"])  # fmt: skip
    assert "reply_parameters" not in params


def test_private_chat_follow_ups_and_two_part_questions(bot, fake):
    u = 1010
    for text in (
        "歐洲的弱點是什麼?",
        "那優勢呢?",
        "還有呢?",
        "歐洲的優勢和劣勢?",
        "你對中國怎麼看",
    ):
        fake.send_user_message(u, u, text)
    weakness, strength, more, both, china = wait_replies(fake, u, 5)
    assert weakness["text"].startswith("一個弱點是歐洲仍然是一個較為分散的市場")
    assert strength["text"].startswith("作為一個地區,歐洲人才濟濟")  # 那優勢呢? in context
    assert more["text"].startswith("首先要牢記的是")  # a related passage not yet given
    assert "第二個方面" in more["text"]  # the announced second point, whole
    assert both["text"].startswith("作為一個地區") and "較為分散的市場" in both["text"]
    assert both["text"].count("—— Arthur Mensch") == 1  # one attribution for both passages
    assert china["text"].startswith("這個問題我在那次訪談裡沒有談到")
    assert "Arthur Mensch," not in china["text"]
    # two questions, one covered: his words, then the bot's own line on the other
    fake.send_user_message(u, u, "你們為什麼開源?你對中國怎麼看?")
    [*_, mixed] = wait_replies(fake, u, 6)
    assert mixed["text"].startswith("當然,我認為這是一種基礎架構技術")
    assert mixed["text"].endswith("原文\n\n關於「你對中國怎麼看」,我在那次訪談裡沒有談到。")


def test_detail_the_interview_does_not_give_offers_the_closest_passage(bot, fake):
    u = 1011
    fake.send_user_message(u, u, "你在哪所大學讀的博士?")
    [msg] = wait_replies(fake, u, 1)
    assert msg["text"].startswith("這個細節我在那次訪談裡沒有講")
    buttons = [row[0]["callback_data"] for row in msg["reply_markup"]["inline_keyboard"]]
    assert buttons[0] == "a|hant|background"
    fake.press(u, msg["message_id"], buttons[0], u)
    fake.wait_for(lambda: "功能性磁共振成像" in fake.chats[u].messages[msg["message_id"]]["text"],
                  20, "the pressed passage")  # fmt: skip


def test_sticker_in_private_gets_a_hint_to_send_text(bot, fake):
    sticker = {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1,
               "height": 1, "is_animated": False, "is_video": False}  # fmt: skip
    fake.send_user_message(1002, 1002, None, extra={"sticker": sticker})
    [msg] = wait_replies(fake, 1002, 1)
    assert "text" in msg["text"] or "文字" in msg["text"]


def test_html_and_markdown_metacharacters_are_escaped(bot, fake):
    question = "為什麼要開源? <b>x</b> & *y* _z_ [a](b) `c` </i>"
    fake.send_user_message(1003, 1003, question)
    fake.send_user_message(1003, 1003, "<b>開源</b> & *為什麼* _x_")
    fake.send_user_message(1003, 1003, "<開源> & *為什麼* _x_ </b>")
    replies_ = wait_replies(fake, 1003, 3)
    assert len(replies_) == 3
    assert replies_[1]["reply_markup"]["inline_keyboard"]  # suggestions, rendered without error
    errors = [r for m, p, r in fake.sent if int(p["chat_id"]) == 1003 and isinstance(r, Exception)]
    assert errors == []


# ---------------------------------------------------------------- groups
def test_group_answers_only_what_is_addressed(bot, fake):
    g = -2001
    said = lambda text, **kw: fake.send_user_message(g, 7, text, **kw)["message_id"]  # noqa: E731
    addressed = []
    said(ASK)
    said(f"@OtherBot {ASK}")
    said("/help@OtherBot")
    said(f"/ask@OtherBot {ASK}")
    addressed.append(said(f"@menschtestbot {ASK}"))
    addressed.append(said(f"{ASK} @MENSCHTESTBOT"))
    photo = [{"file_id": "p", "file_unique_id": "q", "width": 1, "height": 1}]
    addressed.append(said(None, caption=f"@MenschTestBot {ASK}", extra={"photo": photo}))
    addressed.append(said(f"/ask@{BOT} {ASK}"))
    addressed.append(said(f"/ask {ASK}"))
    first_reply = wait_replies(fake, g, 1)[0]["message_id"]
    addressed.append(said("語言呢?", reply_to=first_reply))
    other = said("just chatting")
    said("I agree", reply_to=other)
    addressed.append(settle(fake, g))
    assert reply_ids(fake, g) == addressed
    assert all(m["text"].startswith(ANSWER_START) for m in replies(fake, g)[:5])


def test_group_follow_up_is_a_reply_to_the_bots_answer(bot, fake):
    g = -2077
    asked = fake.send_user_message(g, 7, f"/ask@{BOT} 歐洲的弱點是什麼?")["message_id"]
    fake.wait_for(lambda: asked in reply_ids(fake, g), 20, "the answer")
    answer = replies(fake, g)[-1]
    follow = fake.send_user_message(g, 8, "那優勢呢?", reply_to=answer["message_id"])["message_id"]
    fake.wait_for(lambda: follow in reply_ids(fake, g), 20, "the follow-up's answer")
    assert replies(fake, g)[-1]["text"].startswith("作為一個地區,歐洲人才濟濟")
    more = fake.send_user_message(g, 8, "還有呢?", reply_to=replies(fake, g)[-1]["message_id"])
    fake.wait_for(lambda: more["message_id"] in reply_ids(fake, g), 20, "the next passage")
    assert replies(fake, g)[-1]["text"].startswith("一個弱點是")  # same question, not yet told


def test_forum_topic_root_is_not_a_reply(bot, fake):
    sg = -100300
    fake.chat(sg, "supergroup", is_forum=True)
    topic = fake.create_topic(sg, 7, "Questions")
    fake.send_user_message(sg, 7, ASK, thread_id=topic)
    asked = fake.send_user_message(sg, 7, f"@{BOT} {ASK}", thread_id=topic)["message_id"]
    sentinel = settle(fake, sg, thread_id=topic)
    assert reply_ids(fake, sg) == [asked, sentinel]
    assert all(m["message_thread_id"] == topic for m in replies(fake, sg))


def test_edits_other_bots_and_stickers_get_silence(bot, fake):
    g = -2002
    msg = fake.send_user_message(g, 7, f"@{BOT} {ASK}")
    wait_replies(fake, g, 1)
    fake.push("edited_message", {**msg, "text": f"@{BOT} 語言?", "edit_date": msg["date"] + 1})
    robot = {"id": 99, "is_bot": True, "first_name": "R", "username": "OtherBot"}
    fake.send_user_message(g, None, f"@{BOT} {ASK}", sender=robot)
    sticker = {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1,
               "height": 1, "is_animated": False, "is_video": False}  # fmt: skip
    fake.send_user_message(g, 7, None, extra={"sticker": sticker})
    sentinel = settle(fake, g)
    assert reply_ids(fake, g) == [msg["message_id"], sentinel]


# ---------------------------------------------------------------- buttons and inline mode
def test_suggestion_buttons_pressed_twice(bot, fake):
    u = 1004
    fake.send_user_message(u, u, "歐洲")
    [msg] = wait_replies(fake, u, 1)
    data = [row[0]["callback_data"] for row in msg["reply_markup"]["inline_keyboard"]]
    assert data == ["a|hant|fragmented", "a|hant|public_cloud", "a|hant|talent", "n|hant|"]
    original = msg["text"]
    q1 = fake.press(u, msg["message_id"], data[0], u)
    fake.wait_for(lambda: fake.chats[u].messages[msg["message_id"]]["text"] != original, 20)
    q2 = fake.press(u, msg["message_id"], data[0], u, stale=True)
    fake.wait_for(lambda: fake.callback_queries[q2]["answered"], 20, "the second press answered")
    assert fake.callback_queries[q1]["answered"] == 1
    edited = fake.chats[u].messages[msg["message_id"]]
    assert edited["text"].endswith("中文譯本)\n原文")
    related = edited["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    fake.press(u, msg["message_id"], related, u)
    q4 = fake.press(u, msg["message_id"], related, u)
    fake.wait_for(lambda: fake.callback_queries[q4]["answered"], 20, "the fourth press answered")
    assert len(replies(fake, u)) == 2  # the suggestion message, then one related answer


def test_inline_query_offers_answers_and_topics(bot, fake):
    q = fake.inline(1005, ASK, language_code="zh-hant")
    fake.wait_for(lambda: fake.inline_queries[q]["answered"], 20, "inline answer")
    results = fake.inline_queries[q]["results"]
    assert 1 <= len(results) <= 5 and results[0]["id"] == "oss_value"
    assert results[0]["input_message_content"]["message_text"].startswith(ANSWER_START[:10])
    q = fake.inline(1005, "")
    fake.wait_for(lambda: fake.inline_queries[q]["answered"], 20, "inline topics")
    assert len(fake.inline_queries[q]["results"]) >= 5


# ---------------------------------------------------------------- faults
def test_flood_control_429_is_retried(bot, fake):
    u = 1101
    fake.fail("sendMessage", 429, "Too Many Requests: retry after 1",
              parameters={"retry_after": 1}, chat_id=u)  # fmt: skip
    fake.send_user_message(u, u, ASK)
    wait_replies(fake, u, 1)
    assert len([p for p in fake.calls("sendMessage") if int(p["chat_id"]) == u]) == 2


def test_blocked_user_is_dropped(bot, fake):
    u = 1102
    fake.chat(u).blocked = True
    fake.send_user_message(u, u, ASK)
    refused = lambda: [r for m, p, r in fake.sent if int(p["chat_id"]) == u]  # noqa: E731
    fake.wait_for(refused, 20, "the refused send")
    fake.chat(u).blocked = False  # unblocked: the next question proves the first was handled
    fake.send_user_message(u, u, "語言")
    wait_replies(fake, u, 1)
    assert len(refused()) == 2 and isinstance(refused()[0], Exception)
    assert len(replies(fake, u)) == 1


def test_parse_error_is_resent_plain(bot, fake):
    u = 1103
    fake.fail("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag "
              '"x" at byte offset 3', chat_id=u)  # fmt: skip
    fake.send_user_message(u, u, ASK)
    [msg] = wait_replies(fake, u, 1)
    assert "parse_mode" not in last_params(fake, u) and msg["text"].startswith(ANSWER_START)


def test_server_error_and_slow_answer(bot, fake):
    waits = len(bot.sleep.waits)
    fake.fail("sendMessage", 500, "Internal Server Error", chat_id=1104)
    fake.send_user_message(1104, 1104, ASK)
    assert len(wait_replies(fake, 1104, 1)) == 1
    assert bot.sleep.waits[waits:] == [0.5]  # retried after the first back-off
    slow = fake.hold("sendMessage", chat_id=1105)  # answered when the test says
    fake.send_user_message(1105, 1105, ASK)
    arrived = lambda: [p for p in fake.calls("sendMessage") if int(p["chat_id"]) == 1105]  # noqa: E731
    fake.wait_for(arrived, 20, "the slow chat's reply on its way")
    fake.send_user_message(1106, 1106, ASK)
    wait_replies(fake, 1106, 1)
    assert replies(fake, 1105) == []  # a slow chat does not hold up the others
    slow.set()
    wait_replies(fake, 1105, 1)
    assert len(replies(fake, 1105)) == 1 == len(replies(fake, 1106))


def test_migrated_group_and_deleted_question(bot, fake):
    fake.chat(-2100, "group")
    fake.migrate(-2100, -100210)
    fake.send_user_message(-2100, 7, f"@{BOT} {ASK}")
    [msg] = wait_replies(fake, -100210, 1)
    assert msg["text"].startswith(ANSWER_START)
    g = -2004
    gone = fake.new_message(g, 7, f"@{BOT} {ASK}")
    fake.delete(g, gone["message_id"])
    fake.push("message", gone)
    [msg] = wait_replies(fake, g, 1)
    assert "reply_to_message" not in msg
    assert last_params(fake, g)["reply_parameters"]["message_id"] == gone["message_id"]


def test_admin_stats_and_commands_menu(bot, fake):
    fake.send_user_message(ADMIN, ADMIN, "/stats")
    fake.send_user_message(1200, 1200, "/stats")
    [stats] = wait_replies(fake, ADMIN, 1)
    [not_admin] = wait_replies(fake, 1200, 1)
    assert stats["text"].startswith("回答 ")
    assert not stats["text"].startswith(not_admin["text"][:5])
    assert {("default", ""), ("default", "zh"), ("default", "en"),
            ("all_group_chats", "zh")} <= set(fake.commands)  # fmt: skip
    assert fake.calls("getUpdates")[-1]["allowed_updates"] == [
        "message", "callback_query", "inline_query",
    ]  # fmt: skip


def test_start_help_about_source_topics_random(bot, fake):
    u = 1300
    for command in ("/start", "/help", "/about", "/source", "/topics", "/random"):
        fake.send_user_message(u, u, command)
    start, help_, about, source, topics, random_ = wait_replies(fake, u, 6)
    assert "Arthur Mensch" in start["text"]
    assert f"/ask@{BOT}" in help_["text"]
    assert about["text"].count("https://www.mckinsey.com/") == 1
    assert "麥肯錫專訪 Mistral AI CEO" in source["text"] and "2024-05-11" in source["text"]
    assert len(topics["reply_markup"]["inline_keyboard"]) >= 5
    assert f'<a href="{URL}' in last_params(fake, u)["text"] and random_["text"].endswith("原文")
