"""Replies as users see them, on the real engine and knowledge: every reply kind in every
script, in Telegram (chat messages and inline results) and on the console. One dash before
the attribution, the source link as a short label in the user's script."""

from __future__ import annotations

import html
import re

import pytest

from bot.channels.telegram.render import inline_article_text
from bot.channels.telegram.runtime import Runtime
from bot.channels.telegram.settings import TelegramSettings
from bot.pipeline.reply import SCRIPTS, render_text
from bot.testing.fakeapi import parse_html

URL = (
    "https://www.mckinsey.com/featured-insights/lifting-europes-ambition/videos-and-podcasts/"
    "creating-a-european-ai-unicorn-interview-with-arthur-mensch-ceo-of-mistral-ai"
)
ATTRIBUTION = {
    "hant": "—— Arthur Mensch,Mistral AI 行政總裁兼聯合創始人;麥肯錫專訪"
    "(Eric Hazan 提問,2024-05-11,中文譯本)",
    "hans": "—— Arthur Mensch,Mistral AI 首席执行官兼联合创始人;麦肯锡专访"
    "(Eric Hazan 提问,2024-05-11,中文译本)",
    "en": "— Arthur Mensch, CEO and co-founder of Mistral AI; McKinsey interview "
    "(Eric Hazan asking, 2024-05-11; Chinese translation)",
}
LABEL = {"hant": "原文", "hans": "原文", "en": "Source"}
QUESTIONS = {
    "answer": {"hant": "為什麼要開源?", "hans": "为什么要开源?", "en": "why open source?"},
    "suggest": {"hant": "歐洲", "hans": "欧洲", "en": "Europe"},
    "fallback": {"hant": "今天天氣如何?", "hans": "今天天气如何?", "en": "weather today?"},
    "smalltalk": {"hant": "謝謝", "hans": "谢谢", "en": "thanks"},
    "related": {
        "hant": "你在哪所大學讀的博士?",
        "hans": "你在哪所大学读的博士?",
        "en": "Which university did you get your PhD from?",
    },
}
DOUBLED = re.compile(r"[—–-]\s+[—–-]|—{3,}")


@pytest.fixture(scope="module")
def runtime():
    return Runtime(settings=TelegramSettings())


def _reply(engine, kind, script):
    reply = engine.answer(QUESTIONS[kind][script])
    assert (reply.kind, reply.script) == (kind, script)
    return reply


@pytest.mark.parametrize("script", SCRIPTS)
def test_answer_in_telegram_and_on_the_console(engine, runtime, script):
    reply = _reply(engine, "answer", script)
    rendered = runtime.render(reply)
    last = rendered.parts[-1]
    assert last.endswith(
        f"\n\n<i>{html.escape(ATTRIBUTION[script])}</i>\n"
        f'<a href="{html.escape(URL)}">{LABEL[script]}</a>'
    )
    visible = "\n\n".join(parse_html(p) for p in rendered.parts)
    assert visible == "\n\n".join(reply.paragraphs) + f"\n\n{ATTRIBUTION[script]}\n{LABEL[script]}"
    assert rendered.plain[-1].endswith(f"{ATTRIBUTION[script]}\n{LABEL[script]}: {URL}")
    console = render_text(reply)
    assert f"\n\n{ATTRIBUTION[script]}\n{URL}\n" in console
    for text in (visible, *rendered.plain, console):
        assert not DOUBLED.search(text), text


@pytest.mark.parametrize("script", SCRIPTS)
def test_inline_result_reads_like_the_chat_answer(engine, runtime, script):
    reply = engine.answer_entry("oss_value", script)
    text = inline_article_text(reply, runtime.settings.text(script, "source_link"))
    assert text == runtime.render(reply).parts[0]  # one part: the same message as in chats
    assert parse_html(text).endswith(f"\n\n{ATTRIBUTION[script]}\n{LABEL[script]}")
    assert not DOUBLED.search(parse_html(text))


@pytest.mark.parametrize("kind", ["suggest", "fallback", "smalltalk", "related"])
@pytest.mark.parametrize("script", SCRIPTS)
def test_other_kinds_carry_no_attribution_or_link(engine, runtime, kind, script):
    reply = _reply(engine, kind, script)
    rendered = runtime.render(reply)
    [part] = rendered.parts
    blocks = [*reply.paragraphs, reply.header] if kind == "suggest" else list(reply.paragraphs)
    assert parse_html(part) == "\n\n".join(b.strip() for b in blocks if b.strip())
    assert "<a " not in part and "Arthur Mensch," not in part and not DOUBLED.search(part)
    keyboard = rendered.keyboard.inline_keyboard if rendered.keyboard else ()
    buttons = [b.text for row in keyboard for b in row]
    if kind == "suggest":
        none = {"hant": "都不是", "hans": "都不是", "en": "None of these"}[script]
        assert reply.none_label == none
        assert buttons == [c.question for c in reply.suggestions[:3]] + [none]
    elif kind == "related":  # the closest passages to pick, no "none of these"
        questions = [c.question for c in reply.suggestions[:3]]
        assert len(buttons) == len(questions) and reply.suggestions[0].entry_id == "background"
        pairs = zip(buttons, questions, strict=True)
        assert all(q.startswith(b.removesuffix("…")) for b, q in pairs)
    elif kind == "fallback":
        assert buttons == [c.topic for c in reply.suggestions]
    else:
        assert rendered.keyboard is None
    assert not DOUBLED.search(render_text(reply))
