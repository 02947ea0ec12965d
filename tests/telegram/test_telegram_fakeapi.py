"""The fake Bot API itself: it must catch what real Telegram would refuse, or the other
tests prove nothing."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from make_fixture import derive

from bot.testing.fakeapi import SPEC, TOKEN, FakeBotAPI, entities_for, parse_html


@pytest.fixture
def server():
    with FakeBotAPI() as fake:
        fake.chat(77)
        yield fake


def call(fake, method, token=TOKEN, **params):
    body = urllib.parse.urlencode(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    ).encode()
    request = urllib.request.Request(
        f"{fake.base_url}/bot{token}/{method}",
        body,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_fixture_covers_the_methods_the_bot_uses():
    for method in (
        "getMe",
        "getUpdates",
        "sendMessage",
        "editMessageText",
        "answerCallbackQuery",
        "answerInlineQuery",
        "setMyCommands",
        "setWebhook",
    ):
        assert method in SPEC  # fmt: skip
    assert SPEC["sendMessage"]["text"] == {"required": True, "types": ["String"]}
    assert SPEC["sendMessage"]["chat_id"]["types"] == ["Integer", "String"]


def test_make_fixture_derives_names_flags_and_types():
    spec = {"version": "Bot API 1", "methods": {"m": {"fields": [
        {"name": "a", "types": ["Integer"], "required": True, "description": "…"},
        {"name": "b", "types": ["String"], "required": False, "description": "…"},
    ]}, "n": {}}}  # fmt: skip
    assert derive(spec) == {
        "_version": "Bot API 1",
        "m": {"a": {"required": True, "types": ["Integer"]},
              "b": {"required": False, "types": ["String"]}},
        "n": {},
    }  # fmt: skip


def test_protocol_violations_are_recorded(server):
    assert call(server, "sendMesage", chat_id=77, text="x")[0] == 404
    assert call(server, "sendMessage", chat_id=77, text="x", colour="red")[0] == 400
    assert call(server, "sendMessage", chat_id=77)[0] == 400
    assert call(server, "sendMessage", chat_id=77, text="x", disable_notification="maybe")[0] == 400
    assert call(server, "getMe", token="1:wrong")[0] == 401
    assert server.violations == [
        "unknown method sendMesage",
        "sendMessage: unknown parameter 'colour'",
        "sendMessage: missing required parameter 'text'",
        "sendMessage: parameter 'disable_notification': 'maybe' is not ['Boolean']",
        "request with a wrong token",
    ]


def test_limits_and_errors_as_telegram_answers_them(server):
    ok = call(server, "sendMessage", chat_id=77, text="x" * 4096)
    assert ok[0] == 200 and ok[1]["result"]["text"] == "x" * 4096
    assert call(server, "sendMessage", chat_id=77, text="🎉" * 2049)[1]["description"] == (
        "Bad Request: message is too long"
    )
    code, body = call(server, "sendMessage", chat_id=77, text="&lt;" * 4096, parse_mode="HTML")
    assert code == 200 and body["result"]["text"] == "<" * 4096  # counted after parsing
    code, body = call(server, "sendMessage", chat_id=77, text="a <b>b", parse_mode="HTML")
    assert code == 400 and body["description"].startswith("Bad Request: can't parse entities")
    markup = {"inline_keyboard": [[{"text": "t", "callback_data": "x" * 65}]]}
    assert call(server, "sendMessage", chat_id=77, text="x", reply_markup=markup)[0] == 400
    reply = {"message_id": 999}
    assert (
        call(server, "sendMessage", chat_id=77, text="x", reply_parameters=reply)[1]["description"]
        == "Bad Request: message to be replied not found"
    )
    assert call(server, "sendMessage", chat_id=12345, text="x")[1]["description"] == (
        "Bad Request: chat not found"
    )
    server.fail("sendMessage", 429, "Too Many Requests: retry after 3",
                parameters={"retry_after": 3})  # fmt: skip
    code, body = call(server, "sendMessage", chat_id=77, text="x")
    assert (code, body["error_code"], body["parameters"]) == (429, 429, {"retry_after": 3})
    server.migrate(77, -100777)
    code, body = call(server, "sendMessage", chat_id=77, text="x")
    assert (code, body["parameters"]) == (400, {"migrate_to_chat_id": -100777})
    assert server.violations == []


def test_edit_to_identical_content_is_not_modified(server):
    sent = call(server, "sendMessage", chat_id=77, text="same")[1]["result"]
    code, body = call(server, "editMessageText", chat_id=77, message_id=sent["message_id"],
                      text="same")  # fmt: skip
    assert code == 400 and "message is not modified" in body["description"]


def test_inline_answer_limits(server):
    qid = server.inline(5, "q")
    article = {"type": "article", "title": "t",
               "input_message_content": {"message_text": "m"}}  # fmt: skip
    many = [{**article, "id": str(i)} for i in range(51)]
    assert call(server, "answerInlineQuery", inline_query_id=qid, results=many)[0] == 400
    long_id = [{**article, "id": "x" * 65}]
    assert call(server, "answerInlineQuery", inline_query_id=qid, results=long_id)[0] == 400
    assert call(server, "answerInlineQuery", inline_query_id=qid, results=many[:50])[0] == 200
    again = call(server, "answerInlineQuery", inline_query_id=qid, results=many[:1])
    assert again[0] == 400 and "query is too old" in again[1]["description"]


def test_get_updates_long_polls_with_offset_and_allowed_updates(server):
    server.push("message", {"message_id": 1, "date": 0, "chat": {"id": 77, "type": "private"}})
    server.push("edited_message", {"message_id": 1, "date": 0,
                                   "chat": {"id": 77, "type": "private"}})  # fmt: skip
    code, body = call(server, "getUpdates", timeout=0, allowed_updates=["message"])
    assert [u["update_id"] for u in body["result"]] == [1]
    assert call(server, "getUpdates", offset=2, timeout=0)[1]["result"] == []


def test_html_parser_and_entities():
    assert parse_html('<b>a</b> &amp; <a href="u">l</a> &#127881;') == "a & l 🎉"
    for bad in ("<x>a</x>", "<b>a", "a & b", "a > b", "<b>a</i>"):
        with pytest.raises(Exception, match="can't parse entities"):
            parse_html(bad)
    assert entities_for("/ask@Bot 🎉 @Name hi") == [
        {"type": "bot_command", "offset": 0, "length": 8},
        {"type": "mention", "offset": 12, "length": 5},
    ]
