"""HTML rendering and splitting: limits in code points and UTF-16 units, escaping, ids."""

from __future__ import annotations

import html
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import MessageEntity

from bot.channels.telegram.addressing import entity_text
from bot.channels.telegram.render import (
    MAX_TEXT,
    callback_data,
    fits,
    inline_article_text,
    parse_callback_data,
    render_reply,
    split_sentences,
    split_text,
)
from bot.measure import utf16_len
from bot.pipeline.reply import Choice, Reply
from bot.testing.fakeapi import parse_html

URL = "https://example.org/a?b=1&c=<2>"


def answer(paragraphs, **kw) -> Reply:
    return Reply("answer", "q", "en", entry_id="e", paragraphs=tuple(paragraphs),
                 attribution="— Arthur Mensch & <co>", source_url=URL, **kw)  # fmt: skip


def test_utf16_counts_astral_characters_twice():
    assert utf16_len("a中🎉") == 4
    assert fits("🎉" * 2048) and not fits("🎉" * 2049)
    assert fits("中" * 4096) and not fits("中" * 4097)


def test_sentences_split_after_chinese_and_english_ends():
    assert split_sentences("第一句。第二句！Third one. Fourth? 3.5 stays") == [
        "第一句。", "第二句！", "Third one. ", "Fourth? ", "3.5 stays",
    ]  # fmt: skip


def test_paragraph_boundaries_come_first():
    paragraphs = ["a" * 3000, "b" * 3000, "c" * 10]
    assert split_text(paragraphs) == ["a" * 3000, "b" * 3000 + "\n\n" + "c" * 10]


def test_sentence_boundaries_when_a_paragraph_is_too_long():
    paragraph = "一二三四五六七八九。" * 500  # 5,000 characters, sentences of 10
    parts = split_text([paragraph])
    assert [len(p) for p in parts] == [4090, 910]
    assert all(p.endswith("。") for p in parts)


def test_emoji_text_splits_by_utf16_units():
    parts = split_text(["🎉" * 3000])
    assert [utf16_len(p) for p in parts] == [4096, 1904]


def test_tail_goes_in_the_last_part_or_alone():
    assert split_text(["x" * 4093], tail="link") == ["x" * 4093, "link"]
    assert split_text(["x" * 10], tail="link") == ["x" * 10 + "\n\n" + "link"]


def test_the_note_ends_the_last_part_after_the_link_escaped():
    note = "關於「<b>你對中國怎麼看</b>」,我在那次訪談裡沒有談到。"
    rendered = render_reply(answer(["x" * 4000, "y" * 50], note=note))
    assert len(rendered.parts) == 2
    assert rendered.parts[-1].endswith(
        f'<a href="{html.escape(URL)}">Source</a>\n\n'
        "關於「&lt;b&gt;你對中國怎麼看&lt;/b&gt;」,我在那次訪談裡沒有談到。"
    )
    assert rendered.plain[-1].endswith(f"Source: {URL}\n\n{note}")
    assert "沒有談到" not in rendered.parts[0]  # his words stay apart from the bot's line
    visible = parse_html(inline_article_text(answer(["word " * 1000], note=note)))
    assert fits(visible) and visible.endswith(f"…\n\n— Arthur Mensch & <co>\nSource\n\n{note}")


text_strategy = st.lists(
    st.text(alphabet=st.sampled_from(list("ab 。.!\n中🎉&<>")), min_size=0, max_size=3000),
    min_size=0,
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(paragraphs=text_strategy, tail=st.sampled_from(["", "— A\nhttps://x.org"]))
def test_split_never_exceeds_and_never_loses_text(paragraphs, tail):
    parts = split_text(paragraphs, tail, limit=MAX_TEXT)
    assert all(p and fits(p) for p in parts)
    squeeze = lambda s: "".join(s.split())  # noqa: E731
    assert squeeze("".join(parts)) == squeeze("".join(paragraphs) + tail)
    if tail:
        assert parts[-1].endswith(tail)


@settings(max_examples=60, deadline=None)
@given(paragraphs=text_strategy.filter(lambda ps: any(p.strip() for p in ps)))
def test_rendered_html_parses_to_the_plain_twin(paragraphs):
    rendered = render_reply(answer(paragraphs))
    assert len(rendered.parts) == len(rendered.plain)
    for marked, plain in zip(rendered.parts, rendered.plain, strict=True):
        visible = parse_html(marked)  # Telegram's parser, as the fake implements it
        assert visible == plain.replace(f"Source: {URL}", "Source") and fits(visible)
    assert rendered.plain[-1].endswith(f"\n— Arthur Mensch & <co>\nSource: {URL}")  # the twin
    assert rendered.parts[-1].endswith(f'\n<a href="{html.escape(URL)}">Source</a>')


def test_answer_markup_escapes_every_fragment():
    rendered = render_reply(answer(["<b>bold</b> & co"], related=(Choice("r1", "Q<1>", "T"),)))
    [part] = rendered.parts
    assert part == (
        "&lt;b&gt;bold&lt;/b&gt; &amp; co\n\n<i>— Arthur Mensch &amp; &lt;co&gt;</i>\n"
        f'<a href="{html.escape(URL)}">Source</a>'
    )
    [[button]] = rendered.keyboard.inline_keyboard
    assert (button.text, button.callback_data) == ("Q<1>", "r|en|r1")


def test_suggestions_and_fallback_keyboards():
    choices = tuple(Choice(f"e{i}", f"Question {i}", f"Topic {i}") for i in range(5))
    suggest = Reply(
        "suggest", "q", "hans", suggestions=choices, header="你是想问：", none_label="都不是"
    )
    rendered = render_reply(suggest)
    assert rendered.plain == ("你是想问：",)
    rows = rendered.keyboard.inline_keyboard
    assert [r[0].callback_data for r in rows] == ["a|hans|e0", "a|hans|e1", "a|hans|e2", "n|hans|"]
    assert rows[-1][0].text == "都不是"  # the label the reply carries
    rows = render_reply(replace(suggest, none_label="")).keyboard.inline_keyboard
    assert [r[0].callback_data for r in rows] == ["a|hans|e0", "a|hans|e1", "a|hans|e2"]
    fallback = Reply("fallback", "q", "en", paragraphs=("Sorry.",), suggestions=choices)
    rows = render_reply(fallback).keyboard.inline_keyboard
    assert [r[0].text for r in rows] == [f"Topic {i}" for i in range(5)]


@pytest.mark.parametrize("entry_id", ["x", "a" * 55, "a" * 57, "開源" * 10])
def test_callback_data_fits_64_bytes_or_is_refused(entry_id):
    data = callback_data("r", "hant", entry_id)
    expected_ok = len(f"r|hant|{entry_id}".encode()) <= 64
    assert (data is not None) == expected_ok
    if data:
        assert parse_callback_data(data) == ("r", "hant", entry_id)


@pytest.mark.parametrize("data", [None, "", "x", "a|en|", "z|en|id", "a|fr|id", "a|en|id|x"])
def test_malformed_callback_data_is_rejected(data):
    assert parse_callback_data(data) is None


def test_inline_article_is_one_message_with_link():
    text = inline_article_text(answer(["word " * 1000]))
    visible = parse_html(text)
    assert fits(visible) and visible.endswith("…\n\n— Arthur Mensch & <co>\nSource")
    assert text.endswith(f'<a href="{html.escape(URL)}">Source</a>')


@pytest.mark.parametrize(
    ("offset", "length", "expected"),
    [
        (0, 2, "😀"),  # one astral character = 2 UTF-16 units
        (2, 4, "@Bot"),
        (1, 5, None),  # starts inside the pair
        (0, 1, None),  # ends inside the pair
        (2, 99, None),  # past the end
        (-1, 3, None),
        (2, 0, None),
    ],
)
def test_entity_text_valid_or_none(offset, length, expected):
    assert entity_text("😀@Bot hi", MessageEntity("mention", offset, length)) == expected
