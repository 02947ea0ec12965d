"""Normalisation: full-width, mixed scripts, emoji, mentions, commands, URLs, control chars."""

import pytest

from bot.pipeline.text import (
    MAX_QUESTION_CHARS,
    clean,
    compact,
    detect_script,
    normalize,
    script_neutral,
    tells_script,
)


def test_full_width_letters_and_digits_become_half_width_lower_case():
    assert clean("ＭＩＳＴＲＡＬ　２０２４") == "mistral 2024"


def test_mentions_commands_urls_emoji_and_punctuation_are_dropped():
    assert clean("/ask@MenschBot 你好!!! @someone 🤔 https://t.me/x?y=1") == "你好"
    assert clean("/ASK 開源?") == "開源"


def test_ask_is_only_stripped_as_a_leading_command():
    assert clean("why /ask questions") == "why ask questions"


def test_control_and_zero_width_characters_do_not_glue_or_survive():
    assert clean("開\u200b源\x00模型\u202e") == "開 源 模型"


def test_lone_surrogates_do_not_raise():
    assert clean("abc\ud800def") == "abc def"


def test_normalize_converts_traditional_to_simplified():
    assert normalize("歐洲的開源模型") == "欧洲的开源模型"
    assert normalize("欧洲的开源模型") == "欧洲的开源模型"


def test_long_input_is_capped():
    assert len(clean("字" * 10_000)) == MAX_QUESTION_CHARS


def test_only_symbols_clean_to_empty():
    assert clean("👍？？!!! ...") == ""
    assert clean("   \t\n ") == ""


def test_detect_script():
    assert detect_script("為什麼開源") == "hant"
    assert detect_script("为什么开源") == "hans"
    assert detect_script("Why open source?") == "en"
    assert detect_script("Mistral 的 open source 策略是什麼?") == "hant"
    assert detect_script("mistral跟别家有啥不一样") == "hans"
    assert detect_script("👍") == "en"


def test_compact_joins_cjk_but_keeps_latin_words_apart():
    assert compact("ai 模型 open source") == "ai模型open source"


def test_any_leading_bot_command_is_dropped():
    assert clean("/start") == ""
    assert clean("/help@OtherBot 開源") == "開源"
    assert clean("a/b test") == "a b test"


def test_has_phrase_whole_latin_words_chinese_anywhere():
    from bot.pipeline.text import has_phrase

    assert has_phrase("how to deploy", ["how to"]) and not has_phrase("show to me", ["how to"])
    assert has_phrase("我想问估值多少", ["估值"]) and not has_phrase("价值", ["估值", ""])


def test_script_neutral_chinese():
    assert script_neutral("那Meta呢")
    assert not script_neutral("那開源呢")  # 開 is Traditional only
    assert not script_neutral("那开源呢")
    assert not script_neutral("what about Meta")  # no Chinese at all


@pytest.mark.parametrize(
    ("text", "tells"),
    [
        ("那開源呢", True),
        ("why open source", True),
        ("那Meta呢", False),
        ("🤖🔥", False),
        ("3.5", False),
    ],
)
def test_tells_script(text, tells):
    assert tells_script(text) is tells
